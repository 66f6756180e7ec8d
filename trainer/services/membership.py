"""A learner's side of cohorts: the invitations to their address, accepting or declining them,
joining with a join link, and leaving.

Every trainer view (dashboard, CSV export, item analysis, learner record, reminders,
certificates) reads `CohortMember` rows, and a row is made only here, when the person consents:
by accepting an invitation or by joining with a link, after being shown what the trainers will
see, and only with an email address they have proven; or, for the cohort of a course in their
learning system (LTI), as the person that system launched, which vouches for who they are."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from trainer import policy
from trainer.extensions import db
from trainer.models import Cohort, CohortMember, CohortTrainer, Invitation, LtiAccount, LtiContext, User
from trainer.services import audit, catalogue, cohorts
from trainer.services.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

UNVERIFIED = _l("Confirm your email address first: we sent you a link.")


@dataclass
class CohortSummary:
    """What a person is shown about a cohort: who trains it and which courses it assigns."""

    cohort: Cohort
    trainers: list[str]
    courses: list[str]


@dataclass
class Invitations:
    """The invitations waiting for the person's answer. Until their address is confirmed only
    the number is shown: the cohort and its trainers are for whoever holds the address (or
    whom a learning system launched into the cohort's course)."""

    offers: list[tuple[Invitation, CohortSummary]] = field(default_factory=list)
    hidden: int = 0


def _summaries(found: list[Cohort]) -> dict[int, CohortSummary]:
    """Summaries of several cohorts in two queries (trainers' names, assigned courses' titles)."""
    ids = [c.id for c in found]
    names: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for cohort_id, name in db.session.execute(
                sa.select(CohortTrainer.cohort_id, User.name).join(User, User.id == CohortTrainer.user_id)
                .where(CohortTrainer.cohort_id.in_(ids)).order_by(User.name)):
            names[cohort_id].append(name)
    titles = catalogue.published_titles() if ids else {}
    return {c.id: CohortSummary(c, names[c.id], sorted({titles[a.course_id] for a in c.assignments
                                                        if a.course_id in titles})) for c in found}


def summary(cohort: Cohort) -> CohortSummary:
    return _summaries([cohort])[cohort.id]


def _pending(user: User) -> list[Invitation]:
    return list(db.session.scalars(_PENDING, {"email": user.email}))


# Home and My learning ask on every visit: built once (see services/sessions.py).
_PENDING = (sa.select(Invitation).join(Cohort, Cohort.id == Invitation.cohort_id).where(
    Invitation.email == sa.bindparam("email"), Invitation.accepted_at.is_(None), Invitation.declined_at.is_(None),
    Cohort.archived.is_(False)).order_by(Invitation.created_at, Invitation.id))


def invitations_for(user: User) -> Invitations:
    """Invitations to the person's address that wait for an answer, in cohorts still running."""
    pending = _pending(user)
    if policy.can_join_cohort(user):
        shown = pending
    else:
        vouched = _vouched_cohorts(user, [i.cohort_id for i in pending])
        shown = [i for i in pending if i.cohort_id in vouched]
    found = _summaries(list(db.session.scalars(sa.select(Cohort).where(
        Cohort.id.in_([i.cohort_id for i in shown])))) if shown else [])
    return Invitations(offers=[(i, found[i.cohort_id]) for i in shown], hidden=len(pending) - len(shown))


def _vouched_cohorts(user: User, cohort_ids: list[int]) -> set[int]:
    """Of ``cohort_ids``, the cohorts of courses in a learning system (LTI) that the person was
    launched from: that system vouches for who they are, whatever their address here (often a
    stand-in that receives nothing)."""
    if not cohort_ids or not user.is_active:
        return set()
    return set(db.session.scalars(
        sa.select(LtiContext.cohort_id).join(LtiAccount, LtiAccount.platform_id == LtiContext.platform_id)
        .where(LtiAccount.user_id == user.id, LtiContext.cohort_id.in_(cohort_ids))))


def pending_invitation(user: User, cohort_id: int) -> Invitation | None:
    """The person's invitation to the cohort that waits for an answer, if any."""
    return next((i for i in _pending(user) if i.cohort_id == cohort_id), None)


def memberships(user: User) -> list[CohortSummary]:
    """The cohorts the person is in, archived ones too (their trainers can still see them)."""
    found = list(db.session.scalars(sa.select(Cohort).join(CohortMember, CohortMember.cohort_id == Cohort.id)
                                    .where(CohortMember.user_id == user.id).order_by(Cohort.archived, Cohort.name)))
    summaries = _summaries(found)
    return [summaries[c.id] for c in found]


def membership(user: User, cohort_id: int) -> CohortSummary:
    """One cohort the person is in."""
    if db.session.get(CohortMember, (cohort_id, user.id)) is None:
        raise NotFound()
    return summary(db.session.get_one(Cohort, cohort_id))


def _require_proven_address(user: User, cohort_id: int | None = None) -> None:
    """A proven address, or (for ``cohort_id``) a learning system that vouches for the person."""
    if not policy.can_join_cohort(user) and not (cohort_id is not None and _vouched_cohorts(user, [cohort_id])):
        raise InvalidInput("email", str(UNVERIFIED))


def _own_invitation(user: User, invitation_id: int) -> Invitation:
    """A pending invitation to the person's own address in a running cohort; any other id is
    'not found'."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.email != user.email or invitation.state != "pending":
        raise NotFound()
    if db.session.get_one(Cohort, invitation.cohort_id).archived:
        raise NotFound()
    return invitation


def _add_member(cohort: Cohort, user: User) -> bool:
    """Make the membership and mark any invitation to the person's address answered; False if
    they were a member already."""
    now = datetime.now(UTC)
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.cohort_id == cohort.id,
                                                              Invitation.email == user.email))
    if invitation is not None and invitation.accepted_at is None:
        invitation.accepted_at, invitation.declined_at = now, None
    if db.session.get(CohortMember, (cohort.id, user.id)) is not None:
        return False
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id, joined_at=now))
    return True


def accept(user: User, invitation_id: int) -> Cohort:
    """Join the cohort that invited the person's (confirmed) address."""
    invitation = _own_invitation(user, invitation_id)
    _require_proven_address(user, invitation.cohort_id)
    cohort = db.session.get_one(Cohort, invitation.cohort_id)
    _add_member(cohort, user)
    db.session.flush()
    audit.record(user, "cohort-invitation-accepted", f"cohort {cohort.id}", invitation=invitation.id)
    log.info("user %s accepted invitation %s to cohort %s", user.id, invitation.id, cohort.id)
    return cohort


def decline(user: User, invitation_id: int) -> Cohort:
    """Say no; the trainers see that the invitation was declined, and it is not sent again."""
    invitation = _own_invitation(user, invitation_id)
    _require_proven_address(user, invitation.cohort_id)
    invitation.declined_at = datetime.now(UTC)
    db.session.flush()
    audit.record(user, "cohort-invitation-declined", f"cohort {invitation.cohort_id}", invitation=invitation.id)
    return db.session.get_one(Cohort, invitation.cohort_id)


def join(user: User, code: str) -> Cohort:
    """Join with a cohort's link: the join page showed what the trainers will see first."""
    cohort = cohorts.cohort_for_code(code)
    _require_proven_address(user)
    if _add_member(cohort, user):
        db.session.flush()
        audit.record(user, "cohort-joined-by-link", f"cohort {cohort.id}")
        log.info("user %s joined cohort %s by link", user.id, cohort.id)
    return cohort


def leave(user: User, cohort_id: int) -> Cohort:
    """Leave a cohort: its trainers stop seeing the person's learning at once. The learning
    records themselves are the person's and stay."""
    member = db.session.get(CohortMember, (cohort_id, user.id))
    if member is None:
        raise NotFound()
    db.session.delete(member)
    db.session.flush()
    audit.record(user, "cohort-left", f"cohort {cohort_id}")
    log.info("user %s left cohort %s", user.id, cohort_id)
    return db.session.get_one(Cohort, cohort_id)
