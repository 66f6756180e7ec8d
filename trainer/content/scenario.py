"""Scenario graphs: reachability, dead ends and the best path."""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence

from trainer.vocabulary import Ending

from .spec import ModuleSpec, NodeSpec

# How good each ending is, and the least an ending must be for each ``pass_ending``.
ENDING_RANK: dict[str | None, int] = {Ending.HARMFUL: 0, Ending.ACCEPTABLE: 1, Ending.BEST: 2}
PASS_RANK: dict[str, int] = {"any": 0, Ending.ACCEPTABLE: 1, Ending.BEST: 2}

Graph = Mapping[str, Sequence[str]]


def graph_of(nodes: Iterable[NodeSpec]) -> dict[str, list[str]]:
    """Node id -> the ids its choices lead to (the first node wins for a repeated id)."""
    graph: dict[str, list[str]] = {}
    for node in nodes:
        graph.setdefault(node.id, [choice.target for choice in node.choices])
    return graph


def reachable(graph: Graph, start: str) -> set[str]:
    """Every node that can be reached from ``start`` (including it)."""
    seen, queue = {start}, deque([start])
    while queue:
        for target in graph.get(queue.popleft(), ()):
            if target in graph and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def can_reach(graph: Graph, goals: set[str]) -> set[str]:
    """Every node from which at least one of ``goals`` can be reached."""
    incoming: dict[str, list[str]] = {}
    for source, targets in graph.items():
        for target in targets:
            incoming.setdefault(target, []).append(source)
    seen, queue = set(goals), deque(goals)
    while queue:
        for source in incoming.get(queue.popleft(), ()):
            if source not in seen:
                seen.add(source)
                queue.append(source)
    return seen


def shortest_path(graph: Graph, start: str, goals: set[str]) -> list[str]:
    """The shortest list of node ids from ``start`` to a goal (choice order breaks ties)."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node in goals:
            path: list[str] = []
            step: str | None = node
            while step is not None:
                path.append(step)
                step = previous[step]
            return path[::-1]
        for target in graph.get(node, ()):
            if target in graph and target not in previous:
                previous[target] = node
                queue.append(target)
    return []


def best_path(module: ModuleSpec) -> list[str]:
    """Node ids on the shortest route from the start to a ``best`` ending ([] if none)."""
    if module.start is None:
        return []
    best = {node.id for node in module.nodes if node.ending == Ending.BEST}
    return shortest_path(graph_of(module.nodes), module.start, best)


def passes(ending: str | None, pass_ending: str = Ending.ACCEPTABLE.value) -> bool:
    """Whether a run that reached ``ending`` (best/acceptable/harmful) completes its module."""
    if ending not in ENDING_RANK:
        return False
    return ENDING_RANK[ending] >= PASS_RANK.get(pass_ending, PASS_RANK[Ending.ACCEPTABLE])


def pass_ending_of(module: ModuleSpec, course_pass_ending: str = Ending.ACCEPTABLE.value) -> str:
    """What a scenario module needs to be completed: its own ``pass_ending``, else the course's."""
    return module.pass_ending or course_pass_ending
