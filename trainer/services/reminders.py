"""Reminders about assignments: sent now by a trainer (overdue learners, with a preview) or by
`flask cohorts remind` from a scheduler (due soon and overdue). Each reminder is recorded, and
the same kind never goes to the same learner about the same assignment twice."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale, format_date, gettext as _
from sqlalchemy.exc import IntegrityError

from trainer import policy
from trainer.extensions import db
from trainer.models import Assignment, Cohort, Job, Reminder, User
from trainer.services import assignments, audit, catalogue, jobs, local_dates, mail
from trainer.services.errors import NotFound
from trainer.services.links import public_url
from trainer.vocabulary import AssignmentState, Language

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 3


@dataclass
class Due:
    user: User
    assignment: Assignment
    title: str
    state: str


def _due(cohort: Cohort, today: date | None) -> list[Due]:
    """Every unfinished assignment of every active member, with the member's account; overdue
    once its date has passed where the member is (``today``: one date for everyone)."""
    board = assignments.dashboard(None, cohort, today=today, check=False)
    pending = [(row.id, a) for row in board.learners if row.active for a in board.assignments
               if board.cells[(row.id, a.id)].state != AssignmentState.COMPLETED]
    ids = {user_id for user_id, _ in pending}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids))).unique()} if ids else {}
    return [Due(users[user_id], a, board.titles.get(a.course_id, ""), board.cells[(user_id, a.id)].state)
            for user_id, a in pending]


def overdue(actor: User, cohort: Cohort, today: date | None = None) -> list[Due]:
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    return [d for d in _due(cohort, today) if d.state == AssignmentState.OVERDUE]


def _message(due: Due, cohort: Cohort) -> tuple[str, str]:
    with force_locale(due.user.locale or Language.EN):
        subject = _("Reminder: %(title)s is due %(date)s", title=due.title,
                    date=format_date(due.assignment.due_on, "long"))
        body = render_template("mail/reminder.txt", due=due, cohort=cohort, link=public_url("learn.dashboard"))
    return subject, body


def preview(cohort: Cohort, recipients: list[Due]) -> tuple[str, str] | None:
    return _message(recipients[0], cohort) if recipients else None


def _send_once(due: Due, cohort: Cohort, kind: str) -> bool:
    """Record the reminder and write its mail to the outbox, in one transaction; a reminder
    already recorded for this kind is skipped, so doing it again sends nothing twice."""
    try:
        with db.session.begin_nested():
            db.session.add(Reminder(assignment_id=due.assignment.id, user_id=due.user.id, kind=kind))
    except IntegrityError:
        return False
    subject, body = _message(due, cohort)
    mail.queue(due.user.email, subject, body)  # sent after the commit, retried, never lost
    return True


def send_overdue_now(actor: User, cohort: Cohort, today: date | None = None) -> int:
    """A trainer's reminder to everyone overdue: at most one such reminder a day each."""
    day = today or local_dates.today_for(actor)
    sent = sum(_send_once(d, cohort, f"manual-{day.isoformat()}") for d in overdue(actor, cohort, today))
    log.info("user %s sent %d overdue reminders for cohort %s", actor.id, sent, cohort.id)
    audit.record(actor, "reminders-sent", f"cohort {cohort.id}", sent=sent)
    return sent


