"""Quiz questions: stems, options with feedback and explanations. How a kind's options are
written and what rules they follow is the kind's own (trainer/content/kinds/)."""
from __future__ import annotations

from dataclasses import replace

from .context import Context
from .kinds import KINDS, UNKNOWN, QuestionKind
from .scan import Block, Item, split_attrs, split_items
from .spec import OptionSpec, QuestionSpec

QUESTION_KINDS = tuple(KINDS)
WEIGHTED = tuple(name for name, kind in KINDS.items() if kind.takes_weight)
PINNED = tuple(name for name, kind in KINDS.items() if kind.may_pin)


def parse_quiz(blocks: list[Block], ctx: Context) -> tuple[QuestionSpec, ...]:
    """Quiz questions, one per ``##`` heading."""
    if not blocks:
        ctx.problems.error(ctx.kind_line, "a quiz needs at least one ## question")
    seen: dict[str, int] = {}
    return tuple(_question(block, ctx, seen) for block in blocks)


def _question(block: Block, ctx: Context, seen: dict[str, int]) -> QuestionSpec:
    """One question: heading attributes, stem, options, explanation, then its kind's rules."""
    title, attrs = split_attrs(block.heading or "", block.line, ctx.problems, "question heading",
                               ("kind", "tags", "points"))
    ctx.unique(attrs.id, block.line, seen)
    name = _kind(attrs.values.get("kind"), block.line, ctx)
    kind = KINDS.get(name, UNKNOWN)
    stem, items = split_items(
        block.lines, kind.is_item, ctx.problems, kind.item_hint,
        "only options, their > feedback and ::: explanation may follow the first option")
    option_seen: dict[str, int] = {}
    options = tuple(_option(item, kind, ctx, option_seen) for item in items)
    kind.check(options, block.line, ctx)
    tags = tuple(t.strip() for t in attrs.values.get("tags", "").split(",") if t.strip())
    return QuestionSpec(attrs.id or "", name, title, ctx.render(stem), tags,
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




def _option(item: Item, kind: QuestionKind, ctx: Context, seen: dict[str, int]) -> OptionSpec:
    """One option (or matching pair) with its feedback, read and checked by its kind."""
    text, attrs = split_attrs(item.text, item.line, ctx.problems, "option", ("weight", "fixed"))
    ctx.unique(attrs.id, item.line, seen)
    if "weight" in attrs.values and not kind.takes_weight:
        ctx.problems.error(item.line, f"weight= is only for {', '.join(WEIGHTED[:-1])} and {WEIGHTED[-1]} questions")
        del attrs.values["weight"]
    fixed = _fixed(attrs.values.pop("fixed", None), kind, item.line, ctx)
    feedback = ctx.render_text("\n".join(item.feedback)) or None
    if feedback is None and kind.needs_feedback:
        ctx.problems.error(item.line, "option has no feedback: add an indented > quote under it")
    option = kind.option(text, attrs, feedback, item.line, ctx)
    return replace(option, fixed=True) if fixed else option


def _fixed(value: str | None, kind: QuestionKind, line: int, ctx: Context) -> bool:
    """fixed=true: the option keeps its written place when the others are shuffled."""
    if value is None:
        return False
    if value not in ("true", "false"):
        ctx.problems.error(line, f"fixed must be true or false, not '{value}'")
        return False
    if not kind.may_pin:
        ctx.problems.error(line, f"fixed= is only for {' and '.join(PINNED)} questions "
                                 "(true-false keeps True, False; other kinds show no options to pin)")
        return False
    return value == "true"
