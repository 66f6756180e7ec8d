"""Quizzes: drawn per attempt, shuffled per attempt, graded on the server; answers and feedback
never reach a page before submission.

Opening a quiz opens a *draw* (``QuizDraw``): the questions drawn for this attempt and a random
form token. Everything else about the form derives from the token (``content.FormKeys``): the
option values are opaque HMAC keys, and the option order is a secret per-form permutation, so a
reload or a refused submission shows the same form, and the review shows the learner's order.
Submitting turns the draw into a ``QuizAttempt``; the next visit draws again. Each question kind's
own behaviour lives in its handler (``content.kinds``).
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from trainer.content import (
    AnswerView,
    BadAnswer,
    DrawSpec,
    FormKeys,
    GradeResult,
    QuestionSpec,
    Review,
    draw_fits,
    draw_questions,
    kind_of,
)
from trainer.extensions import db
from trainer.models import Course, CourseVersion, Module, QuizAttempt, QuizDraw, User
from trainer.services import assessments, course_data, progress, xapi
from trainer.services.errors import InvalidInput, NotFound

OTHER_FORM = _l("This form is not your open attempt at this quiz: it may be from an earlier attempt or "
                "another tab. Nothing was recorded.")
NOT_THIS_FORM = _l("These answers do not fit the questions and options of this form. Nothing was recorded.")
QUIZ_CHANGED = _l("The quiz was changed after you opened it. Nothing was recorded.")
_random = random.SystemRandom()


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def form_keys(token: str) -> FormKeys:
    """The option keys and order of the form with this token."""
    return FormKeys(current_app.config["SECRET_KEY"].encode(), token)


def option_key(token: str, question_id: str, option_id: str) -> str:
    """The value a form sends for an option: stable for this form only (scenarios use it too)."""
    return form_keys(token).key(question_id, option_id)


@dataclass
class QuizForm:
    """The form a learner answers: its token and the drawn questions, as their kinds show them."""

    token: str
    questions: list[AnswerView]


def open_form(user: User, course: Course, version: CourseVersion, module: Module, slot: str | None = None) -> QuizForm:
    """The learner's open form for this quiz, drawing one if there is none (or the quiz changed
    so that the old draw no longer fits). ``slot`` names the form when it is not the quiz module
    itself (the course's pre-test draws from the same pool). Flushes; the caller commits."""
    slot = slot or module.slug
    questions = course_data.kept_questions(module)
    spec = course_data.kept_draw(module)
    draw = _open_draw(user, course, slot) or _insert_draw(user, course, slot, questions, spec)
    if not draw_fits(draw.questions, questions, spec):
        draw.form_token, draw.questions = new_form_token(), list(draw_questions(questions, spec, _random))
    draw.version_number = version.number
    db.session.flush()
    keys, by_id = form_keys(draw.form_token), {q.id: q for q in questions}
    return QuizForm(draw.form_token, [kind_of(by_id[qid]).view(by_id[qid], keys) for qid in draw.questions])


def _open_draw(user: User, course: Course, slot: str) -> QuizDraw | None:
    return db.session.scalar(_OPEN_DRAW, {"user_id": user.id, "course_id": course.id, "module": slot})


# Read on every quiz page and submission: built once, as building and keying a statement costs
# more than running it on such a lookup (see services/sessions.py).
_ATTEMPT_OF_FORM = sa.select(QuizAttempt).where(QuizAttempt.form_token == sa.bindparam("token"))
_DRAW_OF_FORM = sa.select(QuizDraw).where(QuizDraw.form_token == sa.bindparam("token"))
_OPEN_DRAW = sa.select(QuizDraw).where(QuizDraw.user_id == sa.bindparam("user_id"),
                                       QuizDraw.course_id == sa.bindparam("course_id"),
                                       QuizDraw.module == sa.bindparam("module"))


def _insert_draw(user: User, course: Course, slot: str, questions: tuple[QuestionSpec, ...],
                 spec: DrawSpec | None) -> QuizDraw:
    """A new draw (one per learner and quiz: if a parallel request made one, theirs)."""
    draw = QuizDraw(user_id=user.id, course_id=course.id, module=slot, version_number=0,
                    form_token=new_form_token(), questions=list(draw_questions(questions, spec, _random)))
    try:
        with db.session.begin_nested():
            db.session.add(draw)
        return draw
    except IntegrityError:
        theirs = _open_draw(user, course, slot)
        if theirs is None:  # not the race for the one draw: some other constraint failed
            raise
        return theirs


class Unanswered(Exception):
    """Some drawn questions have no answer and the learner has not said to submit anyway;
    ``question_ids`` are those questions. Nothing was recorded."""

    def __init__(self, question_ids: list[str]) -> None:
        super().__init__("unanswered questions")
        self.question_ids = question_ids


def submit(user: User, course: Course, version: CourseVersion, module: Module,
           form: dict[str, list[str]], token: str, unanswered_ok: bool = True) -> QuizAttempt:
    """Grade and record one attempt at a quiz module (see ``grade``), and the learner's progress.
    Without ``unanswered_ok``, a form with questions left unanswered raises :class:`Unanswered`
    and records nothing, so that the learner can answer them or confirm."""
    attempt, new = grade(user, course, version, module, form, token, unanswered_ok=unanswered_ok)
    if new:
        _record(user, course, version, module, attempt)
    return attempt


def grade(user: User, course: Course, version: CourseVersion, module: Module, form: dict[str, list[str]],
          token: str, slot: str | None = None, unanswered_ok: bool = True) -> tuple[QuizAttempt, bool]:
    """Grade and store one attempt of the form named ``slot`` (the quiz module by default): only
    the questions drawn for this form count. The same form sent twice is stored once (the second
    time the stored attempt comes back, with False); a form that is not the learner's open one for
    this slot, a question that was not drawn and an option of another form are refused
    (InvalidInput), and nothing is recorded; so is a form with unanswered questions, unless
    ``unanswered_ok`` (:class:`Unanswered`)."""
    slot = slot or module.slug
    if module.kind != "quiz" or not token or len(token) > 64:
        raise NotFound()
    existing = db.session.scalar(_ATTEMPT_OF_FORM, {"token": token})
    if existing is not None:
        if existing.user_id != user.id:
            raise NotFound()
        if (existing.course_id, existing.module) != (course.id, slot):
            raise InvalidInput("token", str(OTHER_FORM))
        return existing, False
    draw = db.session.scalar(_DRAW_OF_FORM, {"token": token})
    if draw is None or (draw.user_id, draw.course_id, draw.module) != (user.id, course.id, slot):
        raise InvalidInput("token", str(OTHER_FORM))
    by_id = {q.id: q for q in course_data.kept_questions(module)}
    if not all(qid in by_id for qid in draw.questions):
        raise InvalidInput("token", str(QUIZ_CHANGED))
    drawn = [by_id[qid] for qid in draw.questions]
    answers = _decode(drawn, form, form_keys(token))
    missing = [q.id for q in drawn if not kind_of(q).answered(q, answers[q.id])]
    if missing and not unanswered_ok:
        raise Unanswered(missing)
    grades = {q.id: kind_of(q).grade(q, answers[q.id]) for q in drawn}
    total = sum(q.points for q in drawn)
    score = sum(grades[q.id].score * q.points for q in drawn) / total if total else 1.0
    attempt = QuizAttempt(user_id=user.id, course_id=course.id, module=slot,
                          version_number=version.number, form_token=token, questions=list(draw.questions),
                          answers={k: _jsonable(v) for k, v in answers.items()},
                          results={qid: {"score": g.score, "correct": g.correct, "feedback": list(g.feedback)}
                                   for qid, g in grades.items()},
                          score=score, passed=score * 100 >= version.pass_mark - 1e-9)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # the other tab won the race with the same form
        theirs = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.form_token == token))
        if theirs is None:
            raise
        return theirs, False
    db.session.execute(sa.delete(QuizDraw).where(QuizDraw.id == draw.id))
    xapi.quiz_attempted(user, course, version, module, attempt, drawn)
    return attempt, True


