"""The quiz service: open forms (draws), grading only what was drawn, reviews, and item analysis
per question when quizzes draw from pools."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from trainer.extensions import db
from trainer.models import Course, QuizAttempt, QuizDraw, User
from trainer.services import analysis, catalogue, quizzes
from trainer.services.errors import InvalidInput


@pytest.fixture
def quiz(app, make_user, published_course):
    """(user, course, version, module) for the example quiz, inside an app context."""
    account = make_user()
    with app.app_context():
        user = db.session.get(User, account.id)
        course = db.session.scalar(sa.select(Course))
        course, version = catalogue.course_version(user, course.slug)
        module = catalogue.module(version, "indicators-quiz")
        yield user, course, version, module


def _draws():
    return db.session.scalars(sa.select(QuizDraw)).all()


def test_opening_a_quiz_keeps_one_draw_until_it_is_submitted(quiz):
    user, course, version, module = quiz
    first = quizzes.open_form(user, course, version, module)
    again = quizzes.open_form(user, course, version, module)
    assert first == again and len(_draws()) == 1
    assert [view.id for view in first.questions] == ["companion", "signs", "consent", "protocol", "elements", "match"]
    quizzes.submit(user, course, version, module, {}, first.token)
    assert _draws() == []
    assert quizzes.open_form(user, course, version, module).token != first.token


def test_a_draw_that_no_longer_fits_the_quiz_is_drawn_again(quiz):
    user, course, version, module = quiz
    first = quizzes.open_form(user, course, version, module)
    draw = _draws()[0]
    draw.questions = ["companion", "gone"]  # as if the author had since removed a question
    db.session.flush()
    fresh = quizzes.open_form(user, course, version, module)
    assert fresh.token != first.token and len(fresh.questions) == 6 and len(_draws()) == 1


def test_only_the_drawn_questions_are_graded(quiz):
    user, course, version, module = quiz
    form = quizzes.open_form(user, course, version, module)
    _draws()[0].questions = ["protocol", "elements"]
    db.session.flush()
    attempt = quizzes.submit(user, course, version, module, {"q-protocol": ["Palermo"], "q-elements": ["3"]},
                             form.token)
    assert attempt.score == 1.0 and attempt.passed and attempt.questions == ["protocol", "elements"]
    assert set(attempt.results) == {"protocol", "elements"}
    review = quizzes.review(version, module, attempt)
    assert [r.id for r in review.questions] == ["protocol", "elements"] and review.reveal


def test_a_drawn_question_removed_since_refuses_the_form(quiz):
    user, course, version, module = quiz
    form = quizzes.open_form(user, course, version, module)
    _draws()[0].questions = ["companion", "gone"]
    db.session.flush()
    with pytest.raises(InvalidInput, match="changed after you opened it"):
        quizzes.submit(user, course, version, module, {}, form.token)


def test_a_field_of_a_question_not_drawn_is_refused(quiz):
    user, course, version, module = quiz
    form = quizzes.open_form(user, course, version, module)
    _draws()[0].questions = ["protocol"]
    db.session.flush()
    with pytest.raises(InvalidInput, match="do not fit"):
        quizzes.submit(user, course, version, module, {"q-elements": ["3"]}, form.token)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0


def test_attempts_from_before_draws_are_reviewed_in_written_order(quiz):
    user, course, version, module = quiz
    attempt = QuizAttempt(user_id=user.id, course_id=course.id, module=module.slug, version_number=1,
                          form_token="old-form", questions=None, answers={"companion": ["police"]},
                          results={"companion": {"score": 0.0, "correct": False, "feedback": ["police"]}},
                          score=0.0, passed=True)
    review = quizzes.review(version, module, attempt)
    assert len(review.questions) == 6
    assert [line.html for line in review.questions[0].lines] == [
        "Ask him to keep interpreting.", "Arrange to see her alone, with a professional interpreter.",
        "Call the police straight away."]


# --- item analysis: per question, over the attempts that drew it ----------------------------------

def _attempt(ident, score, results):
    return SimpleNamespace(id=ident, score=score, answers={q: [] for q in results},
                           results={q: {"correct": right} for q, right in results.items()})


def test_item_analysis_counts_each_question_over_the_attempts_that_drew_it(quiz):
    _user, _course, _version, module = quiz
    attempts = [
        _attempt(1, 1.0, {"companion": True, "signs": True}),
        _attempt(2, 0.5, {"companion": True, "consent": False}),
        _attempt(3, 0.0, {"companion": False, "consent": False}),
        _attempt(4, 1.0, {"companion": True, "consent": True}),
        _attempt(5, 0.4, {"companion": False, "signs": False}),
    ]
    stats = {s.question_id: s for s in analysis._questions("Course", module, attempts)}
    assert (stats["companion"].answered, stats["companion"].facility) == (5, 0.6)
    assert (stats["signs"].answered, stats["signs"].facility) == (2, 0.5)
    assert (stats["consent"].answered, round(stats["consent"].facility, 2)) == (3, 0.33)
    assert stats["protocol"].answered == 0 and stats["protocol"].facility is None
    # Upper and lower groups (27%, at least one attempt) among those that drew the question.
    assert stats["companion"].discrimination == 1.0
    assert stats["signs"].discrimination is None  # too few attempts drew it to tell
