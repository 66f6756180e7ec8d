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
QUIZZES = [(folder, module) for folder in sorted(COURSES.iterdir()) if (folder / "course.md").is_file()
           for module in parse_course(folder).spec.modules if module.kind == "quiz"]


def test_the_curriculum_has_quizzes():
    assert len(QUIZZES) >= 10


@pytest.mark.parametrize(("folder", "module"), QUIZZES, ids=[f"{f.name}/{m.path}" for f, m in QUIZZES])
def test_no_guessing_strategy_passes(folder, module):
    pass_mark = parse_course(folder).spec.pass_mark / 100
    scores = guess_scores(module.questions)
    passing = {name: round(score * 100, 1) for name, score in scores.items() if score >= pass_mark}
    assert not passing, f"{folder.name}/{module.path}: guessing reaches the pass mark: {passing}"
