"""Question kinds as a registry: one handler per kind, each the only home of that kind.

A handler (see :class:`~trainer.content.kinds.base.QuestionKind`) knows how its options are
written and checked, the form fields it expects, how a submitted form decodes, how a response is
graded, what the form shows and what a review may reveal; its template partial is
``templates/learn/questions/<kind>.html``. To add a kind, write a handler and its partial and
list it here.
"""
from __future__ import annotations

from typing import Any

from ..grading import ZERO, GradeResult
from ..spec import QuestionSpec
from .base import AnswerView, BadAnswer, Choice, Form, FormKeys, QuestionKind, Review, ReviewLine, arrange, verdict
from .choice import Multiple, Single, TrueFalse
from .matching import Matching
from .typed import Numerical, Short

KINDS: dict[str, QuestionKind] = {kind.name: kind for kind in (
    Single(), Multiple(), TrueFalse(), Short(), Numerical(), Matching())}

# For a question whose kind is missing or unknown: its options are still read (and reported).
UNKNOWN = QuestionKind()


def kind_of(question: QuestionSpec) -> QuestionKind:
    """The handler of a question's kind (published questions always have a known one)."""
    return KINDS[question.kind]


def grade_question(question: QuestionSpec, response: Any) -> GradeResult:
    """Grade a learner's response to ``question``."""
    kind = KINDS.get(question.kind)
    return kind.grade(question, response) if kind else ZERO


__all__ = ["AnswerView", "BadAnswer", "Choice", "Form", "FormKeys", "KINDS", "QuestionKind", "Review",
           "ReviewLine", "UNKNOWN", "arrange", "grade_question", "kind_of", "verdict"]
