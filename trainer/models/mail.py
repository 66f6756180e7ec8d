"""Mail waiting to be delivered: written in the request's transaction, sent in the background once
that is committed, and kept for a retry instead of being lost when sending fails."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow


class PendingMail(Model):
    __tablename__ = "pending_mail"

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
