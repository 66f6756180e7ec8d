"""The audit log: services record what administrators and trainers did, in the same
transaction as the change itself, so an action and its record stand or fall together."""
from __future__ import annotations

import sqlalchemy as sa

from trainer import policy
from trainer.extensions import db
from trainer.models import AuditEvent, User
from trainer.services.errors import NotAllowed

PAGE_SIZE = 100


def record(actor: User | None, action: str, target: str = "", **details) -> None:
    """Name people and things by id in ``target`` ("user 12", "certificate 3") and ``details``,
    never by name or email address."""
    db.session.add(AuditEvent(actor_id=actor.id if actor else None,
                              actor=f"user {actor.id}" if actor else "system", action=action,
                              target=target[:200], details=details))


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
