"""Quiz questions: stems, options with feedback, explanations, and the per-kind rules."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from .context import Context
from .scan import LIST_ITEM_RE, Block, Item, split_attrs, split_items
from .spec import QUESTION_KINDS, OptionSpec, QuestionSpec

BOX_RE = re.compile(r"^\[(?P<box>[ xX])\](?:[ \t]+(?P<text>.*))?$")
NUM = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)"
RANGE_RE = re.compile(rf"^(?P<low>{NUM})\s*\.\.\s*(?P<high>{NUM})$")
TOLERANCE_RE = re.compile(rf"^(?P<value>{NUM})\s*(?:±|\+-|\+/-)\s*(?P<tolerance>{NUM})$")
NUMBER_RE = re.compile(rf"^{NUM}$")
WEIGHTED = ("multiple", "numerical")


def parse_quiz(blocks: list[Block], ctx: Context) -> tuple[QuestionSpec, ...]:
    """Quiz questions, one per ``##`` heading."""
    if not blocks:
        ctx.problems.error(ctx.kind_line, "a quiz needs at least one ## question")
    seen: dict[str, int] = {}
    return tuple(_question(block, ctx, seen) for block in blocks)


def to_number(text: str) -> float:
    """A number written with a decimal point or (as in Dutch) a decimal comma."""
    return float(text.replace(",", "."))


def _is_boxed(text: str) -> bool:
    """An option: a list item starting with [ ] or [x]."""
    match = LIST_ITEM_RE.match(text)
    return match is not None and BOX_RE.match(match["rest"]) is not None


def _is_pair(text: str) -> bool:
    """A matching pair: a list item with =>."""
    match = LIST_ITEM_RE.match(text)
    return match is not None and "=>" in match["rest"]


def _question(block: Block, ctx: Context, seen: dict[str, int]) -> QuestionSpec:
    """One question: heading attributes, stem, options, explanation, then its kind's rules."""
    title, attrs = split_attrs(block.heading or "", block.line, ctx.problems, "question heading",
                               ("kind", "tags", "points"))
    ctx.unique(attrs.id, block.line, seen)
    kind = _kind(attrs.values.get("kind"), block.line, ctx)
    matching = kind == "matching"
    stem, items = split_items(
        block.lines, _is_pair if matching else _is_boxed, ctx.problems,
        "a matching pair is written - Left => Right {#id}" if matching
        else "an option needs a [ ] or [x] box: - [x] Text {#id}",
        "only options, their > feedback and ::: explanation may follow the first option")
    option_seen: dict[str, int] = {}
    options = tuple(_option(item, kind, ctx, option_seen) for item in items)
    if kind in KIND_RULES:
        KIND_RULES[kind](options, block.line, ctx)
    tags = tuple(t.strip() for t in attrs.values.get("tags", "").split(",") if t.strip())
    return QuestionSpec(attrs.id or "", kind, title, ctx.render(stem), tags,
                        _points(attrs.values.get("points"), block.line, ctx), options,
                        _explanation(block, ctx))


def _kind(kind: str | None, line: int, ctx: Context) -> str:
    """The question kind, reported when missing or unknown."""
    if kind is None:
        ctx.problems.error(line, f"question heading has no kind= ({', '.join(QUESTION_KINDS)})")
        return ""
    if kind not in QUESTION_KINDS:
        ctx.problems.error(line, f"unknown question kind '{kind}' (use one of: "
                                 f"{', '.join(QUESTION_KINDS)})")
        return ""
    return kind


def _points(value: str | None, line: int, ctx: Context) -> int:
    """points=N, a whole number of at least 1 (default 1)."""
    if value is None:
        return 1
    if not value.isdigit() or int(value) < 1:
        ctx.problems.error(line, f"points must be a whole number of at least 1, not '{value}'")
        return 1
    return int(value)


def _explanation(block: Block, ctx: Context) -> str:
    """The rendered ``::: explanation`` (exactly one is required)."""
    ctx.reject_specials(block, ("explanation",))
    explanations = [c for c in block.specials if c.kind == "explanation"]
    if not explanations:
        ctx.problems.error(block.line, "question has no ::: explanation")
        return ""
    for extra in explanations[1:]:
        ctx.problems.error(extra.line, "a question has only one ::: explanation")
    html = ctx.render(explanations[0].lines)
    if not html:
        ctx.problems.error(explanations[0].line, "::: explanation is empty")
    return html


# --- options --------------------------------------------------------------------------------

def _option(item: Item, kind: str, ctx: Context, seen: dict[str, int]) -> OptionSpec:
    """One option (or matching pair) with its feedback, checked for its kind."""
    text, attrs = split_attrs(item.text, item.line, ctx.problems, "option", ("weight",))
    ctx.unique(attrs.id, item.line, seen)
    if "weight" in attrs.values and kind not in WEIGHTED:
        ctx.problems.error(item.line, "weight= is only for multiple and numerical questions")
        del attrs.values["weight"]
    feedback = ctx.render_text("\n".join(item.feedback)) or None
    if feedback is None and kind != "matching":
        ctx.problems.error(item.line, "option has no feedback: add an indented > quote under it")
    if kind == "matching":
        return _pair(text, attrs.id or "", feedback, item.line, ctx)
    box = BOX_RE.match(text)
    correct = box is not None and box["box"] in "xX"
    text = (box["text"] or "").strip() if box else text
    if not text:
        ctx.problems.error(item.line, "option has no text")
    option = OptionSpec(attrs.id or "", text, ctx.render_inline(text), correct, feedback,
                        _weight(attrs.values.get("weight"), correct, kind, item.line, ctx))
    if kind == "numerical":
        option = _numerical(option, item.line, ctx)
    return option


