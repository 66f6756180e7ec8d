"""Quizzes: graded on the server; answers and feedback never reach a page before submission.

Option values in a form are opaque keys derived from the form's token, so neither an option's
id nor its position tells which answer is right.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from trainer.content import QuestionSpec, grade_question
from trainer.extensions import db
from trainer.models import Course, CourseVersion, Module, QuizAttempt, User
from trainer.services import course_data, progress
from trainer.services.errors import InvalidInput, NotFound

TEXT_KINDS = ("short", "numerical")


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def option_key(token: str, question_id: str, option_id: str) -> str:
    """The value a form sends for an option: stable for this form only."""
    message = f"{token}:{question_id}:{option_id}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()[:16]


@dataclass
class AnswerForm:
    """A question as a learner sees it before answering: no correctness, no feedback."""

    question: QuestionSpec
    choices: list[tuple[str, str]]  # (key, option html) for choice kinds; right sides for matching
    pairs: list[tuple[str, str]]  # (key of the pair, left side html) for matching


def answer_forms(module: Module, token: str) -> list[AnswerForm]:
    forms = []
    for q in course_data.questions(module.body):
        if q.kind == "matching":
            rights = sorted({o.right for o in q.options})
            forms.append(AnswerForm(q, [(option_key(token, q.id, "right:" + r), r) for r in rights],
                                    [(option_key(token, q.id, o.id), o.text_html) for o in q.options]))
        elif q.kind in TEXT_KINDS:
            forms.append(AnswerForm(q, [], []))
        else:
            forms.append(AnswerForm(q, [(option_key(token, q.id, o.id), o.text_html) for o in q.options], []))
    return forms


def _response(q: QuestionSpec, form: dict[str, list[str]], token: str) -> Any:
    """Turn the submitted keys back into a grading response; a key from elsewhere is refused."""
    name = f"q-{q.id}"
    if q.kind in TEXT_KINDS:
        return (form.get(name) or [""])[0][:500]
    if q.kind == "matching":
        by_key = {option_key(token, q.id, "right:" + o.right): o.right for o in q.options}
        response = {}
        for o in q.options:
            chosen = (form.get(f"{name}-{option_key(token, q.id, o.id)}") or [""])[0]
            if chosen and chosen not in by_key:
                raise InvalidInput(name, "unknown answer")
            right = by_key.get(chosen)
            response[o.id] = next((p.id for p in q.options if p.right == right), "") if right else ""
        return response
    keys = {option_key(token, q.id, o.id): o.id for o in q.options}
    chosen = form.get(name, [])
    if any(k not in keys for k in chosen) or (q.kind != "multiple" and len(chosen) > 1):
        raise InvalidInput(name, "unknown answer")
    return {keys[k] for k in chosen}


def submit(user: User, course: Course, version: CourseVersion, module: Module,
           form: dict[str, list[str]], token: str) -> QuizAttempt:
    """Grade and record one attempt. The same form sent twice records it once."""
    if module.kind != "quiz" or not token or len(token) > 64:
        raise NotFound()
    existing = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.form_token == token))
    if existing is not None:
        if existing.user_id != user.id:
            raise NotFound()
        return existing
    questions = course_data.questions(module.body)
    answers = {q.id: _response(q, form, token) for q in questions}
    results, total, earned = {}, 0, 0.0
    for q in questions:
        grade = grade_question(q, answers[q.id])
        results[q.id] = {"score": grade.score, "correct": grade.correct, "feedback": list(grade.feedback)}
        total += q.points
        earned += grade.score * q.points
    score = earned / total if total else 1.0
    attempt = QuizAttempt(user_id=user.id, course_id=course.id, module=module.slug,
                          version_number=version.number, form_token=token,
                          answers={k: _jsonable(v) for k, v in answers.items()}, results=results,
                          score=score, passed=score * 100 >= version.pass_mark - 1e-9)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # the other tab won the race with the same form
        return db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.form_token == token))
    _record(user, course, version, module, attempt)
    return attempt


def _jsonable(value: Any) -> Any:
    return sorted(value) if isinstance(value, set) else value


def _record(user: User, course: Course, version: CourseVersion, module: Module, attempt: QuizAttempt) -> None:
    row = progress.module_progress(user, course, module.slug, create=True)
    row.attempts += 1
    row.score = max(attempt.score, row.score or 0.0)
    db.session.flush()
    if attempt.passed:
        progress.complete_module(user, course, version, module.slug, attempt.score)


RECENT_ATTEMPTS = 10


def attempts(user: User, course: Course, slug: str, limit: int | None = RECENT_ATTEMPTS) -> tuple[list, int]:
    """The learner's attempts at a quiz, newest first (at most ``limit``, None for all), and how
    many there are. Only what a list shows is read: the answers stay in the database."""
    mine = (QuizAttempt.user_id == user.id, QuizAttempt.course_id == course.id, QuizAttempt.module == slug)
    stmt = (sa.select(QuizAttempt.id, QuizAttempt.submitted_at, QuizAttempt.score, QuizAttempt.passed)
            .where(*mine).order_by(QuizAttempt.id.desc()))
    rows = db.session.execute(stmt.limit(limit) if limit else stmt).all()
    total = len(rows) if not limit or len(rows) < limit else db.session.scalar(
        sa.select(sa.func.count()).select_from(QuizAttempt).where(*mine))
    return rows, total


def get_attempt(user: User, course: Course, attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id or attempt.course_id != course.id:
        raise NotFound()
    return attempt


def reveal_key(version: CourseVersion, attempt: QuizAttempt) -> bool:
    """Show the right answers after a pass; after a fail only if the course does not keep the key."""
    return attempt.passed or not version.show_wrong_answers
