"""Before and after a course: the pre-test and the confidence self-rating, testing out at
recertification, and the steps before the certificate (confidence again, an evaluation, an
attestation of time spent).

A course's ``pretest:`` names one of its quizzes. The pre-test draws from that quiz's pool with
its own form (the slot ``PRETEST``: never a module id), does not count for completion and shows
no answers (the same questions come back in the final check). A learner takes it before their
first module of a round; the post-test is their first attempt at that quiz after it, so knowledge
gain is post-test score minus pre-test score. Recertifying starts a new round.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from trainer.content import AssessmentSpec
from trainer.extensions import db
from trainer.models import (
    Certificate,
    Course,
    CourseEvaluation,
    CourseRound,
    CourseVersion,
    Enrolment,
    Module,
    ModuleProgress,
    User,
)
from trainer.services import certificates, progress, quizzes, xapi
from trainer.services.errors import InvalidInput
from trainer.vocabulary import ModuleState

PRETEST = "~pretest"
STEPS = ("confidence", "evaluation", "attestation")
MAX_CHANGE, MAX_COMMENT = 1000, 2000
# Evaluations are reported only for at least this many responses (no one is singled out).
MIN_GROUP = 5

PRETEST_DONE = _l("The pre-test of this course is not open to you now: you have taken it, or you began the course "
                  "without it. Nothing was recorded.")
RATE_ALL = _l("Rate each statement from 1 to 5. Nothing was recorded.")
NOT_COMPLETE = _l("Complete the course first. Nothing was recorded.")
ALREADY_FINISHED = _l("Your answers before the certificate were already recorded. Nothing was recorded again.")
BAD_RATING = _l("Choose a rating from 1 to 5. Nothing was recorded.")
TOO_LONG = _l("Write at most %(max)d characters. Nothing was recorded.")
BAD_HOURS = _l("Enter the hours you spent, more than 0 and at most %(hours)s (what the course gives). "
               "Nothing was recorded.")


def settings(version: CourseVersion) -> AssessmentSpec | None:
    """The version's assessment settings, or None when it has none."""
    found = version.assessment
    if not found:
        return None
    return AssessmentSpec(found.get("pretest"), bool(found.get("test_out")), tuple(found.get("confidence", ())),
                          bool(found.get("evaluation")), bool(found.get("attestation")))


def has_pretest(version: CourseVersion) -> bool:
    found = settings(version)
    return found is not None and found.pretest is not None


def current_round(user: User, course: Course) -> CourseRound | None:
    """The learner's latest round of the course, if they have one."""
    return db.session.scalar(_CURRENT_ROUND, {"user_id": user.id, "course_id": course.id})


def ensure_round(user: User, course: Course) -> CourseRound:
    """The learner's current round, made (as the first) if they have none."""
    found = current_round(user, course)
    if found is not None:
        return found
    row = CourseRound(user_id=user.id, course_id=course.id, number=1)
    try:
        with db.session.begin_nested():
            db.session.add(row)
        return row
    except IntegrityError:  # a parallel request made it
        found = current_round(user, course)
        if found is None:
            raise
        return found


def new_round(user: User, course: Course) -> CourseRound:
    """Start the next round (when the learner recertifies): a new pre-test, ratings and evaluation."""
    latest = current_round(user, course)
    row = CourseRound(user_id=user.id, course_id=course.id, number=latest.number + 1 if latest else 1)
    db.session.add(row)
    db.session.flush()
    return row


def _started(user: User, course: Course) -> bool:
    """Whether the learner has opened a module of this round or completed it already."""
    return bool(db.session.scalar(_STARTED, {"user_id": user.id, "course_id": course.id}))


# Asked on every lesson of a course with a pre-test, so built once (see services/sessions.py).
_CURRENT_ROUND = (sa.select(CourseRound).where(CourseRound.user_id == sa.bindparam("user_id"),
                                               CourseRound.course_id == sa.bindparam("course_id"))
                  .order_by(CourseRound.number.desc()).limit(1))
_STARTED = sa.select(sa.or_(
    sa.exists().where(Enrolment.user_id == sa.bindparam("user_id"), Enrolment.course_id == sa.bindparam("course_id"),
                      Enrolment.completed_at.is_not(None)),
    sa.exists().where(ModuleProgress.user_id == sa.bindparam("user_id"),
                      ModuleProgress.course_id == sa.bindparam("course_id"),
                      ModuleProgress.state != ModuleState.NOT_STARTED)))


def needs_pretest(user: User, course: Course, version: CourseVersion) -> bool:
    """The course opens with a pre-test the learner has not taken this round, and they have not
    started the round without it (as those who began before the course had one)."""
    found = settings(version)
    if found is None or found.pretest is None:
        return False
    row = current_round(user, course)
    if row is not None and (row.pre_attempt_id is not None or row.tested_out):
        return False
    return not _started(user, course)


