"""Branching scenarios: nodes, choices, endings, and the graph rules the checker enforces."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from trainer.vocabulary import Ending

from .context import Context
from .problems import did_you_mean
from .scan import LIST_ITEM_RE, Block, Item, split_attrs, split_items
from .scenario import can_reach, graph_of, reachable
from .spec import ENDINGS, ChoiceSpec, NodeSpec

CHOICE_RE = re.compile(r"^(?P<text>.*)(?:->|→)[ \t]*(?P<target>\S*)$")


@dataclass
class _Node:
    """A parsed node with the lines the graph checks report on."""

    spec: NodeSpec
    line: int
    choice_lines: list[int] = field(default_factory=list)
    ends: bool = False  # has ending=, even a misspelt one (so one typo is one problem)


def parse_scenario(blocks: list[Block], ctx: Context) -> tuple[tuple[NodeSpec, ...], str | None]:
    """Scenario nodes and the start node's id; the first node is the start."""
    seen: dict[str, int] = {}
    nodes = [_node(block, ctx, seen) for block in blocks]
    if not nodes:
        ctx.problems.error(ctx.kind_line, "a scenario needs at least one ## node with an {#id}")
        return (), None
    start = nodes[0].spec.id or None
    _check_endings(nodes, ctx)
    if start is not None:
        _check_graph(nodes, start, ctx)
    return tuple(node.spec for node in nodes), start


def is_choice(text: str) -> bool:
    """A choice is a list item with an arrow."""
    match = LIST_ITEM_RE.match(text)
    return match is not None and ("->" in match["rest"] or "→" in match["rest"])


def _node(block: Block, ctx: Context, seen: dict[str, int]) -> _Node:
    """One node: heading with id and ending, body, choices."""
    title, attrs = split_attrs(block.heading or "", block.line, ctx.problems, "node heading",
                               ("ending",))
    ctx.unique(attrs.id, block.line, seen)
    ending = attrs.values.get("ending")
    ends = ending is not None
    if ending is not None and ending not in ENDINGS:
        ctx.problems.error(block.line,
                           f"ending must be best, acceptable or harmful, not '{ending}'")
        ending = None
    body, items = split_items(
        block.lines, is_choice, ctx.problems, "a choice is written - Text -> node-id {#id}",
        "only choices and their > consequences may follow the first choice")
    ctx.reject_specials(block)
    choice_seen: dict[str, int] = {}
    choices = [parse_choice(item, ctx, choice_seen) for item in items]
    if ends and choices:
        ctx.problems.error(block.line, "an ending has no choices: remove the choices or ending=")
    if not ends and not choices:
        ctx.problems.error(block.line, "a node needs choices, or ending=best, ending=acceptable "
                                       "or ending=harmful")
    spec = NodeSpec(attrs.id or "", title, ctx.render(body), ending, tuple(choices))
    return _Node(spec, block.line, [item.line for item in items], ends)


def parse_choice(item: Item, ctx: Context, seen: dict[str, int], allowed: tuple[str, ...] = ()) -> ChoiceSpec:
    """``Text -> target {#id}`` with its ``>`` consequence (and, in a case, ``sets=``/``needs=``)."""
    text, attrs = split_attrs(item.text, item.line, ctx.problems, "choice", allowed)
    ctx.unique(attrs.id, item.line, seen)
    match = CHOICE_RE.match(text)
    label, target = (match["text"].strip(), match["target"]) if match else (text, "")
    if not label:
        ctx.problems.error(item.line, "choice has no text before ->")
    if not target:
        ctx.problems.error(item.line, "choice has no node id after ->")
    consequence = ctx.render_text("\n".join(item.feedback))
    if not consequence:
        ctx.problems.error(item.line, "choice has no consequence: add an indented > quote under it")
    return ChoiceSpec(attrs.id or "", label, ctx.render_inline(label), target, consequence,
                      sets=fact_names(attrs.values.get("sets", "")),
                      needs=fact_names(attrs.values.get("needs", "")))


def fact_names(value: str) -> tuple[str, ...]:
    """``sets="a b"`` or ``needs="a, !b"`` as names (``!`` kept on a fact that must not be set)."""
    return tuple(name for name in re.split(r"[\s,]+", value.strip()) if name)


def _check_endings(nodes: list[_Node], ctx: Context) -> None:
    """A scenario needs an ending, and at least one best ending."""
    endings = {node.spec.ending for node in nodes if node.spec.ending}
    if any(node.ends and not node.spec.ending for node in nodes):
        return  # a misspelt ending is reported on its own
    if not endings:
        ctx.problems.error(ctx.kind_line, "a scenario needs at least one ending: add ending=best, "
                                          "ending=acceptable or ending=harmful to a node")
    elif Ending.BEST not in endings:
        ctx.problems.error(ctx.kind_line, "a scenario needs at least one ending=best")


def _check_graph(nodes: list[_Node], start: str, ctx: Context) -> None:
    """Dangling links, unreachable nodes and loops with no way out."""
    graph = graph_of(node.spec for node in nodes)
    for node in nodes:
        for choice, line in zip(node.spec.choices, node.choice_lines, strict=True):
            if choice.target and choice.target not in graph:
                hint = did_you_mean(choice.target, list(graph))
                ctx.problems.error(line, f"choice leads to unknown node '{choice.target}'{hint}")
    found = reachable(graph, start)
    finishing = can_reach(graph, {n.spec.id for n in nodes if n.ends})
    for node in nodes:
        if not node.spec.id:
            continue
        if node.spec.id not in found:
            ctx.problems.error(node.line, f"node '{node.spec.id}' cannot be reached from the "
                                          f"start node '{start}'")
        elif node.spec.choices and node.spec.id not in finishing:
            ctx.problems.error(node.line, f"no ending can be reached from node '{node.spec.id}' "
                                          "(a loop with no way out)")
