"""Matching: pairs written ``- Left => Right {#id}``; the learner picks a right side for each
left side, both shuffled per attempt. Graded by the share of pairs matched. An item with nothing
left of the arrow (``- => Right {#id}``) is an extra right side that matches nothing, as Moodle's
distractors are."""
from __future__ import annotations

import html
import re
from fractions import Fraction
from typing import Any

from ..context import Context
from ..grading import ZERO, GradeResult, normalise_answer, result
from ..scan import LIST_ITEM_RE, Attrs
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
    needs_options,
    one_value,
)


class Matching(QuestionKind):
    name = "matching"
    needs_feedback = False
    item_hint = "a matching pair is written - Left => Right {#id}"

    def is_item(self, text: str) -> bool:
        match = LIST_ITEM_RE.match(text)
        return match is not None and "=>" in match["rest"]

    def option(self, text: str, attrs: Attrs, feedback: str | None, line: int, ctx: Context) -> OptionSpec:
        left, _, right = (part.strip() for part in text.partition("=>"))
        if re.match(r"\[[ xX]\]", left):
            ctx.problems.error(line, "matching pairs have no [ ] box: - Left => Right {#id}")
        elif not right:
            ctx.problems.error(line, "a matching pair needs text on both sides of =>")
        elif not left and feedback:
            ctx.problems.error(line, "an extra right side (nothing left of =>) is never chosen as right: "
                                     "it takes no feedback")
        return OptionSpec(attrs.id or "", f"{left} => {right}", ctx.render_inline(left) if left else "",
                          bool(left), feedback, left=left, right=right)

    def check(self, options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
        pairs = [o for o in options if is_pair(o)]
        if needs_options(options, line, ctx, 2) and len(pairs) < 2 <= len(options):
            ctx.problems.error(line, "question needs at least 2 pairs with text on both sides of =>")
        taken = {normalise_answer(o.right or "") for o in pairs}
        for extra in (o for o in options if not is_pair(o)):
            if normalise_answer(extra.right or "") in taken:
                ctx.problems.error(line, f"the extra right side '{extra.right}' is already the answer of a pair")

    # --- the form ------------------------------------------------------------------------

    def pair_field(self, question: QuestionSpec, pair: OptionSpec, keys: FormKeys) -> str:
        return f"{self.field(question)}-{keys.key(question.id, pair.id)}"

    def field_names(self, question: QuestionSpec, keys: FormKeys) -> set[str]:
        return {self.pair_field(question, pair, keys) for pair in question.options if is_pair(pair)}

    def pairs(self, question: QuestionSpec, keys: FormKeys | None) -> tuple[OptionSpec, ...]:
        """The pairs (not the extra right sides), in this form's order."""
        return arrange(tuple(o for o in question.options if is_pair(o)), question.id, keys, lambda o: o.id)

    def rights(self, question: QuestionSpec, keys: FormKeys) -> tuple[str, ...]:
        """The right sides to choose from (each text once), in this form's order."""
        texts = sorted({o.right or "" for o in question.options})
        return arrange(texts, question.id, keys, lambda text: "right:" + text)

    def view(self, question: QuestionSpec, keys: FormKeys) -> AnswerView:
        pairs = tuple(Choice(self.pair_field(question, o, keys), o.text_html) for o in self.pairs(question, keys))
        choices = tuple(Choice(keys.key(question.id, "right:" + text), html.escape(text))
                        for text in self.rights(question, keys))
        return self._view(question, choices=choices, pairs=pairs)

    def decode(self, question: QuestionSpec, form: Form, keys: FormKeys) -> dict[str, str]:
        """Pair id -> the id of a pair with the chosen right side ("" for none)."""
        by_key = {keys.key(question.id, "right:" + text): text for text in self.rights(question, keys)}
        response = {}
        for pair in (o for o in question.options if is_pair(o)):
            chosen = one_value(form, self.pair_field(question, pair, keys)) or ""
            if chosen and chosen not in by_key:
                raise BadAnswer(self.field(question))
            right = by_key.get(chosen)
            response[pair.id] = next((p.id for p in question.options if p.right == right), "") if right else ""
        return response

    def answered(self, question: QuestionSpec, response: Any) -> bool:
        """Only when every left side has a match."""
        return isinstance(response, dict) and all(response.get(pair.id) for pair in question.options)

    # --- grading and review --------------------------------------------------------------

    def _matched(self, question: QuestionSpec, response: Any) -> dict[str, str | None]:
        """Pair id -> the right side text the learner chose for it (None for none)."""
        chosen = response if isinstance(response, dict) else {}
        right_of = {o.id: o.right for o in question.options}
        return {o.id: right_of.get(value) if isinstance(value := chosen.get(o.id), str) else None
                for o in question.options if is_pair(o)}

    def _is_right(self, pair: OptionSpec, match: str | None) -> bool:
        """Two pairs with the same right side text count as the same answer."""
        return match is not None and normalise_answer(match) == normalise_answer(pair.right or "")

    def grade(self, question: QuestionSpec, response: Any) -> GradeResult:
        """The share of pairs matched to the right side; feedback only for those."""
        if not isinstance(response, dict) or not any(is_pair(o) for o in question.options):
            return ZERO
        matched = self._matched(question, response)
        pairs = [o for o in question.options if is_pair(o)]
        right = [o for o in pairs if self._is_right(o, matched[o.id])]
        return result(Fraction(len(right), len(pairs)), [o.id for o in right if o.feedback_html])

    def review(self, question: QuestionSpec, response: Any, grade: GradeResult, reveal: bool,
               keys: FormKeys | None) -> Review:
        """Each pair with the learner's match (or none) and whether it was right. A pair's
        feedback, and the wanted right side, tell the key: they are shown only with the key, or
        (the feedback) for a pair the learner matched right."""
        matched = self._matched(question, response)
        lines = []
        for pair in self.pairs(question, keys):
            match, right = matched[pair.id], self._is_right(pair, matched[pair.id])
            lines.append(ReviewLine(
                pair.text_html, chosen=match is not None, right=right,
                feedback_html=pair.feedback_html if reveal or right else None,
                match_text=match, key_text=pair.right if reveal and not right else None))
        return self._review(question, grade, reveal, lines=tuple(lines))


def is_pair(option: OptionSpec) -> bool:
    """A pair to match, rather than an extra right side (nothing left of the arrow)."""
    return bool(option.left)