def pretest_module(version: CourseVersion) -> Module:
    found = settings(version)
    return next(m for m in version.modules if found is not None and m.slug == found.pretest)


def may_test_out(user: User, course: Course, version: CourseVersion) -> bool:
    """The course allows testing out and the learner holds an earlier certificate of it that has
    expired or expires soon (the window in which they may recertify)."""
    found = settings(version)
    if found is None or not found.test_out:
        return False
    latest = db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == user.id, Certificate.course_id == course.id).order_by(Certificate.issued_at.desc()))
    return latest is not None and certificates.can_recertify(latest, datetime.now(UTC).date())


@dataclass
class PretestForm:
    """The pre-test as the learner sees it: the statements to rate and the drawn questions."""

    statements: tuple[str, ...]
    quiz: quizzes.QuizForm
    test_out: bool


def open_pretest(user: User, course: Course, version: CourseVersion) -> PretestForm:
    """The learner's pre-test form (drawn once, the same on a reload). Flushes."""
    if not needs_pretest(user, course, version):
        raise InvalidInput("token", str(PRETEST_DONE))
    found = settings(version)
    form = quizzes.open_form(user, course, version, pretest_module(version), slot=PRETEST)
    return PretestForm(found.confidence if found else (), form, may_test_out(user, course, version))


def submit_pretest(user: User, course: Course, version: CourseVersion, form: Mapping[str, list[str]],
                   token: str) -> CourseRound:
    """Record the pre-test and the confidence ratings; with testing out allowed, an earlier
    certificate held and the pass mark reached, complete the course. The same form sent twice
    records it once; anything else not fitting this form is refused and nothing is recorded."""
    row = current_round(user, course)
    if not needs_pretest(user, course, version):
        if row is not None and row.pre_attempt_id is not None and token \
                and quizzes.get_attempt(user, course, row.pre_attempt_id).form_token == token:
            return row
        raise InvalidInput("token", str(PRETEST_DONE))
    found = settings(version)
    ratings = _ratings(form, len(found.confidence) if found else 0)
    attempt, _new = quizzes.grade(user, course, version, pretest_module(version), dict(form), token, slot=PRETEST)
    row = ensure_round(user, course)
    row.pre_attempt_id, row.pre_confidence = attempt.id, ratings
    progress.enrolment(user, course, create=True)
    db.session.flush()
    if attempt.passed and may_test_out(user, course, version):
        _test_out(user, course, version, row)
    return row


def _test_out(user: User, course: Course, version: CourseVersion, row: CourseRound) -> None:
    """The learner showed what the course teaches: it is complete, and the certificate follows
    (after the steps before it, if the course has any)."""
    row.tested_out = True
    record = progress.enrolment(user, course, create=True)
    assert record is not None  # create=True
    if record.completed_at is None:
        record.completed_at, record.completed_version = datetime.now(UTC), version.number
        xapi.course_completed(user, course, version, record.completed_at)
    db.session.flush()
    certificates.issue(user, course, version, record.completed_at)


def note_attempt(user: User, course: Course, version: CourseVersion, attempt: Any) -> None:
    """After an attempt at a quiz: the first at the pre-test's quiz after the pre-test is the post-test."""
    found = settings(version)
    if found is None or found.pretest != attempt.module:
        return
    row = current_round(user, course)
    if row is not None and row.pre_attempt_id is not None and row.post_attempt_id is None and not row.tested_out:
        row.post_attempt_id = attempt.id
        db.session.flush()


def pretest_result(user: User, course: Course) -> tuple[CourseRound, Any] | None:
    """The learner's current round and its pre-test attempt, if they took one."""
    row = current_round(user, course)
    if row is None or row.pre_attempt_id is None:
        return None
    return row, quizzes.get_attempt(user, course, row.pre_attempt_id)


# --- before the certificate -----------------------------------------------------------------

def waiting_steps(user: User, course: Course, version: CourseVersion) -> tuple[str, ...]:
    """What the learner still owes before the certificate: confidence (rated again, when they
    rated it with the pre-test and did not test out), evaluation, attestation."""
    found = settings(version)
    if found is None:
        return ()
    row = current_round(user, course)
    steps = []
    if (found.confidence and row is not None and row.pre_confidence is not None and row.post_confidence is None
            and not row.tested_out):
        steps.append("confidence")
    if found.evaluation and not _evaluated(user, course, row.number if row else 1):
        steps.append("evaluation")
    if found.attestation and (row is None or row.attested_hours is None):
        steps.append("attestation")
    return tuple(steps)


