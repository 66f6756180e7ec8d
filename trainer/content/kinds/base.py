"""What every question kind provides, and the pieces the kinds share.

A kind is one class: how its options are written and checked, the form fields it expects, how a
submitted form decodes into a response, how a response is graded, what the form shows before an
answer (:class:`AnswerView`) and what a review may show afterwards (:class:`Review`). Templates
only print these models, so what a page can reveal is decided here, where tests reach it.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from ..context import Context
from ..grading import GradeResult
from ..scan import LIST_ITEM_RE, Attrs
from ..spec import OptionSpec, QuestionSpec

BOX_RE = re.compile(r"^\[(?P<box>[ xX])\](?:[ \t]+(?P<text>.*))?$")
Form = Mapping[str, Sequence[str]]
T = TypeVar("T")


class BadAnswer(Exception):
    """A submitted value that this attempt's form could not have sent."""


@dataclass(frozen=True)
class FormKeys:
    """The secrets of one rendered form, derived from its token.

    ``key`` is the opaque value a form sends for an option (16 hex digits); ``rank`` orders the
    options of this form. Both are HMACs under the application's secret, so a learner can neither
    compute them nor tell from one key anything about another form.
    """

    secret: bytes
    token: str

    def key(self, question_id: str, option_id: str) -> str:
        message = f"{self.token}:{question_id}:{option_id}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()[:16]

    def rank(self, question_id: str, option_id: str) -> str:
        message = f"order\x00{self.token}\x00{question_id}\x00{option_id}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def arrange(items: Iterable[T], question_id: str, keys: FormKeys | None,
            ident: Callable[[T], str], pinned: Callable[[T], bool] = lambda item: False) -> tuple[T, ...]:
    """``items`` in this form's order: pinned items keep their written place, the others are
    sorted by their secret rank. Without ``keys`` (attempts from before shuffling) the written order."""
    items = tuple(items)
    if keys is None:
        return items
    movable = iter(sorted((i for i in items if not pinned(i)), key=lambda i: keys.rank(question_id, ident(i))))
    return tuple(item if pinned(item) else next(movable) for item in items)


@dataclass(frozen=True)
class Choice:
    """Something a form offers: ``key`` is the value (or, for a matching pair, the field name)
    it sends; ``html`` is safe to show."""

    key: str
    html: str


@dataclass(frozen=True)
class AnswerView:
    """A question as its form shows it before an answer: nothing in it tells what is right."""

    id: str
    kind: str
    partial: str
    title: str
    stem_html: str
    name: str
    choices: tuple[Choice, ...] = ()
    pairs: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class ReviewLine:
    """One option (or matching pair) in a review, holding only what may be shown.

    ``chosen`` marks the learner's own choice; ``right`` marks a right answer; ``match_text`` is
    the right side (plain text) a learner matched to a pair, None for none; ``key_text`` the right
    side that was wanted, where the key may be shown and the learner's match was not it.
    """

    html: str
    chosen: bool = False
    right: bool = False
    feedback_html: str | None = None
    match_text: str | None = None
    key_text: str | None = None


@dataclass(frozen=True)
class Review:
    """What a review shows of one question. ``verdict`` is right, partly or wrong; ``typed`` is
    what a learner typed; ``explanation_html`` is None where the key stays hidden."""

    id: str
    kind: str
    partial: str
    title: str
    stem_html: str
    verdict: str
    lines: tuple[ReviewLine, ...] = ()
    typed: str | None = None
    explanation_html: str | None = None


def verdict(result: GradeResult) -> str:
    """right, partly or wrong."""
    return "right" if result.correct else "partly" if result.score > 0 else "wrong"