def _pair(text: str, ident: str, feedback: str | None, line: int, ctx: Context) -> OptionSpec:
    """``Left => Right``: a matching pair."""
    left, _, right = (part.strip() for part in text.partition("=>"))
    if re.match(r"\[[ xX]\]", left):
        ctx.problems.error(line, "matching pairs have no [ ] box: - Left => Right {#id}")
    elif not left or not right:
        ctx.problems.error(line, "a matching pair needs text on both sides of =>")
    return OptionSpec(ident, f"{left} => {right}", ctx.render_inline(left), True, feedback,
                      left=left, right=right)


def _weight(value: str | None, correct: bool, kind: str, line: int,
            ctx: Context) -> float | None:
    """weight=N (percent): for [x] options above 0 up to 100, for [ ] options -100 to 0."""
    if value is None:
        return None
    try:
        weight = float(value)
    except ValueError:
        ctx.problems.error(line, f"weight must be a number (a percentage), not '{value}'")
        return None
    if correct and not 0 < weight <= 100:
        ctx.problems.error(line, "weight of an [x] option must be above 0 and at most 100")
    elif not correct and kind == "numerical":
        ctx.problems.error(line, "only [x] answers take a weight")
    elif not correct and not -100 <= weight <= 0:
        ctx.problems.error(line, "weight of a [ ] option must be from -100 to 0")
    return weight


def _numerical(option: OptionSpec, line: int, ctx: Context) -> OptionSpec:
    """Read ``42``, ``42 ± 0.5`` (or ``+-``) or ``40..45`` into value/tolerance/low/high."""
    text = option.text.strip()
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


# --- per-kind rules -------------------------------------------------------------------------

Rule = Callable[[tuple[OptionSpec, ...], int, Context], None]


def _correct_count(options: tuple[OptionSpec, ...], line: int, ctx: Context,
                   exactly_one: bool) -> None:
    """Report no correct option, or more than one where exactly one is needed."""
    count = sum(option.correct for option in options)
    if count == 0:
        ctx.problems.error(line, "question has no correct answer: mark one option [x]")
    elif exactly_one and count > 1:
        ctx.problems.error(line, f"question needs exactly one [x] option, not {count} "
                                 "(use kind=multiple for more)")


def _needs_options(options: tuple[OptionSpec, ...], line: int, ctx: Context,
                   least: int) -> bool:
    """Report too few options; True when there are enough to check further."""
    if not options:
        ctx.problems.error(line, "question has no options")
        return False
    if len(options) < least:
        ctx.problems.error(line, f"question needs at least {least} options")
    return True


def _single(options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
    """Two or more options, exactly one [x]."""
    if _needs_options(options, line, ctx, 2):
        _correct_count(options, line, ctx, exactly_one=True)


def _true_false(options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
    """Options true and false, one [x]."""
    if not _needs_options(options, line, ctx, 2):
        return
    if sorted(option.id for option in options) != ["false", "true"]:
        ctx.problems.error(line, "a true-false question has exactly two options, with ids true "
                                 "and false")
    _correct_count(options, line, ctx, exactly_one=True)


def _multiple(options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
    """Two or more options, at least one [x]; the [x] weights must leave full marks reachable."""
    if not _needs_options(options, line, ctx, 2):
        return
    _correct_count(options, line, ctx, exactly_one=False)
    correct = [o for o in options if o.correct]
    given = sum(o.weight for o in correct if o.weight is not None and o.weight > 0)
    if any(o.weight is None for o in correct):
        if given >= 100 and correct:
            ctx.problems.error(line, f"the [x] weights add up to {given:g}, leaving nothing for "
                                     "the [x] options without a weight")
    elif correct and abs(given - 100) > 1:
        ctx.problems.error(line, f"the [x] weights add up to {given:g}; they must add up to 100")


def _short(options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
    """At least one accepted [x] answer."""
    if _needs_options(options, line, ctx, 1):
        _correct_count(options, line, ctx, exactly_one=False)


def _numerical_rule(options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
    """At least one [x] range, one of them worth full marks."""
    if not _needs_options(options, line, ctx, 1):
        return
    _correct_count(options, line, ctx, exactly_one=False)
    full = [o for o in options if o.correct and (o.weight is None or o.weight >= 100)]
    if any(o.correct for o in options) and not full:
        ctx.problems.error(line, "a numerical question needs an [x] answer with full marks "
                                 "(no weight, or weight=100)")


def _matching(options: tuple[OptionSpec, ...], line: int, ctx: Context) -> None:
    """At least two pairs."""
    _needs_options(options, line, ctx, 2)


KIND_RULES: dict[str, Rule] = {
    "single": _single, "multiple": _multiple, "true-false": _true_false, "short": _short,
    "numerical": _numerical_rule, "matching": _matching,
}
