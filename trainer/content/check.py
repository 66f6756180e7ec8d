"""``courses check PATH``: find courses, check them all, and report as text or JSON."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from trainer.vocabulary import Language

from .course import display_path, id_line, parse_course, read_text
from .cues import check_cues
from .links import check_course_links
from .memo import Key, Memo
from .parse import parse_module_text
from .problems import Problem, Problems, sort_problems
from .referrals import parse_referrals
from .render import ImageUrl
from .spec import CourseSpec, ModuleSpec, ReferralSpec

COUNTS = ("modules", "lessons", "quizzes", "scenarios", "cases", "questions")


@dataclass(frozen=True)
class CourseSummary:
    """Counts for one course, shown after the problems."""

    path: str
    id: str
    title: str
    language: str
    modules: int
    lessons: int
    quizzes: int
    scenarios: int
    cases: int
    questions: int
    sectors: tuple[str, ...]
    errors: int
    warnings: int
    cues: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckReport:
    """Everything ``check_path`` found. ``courses`` holds only the courses without errors."""

    problems: tuple[Problem, ...]
    courses: tuple[CourseSpec, ...]
    summaries: tuple[CourseSummary, ...]
    referrals: tuple[ReferralSpec, ...] = ()

    @property
    def errors(self) -> int:
        """How many errors (each stops publishing)."""
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        """How many warnings (reported, not blocking)."""
        return sum(p.severity == "warning" for p in self.problems)

    @property
    def ok(self) -> bool:
        """True when nothing stops publishing (warnings allowed)."""
        return self.errors == 0

    def totals(self) -> dict[str, int]:
        """Sums of the per-course counts, and the number of courses."""
        totals = {name: sum(getattr(s, name) for s in self.summaries) for name in COUNTS}
        return {"courses": len(self.summaries), **totals}


def find_courses(path: Path) -> list[Path]:
    """``path`` itself if it is a course folder (or its course.md), else its course sub-folders."""
    if path.is_file() and path.name == "course.md":
        return [path.parent]
    if (path / "course.md").is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(child for child in path.iterdir() if (child / "course.md").is_file())


def check_path(path: str | Path, image_url: ImageUrl | None = None,
               image_url_for: Callable[[Path], ImageUrl] | None = None,
               memo: Memo | None = None) -> CheckReport:
    """Check every course under ``path`` (and ``referrals.yaml`` at its root).

    ``image_url_for(folder)`` gives each course its own image mapping (a publisher maps
    ``images/x.png`` to where the stored image is served); ``image_url`` is one for all.
    ``memo``, for a path that is one course, reuses what an earlier check found in the files
    that have not changed since.
    """
    root = Path(path)
    problems: list[Problem] = []
    folders = find_courses(root)
    if not folders:
        message = ("no course.md here or in its sub-folders" if root.exists()
                   else "no such file or folder")
        problems.append(Problem(display_path(root), 1, message))
    problems.extend(_folders_without_course_md(root, folders))
    courses, summaries = [], []
    for folder in folders:
        parsed = parse_course(folder, image_url_for(folder) if image_url_for else image_url, memo)
        parsed = check_course_links(folder, parsed, memo)
        # Cues are counted once a course has no errors: a broken question would skew the counts.
        cue_problems, cue_counts = check_cues(folder, parsed.spec) if parsed.ok and parsed.spec else ((), {})
        parsed = replace(parsed, problems=parsed.problems + cue_problems)
        problems.extend(parsed.problems)
        summaries.append(replace(_summary(folder, parsed.spec, parsed.problems), cues=cue_counts))
        if parsed.ok and parsed.spec is not None:
            courses.append(parsed.spec)
    problems.extend(_duplicate_course_ids(folders, summaries))
    referrals: tuple[ReferralSpec, ...] = ()
    if root.is_dir() and (root / "referrals.yaml").is_file():
        parsed_referrals = parse_referrals(root / "referrals.yaml")
        problems.extend(parsed_referrals.problems)
        referrals = parsed_referrals.spec
    bad = {p.path for p in problems if p.severity == "error"}
    return CheckReport(tuple(sort_problems(problems)),
                       tuple(c for c in courses if not _touches(c, bad)), tuple(summaries),
                       referrals)


def preview_file(folder: str, name: str, image_urls: dict[str, str], memo: dict[Key, Any]
                 ) -> tuple[ModuleSpec | None, tuple[Problem, ...], tuple[list[Key], dict[Key, Any]]]:
    """The editor's preview of one file of the course in ``folder``: the module as rendered (None
    for course.md) and that file's problems, found with the other files as context. Problems are
    named by their path in the folder. ``memo`` holds what the previous preview of this course
    (with these images) found, so only the edited file is parsed again; what to remember for the
    next preview comes back as :meth:`Memo.news`. Plain arguments and results, for a child process."""
    def image_url(src: str) -> str:
        return image_urls.get(src.removeprefix("./"), src)

    root = Path(folder).resolve()
    remembered = Memo(memo)
    report = check_path(root, image_url=image_url, memo=remembered)
    mine = tuple(replace(p, path=name) for p in report.problems
                 if Path(p.path).resolve() == root / name)
    text = None if name == "course.md" else read_text(root / name, Problems(name))
    if text is None:
        return None, mine, remembered.news()
    language = report.summaries[0].language if report.summaries and report.summaries[0].language else Language.EN.value
    spec = remembered.get("module", name, text, lambda: parse_module_text(text, name, language, image_url=image_url),
                          language).spec
    return spec, mine, remembered.news()


def _folders_without_course_md(root: Path, folders: list[Path]) -> list[Problem]:
    """Warn about sub-folders with Markdown but no course.md (a misspelt Course.md, say)."""
    if folders != [root] and root.is_dir():
        return [Problem(display_path(child), 1, "this folder has .md files but no course.md, "
                        "so it is not checked as a course", "warning")
                for child in sorted(root.iterdir())
                if child.is_dir() and child not in folders and any(child.glob("*.md"))]
    return []


def _touches(course: CourseSpec, bad_paths: set[str]) -> bool:
    """Whether a problem found after parsing (a duplicate course id) is in this course."""
    return display_path(Path(course.source_path) / "course.md") in bad_paths


def _duplicate_course_ids(folders: list[Path], summaries: list[CourseSummary]) -> list[Problem]:
    """Course ids are unique across the folder (the second and later uses are reported)."""
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for folder, summary in zip(folders, summaries, strict=True):
        path = folder / "course.md"
        if summary.id in first:
            line = id_line(path.read_text("utf-8", "replace"))
            problems.append(Problem(display_path(path), line, f"course id '{summary.id}' is "
                                    f"also used by {first[summary.id]}"))
        else:
            first[summary.id] = display_path(path)
    return problems


def _summary(folder: Path, spec: CourseSpec | None, problems: tuple[Problem, ...]) -> CourseSummary:
    """Counts for one course, from its (possibly partial) spec."""
    modules = spec.modules if spec else ()
    kinds = [module.kind for module in modules]
    return CourseSummary(
        path=display_path(folder), id=spec.id if spec else folder.name,
        title=spec.title if spec else "", language=spec.language if spec else "",
        modules=len(modules), lessons=kinds.count("lesson"), quizzes=kinds.count("quiz"),
        scenarios=kinds.count("scenario"), cases=kinds.count("case"),
        questions=sum(len(module.questions) for module in modules),
        sectors=spec.sectors if spec else (),
        errors=sum(p.severity == "error" for p in problems),
        warnings=sum(p.severity == "warning" for p in problems))


def format_text(report: CheckReport) -> str:
    """Problems as ``path:line: message``, then a table of counts per course and totals."""
    lines = [str(problem) for problem in report.problems]
    if lines:
        lines.append("")
    header = ["course", "language", *COUNTS, "sectors"]
    rows = [[s.id, s.language, *(str(getattr(s, n)) for n in COUNTS), ", ".join(s.sectors)]
            for s in report.summaries]
    totals = report.totals()
    rows.append(["total", "", *(str(totals[n]) for n in COUNTS), ""])
    lines.extend(_table(header, rows))
    lines.append("")
    lines.append(f"{_plural(totals['courses'], 'course')}, {_plural(report.errors, 'error')}, "
                 f"{_plural(report.warnings, 'warning')}")
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned text columns, numbers right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = {i for i, name in enumerate(header) if name in COUNTS}

    def cell(i: int, value: str) -> str:
        return value.rjust(widths[i]) if i in numeric else value.ljust(widths[i])

    return ["  ".join(cell(i, v) for i, v in enumerate(row)).rstrip() for row in [header, *rows]]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def to_json(report: CheckReport) -> dict[str, Any]:
    """The report as JSON-ready data (for ``courses check --json``)."""
    return {
        "ok": report.ok,
        "errors": report.errors,
        "warnings": report.warnings,
        "problems": [asdict(problem) for problem in report.problems],
        "courses": [{**asdict(s), "sectors": list(s.sectors)} for s in report.summaries],
        "totals": report.totals(),
    }
