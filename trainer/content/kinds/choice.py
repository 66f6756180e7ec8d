"""Kinds where the learner picks options: single, true-false and multiple."""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..context import Context
from ..grading import GradeResult, chosen_ids, result
from ..spec import OptionSpec, QuestionSpec
from .base import (
    AnswerView,
    BadAnswer,
    Choice,
    Form,
    FormKeys,
    QuestionKind,
    Review,
    ReviewLine,
    arrange,
    correct_count,
    needs_options,
)


class Single(QuestionKind):
    """Two or more options, exactly one [x] with full marks; an [x] with ``weight=50`` gives
    partial credit (as Moodle's single-answer questions can). Shown as radio buttons, shuffled
    per attempt (an option with fixed=true keeps its place)."""

    name = "single"
    takes_weight = True
    may_pin = True
    picks_options = True
    many = False  # how many options a learner may choose

    def check(self, options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
        if not needs_options(options, line, ctx, 2):
            return
        full = [o for o in options if is_full(o)]
        if any(o.correct for o in options) and len(full) != 1:
            ctx.problems.error(line, f"question needs exactly one [x] option without a weight, not "
                                     f"{len(full)} (give the others weight=50 for partial credit, or "
                                     "use kind=multiple)")
        correct_count(options, line, ctx, exactly_one=False)

    def ordered(self, question: QuestionSpec, keys: FormKeys | None) -> tuple[OptionSpec, ...]:
        """The options in the order this attempt's form shows them."""
        return arrange(question.options, question.id, keys, lambda o: o.id, lambda o: o.fixed)

    def view(self, question: QuestionSpec, keys: FormKeys) -> AnswerView:
        return self._view(question, choices=tuple(Choice(keys.key(question.id, o.id), o.text_html)
                                                  for o in self.ordered(question, keys)))

    def decode(self, question: QuestionSpec, form: Form, keys: FormKeys) -> set[str]:
        by_key = {keys.key(question.id, o.id): o.id for o in question.options}
        chosen = list(form.get(self.field(question)) or [])
        if any(key not in by_key for key in chosen) or (not self.many and len(chosen) > 1):
            raise BadAnswer(self.field(question))
        return {by_key[key] for key in chosen}

    def grade(self, question: QuestionSpec, response: Any) -> GradeResult:
        """Full marks for the full [x] option, its weight for a partial one, else nothing."""
        chosen = chosen_ids(response)
        feedback = [option.id for option in question.options if option.id in chosen]
        picked = [option for option in question.options if option.id in chosen]
        if len(picked) != 1 or not picked[0].correct:
            return result(Fraction(0), feedback)
        weight = picked[0].weight
        return result(Fraction(1) if weight is None else Fraction(str(weight)) / 100, feedback)

    def review(self, question: QuestionSpec, response: Any, grade: GradeResult, reveal: bool,
               keys: FormKeys | None) -> Review:
        """With the key: every option, the right ones marked, all feedback. Without it: only the
        options the learner chose, each with its feedback and marked if right."""
        chosen = chosen_ids(response)
        lines = tuple(ReviewLine(o.text_html, chosen=o.id in chosen, right=is_full(o), feedback_html=o.feedback_html)
                      for o in self.ordered(question, keys) if reveal or o.id in chosen)
        return self._review(question, grade, reveal, lines=lines)


class TrueFalse(Single):
    """Options with ids true and false, one [x]. Always shown True, then False."""

    name = "true-false"
    takes_weight = False
    may_pin = False

    def check(self, options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
        if not needs_options(options, line, ctx, 2):
            return
        if sorted(option.id for option in options) != ["false", "true"]:
            ctx.problems.error(line, "a true-false question has exactly two options, with ids true "
                                     "and false")
        correct_count(options, line, ctx, exactly_one=True)

    def ordered(self, question: QuestionSpec, keys: FormKeys | None) -> tuple[OptionSpec, ...]:
        return tuple(sorted(question.options, key=lambda o: o.id != "true"))


class Multiple(Single):
    """Two or more options, at least one [x]; partial credit (see :func:`shares`)."""

    name = "multiple"
    takes_weight = True
    many = True

    def review(self, question: QuestionSpec, response: Any, grade: GradeResult, reveal: bool,
               keys: FormKeys | None) -> Review:
        """As for single, but every [x] option is a right one to tick."""
        chosen = chosen_ids(response)
        lines = tuple(ReviewLine(o.text_html, chosen=o.id in chosen, right=o.correct, feedback_html=o.feedback_html)
                      for o in self.ordered(question, keys) if reveal or o.id in chosen)
        return self._review(question, grade, reveal, lines=lines)

    def check(self, options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
        """At least one [x]; the [x] weights must leave full marks reachable."""
        if not needs_options(options, line, ctx, 2):
            return
        correct_count(options, line, ctx, exactly_one=False)
        correct = [o for o in options if o.correct]
        given = sum(o.weight for o in correct if o.weight is not None and o.weight > 0)
        if any(o.weight is None for o in correct):
            if given >= 100 and correct:
                ctx.problems.error(line, f"the [x] weights add up to {given:g}, leaving nothing for "
                                         "the [x] options without a weight")
        elif correct and abs(given - 100) > 1:
            ctx.problems.error(line, f"the [x] weights add up to {given:g}; they must add up to 100")

    def grade(self, question: QuestionSpec, response: Any) -> GradeResult:
        """The shares of the chosen options, never below zero."""
        chosen = chosen_ids(response)
        share = shares(question.options)
        total = sum((s for o in question.options if o.correct and (s := share[o.id]) > 0), Fraction(0))
        earned = sum((share[o.id] for o in question.options if o.id in chosen), Fraction(0))
        feedback = [o.id for o in question.options if o.id in chosen]
        return result(earned / total if total else Fraction(0), feedback)


def is_full(option: OptionSpec) -> bool:
    """An [x] option worth full marks (no weight, or weight=100)."""
    return option.correct and (option.weight is None or option.weight >= 100)


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