def _decode(drawn: list[QuestionSpec], form: dict[str, list[str]], keys: FormKeys) -> dict[str, Any]:
    """Each drawn question's response; every answer field must be one this form has."""
    expected = set().union(*(kind_of(q).field_names(q, keys) for q in drawn))
    stray = [name for name in form if name.startswith("q-") and name not in expected]
    if stray:
        raise InvalidInput(stray[0], str(NOT_THIS_FORM))
    try:
        return {q.id: kind_of(q).decode(q, form, keys) for q in drawn}
    except BadAnswer as error:
        raise InvalidInput(str(error), str(NOT_THIS_FORM)) from None


def _jsonable(value: Any) -> Any:
    return sorted(value) if isinstance(value, set) else value


def _record(user: User, course: Course, version: CourseVersion, module: Module, attempt: QuizAttempt) -> None:
    row = progress.module_progress(user, course, module.slug, create=True)
    row.attempts += 1
    row.score = max(attempt.score, row.score or 0.0)
    db.session.flush()
    assessments.note_attempt(user, course, version, attempt)
    if attempt.passed:
        progress.complete_module(user, course, version, module.slug, attempt.score)


RECENT_ATTEMPTS = 10


def attempts(user: User, course: Course, slug: str,
             limit: int | None = RECENT_ATTEMPTS) -> tuple[list[sa.Row[int, datetime, float, bool]], int]:
    """The learner's attempts at a quiz, newest first (at most ``limit``, None for all), and how
    many there are. Only what a list shows is read: the answers stay in the database."""
    mine = {"user_id": user.id, "course_id": course.id, "module": slug}
    rows = list(db.session.execute(_SOME_ATTEMPTS, {**mine, "limit": limit}) if limit
                else db.session.execute(_ATTEMPTS, mine))
    total = len(rows) if not limit or len(rows) < limit else db.session.execute(_ATTEMPT_COUNT, mine).scalar_one()
    return rows, total


