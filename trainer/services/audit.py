"""The audit log: services record what administrators, trainers and learners did to cohorts and
accounts. Rows carry ids, never names or email addresses.

`record` writes in the same transaction as the change itself, so an action and its record stand
or fall together. `record_refusal` is for attempts that are refused: the request is then answered
403 or 404 and its transaction rolled back, so the row is written and committed on a connection
of its own."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from trainer import policy
from trainer.extensions import db
from trainer.models import AuditEvent, User
from trainer.services.errors import NotAllowed

log = logging.getLogger(__name__)

PAGE_SIZE = 100


def record(actor: User | None, action: str, target: str = "", **details: object) -> None:
    """Name people and things by id in ``target`` ("user 12", "certificate 3") and ``details``,
    never by name or email address."""
    db.session.add(AuditEvent(actor_id=actor.id if actor else None, actor=_actor(actor), action=action,
                              target=target[:200], details=details))


def _actor(actor: User | None) -> str:
    return f"user {actor.id}" if actor else "system"


def record_refusal(actor: User | None, action: str, target: str = "", **details: object) -> None:
    """Record a refused attempt and commit it at once, whatever becomes of the request's own
    transaction. Should the database refuse the write (SQLite busy for longer than its timeout),
    the attempt is logged instead of lost."""
    row = {"actor_id": actor.id if actor else None, "actor": _actor(actor), "action": action,
           "target": target[:200], "details": details}
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.insert(AuditEvent), [row])
    except OperationalError as error:
        log.error("audit: could not record %s by user %s on %s %s: %s", action, row["actor_id"], row["target"],
                  details, error)


def forget_free_text(targets: list[str]) -> None:
    """Drop the text from the details of the entries about these targets (an erased person and
    their certificates), keeping what happened, when and by whom, and the numbers."""
    if not targets:
        return
    for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target.in_(targets))):
        kept = {key: value for key, value in event.details.items() if not isinstance(value, str)}
        if kept != event.details:
            event.details = kept
    db.session.flush()


def events(actor: User, action: str = "", page: int = 1) -> tuple[list[AuditEvent], list[str], dict[int, str]]:
    """Newest first; returns (one page of events, the actions that occur, for a filter, and the
    present names of the accounts that acted, looked up now and never stored in the log)."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    rows = db.session.scalars(stmt.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    actions = db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    ids = {row.actor_id for row in rows if row.actor_id is not None}
    names = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    return list(rows), list(actions), names
