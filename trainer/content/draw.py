"""Question pools: ``draw:`` in a quiz's front matter, checked against its questions, and the
draw itself (pure: the caller passes the random generator).

    draw: 6                       # six of the quiz's questions for each attempt

    draw:
      questions: 6                # six questions for each attempt ...
      at_least:                   # ... with at least so many of each tag
        indicators: 2
        response: 2

A question with two of the tags counts for both. ``questions`` may be left out; it is then the
sum of ``at_least`` (and ``draw: {questions: 6}`` is ``draw: 6``). The numbers in ``at_least`` may
add up to at most ``questions``, so a draw always exists: each tag in turn tops up its count from
the questions not yet drawn, then the rest is drawn from all of them.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, TypeGuard

import yaml

from .frontmatter import FrontMatter
from .problems import Problems
from .spec import DrawSpec, QuestionSpec

FIELDS = ("questions", "at_least")
SHAPE = "draw: write a number of questions (draw: 6), or questions: and at_least: lines"


def read_draw(front: FrontMatter | None, kind: str | None, questions: Sequence[QuestionSpec],
              problems: Problems) -> DrawSpec | None:
    """The quiz's ``draw:`` as a spec, with every problem reported at its line; None without one."""
    if front is None or "draw" not in front.key_lines:
        return None
    line, node, value = front.line("draw"), front.nodes["draw"], front.data.get("draw")
    if kind != "quiz":
        problems.error(line, "draw: only a quiz draws questions")
        return None
    if _is_count(value):
        spec = DrawSpec(value) if value >= 1 else None
        if spec is None:
            problems.error(line, "draw: must be at least 1")
    elif isinstance(value, dict) and isinstance(node, yaml.MappingNode):
        spec = _mapping(value, _lines(node, front.offset), line, problems)
    else:
        problems.error(line, SHAPE)
        return None
    if spec is not None and not _fits_pool(spec, questions, _lines(node, front.offset), line, problems):
        return None
    return spec


def _is_count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _lines(node: yaml.Node, offset: int) -> dict[str, Any]:
    """File lines of a mapping's keys; ``at_least`` also maps to the lines of its own keys."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    lines: dict[str, Any] = {}
    for key, value in node.value:
        lines[str(key.value)] = key.start_mark.line + offset
        if str(key.value) == "at_least" and isinstance(value, yaml.MappingNode):
            lines["tags"] = {str(k.value): k.start_mark.line + offset for k, _ in value.value}
    return lines


def _mapping(value: dict[Any, Any], lines: dict[str, Any], line: int, problems: Problems) -> DrawSpec | None:
    """``questions:`` and ``at_least:``, each checked for its shape."""
    ok = True
    for key in value:
        if key not in FIELDS:
            problems.error(lines.get(str(key), line), f"draw: unknown field '{key}' (use questions and at_least)")
            ok = False
    at_least = value.get("at_least", {})
    if not isinstance(at_least, dict) or ("at_least" in value and not at_least):
        problems.error(lines.get("at_least", line), "draw: at_least needs 'tag: number' lines")
        return None
    counts = []
    for tag, count in at_least.items():
        if not _is_count(count) or count < 1:
            problems.error(lines.get("tags", {}).get(str(tag), line),
                           f"draw: at_least: '{tag}' needs a whole number of at least 1")
            ok = False
        counts.append((str(tag), count))
    total = value.get("questions", sum(c for _, c in counts if _is_count(c)))
    if not _is_count(total) or total < 1:
        problems.error(lines.get("questions", line), "draw: questions must be a whole number of at least 1")
        return None
    return DrawSpec(total, tuple(counts)) if ok else None


def _fits_pool(spec: DrawSpec, questions: Sequence[QuestionSpec], lines: dict[str, Any], line: int,
               problems: Problems) -> bool:
    """Whether the quiz has the questions the draw asks for (each shortfall reported)."""
    ok = True
    where = lines.get("questions", line)
    if spec.questions > len(questions):
        problems.error(where, f"draw: {spec.questions} questions, but the quiz has only {len(questions)}")
        ok = False
    wanted = sum(count for _, count in spec.at_least)
    if wanted > spec.questions:
        problems.error(where, f"draw: at_least adds up to {wanted} questions, more than the "
                              f"{spec.questions} drawn")
        ok = False
    for tag, count in spec.at_least:
        tagged = sum(tag in q.tags for q in questions)
        tag_line = lines.get("tags", {}).get(tag, line)
        if not tagged:
            problems.error(tag_line, f"draw: no question has the tag '{tag}'")
            ok = False
        elif count > tagged:
            problems.error(tag_line, f"draw: at least {count} questions tagged '{tag}', but only "
                                     f"{tagged} {'has' if tagged == 1 else 'have'} that tag")
            ok = False
    return ok


def draw_questions(questions: Sequence[QuestionSpec], spec: DrawSpec | None,
                   rng: random.Random) -> tuple[str, ...]:
    """The ids of one attempt's questions, in the quiz's order; every question without a draw."""
    if spec is None:
        return tuple(q.id for q in questions)
    drawn: set[str] = set()
    for tag, count in spec.at_least:
        have = sum(tag in q.tags for q in questions if q.id in drawn)
        pool = [q.id for q in questions if tag in q.tags and q.id not in drawn]
        drawn.update(rng.sample(pool, min(max(count - have, 0), len(pool))))
    rest = [q.id for q in questions if q.id not in drawn]
    drawn.update(rng.sample(rest, min(max(spec.questions - len(drawn), 0), len(rest))))
    return tuple(q.id for q in questions if q.id in drawn)


def fits(drawn: Sequence[str], questions: Sequence[QuestionSpec], spec: DrawSpec | None) -> bool:
    """Whether an earlier draw is still one this quiz could make (the quiz may have been edited)."""
    ids = [q.id for q in questions]
    if len(set(drawn)) != len(drawn) or not set(drawn) <= set(ids):
        return False
    if spec is None:
        return set(drawn) == set(ids)
    tags = {q.id: q.tags for q in questions}
    return len(drawn) == spec.questions and all(
        sum(tag in tags[qid] for qid in drawn) >= count for tag, count in spec.at_least)
