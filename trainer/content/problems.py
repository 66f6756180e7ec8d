"""Problems found in course sources, reported as ``path:line: message``."""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

Severity = Literal["error", "warning"]
T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One problem at a 1-based line of a file (line 1 for whole-file problems)."""

    path: str
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


@dataclass
class Problems:
    """Collects the problems of one file, so parsers never raise on bad input."""

    path: str
    items: list[Problem] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        """Record an error at ``line``."""
        self.items.append(Problem(self.path, line, message))

    def warning(self, line: int, message: str) -> None:
        """Record a warning at ``line``."""
        self.items.append(Problem(self.path, line, message, "warning"))

    @property
    def has_errors(self) -> bool:
        """True when at least one error (not just warnings) was recorded."""
        return any(p.severity == "error" for p in self.items)


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """A parse result: a best-effort spec and the problems found.

    The spec is only trustworthy when ``ok``; with errors it is filled in as far as possible
    (for previews and summaries).
    """

    spec: T
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings are allowed)."""
        return not any(p.severity == "error" for p in self.problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in file order: by path, then line (stable for equal lines)."""
    return sorted(problems, key=lambda p: (p.path, p.line))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """"; did you mean 'x'?" for the closest of ``choices`` to a misspelt ``word``, else ""."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
