"""Scenario rules: the graph checks and node/choice syntax (the body starts at line 12)."""
from trainer.content import best_path, parse_module_text

GOOD = """## Start {#start}

What now?

- Go left. -> left {#go-left}
  > You go left.
- Go right. → right {#go-right}
  > You go right.

## Left {#left}

- Back. -> start {#back}
  > Back again.
- Finish. -> end-best {#finish}
  > Done.

## Right {#right ending=harmful}

Debrief.

## Best {#end-best ending=best}

Debrief.
"""


def test_a_good_scenario(modules):
    parsed = parse_module_text(modules.text("scenario", GOOD))
    assert parsed.problems == ()
    spec = parsed.spec
    assert spec.start == "start"
    assert [(n.id, n.ending) for n in spec.nodes] == [
        ("start", None), ("left", None), ("right", "harmful"), ("end-best", "best")]
    assert [(c.id, c.target) for c in spec.nodes[0].choices] == [
        ("go-left", "left"), ("go-right", "right")]
    assert spec.nodes[0].choices[0].consequence_html == "<p>You go left.</p>"
    assert best_path(spec) == ["start", "left", "end-best"]


def test_dangling_link_unreachable_node_and_loop_without_exit(modules):
    body = ("## Start {#start}\n\n- A. -> nowhere {#a}\n  > A.\n- B. -> loop {#b}\n  > B.\n"
            "- C. -> end {#c}\n  > C.\n\n"
            "## Loop {#loop}\n\n- Again. -> loop {#again}\n  > Again.\n\n"
            "## Island {#island ending=acceptable}\n\n"
            "## End {#end ending=best}\n")
    assert modules.problems("scenario", body) == [
        "m.md:14: choice leads to unknown node 'nowhere'",
        "m.md:21: no ending can be reached from node 'loop' (a loop with no way out)",
        "m.md:26: node 'island' cannot be reached from the start node 'start'",
    ]


def test_nodes_need_choices_or_an_ending_but_not_both(modules):
    body = ("## Start {#start}\n\n- A. -> stuck {#a}\n  > A.\n- B. -> end {#b}\n  > B.\n\n"
            "## Stuck {#stuck}\n\nNothing to do.\n\n"
            "## End {#end ending=best}\n\n- Oops. -> start {#oops}\n  > Hm.\n")
    assert modules.problems("scenario", body) == [
        "m.md:19: a node needs choices, or ending=best, ending=acceptable or ending=harmful",
        "m.md:23: an ending has no choices: remove the choices or ending=",
    ]


def test_endings_are_required(modules):
    no_ending = "## Start {#start}\n\n- A. -> start {#a}\n  > A.\n"
    assert modules.problems("scenario", no_ending) == [
        "m.md:3: a scenario needs at least one ending: add ending=best, ending=acceptable or "
        "ending=harmful to a node",
        "m.md:12: no ending can be reached from node 'start' (a loop with no way out)",
    ]
    no_best = "## Start {#start}\n\n- A. -> end {#a}\n  > A.\n\n## End {#end ending=harmful}\n"
    assert modules.problems("scenario", no_best) == [
        "m.md:3: a scenario needs at least one ending=best"]
    assert modules.problems("scenario", "") == [
        "m.md:3: a scenario needs at least one ## node with an {#id}"]


def test_choice_syntax(modules):
    body = ("## Start {#start}\n\n- Go. -> end\n  > Gone.\n- Stay. -> end {#stay}\n"
            "- -> end {#blank}\n  > Hm.\n- Where? -> {#where}\n  > Hm.\n- Plain item {#plain}\n\n"
            "## End {#end ending=best}\n")
    assert modules.problems("scenario", body) == [
        "m.md:14: choice has no {#id}",
        "m.md:16: choice has no consequence: add an indented > quote under it",
        "m.md:17: choice has no text before ->",
        "m.md:19: choice has no node id after ->",
        "m.md:21: a choice is written - Text -> node-id {#id}",
    ]


def test_ending_values(modules):
    body = "## Start {#start}\n\n- A. -> end {#a}\n  > A.\n\n## End {#end ending=great}\n"
    assert modules.problems("scenario", body) == [
        "m.md:17: ending must be best, acceptable or harmful, not 'great'"]


def test_duplicate_node_and_choice_ids(modules):
    body = ("## Start {#start}\n\n- A. -> end {#a}\n  > A.\n- B. -> end {#a}\n  > B.\n\n"
            "## End {#end ending=best}\n\n## Again {#end ending=best}\n")
    assert modules.problems("scenario", body) == [
        "m.md:16: duplicate id 'a' (first used on line 14)",
        "m.md:21: duplicate id 'end' (first used on line 19)",
    ]


def test_best_path_prefers_the_shortest_route(modules):
    body = ("## S {#s}\n\n- Long. -> a {#long}\n  > L.\n- Short. -> win {#short}\n  > S.\n\n"
            "## A {#a}\n\n- On. -> win {#on}\n  > O.\n\n## Win {#win ending=best}\n")
    spec = parse_module_text(modules.text("scenario", body)).spec
    assert best_path(spec) == ["s", "win"]


def test_a_choice_may_wrap_onto_indented_lines():
    from trainer.content import parse_module_text

    text = """---
id: wrap
kind: scenario
title: Wrapped choices
overview: A short check.
intensity: light
objectives:
  - Read wrapped choices.
---

## Start {#start}

The situation, with a list that is not a choice:

- first point
- second point

- Explain that the clinic always uses its own interpreters, and show the
  companion to the waiting room. -> end {#routine}
  > He goes to the waiting room.

## The end {#end ending=best}

Debrief.
"""
    parsed = parse_module_text(text, "wrap.md")
    assert parsed.problems == ()
    [choice] = parsed.spec.nodes[0].choices
    assert choice.target == "end" and choice.id == "routine"
    assert "waiting room" in choice.text