def _evaluated(user: User, course: Course, number: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(
        CourseEvaluation.user_id == user.id, CourseEvaluation.course_id == course.id,
        CourseEvaluation.round == number))))


def completed_version(user: User, course: Course) -> CourseVersion | None:
    """The version the learner completed this round, or None when they have not."""
    record = progress.enrolment(user, course)
    if record is None or record.completed_at is None:
        return None
    return db.session.scalar(sa.select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.number == record.completed_version))


@dataclass
class FinishForm:
    """What the page before the certificate asks: the steps still waiting, and the statements."""

    version: CourseVersion
    steps: tuple[str, ...]
    statements: tuple[str, ...]


def finish_form(user: User, course: Course) -> FinishForm | None:
    """The steps before the certificate, or None when nothing waits (or the course is not done)."""
    version = completed_version(user, course)
    steps = waiting_steps(user, course, version) if version is not None else ()
    if version is None or not steps:
        return None
    found = settings(version)
    return FinishForm(version, steps, found.confidence if found else ())


def finish(user: User, course: Course, form: Mapping[str, str]) -> Certificate | None:
    """Record the steps before the certificate, all or nothing, then issue it. A second sending,
    a rating out of 1..5 and more hours than the course gives are refused (InvalidInput)."""
    version = completed_version(user, course)
    if version is None:
        raise InvalidInput("course", str(NOT_COMPLETE))
    steps = waiting_steps(user, course, version)
    if not steps:
        raise InvalidInput("form", str(ALREADY_FINISHED))
    found = settings(version) or AssessmentSpec()
    ratings = _ratings({k: [v] for k, v in form.items()}, len(found.confidence)) if "confidence" in steps else None
    evaluation = _evaluation(form) if "evaluation" in steps else None
    hours = _hours(form.get("hours", ""), version.certificate_hours) if "attestation" in steps else None
    row = ensure_round(user, course)
    now = datetime.now(UTC)
    if ratings is not None:
        row.post_confidence = ratings
    if hours is not None:
        row.attested_hours, row.attested_at = hours, now
    if evaluation is not None:
        try:
            with db.session.begin_nested():
                db.session.add(CourseEvaluation(user_id=user.id, course_id=course.id, round=row.number, **evaluation))
        except IntegrityError:  # a parallel sending recorded it first
            raise InvalidInput("form", str(ALREADY_FINISHED)) from None
    db.session.flush()
    completed_at = db.session.scalar(sa.select(Enrolment.completed_at).where(
        Enrolment.user_id == user.id, Enrolment.course_id == course.id))
    return certificates.issue(user, course, version, completed_at) if completed_at else None


def _rating(value: str | None, field: str, message: Any = BAD_RATING) -> int:
    if value is None or value.strip() not in {"1", "2", "3", "4", "5"}:
        raise InvalidInput(field, str(message))
    return int(value.strip())


def _ratings(form: Mapping[str, list[str]], count: int) -> list[int]:
    """One rating 1..5 for each of ``count`` statements (fields ``confidence-0``...)."""
    ratings = []
    for index in range(count):
        values = form.get(f"confidence-{index}") or []
        ratings.append(_rating(values[0] if len(values) == 1 else None, f"confidence-{index}", RATE_ALL))
    return ratings


def _evaluation(form: Mapping[str, str]) -> dict[str, Any]:
    answers: dict[str, Any] = {"relevance": _rating(form.get("relevance"), "relevance"),
                               "confidence": _rating(form.get("evaluation_confidence"), "evaluation_confidence")}
    for field, most in (("change", MAX_CHANGE), ("comment", MAX_COMMENT)):
        text = (form.get(field) or "").strip()
        if len(text) > most:
            raise InvalidInput(field, str(TOO_LONG) % {"max": most})
        answers[field] = text
    return answers


def _hours(value: str, most: float) -> float:
    try:
        hours = float(value.strip().replace(",", "."))
    except ValueError:
        hours = -1.0
    if not 0 < hours <= most or math.isnan(hours):
        raise InvalidInput("hours", str(BAD_HOURS) % {"hours": f"{most:g}"})
    return round(hours, 2)


@dataclass(frozen=True)
class CourseSteps:
    """What the course page offers besides the modules: the pre-test waiting (and whether passing
    it tests out), or the steps before the certificate."""

    pretest: bool = False
    test_out: bool = False
    finish: bool = False


def course_steps(user: User, course: Course, version: CourseVersion) -> CourseSteps:
    if settings(version) is None:
        return CourseSteps()
    if needs_pretest(user, course, version):
        return CourseSteps(pretest=True, test_out=may_test_out(user, course, version))
    return CourseSteps(finish=finish_form(user, course) is not None)
