"""Question pools: ``draw:`` checked against the quiz, and the draw itself."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from trainer.content import DrawSpec, draw_fits, draw_questions, parse_module_text

FRONT = """---
id: pool
kind: quiz
title: A pool
overview: Questions drawn from a pool.
intensity: light
objectives:
  - Learn one thing.
{draw}---
"""


def question(ident: str, tags: str) -> str:
    return (f"## Question {ident} {{#{ident} kind=single tags=\"{tags}\"}}\n\nStem.\n\n"
            f"- [x] Yes {{#yes}}\n  > Right.\n- [ ] No {{#no}}\n  > Wrong.\n\n::: explanation\nWhy.\n:::\n\n")


BODY = "".join(question(f"i{n}", "indicators") for n in range(1, 4)) + \
    "".join(question(f"r{n}", "response") for n in range(1, 4)) + question("both", "indicators, response")


def parse(draw: str, body: str = BODY, kind: str = "quiz"):
    text = FRONT.format(draw=draw).replace("kind: quiz", f"kind: {kind}") + "\n" + body
    return parse_module_text(text, "pool.md")


def problems(draw: str, **kwargs) -> list[str]:
    return [str(p) for p in parse(draw, **kwargs).problems]


def test_a_number_or_questions_and_at_least():
    assert parse("draw: 4\n").spec.draw == DrawSpec(4)
    assert parse("draw:\n  questions: 5\n").spec.draw == DrawSpec(5)
    spec = parse("draw:\n  questions: 5\n  at_least:\n    indicators: 2\n    response: 2\n").spec.draw
    assert spec == DrawSpec(5, (("indicators", 2), ("response", 2)))
    assert parse("draw: {at_least: {indicators: 1, response: 2}}\n").spec.draw == \
        DrawSpec(3, (("indicators", 1), ("response", 2)))  # questions: the sum of at_least
    assert parse("").spec.draw is None


@pytest.mark.parametrize("draw, expected", [
    ("draw: 8\n", ["pool.md:9: draw: 8 questions, but the quiz has only 7"]),
    ("draw: 0\n", ["pool.md:9: draw: must be at least 1"]),
    ("draw: six\n", ["pool.md:9: draw: write a number of questions (draw: 6), or questions: and at_least: lines"]),
    ("draw:\n", ["pool.md:9: draw: write a number of questions (draw: 6), or questions: and at_least: lines"]),
    ("draw:\n  questions: 3\n  tags: {indicators: 1}\n",
     ["pool.md:11: draw: unknown field 'tags' (use questions and at_least)"]),
    ("draw:\n  questions: 3\n  at_least:\n    indicators: 1\n    legal: 1\n",
     ["pool.md:13: draw: no question has the tag 'legal'"]),
    ("draw:\n  questions: 6\n  at_least:\n    indicators: 5\n",
     ["pool.md:12: draw: at least 5 questions tagged 'indicators', but only 4 have that tag"]),
    ("draw:\n  questions: 3\n  at_least:\n    indicators: 2\n    response: 2\n",
     ["pool.md:10: draw: at_least adds up to 4 questions, more than the 3 drawn"]),
    ("draw:\n  questions: 3\n  at_least:\n    indicators: two\n",
     ["pool.md:12: draw: at_least: 'indicators' needs a whole number of at least 1"]),
    ("draw:\n  questions: 3\n  at_least: [indicators]\n", ["pool.md:11: draw: at_least needs 'tag: number' lines"]),
    ("draw:\n  questions: -1\n", ["pool.md:10: draw: questions must be a whole number of at least 1"]),
])
def test_the_checker_reports_each_problem_at_its_line(draw, expected):
    assert problems(draw) == expected


def test_only_quizzes_draw():
    lesson = "## Only {#only}\n\nText.\n"
    assert "pool.md:9: draw: only a quiz draws questions" in problems("draw: 1\nreferences: [A source.]\n",
                                                                    body=lesson, kind="lesson")


def test_courses_check_reports_draw_problems(folder):
    module = FRONT.format(draw="draw: 9\n") + "\n" + BODY
    found = folder.check({"c/course.md": folder.course_md("pool.md"), "c/pool.md": module})
    assert found == ["c/pool.md:9: draw: 9 questions, but the quiz has only 7"]


@pytest.fixture
def pool():
    return parse("").spec.questions


def test_no_draw_means_every_question(pool):
    assert draw_questions(pool, None, random.Random(1)) == tuple(q.id for q in pool)


def test_a_draw_has_its_size_its_tags_and_the_quizs_order(pool):
    spec = DrawSpec(4, (("indicators", 2), ("response", 2)))
    order = [q.id for q in pool]
    tags = {q.id: q.tags for q in pool}
    seen = Counter()
    for seed in range(300):
        drawn = draw_questions(pool, spec, random.Random(seed))
        assert len(drawn) == 4 and list(drawn) == sorted(drawn, key=order.index)
        assert sum("indicators" in tags[q] for q in drawn) >= 2
        assert sum("response" in tags[q] for q in drawn) >= 2
        assert draw_fits(drawn, pool, spec)
        seen.update(drawn)
    assert set(seen) == set(order)  # every question of the pool comes up


def test_retakes_get_different_draws(pool):
    draws = {draw_questions(pool, DrawSpec(3), random.Random(seed)) for seed in range(30)}
    assert len(draws) > 10


def test_a_draw_that_no_longer_fits(pool):
    spec = DrawSpec(2, (("response", 1),))
    assert draw_fits(("i1", "r1"), pool, spec)
    assert not draw_fits(("i1", "i2"), pool, spec)  # the tag is missing
    assert not draw_fits(("i1", "r1", "r2"), pool, spec)  # the size changed
    assert not draw_fits(("i1", "gone"), pool, spec)  # a question was removed
    assert not draw_fits(("i1",), pool, None)  # no draw: every question
    assert draw_fits(tuple(q.id for q in pool), pool, None)



def _doc_blocks(heading: str) -> list[str]:
    """The ```markdown examples under a heading of docs/authoring.md."""
    import re
    import textwrap
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "authoring.md").read_text("utf-8")
    section = doc.split(heading, 1)[1].split("\n#### ", 1)[0]
    return [textwrap.dedent(block) for block in re.findall(r"```markdown\n(.*?)```", section, re.S)]


def test_the_documented_draw_examples_check_clean():
    tags = ("indicators", "response", "referral")
    pool = "".join(question(f"q{n}", tags[n % 3]) for n in range(16))
    for block in _doc_blocks("#### Drawing questions from a pool"):
        front = block.split("\n---\n", 1)[0] + "\n---\n"
        assert [str(p) for p in parse_module_text(front + "\n" + pool, "doc.md").problems] == []


def test_the_documented_fixed_example_checks_clean():
    (example,) = _doc_blocks("#### Option order")
    parsed = parse_module_text(FRONT.format(draw="") + "\n" + example, "doc.md")
    assert parsed.problems == () and parsed.spec.questions[0].options[3].fixed