# The quiz page lists the attempts every time: built once (see _OPEN_DRAW).
_MY_ATTEMPTS = (QuizAttempt.user_id == sa.bindparam("user_id"), QuizAttempt.course_id == sa.bindparam("course_id"),
                QuizAttempt.module == sa.bindparam("module"))
_ATTEMPTS = (sa.select(QuizAttempt.id, QuizAttempt.submitted_at, QuizAttempt.score, QuizAttempt.passed)
             .where(*_MY_ATTEMPTS).order_by(QuizAttempt.id.desc()))
_SOME_ATTEMPTS = _ATTEMPTS.limit(sa.bindparam("limit", type_=sa.Integer))
_ATTEMPT_COUNT = sa.select(sa.func.count()).select_from(QuizAttempt).where(*_MY_ATTEMPTS)


def get_attempt(user: User, course: Course, attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id or attempt.course_id != course.id:
        raise NotFound()
    return attempt


def reveal_key(version: CourseVersion, attempt: QuizAttempt) -> bool:
    """Show the right answers after a pass; after a fail only if the course does not keep the key."""
    return attempt.passed or not version.show_wrong_answers


@dataclass
class AttemptReview:
    """What the review page of an attempt shows: whether the key is revealed, and each drawn
    question as its kind reviews it (in the learner's order)."""

    reveal: bool
    questions: list[Review]


def review(version: CourseVersion, module: Module, attempt: QuizAttempt) -> AttemptReview:
    """The review of an attempt, by the rule of each question's kind (``QuestionKind.review``)."""
    reveal = reveal_key(version, attempt)
    questions = course_data.kept_questions(module)
    by_id = {q.id: q for q in questions}
    drawn = attempt.questions if attempt.questions is not None else [q.id for q in questions]
    keys = form_keys(attempt.form_token) if attempt.questions is not None else None
    reviews = []
    for qid in drawn:
        if qid in by_id:
            recorded = attempt.results.get(qid) or {}
            grade = GradeResult(float(recorded.get("score", 0.0)), bool(recorded.get("correct")),
                                tuple(recorded.get("feedback", ())))
            reviews.append(kind_of(by_id[qid]).review(by_id[qid], attempt.answers.get(qid), grade, reveal, keys))
    return AttemptReview(reveal, reviews)
