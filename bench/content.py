"""How long checking and importing courses takes: the shipped curriculum and a generated
200-module course. Medians of several runs, in one process, each import into an empty
database."""
from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def generate_course(folder: Path, modules: int = 200) -> Path:
    """A large, valid course: lessons, quizzes and scenarios in turn."""
    folder.mkdir(parents=True)
    names = [f"{i:03d}-module.md" for i in range(1, modules + 1)]
    (folder / "course.md").write_text(
        "---\nid: generated\ntitle: Generated course\nsummary: A large course for measuring.\n"
        "language: en\nsectors: [health]\nestimated_minutes: 600\nmodules:\n"
        + "".join(f"  - {n}\n" for n in names) + "---\n\nIntroduction.\n")
    for i, name in enumerate(names):
        kind = ("lesson", "quiz", "scenario")[i % 3]
        (folder / name).write_text(_module(f"m{i}", kind))
    return folder


def _module(module_id: str, kind: str) -> str:
    head = (f"---\nid: {module_id}\nkind: {kind}\ntitle: Module {module_id}\noverview: Generated.\n"
            "intensity: light\nobjectives:\n  - Measure.\nreferences:\n  - A source.\n---\n\n")
    if kind == "lesson":
        body = "".join(f"## Section {s} {{#s{s}}}\n\n" + ("Some *text* with a [link](https://example.org). " * 20)
                       + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n::: indicators\n- one\n- two\n:::\n\n"
                       for s in range(8))
    elif kind == "quiz":
        body = "".join(f"## Question {q} {{#q{q} kind=single}}\n\nWhich?\n\n- [x] Right {{#a}}\n  > Yes.\n"
                       f"- [ ] Wrong {{#b}}\n  > No.\n\n::: explanation\nBecause.\n:::\n\n" for q in range(8))
    else:
        body = "".join(f"## Node {n} {{#n{n}}}\n\nSituation.\n\n- Go on. -> n{n + 1} {{#go}}\n  > Next.\n"
                       f"- Stop. -> end-bad {{#stop}}\n  > Stopped.\n\n" for n in range(6))
        body += "## Good {#n6 ending=best}\n\nDebrief.\n\n## OK {#end-ok ending=acceptable}\n\nDebrief.\n\n"
        body += "## Bad {#end-bad ending=harmful}\n\nDebrief.\n"
        stop = "- Stop. -> end-bad {#stop}\n  > Stopped.\n"
        body = body.replace(stop + "\n", stop + "- Pause. -> end-ok {#pause}\n  > Paused.\n\n", 1)
    return head + body


def _median(fn) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run() -> list[dict]:
    os.environ.setdefault("TRAINER_ENV", "development")
    import flask_migrate

    from trainer import create_app
    from trainer.content import check_path
    from trainer.extensions import db
    from trainer.services import publishing

    tmp = Path(tempfile.mkdtemp(prefix="trainer-bench-content-"))
    generated = generate_course(tmp / "generated")
    results = []
    print(f"Courses: check and import, median of {RUNS} runs (import into an empty database each time)")
    try:
        for label, path in (("courses/ (the curriculum)", ROOT / "courses"), ("generated, 200 modules", generated)):
            report = check_path(path)
            assert report.ok, [str(p) for p in report.problems][:5]
            check_s = _median(lambda path=path: check_path(path))
            counter = iter(range(1000))

            def import_once(path: Path = path, counter: Iterator[int] = counter) -> float:
                database = f"sqlite:///{tmp}/import-{next(counter)}.sqlite"
                app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench"})
                with app.app_context():
                    flask_migrate.upgrade()
                    started = time.perf_counter()
                    assert publishing.import_path(path).ok
                    db.session.commit()
                    return time.perf_counter() - started

            import_s = statistics.median(import_once() for _ in range(RUNS))
            totals = report.totals()
            print(f"{label:<28} {totals['modules']:>4} modules {totals['questions']:>5} questions   "
                  f"check {check_s * 1000:>7.0f} ms   import {import_s * 1000:>7.0f} ms", flush=True)
            results.append({"label": label, "check_s": check_s, "import_s": import_s})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results
