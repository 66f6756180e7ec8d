"""A learner's rights over their data: download all of it, and delete their account.

Deleting removes the account and everything about the person's learning. Their certificates
are withdrawn: the name, sector and PDF go, and a check of the code says only that it is not
valid. The audit log keeps the fact of each action about them, by account id, without its text."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from trainer.extensions import db
from trainer.models import (
    Certificate,
    Cohort,
    CohortCaseRole,
    CohortMember,
    Course,
    CourseEvaluation,
    CourseRound,
    Enrolment,
    Invitation,
    ModuleProgress,
    PendingMail,
    QuizAttempt,
    QuizDraw,
    RecoveryCode,
    ScenarioRun,
    SignInIdentity,
    User,
    UserSession,
    WellbeingCheck,
)
from trainer.services import audit, certificates, cohort_cases, lti_people, passwords, recovery_codes
from trainer.services.errors import InvalidInput

log = logging.getLogger(__name__)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _check_password(user: User, password: str, confirmed: bool = False) -> None:
    """The password again, unless the person has just confirmed who they are at their identity
    provider (`confirmed`, see services/single_sign_on.py: accounts made by single sign-on have
    no password anyone knows)."""
    if confirmed:
        return
    if not passwords.verify_password(user.password_hash, password):
        raise InvalidInput("password", str(_l("Your current password is not right.")))


def export(user: User, password: str, confirmed: bool = False) -> dict[str, Any]:
    """Everything the platform holds about the learner, as plain JSON-ready data, once they have
    confirmed their password (a session left open on a shared computer is not enough)."""
    _check_password(user, password, confirmed)
    slugs = dict(db.session.execute(sa.select(Course.id, Course.slug)).all())

    def rows(model, *order):
        return db.session.scalars(sa.select(model).where(model.user_id == user.id).order_by(*order)).all()

    cohorts = db.session.scalars(sa.select(Cohort).join(CohortMember, CohortMember.cohort_id == Cohort.id)
                                 .where(CohortMember.user_id == user.id)).all()
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "account": {"email": user.email, "name": user.name, "organisation": user.organisation,
                    "sector": user.sector, "specialty": user.specialty, "is_resident": user.is_resident,
                    "language": user.locale, "timezone": user.timezone, "roles": sorted(user.role_names),
                    "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
                    # Whether it is on and how many recovery codes are left; never the secret or the codes.
                    "two_factor_sign_in": bool(user.totp_secret),
                    "unused_recovery_codes": recovery_codes.remaining(user)},
        "single_sign_on": [{"provider": i.provider, "issuer": i.issuer, "subject": i.subject,
                            "linked_at": _iso(i.created_at), "last_used_at": _iso(i.last_used_at)}
                           for i in rows(SignInIdentity, SignInIdentity.id)],
        "cohorts": [c.name for c in cohorts],
        "cohort_invitations": [{"cohort": name, "state": i.state, "invited_at": _iso(i.created_at),
                                "answered_at": _iso(i.accepted_at or i.declined_at)}
                               for i, name in db.session.execute(
                                   sa.select(Invitation, Cohort.name).join(Cohort, Cohort.id == Invitation.cohort_id)
                                   .where(Invitation.email == user.email).order_by(Invitation.id)).all()],
        "courses": [{"course": slugs.get(e.course_id), "enrolled_at": _iso(e.enrolled_at),
                     "completed_at": _iso(e.completed_at)} for e in rows(Enrolment, Enrolment.id)],
        "modules": [{"course": slugs.get(p.course_id), "module": p.module, "state": p.state, "score": p.score,
                     "attempts": p.attempts, "seconds_spent": p.seconds_spent, "completed_at": _iso(p.completed_at)}
                    for p in rows(ModuleProgress, ModuleProgress.id)],
        "quiz_attempts": [{"course": slugs.get(a.course_id), "module": a.module, "version": a.version_number,
                           "submitted_at": _iso(a.submitted_at), "score": a.score, "passed": a.passed,
                           "answers": a.answers} for a in rows(QuizAttempt, QuizAttempt.id)],
        "scenario_runs": [{"course": slugs.get(r.course_id), "module": r.module, "path": r.path, "ending": r.ending,
                           "grade": r.grade, "started_at": _iso(r.started_at), "finished_at": _iso(r.finished_at),
                           **({"facts": r.facts, "handoffs": r.handoffs, "own_chapter": r.own_chapter}
                              if r.facts is not None else {})}
                          for r in rows(ScenarioRun, ScenarioRun.id)],
        "cohort_cases": cohort_cases.played_by(user),
        "learning_systems": lti_people.export(user),
        "course_rounds": [{"course": slugs.get(r.course_id), "round": r.number, "started_at": _iso(r.started_at),
                           "confidence_before": r.pre_confidence, "confidence_after": r.post_confidence,
                           "tested_out": r.tested_out, "attested_hours": r.attested_hours,
                           "attested_at": _iso(r.attested_at)} for r in rows(CourseRound, CourseRound.id)],
        "course_evaluations": [{"course": slugs.get(e.course_id), "round": e.round, "relevance": e.relevance,
                                "confidence": e.confidence, "change": e.change, "comment": e.comment,
                                "submitted_at": _iso(e.submitted_at)}
                               for e in rows(CourseEvaluation, CourseEvaluation.id)],
        "wellbeing_checks": [{"created_at": _iso(w.created_at), "answers": w.answers, "note": w.note}
                             for w in rows(WellbeingCheck, WellbeingCheck.id)],
        "certificates": [{"code": c.code, "course": c.course_title, "hours": c.hours,
                          "completed_on": _iso(c.completed_on), "expires_on": _iso(c.expires_on),
                          "revoked_at": _iso(c.revoked_at)} for c in rows(Certificate, Certificate.id)],
    }


def delete_account(user: User, password: str, confirmed: bool = False) -> None:
    """Remove the account and the person's learning records, withdraw their certificates and
    drop the text of the audit entries about them, after they confirm their password."""
    _check_password(user, password, confirmed)
    user_id, email = user.id, user.email
    # Rows that point at the account by id go with it (ON DELETE CASCADE); these point by address.
    db.session.execute(sa.delete(Invitation).where(Invitation.email == email))
    db.session.execute(sa.delete(PendingMail).where(PendingMail.recipient == email))
    for model in (CourseEvaluation, CourseRound, WellbeingCheck, QuizAttempt, QuizDraw, ScenarioRun, ModuleProgress,
                  Enrolment, CohortMember, CohortCaseRole, RecoveryCode, UserSession, SignInIdentity):
        db.session.execute(sa.delete(model).where(model.user_id == user_id))  # also where cascades are off
    cohort_cases.forget_player(user_id)
    withdrawn = certificates.withdraw_all(user_id)
    audit.forget_free_text([f"user {user_id}", *(f"certificate {i}" for i in withdrawn)])
    audit.record(None, "account-deleted", f"user {user_id}")
    db.session.delete(user)
    db.session.flush()
    log.info("account %s deleted by its owner", user_id)
