"""Fixtures for content tests: small module texts, and course folders written in tmp_path.

Helpers are fixtures (not imports) so the tests run however pytest sets up ``sys.path``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.samples import tiny_png
from trainer.content import CheckReport, check_path, parse_module_text

FRONT = """---
id: {id}
kind: {kind}
title: A module
overview: What it covers.
intensity: light
objectives:
  - Learn one thing.
references:
  - A source.
---
"""
COURSE = """---
id: {id}
title: A course
summary: A summary.
language: en
sectors: [health]
estimated_minutes: 10
modules:
{modules}
---
"""


class Modules:
    """Module texts with the same 11-line front matter: the body starts at line 12, and
    ``kind:`` (where module-wide problems go) is line 3."""

    front = FRONT

    def text(self, kind: str, body: str, id: str = "m") -> str:
        return FRONT.format(id=id, kind=kind) + body

    def lesson(self, id: str = "m") -> str:
        return self.text("lesson", "## Only {#only}\n\nText.\n", id)

    def lines(self, text: str) -> list[str]:
        """Problems of a module text as ``m.md:line: message``."""
        return [str(p) for p in parse_module_text(text, "m.md").problems]

    def problems(self, kind: str, body: str) -> list[str]:
        return self.lines(self.text(kind, body))


class Folder:
    """Course folders under tmp_path, which is also the working folder (short paths)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def course_md(self, *modules: str, id: str = "c") -> str:
        """A course.md; the first module entry is on line 9."""
        return COURSE.format(id=id, modules="\n".join(f"  - {m}" for m in modules))

    def write(self, files: dict[str, str | bytes]) -> Path:
        for name, content in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return self.root

    def report(self, files: dict[str, str | bytes], path: str = "") -> CheckReport:
        self.write(files)
        return check_path(self.root / path)

    def check(self, files: dict[str, str | bytes], path: str = "") -> list[str]:
        """Write files, check, and return the problems as strings."""
        return [str(p) for p in self.report(files, path).problems]


@pytest.fixture
def modules() -> Modules:
    return Modules()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Folder:
    monkeypatch.chdir(tmp_path)
    return Folder(tmp_path)


@pytest.fixture
def png() -> bytes:
    return tiny_png()


@pytest.fixture
def good_course() -> Path:
    return Path(__file__).parent / "fixtures" / "good-course"
