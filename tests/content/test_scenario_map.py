"""The authors' map of a scenario: columns by distance from the start, links, endings, loops."""
from __future__ import annotations

from tests.support.samples import SCENARIO_FIXED, SCENARIO_WITH_DANGLING_LINK
from trainer.content import parse_module_text
from trainer.content.scenario_map import COLUMN_GAP, NODE_WIDTH, scenario_map


def _map(text: str):
    return scenario_map(parse_module_text(text, "s.md").spec)


def test_nodes_stand_in_columns_by_the_choices_that_reach_them():
    m = _map(SCENARIO_FIXED)
    columns = {node.id: (node.x - 12) // (NODE_WIDTH + COLUMN_GAP) for node in m.nodes}
    start = next(node.id for node in m.nodes if columns[node.id] == 0)
    spec = parse_module_text(SCENARIO_FIXED, "s.md").spec
    assert start == spec.start
    for link in m.links:  # every forward link goes exactly one column on from a node first reached there
        if not link.dangling and columns[link.target] > columns[link.source]:
            assert columns[link.target] == columns[link.source] + 1
    assert {node.ending for node in m.nodes if node.ending} <= {"best", "acceptable", "harmful"}
    assert all(node.reachable for node in m.nodes)
    assert m.width > NODE_WIDTH and m.height > 0


def test_a_dangling_link_is_drawn_as_a_stub():
    m = _map(SCENARIO_WITH_DANGLING_LINK)
    [dangling] = [link for link in m.links if link.dangling]
    assert dangling.target == "end-ok"


def test_other_kinds_have_no_map(modules):
    assert scenario_map(parse_module_text(modules.lesson(), "m.md").spec) is None
