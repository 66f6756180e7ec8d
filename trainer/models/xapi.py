"""xAPI statements waiting for the Learning Record Store (the xAPI outbox), and the pseudonym each
learner has there.

A statement is written in the transaction of the learning event it reports, so it exists exactly
when the event does; a background job delivers it (trainer/services/xapi.py). Its `statement_id`
is worked out from the event, so the same event never makes two statements, and an LRS that gets
the same batch twice (a retry after a lost answer) stores it once.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow

# pending: waiting to be sent (or sent again after a failure); sent: the LRS took it; rejected:
# the LRS refused this statement itself (a 4xx for it alone), kept with the reason for an operator.
XAPI_STATES = ("pending", "sent", "rejected")


class XapiActor(Model):
    """The learner's name in the LRS: a random UUID made the first time a statement about them is
    written. It says nothing about the person and cannot be worked back to the account; it stays
    the same when the site's secret key changes; it goes with the account."""

    __tablename__ = "xapi_actors"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(36), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class XapiStatement(Model):
    __tablename__ = "xapi_statements"
    __table_args__ = (sa.CheckConstraint(f"state IN {XAPI_STATES!r}", name="state"),
                      sa.Index("ix_xapi_statements_state_next_attempt_at", "state", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    # Whose statement: an erased account's statements not yet sent go with it.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    statement: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    state: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # Not tried again before this time (the pause after a failure grows with each attempt).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set while one delivery is sending the statement; an old claim belongs to a worker that died.
    claim: Mapped[str | None] = mapped_column(sa.String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the last try failed (an HTTP status or an error's class, never the statement's content).
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
