"""A map of a branching scenario or a case for its authors: nodes in columns by how many choices it
takes to reach them, links between them, endings marked by their grade (a case's hand-off links
to the next chapter's first node). Pure layout; the editor page draws it as SVG (and as a list,
for screen readers and for printing)."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .spec import PLAYED_KINDS, CaseSpec, ModuleSpec, NodeSpec

NODE_WIDTH, NODE_HEIGHT = 190, 46
COLUMN_GAP, ROW_GAP, MARGIN = 70, 22, 12
TITLE_CHARS = 26  # longer titles are shortened on the map; the list and tooltip keep them whole


@dataclass(frozen=True)
class MapNode:
    id: str
    title: str
    short_title: str
    ending: str | None  # best, acceptable, harmful, or None for a node with choices
    x: int
    y: int
    reachable: bool
    visited: bool = False  # on the path a learner took (a debrief's map)


@dataclass(frozen=True)
class MapLink:
    choice_id: str
    choice_text: str
    source: str
    target: str
    path: str  # an SVG path from the source's right edge to the target's left edge
    dangling: bool  # the target does not exist


@dataclass(frozen=True)
class ScenarioMap:
    nodes: tuple[MapNode, ...]
    links: tuple[MapLink, ...]
    width: int
    height: int


def scenario_map(module: ModuleSpec) -> ScenarioMap | None:
    """The map of a scenario or case module; None for other kinds or an empty one."""
    if module.kind not in PLAYED_KINDS or not module.nodes:
        return None
    return played_map(module.nodes, module.start, module.case)


def played_map(all_nodes: tuple[NodeSpec, ...], start_id: str | None, case: CaseSpec | None,
               visited: frozenset[str] = frozenset()) -> ScenarioMap:
    """The map of a scenario's or case's nodes; ``visited`` marks the nodes of a learner's path."""
    by_id = {node.id: node for node in reversed(all_nodes)}  # the first node wins a repeated id
    chapters = {chapter.id: chapter for chapter in case.chapters} if case else {}

    def leads(node: NodeSpec) -> list[tuple[str, str, str]]:
        """(link id, text, target) of each way on from ``node``."""
        if node.handoff is not None and node.handoff in chapters:
            following = chapters[node.handoff]
            return [(f"handoff-{node.id}", f"→ {following.title}", following.start)]
        return [(choice.id, choice.text, choice.target) for choice in node.choices]

    start = start_id if start_id in by_id else all_nodes[0].id
    depth = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for _, _, target in leads(by_id[here]):
            if target in by_id and target not in depth:
                depth[target] = depth[here] + 1
                queue.append(target)
    unreached = max(depth.values()) + 1
    columns: dict[int, list[str]] = {}
    for node in all_nodes:
        if node.id in by_id and all(node.id not in ids for ids in columns.values()):
            columns.setdefault(depth.get(node.id, unreached), []).append(node.id)
    place: dict[str, tuple[int, int]] = {}
    for column, ids in columns.items():
        for row, node_id in enumerate(ids):
            place[node_id] = (MARGIN + column * (NODE_WIDTH + COLUMN_GAP), MARGIN + row * (NODE_HEIGHT + ROW_GAP))
    nodes = tuple(MapNode(node_id, by_id[node_id].title, _short(by_id[node_id].title), by_id[node_id].ending,
                          x, y, node_id in depth, node_id in visited) for node_id, (x, y) in place.items())
    links = tuple(_link(link_id, text, node_id, target, place)
                  for node_id in place for link_id, text, target in leads(by_id[node_id]))
    width = max(x for x, _ in place.values()) + NODE_WIDTH + MARGIN
    height = max(y for _, y in place.values()) + NODE_HEIGHT + MARGIN
    return ScenarioMap(nodes, links, width, height)


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1].rstrip() + "…"


def _link(choice_id: str, text: str, source: str, target: str, place: dict[str, tuple[int, int]]) -> MapLink:
    sx, sy = place[source]
    x1, y1 = sx + NODE_WIDTH, sy + NODE_HEIGHT // 2
    if target not in place:  # a dangling link: a short stub the checker also reports
        return MapLink(choice_id, text, source, target, f"M{x1},{y1} h{COLUMN_GAP // 2}", True)
    tx, ty = place[target]
    x2, y2 = tx, ty + NODE_HEIGHT // 2
    if x2 > x1:  # forwards: a gentle curve between the columns
        middle = (x1 + x2) // 2
        return MapLink(choice_id, text, source, target, f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}", False)
    # back to an earlier column (a loop): out to the right, over the top, in from the left
    top = min(sy, ty) - ROW_GAP // 2
    return MapLink(choice_id, text, source, target,
                   f"M{x1},{y1} C{x1 + 40},{y1} {x1 + 40},{top} {x1},{top} L{x2},{top} "
                   f"C{x2 - 40},{top} {x2 - 40},{y2} {x2},{y2}", False)
