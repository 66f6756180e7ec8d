"""A learner who guesses must never pass a quiz of the curriculum.

Every quiz in courses/ is scored, with the question kinds' own grading and over the whole pool
(a quiz with ``draw:`` draws from all its questions), for guessing strategies that read nothing
but the options: the longest, the shortest, the first or the last option, a random option, always
True or always False, every box or none, and combinations. Each expected score must stay below
the course's pass mark. ``flask --app wsgi courses guess courses/`` prints the scores.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from trainer.content import find_courses, parse_course
from trainer.content.cues import guess_course

COURSES = Path(__file__).resolve().parents[2] / "courses"
GUESSES = [guess for folder in find_courses(COURSES)
           for guess in guess_course(parse_course(folder).spec, folder)]


def test_the_curriculum_has_quizzes():
    assert len(GUESSES) >= 10
    assert all(len(guess.scores) >= 12 for guess in GUESSES)


@pytest.mark.parametrize("guess", GUESSES, ids=[Path(g.quiz).parent.name + "/" + Path(g.quiz).name for g in GUESSES])
def test_no_guessing_strategy_passes(guess):
    passing = {name: round(score * 100, 1) for name, score in guess.passing.items()}
    assert not passing, f"{guess.quiz}: guessing reaches the pass mark of {guess.pass_mark:.0%}: {passing}"
