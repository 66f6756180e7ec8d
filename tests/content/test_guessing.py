"""A learner who guesses must never pass a quiz of the curriculum.

Every quiz in courses/ is scored, with the question kinds' own grading and over the whole pool
(a quiz with ``draw:`` draws from all its questions), for guessing strategies that read nothing
but the options: the longest, the shortest, the first or the last option, a random option, always
True or always False, every box or none, and combinations. Each expected score must stay below
the course's pass mark. Run ``python -m trainer.content.cues courses/`` for the table.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from trainer.content import parse_course
from trainer.content.cues import guess_scores

COURSES = Path(__file__).resolve().parents[2] / "courses"
COURSE_SPECS = [parse_course(folder).spec for folder in sorted(COURSES.iterdir())
                if (folder / "course.md").is_file()]
QUIZZES = [(course, module) for course in COURSE_SPECS for module in course.modules if module.kind == "quiz"]


def test_the_curriculum_has_quizzes():
    assert len(QUIZZES) >= 10


@pytest.mark.parametrize(("course", "module"), QUIZZES, ids=[f"{c.id}/{m.path}" for c, m in QUIZZES])
def test_no_guessing_strategy_passes(course, module):
    pass_mark = course.pass_mark / 100
    scores = guess_scores(module.questions)
    passing = {name: round(score * 100, 1) for name, score in scores.items() if score >= pass_mark}
    assert not passing, f"{course.id}/{module.path}: guessing reaches the pass mark: {passing}"
