"""Mail waiting to be delivered (the outbox): written in the transaction of the work that sends it,
delivered by a worker once that is committed, tried again with growing pauses when sending fails,
and set aside as a dead letter (state "dead") for an administrator after the last try."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow

MAIL_STATES = ("pending", "dead")


class PendingMail(Model):
    __tablename__ = "pending_mail"
    __table_args__ = (sa.CheckConstraint("state IN ('pending', 'dead')", name="state"),
                      sa.Index("ix_pending_mail_state_next_attempt_at", "state", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=1)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set while one delivery is sending the message, so that no other sends it too.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(sa.String(10), default="pending", server_default="pending")
    # Not tried again before this time (none: at once) (the pause after a failure grows with each attempt).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # The request that wrote it, so the delivery's log lines can be found with that request's.
    request_id: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
