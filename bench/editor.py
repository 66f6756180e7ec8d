"""The browser editor's live check and preview, as an author types in a module of the core
course: the whole request (form, checker in its child process, rendered preview), median of
several keystrokes. Side by side in one run: with what the previous check found kept (only the
edited file is parsed again) and with it forgotten before each keystroke (the whole course)."""
from __future__ import annotations

import statistics
import time

from bench.apps import ROOT, bench_app, migrated

KEYSTROKES = 21
FILES = ("05-indicators-myths.md", "07-scenario-car-wash.md", "course.md")


def run() -> list[dict]:
    app = bench_app("editor")
    migrated(app)
    from trainer.services import authoring
    client = app.test_client()
    client.post("/login", data={"email": "admin@example.org", "password": "demo-admin-lantern-harbour"})

    def keystroke(name: str, text: str, forget: bool) -> float:
        if forget:
            authoring._MEMOS = type(authoring._MEMOS)()
        started = time.perf_counter()
        response = client.post(f"/authoring/courses/core/preview/{name}", data={"text": text})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and not response.json["problems"], response.json
        return elapsed

    print(f"Editor live check and preview (the core course, 11 files), median of {KEYSTROKES} keystrokes; "
          "a new character each time")
    results = []
    for name in FILES:
        text = (ROOT / "courses" / "core" / name).read_text("utf-8")
        keystroke(name, text, forget=False)  # the first check of a course parses every file
        kept, forgotten = [], []
        for i in range(KEYSTROKES):  # alternate, so both see the same machine
            typed = text.rstrip("\n") + "\n\nA word " + "typed" * (i + 1) + ".\n"
            kept.append(keystroke(name, typed, forget=False))
            forgotten.append(keystroke(name, typed.replace("A word", "One word"), forget=True))
        row = {"file": name, "kept_s": statistics.median(kept), "whole_s": statistics.median(forgotten)}
        print(f"{name:<26} {len(text.encode()) // 1024:>3} KB   only the edited file "
              f"{row['kept_s'] * 1000:>6.1f} ms   the whole course {row['whole_s'] * 1000:>6.1f} ms   "
              f"({row['whole_s'] / row['kept_s']:.1f}x)", flush=True)
        results.append(row)
    return results
