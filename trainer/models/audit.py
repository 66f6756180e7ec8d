"""What administrators and trainers did: an append-only record, never edited through the app.

Entries name people by account id, never by name or email address; when an account is erased,
the free text of the entries about it is dropped and the fact of each action stays."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow


class AuditEvent(Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Indexed for erasing an account: the foreign key's SET NULL finds the person's entries, and
    # the entries about them (by target) lose their free text.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # "user <id>" or "system", never a name: kept when the account is removed (actor_id is not).
    actor: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    target: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
