"""Cases: one person's story in chapters, one per sector, joined by hand-offs (docs/authoring.md).

A case is a branching scenario whose nodes are grouped into chapters. A chapter's last step is
a hand-off, a checklist of what to pass on to the next sector; choices set named facts that
later choices may need. The checker makes sure every learner can always go on: each node keeps
a choice that needs nothing, every fact is set before anything needs it, every hand-off leads
to the next chapter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from trainer.vocabulary import Ending

from .context import Context
from .frontmatter import FrontMatter
from .parse_scenario import is_choice, parse_choice
from .problems import did_you_mean
from .scan import LIST_ITEM_RE, Block, Item, split_attrs, split_items
from .scenario import can_reach, reachable
from .spec import (
    CASE_COUNTRIES,
    ENDINGS,
    SECTORS,
    SPECIALTIES,
    CaseSpec,
    ChapterSpec,
    HandoffItemSpec,
    NodeSpec,
)

BOX_RE = re.compile(r"^\[(?P<mark>[ xX])\][ \t]+(?P<text>.*)$")
FACT_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class _Node:
    spec: NodeSpec
    line: int
    chapter: str | None
    choice_lines: list[int] = field(default_factory=list)
    item_lines: list[int] = field(default_factory=list)


@dataclass
class _Head:
    """The case's front matter, read: chapters (with their lines), facts and rules."""

    country: str | None = None
    chapters: list[tuple[str, str, str | None, str, int]] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    risks: dict[str, str] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)


def is_item(text: str) -> bool:
    """A hand-off item is a list item with a box: ``- [x] ...`` or ``- [ ] ...``."""
    match = LIST_ITEM_RE.match(text)
    return match is not None and BOX_RE.match(match["rest"]) is not None


def parse_case(front: FrontMatter | None, blocks: list[Block],
               ctx: Context) -> tuple[tuple[NodeSpec, ...], str | None, CaseSpec | None]:
    """The nodes, the start node and the case's own parts; problems go to ``ctx``."""
    head = _read_head(front, ctx)
    seen: dict[str, int] = {}
    nodes: list[_Node] = []
    chapter: str | None = None
    for block in blocks:
        node = _node(block, ctx, seen, chapter)
        chapter = node.chapter
        nodes.append(node)
    if not nodes:
        ctx.problems.error(ctx.kind_line, "a case needs at least one ## node with an {#id}")
        return (), None, None
    _check_chapters(nodes, head, ctx)
    starts: dict[str | None, str] = {}
    for node in nodes:
        if node.chapter is not None and node.spec.id:
            starts.setdefault(node.chapter, node.spec.id)
    graph = _graph(nodes, starts)
    _check_links(nodes, graph, head, ctx)
    start = nodes[0].spec.id or None
    if start is not None:
        _check_reach(nodes, graph, start, ctx)
    _check_endings(nodes, head, ctx)
    _check_facts(nodes, graph, head, ctx)
    chapters = tuple(ChapterSpec(cid, sector, specialty, title, starts.get(cid, ""))
                     for cid, sector, specialty, title, _ in head.chapters)
    case = CaseSpec(head.country or "", chapters, tuple(head.facts.items()),
                    tuple((rid, ctx.render_inline(text)) for rid, text in head.rules.items()),
                    tuple(head.risks.items()))
    return tuple(node.spec for node in nodes), start, case


def _read_head(front: FrontMatter | None, ctx: Context) -> _Head:
    """``country``, ``chapters``, ``facts`` and ``rules`` of the front matter, each checked at its line."""
    head = _Head()
    if front is None:
        return head
    problems = ctx.problems
    country = front.data.get("country")
    if "country" not in front.key_lines:
        problems.error(ctx.kind_line, "a case needs country: where it is set (" + ", ".join(CASE_COUNTRIES) + ")")
    elif country not in CASE_COUNTRIES:
        problems.error(front.line("country"), f"country must be one of {', '.join(CASE_COUNTRIES)}, not '{country}'")
    else:
        head.country = country
    chapters = front.data.get("chapters")
    if "chapters" not in front.key_lines:
        problems.error(ctx.kind_line, "a case needs chapters: a list of {id, sector, title}, one per sector")
    elif not isinstance(chapters, list) or not chapters:
        problems.error(front.line("chapters"), "chapters: write a list of {id: ..., sector: ..., title: ...}")
    else:
        for index, entry in enumerate(chapters):
            _read_chapter(entry, front.line("chapters", index), head, problems)
        if len(head.chapters) == 1 and len(chapters) == 1:
            problems.error(front.line("chapters"),
                           "a case needs at least two chapters (one per sector it passes through)")
    head.facts = _read_mapping(front, "facts", problems, _fact_problem)
    head.risks = _read_mapping(front, "risks", problems, _fact_problem)
    for name in sorted(set(head.facts) & set(head.risks)):
        problems.error(front.line("risks"), f"'{name}' is under both facts: and risks:; a fact is one or the other")
    head.rules = _read_mapping(front, "rules", problems, lambda key: None if FACT_RE.match(key) else
                               f"rule id '{key}' must be lowercase letters, digits and hyphens")
    return head


