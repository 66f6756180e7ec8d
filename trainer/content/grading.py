"""Grading one question response, following the table in docs/authoring.md.

Responses: a set of option ids for single, multiple and true-false; a string for short and
numerical; a dict from pair id to the id of the pair whose right side was chosen for matching.
Anything malformed scores zero rather than raising: it comes from a learner's form.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .spec import OptionSpec, QuestionSpec

NUMBER_RE = re.compile(r"^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")


@dataclass(frozen=True)
class GradeResult:
    """``score`` is the fraction of the question's points earned (0..1); ``correct`` means
    full marks; ``feedback`` lists the ids of the options whose feedback to show."""

    score: float
    correct: bool
    feedback: tuple[str, ...] = ()


ZERO = GradeResult(0.0, False)


def grade_question(question: QuestionSpec, response: Any) -> GradeResult:
    """Grade a learner's response to ``question``."""
    grader = GRADERS.get(question.kind)
    return grader(question, response) if grader else ZERO


def _result(score: Fraction, feedback: list[str]) -> GradeResult:
    """Clamp to 0..1 and mark full marks as correct."""
    score = min(max(score, Fraction(0)), Fraction(1))
    return GradeResult(float(score), score == 1, tuple(feedback))


def _chosen(question: QuestionSpec, response: Any) -> set[str]:
    """The option ids a learner ticked (a single id is accepted as well)."""
    if isinstance(response, str):
        return {response}
    if isinstance(response, set | frozenset | list | tuple):
        return {item for item in response if isinstance(item, str)}
    return set()


def _grade_one(question: QuestionSpec, response: Any) -> GradeResult:
    """single and true-false: right only when exactly the [x] option is chosen."""
    chosen = _chosen(question, response)
    right = {option.id for option in question.options if option.correct}
    feedback = [option.id for option in question.options if option.id in chosen]
    return _result(Fraction(int(bool(chosen) and chosen == right)), feedback)


def shares(options: tuple[OptionSpec, ...]) -> dict[str, Fraction]:
    """Each multiple-choice option's share of the marks, in percent.

    An option with ``weight`` gets it; [x] options without one split what the weighted [x]
    options leave of 100; a [ ] option without one costs as much as an average [x] option
    ("a wrong choice cancels a right one").
    """
    correct = [o for o in options if o.correct]
    if not correct:
        return {}
    given = sum((Fraction(str(o.weight)) for o in correct if o.weight is not None), Fraction(0))
    plain = [o for o in correct if o.weight is None]
    rest = (Fraction(100) - given) / len(plain) if plain else Fraction(0)
    penalty = Fraction(-100, len(correct))
    return {o.id: Fraction(str(o.weight)) if o.weight is not None
            else (rest if o.correct else penalty) for o in options}


def _grade_multiple(question: QuestionSpec, response: Any) -> GradeResult:
    """Partial credit: the shares of the chosen options, never below zero."""
    chosen = _chosen(question, response)
    share = shares(question.options)
    total = sum((s for o in question.options if o.correct and (s := share[o.id]) > 0),
                Fraction(0))
    earned = sum((share[o.id] for o in question.options if o.id in chosen), Fraction(0))
    feedback = [o.id for o in question.options if o.id in chosen]
    return _result(earned / total if total else Fraction(0), feedback)


def normalise_answer(text: str) -> str:
    """Typed answers compare ignoring case, surrounding spaces and repeated spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _grade_short(question: QuestionSpec, response: Any) -> GradeResult:
    """Right when the answer matches an accepted one; a [ ] match only gives its feedback."""
    if not isinstance(response, str):
        return ZERO
    answer = normalise_answer(response)
    matches = [o for o in question.options if normalise_answer(o.text) == answer]
    best = next((o for o in matches if o.correct), matches[0] if matches else None)
    if best is None:
        return ZERO
    return _result(Fraction(int(best.correct)), [best.id])


def parse_number(text: str) -> float | None:
    """A typed number (decimal point or comma, surrounding spaces allowed), or None."""
    text = text.strip().replace(" ", "")
    if not NUMBER_RE.match(text):
        return None
    return float(text.replace(",", "."))


def _in_range(option: OptionSpec, value: float) -> bool:
    """Whether ``value`` lies in the option's range (allowing for float rounding)."""
    if option.low is None or option.high is None:
        return False
    slack = 1e-9 * max(1.0, abs(option.low), abs(option.high))
    return option.low - slack <= value <= option.high + slack


def _grade_numerical(question: QuestionSpec, response: Any) -> GradeResult:
    """The best-weighted [x] range containing the number; a [ ] range only gives feedback."""
    value = parse_number(response) if isinstance(response, str) else None
    if value is None:
        return ZERO
    hits = [o for o in question.options if _in_range(o, value)]
    right = [o for o in hits if o.correct]
    if right:
        best = max(right, key=lambda o: 100 if o.weight is None else o.weight)
        weight = Fraction(100) if best.weight is None else Fraction(str(best.weight))
        return _result(weight / 100, [best.id])
    return _result(Fraction(0), [hits[0].id] if hits else [])


def _grade_matching(question: QuestionSpec, response: Any) -> GradeResult:
    """The share of pairs matched to the right side (pairs with equal sides are equivalent)."""
    if not isinstance(response, dict) or not question.options:
        return ZERO
    right_of = {o.id: normalise_answer(o.right or "") for o in question.options}
    chosen = {key: value for key, value in response.items() if isinstance(value, str)}
    matched = sum(1 for o in question.options
                  if o.id in chosen and right_of.get(chosen[o.id]) == right_of[o.id])
    feedback = [o.id for o in question.options if o.feedback_html]
    return _result(Fraction(matched, len(question.options)), feedback)


GRADERS: dict[str, Callable[[QuestionSpec, Any], GradeResult]] = {
    "single": _grade_one, "true-false": _grade_one, "multiple": _grade_multiple,
    "short": _grade_short, "numerical": _grade_numerical, "matching": _grade_matching,
}
