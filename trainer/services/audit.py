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
    db.session.add(AuditEvent(actor_id=actor.id if actor else None,
                              actor_name=actor.name if actor else "system", action=action,
                              target=target[:200], details=details))


def events(actor: User, action: str = "", page: int = 1) -> tuple[list[AuditEvent], list[str]]:
    """Newest first; returns (one page of events, the actions that occur, for a filter)."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    rows = db.session.scalars(stmt.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    actions = db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return list(rows), list(actions)
