"""Scoring vocabulary that the question kinds share (each kind grades in trainer/content/kinds/).

Responses: a set of option ids for single, multiple and true-false; a string for short and
numerical; a dict from pair id to the id of the pair whose right side was chosen for matching.
Anything malformed scores zero rather than raising: it comes from a learner's form.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

NUMBER_RE = re.compile(r"^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")


@dataclass(frozen=True)
class GradeResult:
    """``score`` is the fraction of the question's points earned (0..1); ``correct`` means
    full marks; ``feedback`` lists the ids of the options whose feedback the learner has earned
    the right to see whatever the course reveals (the options they chose, or matched right)."""

    score: float
    correct: bool
    feedback: tuple[str, ...] = ()


ZERO = GradeResult(0.0, False)


def result(score: Fraction, feedback: list[str]) -> GradeResult:
    """Clamp to 0..1 and mark full marks as correct."""
    score = min(max(score, Fraction(0)), Fraction(1))
    return GradeResult(float(score), score == 1, tuple(feedback))


def chosen_ids(response: Any) -> set[str]:
    """The option ids a learner ticked (a single id, or a list as stored, is accepted too)."""
    if isinstance(response, str):
        return {response}
    if isinstance(response, set | frozenset | list | tuple):
        return {item for item in response if isinstance(item, str)}
    return set()


def normalise_answer(text: str) -> str:
    """Typed answers compare ignoring case, surrounding spaces and repeated spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def parse_number(text: str) -> float | None:
    """A typed number (decimal point or comma, surrounding spaces allowed), or None."""
    text = text.strip().replace(" ", "")
    if not NUMBER_RE.match(text):
        return None
    return float(text.replace(",", "."))