def _read_chapter(entry: Any, line: int, head: _Head, problems: Any) -> None:
    if not isinstance(entry, dict):
        problems.error(line, "a chapter is written {id: ..., sector: ..., title: ...}")
        return
    unknown = set(entry) - {"id", "sector", "specialty", "title"}
    if unknown:
        problems.error(line, f"chapter: unknown field '{sorted(map(str, unknown))[0]}' "
                             "(use id, sector, specialty and title)")
    cid, sector, title, specialty = entry.get("id"), entry.get("sector"), entry.get("title"), entry.get("specialty")
    if not isinstance(cid, str) or not FACT_RE.match(cid):
        problems.error(line, "chapter: id must be lowercase letters, digits and hyphens")
        return
    if any(cid == c[0] for c in head.chapters):
        problems.error(line, f"chapter '{cid}' is listed twice")
        return
    if sector not in SECTORS:
        problems.error(line, f"chapter '{cid}': sector must be one of {', '.join(SECTORS)}")
        return
    if specialty is not None and (sector != "health" or specialty not in SPECIALTIES):
        problems.error(line, f"chapter '{cid}': specialty is for the health sector, one of {', '.join(SPECIALTIES)}")
        return
    if not isinstance(title, str) or not title.strip():
        problems.error(line, f"chapter '{cid}' needs a title")
        return
    head.chapters.append((cid, sector, specialty, title.strip(), line))


def _fact_problem(key: str) -> str | None:
    return None if FACT_RE.match(key) else f"fact id '{key}' must be lowercase letters, digits and hyphens"


def _read_mapping(front: FrontMatter, key: str, problems: Any, bad_key: Any) -> dict[str, str]:
    """``facts:`` or ``rules:``: id -> a sentence, each checked at its line."""
    if key not in front.key_lines:
        return {}
    node, value = front.nodes.get(key), front.data.get(key)
    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode):
        problems.error(front.line(key), f"{key}: write one 'id: what it means' line per entry under it")
        return {}
    found: dict[str, str] = {}
    for key_node, value_node in node.value:
        name, line = str(key_node.value), key_node.start_mark.line + front.offset
        text = value.get(key_node.value)
        if (message := bad_key(name)) is not None:
            problems.error(line, message)
        elif not isinstance(text, str) or not text.strip() or isinstance(value_node, yaml.CollectionNode):
            problems.error(line, f"{key}: '{name}' needs a sentence that says what it is")
        else:
            found[name] = " ".join(text.split())
    return found


def _node(block: Block, ctx: Context, seen: dict[str, int], chapter: str | None) -> _Node:
    """One node of the case: a step with choices, a hand-off with its checklist, or an ending."""
    title, attrs = split_attrs(block.heading or "", block.line, ctx.problems, "node heading",
                               ("ending", "chapter", "handoff"))
    ctx.unique(attrs.id, block.line, seen)
    chapter = attrs.values.get("chapter", chapter)
    ending, handoff = attrs.values.get("ending"), attrs.values.get("handoff")
    ctx.reject_specials(block)
    if ending is not None and ending not in ENDINGS:
        ctx.problems.error(block.line, f"ending must be best, acceptable or harmful, not '{ending}'")
        ending = None
    if ending is not None and handoff is not None:
        ctx.problems.error(block.line, "a node is an ending or a hand-off, not both")
        handoff = None
    if handoff is not None:
        body, items = split_items(block.lines, is_item, ctx.problems,
                                  "a hand-off item is written - [x] What to pass on {#id} or - [ ] What not to {#id}",
                                  "only hand-off items and their > explanations may follow the first item")
        specs = [_item(item, ctx, seen) for item in items]
        spec = NodeSpec(attrs.id or "", title, ctx.render(body), None, (), chapter, handoff, tuple(specs))
        return _Node(spec, block.line, chapter, item_lines=[item.line for item in items])
    body, choice_items = split_items(block.lines, is_choice, ctx.problems,
                                     "a choice is written - Text -> node-id {#id}",
                                     "only choices and their > consequences may follow the first choice")
    choice_seen: dict[str, int] = {}
    choices = [parse_choice(item, ctx, choice_seen, ("sets", "needs")) for item in choice_items]
    if ending is not None and choices:
        ctx.problems.error(block.line, "an ending has no choices: remove the choices or ending=")
    if ending is None and not choices and "ending" not in attrs.values:
        ctx.problems.error(block.line, "a node needs choices, a hand-off (handoff=next-chapter) or "
                                       "ending=best, ending=acceptable or ending=harmful")
    spec = NodeSpec(attrs.id or "", title, ctx.render(body), ending, tuple(choices), chapter)
    return _Node(spec, block.line, chapter, choice_lines=[item.line for item in choice_items])