def request_overdue(actor: User, cohort: Cohort, today: date | None = None) -> Job:
    """A trainer's reminder to everyone overdue, as a job (a cohort may have hundreds); the
    trainer follows it on the job's page."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    return jobs.enqueue("reminders.overdue", owner=actor, cohort_id=cohort.id,
                        today=(today or local_dates.today_for(actor)).isoformat())


def send_overdue_job(progress: jobs.Progress, cohort_id: int, today: str) -> None:
    """The job behind `request_overdue`: one step per learner overdue, each recorded with its mail
    in one commit, so a job started again after its worker died sends nobody a second reminder."""
    actor = db.session.get(User, progress.job.owner_id) if progress.job.owner_id else None
    cohort = db.session.get(Cohort, cohort_id)
    if actor is None or cohort is None:
        raise NotFound()
    day = date.fromisoformat(today)  # the trainer's date when they asked: at most one such reminder a day
    recipients = overdue(actor, cohort)
    progress.start(len(recipients))
    kind = f"manual-{day.isoformat()}"
    for due in recipients:
        progress.advance(sent=int(_send_once(due, cohort, kind)))
    sent = progress.summary.get("sent", 0)
    log.info("user %s sent %d overdue reminders for cohort %s", actor.id, sent, cohort.id)
    audit.record(actor, "reminders-sent", f"cohort {cohort.id}", sent=sent)


def send_scheduled(today: date | None = None) -> dict[str, int]:
    """Due-soon and overdue reminders for every active cohort, each sent once, by the dates
    where each learner is (``today``: one date for everyone)."""
    counts = {"due-soon": 0, "overdue": 0}
    now = datetime.now(UTC)
    for cohort in db.session.scalars(sa.select(Cohort).where(Cohort.archived.is_(False))):
        for due in _due(cohort, today):
            if due.state == AssignmentState.OVERDUE:
                kind = "overdue"
            elif due.assignment.due_on <= (today or local_dates.today_in(due.user.timezone, now)) + timedelta(
                    days=DUE_SOON_DAYS):
                kind = "due-soon"
            else:
                continue
            counts[kind] += _send_once(due, cohort, kind)
    log.info("scheduled reminders: %s", counts)
    return counts


@dataclass
class SentLine:
    sent_at: datetime
    name: str
    title: str
    kind: str  # due-soon, overdue or manual


@dataclass
class Upcoming:
    assignment: Assignment
    title: str
    kind: str  # due-soon or overdue
    on: date  # the first daily run that sends it
    learners: int  # how many would get it if nothing changes before then


def sent(actor: User, cohort: Cohort) -> list[SentLine]:
    """The cohort's latest reminders: when, to whom, about what, and why."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    titles = {a.id: title for a, title in _titled(cohort)}
    rows = db.session.execute(sa.select(Reminder, User.name).join(User, User.id == Reminder.user_id)
                              .join(Assignment, Assignment.id == Reminder.assignment_id)
                              .where(Assignment.cohort_id == cohort.id)
                              .order_by(Reminder.sent_at.desc(), Reminder.id.desc()).limit(50)).all()
    return [SentLine(r.sent_at, name, titles.get(r.assignment_id, ""),
                     "manual" if r.kind.startswith("manual-") else r.kind) for r, name in rows]


def _titled(cohort: Cohort) -> list[tuple[Assignment, str]]:
    titles = catalogue.published_titles()
    return [(a, f"{titles.get(a.course_id, '')}{' / ' + a.module if a.module else ''}") for a in cohort.assignments]


def upcoming(actor: User, cohort: Cohort, today: date | None = None) -> list[Upcoming]:
    """What `flask cohorts remind` (run daily) will send next, by assignment: due-soon reminders
    from DUE_SOON_DAYS before the due date, overdue ones from the day after it, each to the
    active members who have not finished and have not had that reminder."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    today = today or local_dates.today_for(actor)
    if cohort.archived:
        return []
    board = assignments.dashboard(None, cohort, today=today, check=False)
    had = {(r.assignment_id, r.user_id, r.kind) for r in db.session.scalars(
        sa.select(Reminder).join(Assignment, Assignment.id == Reminder.assignment_id)
        .where(Assignment.cohort_id == cohort.id, Reminder.kind.in_(("due-soon", "overdue"))))}
    found = []
    for assignment, title in _titled(cohort):
        open_ids = [row.id for row in board.learners if row.active
                    and board.cells[(row.id, assignment.id)].state != AssignmentState.COMPLETED]
        for kind, on in (("due-soon", assignment.due_on - timedelta(days=DUE_SOON_DAYS)),
                         ("overdue", assignment.due_on + timedelta(days=1))):
            if kind == "due-soon" and assignment.due_on < today:
                continue  # past its date: only the overdue reminder is still to come
            count = sum((assignment.id, user_id, kind) not in had for user_id in open_ids)
            if count:
                found.append(Upcoming(assignment, title, kind, max(on, today), count))
    return sorted(found, key=lambda u: (u.on, u.title))