class QuestionKind:
    """The default behaviour, for kinds whose options are boxed list items (``- [x] Text {#id}``)."""

    name: ClassVar[str] = ""
    takes_weight: ClassVar[bool] = False  # weight= allowed on options
    may_pin: ClassVar[bool] = False  # fixed=true allowed on options
    needs_feedback: ClassVar[bool] = True
    picks_options: ClassVar[bool] = False  # the response is the set of options picked
    item_hint: ClassVar[str] = "an option needs a [ ] or [x] box: - [x] Text {#id}"

    @property
    def partial(self) -> str:
        """The template with this kind's ``answer`` and ``review`` macros."""
        return f"learn/questions/{self.name}.html"

    # --- the source ----------------------------------------------------------------------

    def is_item(self, text: str) -> bool:
        """Whether a list item is one of this kind's options: it starts with [ ] or [x]."""
        match = LIST_ITEM_RE.match(text)
        return match is not None and BOX_RE.match(match["rest"]) is not None

    def option(self, text: str, attrs: Attrs, feedback: str | None, line: int, ctx: Context) -> OptionSpec:
        """One boxed option; ``text`` still has its box."""
        box = BOX_RE.match(text)
        correct = box is not None and box["box"] in "xX"
        text = (box["text"] or "").strip() if box else text
        if not text:
            ctx.problems.error(line, "option has no text")
        return OptionSpec(attrs.id or "", text, ctx.render_inline(text), correct, feedback,
                          weight(attrs.values.get("weight"), correct, self.name, line, ctx))

    def check(self, options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
        """The kind's rules for a whole question (reported at its heading)."""

    # --- the form ------------------------------------------------------------------------

    def field(self, question: QuestionSpec) -> str:
        return f"q-{question.id}"

    def field_names(self, question: QuestionSpec, keys: FormKeys) -> set[str]:
        """The names of the form fields this question's form has."""
        return {self.field(question)}

    def view(self, question: QuestionSpec, keys: FormKeys) -> AnswerView:
        raise NotImplementedError

    def decode(self, question: QuestionSpec, form: Form, keys: FormKeys) -> Any:
        """The response a submitted form gives; BadAnswer for a value this form did not offer."""
        raise NotImplementedError

    def answered(self, question: QuestionSpec, response: Any) -> bool:
        """Whether a decoded response answers the question (the learner is warned before grading
        when it does not)."""
        return bool(response)

    def grade(self, question: QuestionSpec, response: Any) -> GradeResult:
        raise NotImplementedError

    def review(self, question: QuestionSpec, response: Any, result: GradeResult, reveal: bool,
               keys: FormKeys | None) -> Review:
        """What the review shows: with ``reveal`` the key, else only what the learner chose."""
        raise NotImplementedError

    # --- shared helpers ------------------------------------------------------------------

    def _view(self, question: QuestionSpec, **parts: Any) -> AnswerView:
        return AnswerView(question.id, self.name, self.partial, question.title, question.stem_html,
                          self.field(question), **parts)

    def _review(self, question: QuestionSpec, result: GradeResult, reveal: bool, **parts: Any) -> Review:
        return Review(question.id, self.name, self.partial, question.title, question.stem_html,
                      verdict(result), explanation_html=question.explanation_html if reveal else None,
                      **parts)


# --- checks shared by several kinds ---------------------------------------------------------

def weight(value: str | None, correct: bool, kind: str, line: int, ctx: Context) -> float | None:
    """weight=N (percent): for [x] options above 0 up to 100, for [ ] options -100 to 0 (where
    a wrong choice can cost marks: multiple only)."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        ctx.problems.error(line, f"weight must be a number (a percentage), not '{value}'")
        return None
    if correct and not 0 < number <= 100:
        ctx.problems.error(line, "weight of an [x] option must be above 0 and at most 100")
    elif not correct and kind in ("numerical", "single", "short"):
        ctx.problems.error(line, "only [x] answers take a weight")
    elif not correct and not -100 <= number <= 0:
        ctx.problems.error(line, "weight of a [ ] option must be from -100 to 0")
    return number


def correct_count(options: tuple[OptionSpec, ...], line: int, ctx: Context, exactly_one: bool) -> None:
    """Report no correct option, or more than one where exactly one is needed."""
    count = sum(option.correct for option in options)
    if count == 0:
        ctx.problems.error(line, "question has no correct answer: mark one option [x]")
    elif exactly_one and count > 1:
        ctx.problems.error(line, f"question needs exactly one [x] option, not {count} "
                                 "(use kind=multiple for more)")


def needs_options(options: tuple[OptionSpec, ...], line: int, ctx: Context, least: int) -> bool:
    """Report too few options; True when there are enough to check further."""
    if not options:
        ctx.problems.error(line, "question has no options")
        return False
    if len(options) < least:
        ctx.problems.error(line, f"question needs at least {least} options")
    return True


def one_value(form: Form, name: str) -> str | None:
    """The single value of a field (None when absent); BadAnswer when it was sent twice."""
    values = form.get(name) or []
    if len(values) > 1:
        raise BadAnswer(name)
    return values[0] if values else None