def _item(item: Item, ctx: Context, seen: dict[str, int]) -> HandoffItemSpec:
    """``[x] What to pass on {#id when=fact rule=rule}`` with its ``>`` explanation."""
    match = BOX_RE.match(item.text)
    mark, text = (match["mark"], match["text"]) if match else (" ", item.text)
    label, attrs = split_attrs(text, item.line, ctx.problems, "hand-off item", ("when", "rule"))
    ctx.unique(attrs.id, item.line, seen)
    if not label:
        ctx.problems.error(item.line, "hand-off item has no text")
    explanation = ctx.render_text("\n".join(item.feedback))
    if not explanation:
        ctx.problems.error(item.line, "hand-off item has no explanation: add an indented > quote under it "
                                      "that says why it belongs in the referral, or why not")
    return HandoffItemSpec(attrs.id or "", ctx.render_inline(label), mark != " ", explanation,
                           attrs.values.get("when"), attrs.values.get("rule"))


def _check_chapters(nodes: list[_Node], head: _Head, ctx: Context) -> None:
    """Nodes are grouped in the chapters of the front matter, in their order."""
    problems = ctx.problems
    if nodes[0].chapter is None:
        problems.error(nodes[0].line, "the first node of a case starts its first chapter: add chapter=ID to it")
    order = [c[0] for c in head.chapters]
    written: list[str] = []
    for node in nodes:
        if node.chapter is not None and (not written or written[-1] != node.chapter):
            if node.chapter not in order:
                hint = did_you_mean(node.chapter, order)
                problems.error(node.line, f"chapter '{node.chapter}' is not listed under chapters:{hint}")
            elif node.chapter in written:
                problems.error(node.line, f"chapter '{node.chapter}' started already: "
                                          "write each chapter's nodes together")
            written.append(node.chapter)
    in_order = [c for c in dict.fromkeys(written) if c in order]
    if in_order != sorted(in_order, key=order.index):
        problems.error(ctx.kind_line, "the chapters are written in another order than under chapters: "
                                      f"({', '.join(order)})")
    for cid, _, _, _, line in head.chapters:
        if cid not in written:
            problems.error(line, f"chapter '{cid}' has no nodes: start one with chapter={cid}")


def _graph(nodes: list[_Node], starts: dict[str | None, str]) -> dict[str, list[str]]:
    """Node id -> where it leads: its choices' targets, or the next chapter's start for a hand-off."""
    graph: dict[str, list[str]] = {}
    for node in nodes:
        if node.spec.handoff is not None:
            target = starts.get(node.spec.handoff)
            graph.setdefault(node.spec.id, [target] if target else [])
        else:
            graph.setdefault(node.spec.id, [c.target for c in node.spec.choices])
    return graph


def _check_links(nodes: list[_Node], graph: dict[str, list[str]], head: _Head, ctx: Context) -> None:
    """Choices stay in their chapter; hand-offs lead to the next chapter; the last has none."""
    chapter_of = {n.spec.id: n.chapter for n in nodes}
    order = [c[0] for c in head.chapters]
    for node in nodes:
        for choice, line in zip(node.spec.choices, node.choice_lines, strict=True):
            if choice.target and choice.target not in graph:
                hint = did_you_mean(choice.target, list(graph))
                ctx.problems.error(line, f"choice leads to unknown node '{choice.target}'{hint}")
            elif choice.target and chapter_of.get(choice.target) != node.chapter:
                ctx.problems.error(line, f"choice leads to '{choice.target}' in chapter "
                                         f"'{chapter_of.get(choice.target)}': a choice stays in its chapter, "
                                         "and a hand-off leads on to the next")
        handoff = node.spec.handoff
        if handoff is None or node.chapter not in order:
            continue
        index = order.index(node.chapter)
        following = order[index + 1] if index + 1 < len(order) else None
        if following is None:
            ctx.problems.error(node.line, "the last chapter has no hand-off: it ends the case with endings")
        elif handoff != following:
            ctx.problems.error(node.line, f"a hand-off leads to the next chapter, '{following}', not '{handoff}'")
        _check_items(node, ctx)
    for cid in order[:-1]:
        if any(n.chapter == cid for n in nodes) and not any(n.chapter == cid and n.spec.handoff for n in nodes):
            line = next(n.line for n in nodes if n.chapter == cid)
            following = order[order.index(cid) + 1]
            ctx.problems.error(line, f"chapter '{cid}' has no hand-off: add a node with handoff={following}")


