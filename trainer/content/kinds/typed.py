"""Kinds where the learner types the answer: short and numerical. Their options are never shown
in the form; the [ ] ones only give feedback on expected wrong answers."""
from __future__ import annotations

import html
import re
from dataclasses import replace
from fractions import Fraction
from typing import Any

from ..context import Context
from ..grading import ZERO, GradeResult, normalise_answer, parse_number, result
from ..scan import Attrs
from ..spec import OptionSpec, QuestionSpec
from .base import AnswerView, Form, FormKeys, QuestionKind, Review, ReviewLine, correct_count, needs_options, one_value

MAX_ANSWER = 500
NUM = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)"
RANGE_RE = re.compile(rf"^(?P<low>{NUM})\s*\.\.\s*(?P<high>{NUM})$")
TOLERANCE_RE = re.compile(rf"^(?P<value>{NUM})\s*(?:±|\+-|\+/-)\s*(?P<tolerance>{NUM})$")
NUMBER_RE = re.compile(rf"^{NUM}$")


def to_number(text: str) -> float:
    """A number written with a decimal point or (as in Dutch) a decimal comma."""
    return float(text.replace(",", "."))


class Short(QuestionKind):
    """Accepted answers as [x] options; right when the typed answer matches one, ignoring case
    and extra spaces. ``*`` in an answer stands for any text (as in Moodle; ``\\*`` is a star);
    an [x] answer with ``weight=50`` gives partial credit."""

    name = "short"
    takes_weight = True

    def check(self, options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
        if not needs_options(options, line, ctx, 1):
            return
        correct_count(options, line, ctx, exactly_one=False)
        if any(o.correct for o in options) and not any(is_full(o) for o in options):
            ctx.problems.error(line, f"a {self.name} question needs an [x] answer with full marks "
                                     "(no weight, or weight=100)")

    def view(self, question: QuestionSpec, keys: FormKeys) -> AnswerView:
        return self._view(question)

    def decode(self, question: QuestionSpec, form: Form, keys: FormKeys) -> str:
        return (one_value(form, self.field(question)) or "")[:MAX_ANSWER]

    def answered(self, question: QuestionSpec, response: Any) -> bool:
        return isinstance(response, str) and bool(response.strip())

    def grade(self, question: QuestionSpec, response: Any) -> GradeResult:
        """The best-weighted accepted answer the text matches (an exact answer before a pattern
        with ``*``); a [ ] match only gives its feedback."""
        if not isinstance(response, str):
            return ZERO
        answer = normalise_answer(response)
        matches = sorted((o for o in question.options if answer_matches(o.text, answer)),
                         key=lambda o: "*" in o.text.replace("\\*", ""))
        right = [o for o in matches if o.correct]
        if right:
            best = max(right, key=lambda o: 100 if o.weight is None else o.weight)
            return result(Fraction(100 if best.weight is None else Fraction(str(best.weight))) / 100, [best.id])
        return result(Fraction(0), [matches[0].id] if matches else [])

    def review(self, question: QuestionSpec, response: Any, grade: GradeResult, reveal: bool,
               keys: FormKeys | None) -> Review:
        """What the learner typed. With the key: every answer and its feedback. Without it: only
        the answer their text matched, with its feedback; an accepted answer's own text stays
        hidden (for a range, it would tell where the key lies)."""
        typed = response if isinstance(response, str) else ""
        matched = set(self.grade(question, typed).feedback)
        lines = tuple(ReviewLine(html.escape(o.text) if reveal or not o.correct else "", chosen=o.id in matched,
                                 right=is_full(o), feedback_html=o.feedback_html)
                      for o in question.options if reveal or o.id in matched)
        return self._review(question, grade, reveal, lines=lines, typed=typed)


def answer_matches(pattern: str, answer: str) -> bool:
    """Whether a normalised typed answer matches an answer as written, where ``*`` stands for any
    text and ``\\*`` for a star."""
    parts = re.split(r"(?<!\\)\*", normalise_answer(pattern))
    return re.fullmatch(".*".join(re.escape(part.replace("\\*", "*")) for part in parts), answer, re.S) is not None


def is_full(option: OptionSpec) -> bool:
    """An [x] answer worth full marks (no weight, or weight=100)."""
    return option.correct and (option.weight is None or option.weight >= 100)


ANY_OTHER = "*"  # a numerical [ ] option for any other number: feedback on every other answer


class Numerical(Short):
    """[x] options written 42, 42 ± 0.5 or 40..45 (weight=50 for partial answers); a [ ] option
    written * gives its feedback for any other number (Moodle's "any other answer")."""

    name = "numerical"
    takes_weight = True

    def option(self, text: str, attrs: Attrs, feedback: str | None, line: int, ctx: Context) -> OptionSpec:
        """Read ``42``, ``42 ± 0.5`` (or ``+-``) or ``40..45`` into value/tolerance/low/high."""
        option = super().option(text, attrs, feedback, line, ctx)
        text = option.text.strip()
        if text == ANY_OTHER:
            if option.correct:
                ctx.problems.error(line, "* (any other number) is a [ ] option: it gives feedback, never marks")
            return replace(option, low=float("-inf"), high=float("inf"))
        if match := RANGE_RE.match(text):
            low, high = to_number(match["low"]), to_number(match["high"])
            if low > high:
                ctx.problems.error(line, f"range {text}: the first number must not be the larger")
            return replace(option, low=low, high=high)
        if match := TOLERANCE_RE.match(text):
            value, tolerance = to_number(match["value"]), to_number(match["tolerance"])
            if tolerance < 0:
                ctx.problems.error(line, "a tolerance cannot be negative")
            return replace(option, value=value, tolerance=tolerance, low=value - abs(tolerance),
                           high=value + abs(tolerance))
        if NUMBER_RE.match(text):
            value = to_number(text)
            return replace(option, value=value, tolerance=0.0, low=value, high=value)
        if text:
            ctx.problems.error(line, f"'{text}' is not a number: write 42, 42 ± 0.5 or 40..45")
        return option

    def check(self, options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
        """At least one [x] range, one of them worth full marks."""
        if not needs_options(options, line, ctx, 1):
            return
        correct_count(options, line, ctx, exactly_one=False)
        full = [o for o in options if o.correct and (o.weight is None or o.weight >= 100)]
        if any(o.correct for o in options) and not full:
            ctx.problems.error(line, "a numerical question needs an [x] answer with full marks "
                                     "(no weight, or weight=100)")

    def grade(self, question: QuestionSpec, response: Any) -> GradeResult:
        """The best-weighted [x] range containing the number; a [ ] range only gives feedback."""
        value = parse_number(response) if isinstance(response, str) else None
        if value is None:
            return ZERO
        hits = sorted((o for o in question.options if _in_range(o, value)), key=lambda o: o.text.strip() == ANY_OTHER)
        right = [o for o in hits if o.correct]
        if right:
            best = max(right, key=lambda o: 100 if o.weight is None else o.weight)
            weight = Fraction(100) if best.weight is None else Fraction(str(best.weight))
            return result(weight / 100, [best.id])
        return result(Fraction(0), [hits[0].id] if hits else [])


def _in_range(option: OptionSpec, value: float) -> bool:
    """Whether ``value`` lies in the option's range (allowing for float rounding)."""
    if option.low is None or option.high is None:
        return False
    if option.text.strip() == ANY_OTHER:
        return True
    slack = 1e-9 * max(1.0, abs(option.low), abs(option.high))
    return option.low - slack <= value <= option.high + slack
