"""The referral directory: services to call, per country or region."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import db


class Referral(db.Model):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(sa.String(8), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    phone: Mapped[str | None] = mapped_column(sa.String(60))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    hours: Mapped[str] = mapped_column(sa.String(120), default="")
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    checked: Mapped[date]
    source: Mapped[str] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(default=0)
    # Entries from courses/referrals.yaml are kept in step with the file on import; once an
    # administrator edits one in the browser it is theirs, and imports leave it alone.
    from_file: Mapped[bool] = mapped_column(default=False)