def _check_items(node: _Node, ctx: Context) -> None:
    items = node.spec.items
    if not items:
        ctx.problems.error(node.line, "a hand-off needs a checklist: - [x] what to pass on, - [ ] what not to")
    elif all(item.share for item in items) or not any(item.share for item in items):
        ctx.problems.error(node.line, "a hand-off needs at least one item to pass on (- [x]) and one that "
                                      "must not be shared (- [ ])")


def _check_reach(nodes: list[_Node], graph: dict[str, list[str]], start: str, ctx: Context) -> None:
    """Every node can be reached from the start, and an ending from every node."""
    found = reachable(graph, start)
    finishing = can_reach(graph, {n.spec.id for n in nodes if n.spec.ending})
    for node in nodes:
        if not node.spec.id:
            continue
        if node.spec.id not in found:
            ctx.problems.error(node.line, f"node '{node.spec.id}' cannot be reached from the start node '{start}'")
        elif not node.spec.ending and node.spec.id not in finishing:
            ctx.problems.error(node.line, f"no ending can be reached from node '{node.spec.id}' "
                                          "(a loop with no way out)")
        if node.spec.choices and all(choice.needs for choice in node.spec.choices):
            ctx.problems.error(node.line, f"node '{node.spec.id}': every choice needs a fact, so a learner "
                                          "without them would be stuck; keep one choice that needs nothing")


def _check_endings(nodes: list[_Node], head: _Head, ctx: Context) -> None:
    """A case ends; its last chapter can end well."""
    last = head.chapters[-1][0] if head.chapters else None
    if not any(n.spec.ending for n in nodes):
        ctx.problems.error(ctx.kind_line, "a case needs endings: add ending=best, ending=acceptable or "
                                          "ending=harmful to nodes of its last chapter")
    elif last is not None and not any(n.spec.ending == Ending.BEST and n.chapter == last for n in nodes):
        ctx.problems.error(ctx.kind_line, f"the last chapter, '{last}', needs an ending=best")


def _check_facts(nodes: list[_Node], graph: dict[str, list[str]], head: _Head, ctx: Context) -> None:
    """Facts are declared (under facts:, or as a hand-off item's id), and set before they are needed."""
    items = {item.id: node.spec.id for node in nodes for item in node.spec.items if item.id}
    declared = {**head.facts, **head.risks}
    for item_id, _ in items.items():
        if item_id in declared:
            line = next(line for n in nodes for item, line in zip(n.spec.items, n.item_lines, strict=True)
                        if item.id == item_id)
            ctx.problems.error(line, f"hand-off item '{item_id}' has the id of a fact under facts: or risks:; "
                                     "passing it on sets a fact of its own id, so give it another")
    known = set(declared) | set(items)
    setters: dict[str, set[str]] = {}
    for node in nodes:
        for choice in node.spec.choices:
            for fact in choice.sets:
                setters.setdefault(fact, set()).add(node.spec.id)
    for item_id, node_id in items.items():
        setters.setdefault(item_id, set()).add(node_id)
    after = {node_id: set().union(*(reachable(graph, t) for t in targets if t in graph))
             for node_id, targets in graph.items()}
    for node in nodes:
        for choice, line in zip(node.spec.choices, node.choice_lines, strict=True):
            for fact in choice.sets:
                _known(fact, known, line, ctx)
            for need in choice.needs:
                if need.startswith("!"):  # must not be set: also true when nothing could set it
                    _known(need[1:], known, line, ctx)
                else:
                    _needed(need, node.spec.id, known, setters, after, line, ctx)
        for item, line in zip(node.spec.items, node.item_lines, strict=True):
            if item.when is not None:
                _needed(item.when, node.spec.id, known, setters, after, line, ctx)
            if item.rule is not None and item.rule not in head.rules:
                hint = did_you_mean(item.rule, list(head.rules))
                ctx.problems.error(line, f"rule '{item.rule}' is not listed under rules:{hint}")


def _known(fact: str, known: set[str], line: int, ctx: Context) -> bool:
    if fact in known:
        return True
    hint = did_you_mean(fact, sorted(known))
    ctx.problems.error(line, f"fact '{fact}' is not listed under facts: or risks: and is no hand-off item's "
                             f"id{hint}")
    return False


def _needed(fact: str, at: str, known: set[str], setters: dict[str, set[str]],
            after: dict[str, set[str]], line: int, ctx: Context) -> None:
    """A fact something needs must be set by a choice or hand-off item that can come before it."""
    if not _known(fact, known, line, ctx):
        return
    if not any(at in after.get(setter, set()) for setter in setters.get(fact, ())):
        ctx.problems.error(line, f"fact '{fact}' is needed here, but no choice or hand-off item before "
                                 "this point can set it")
