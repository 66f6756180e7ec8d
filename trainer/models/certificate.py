"""Certificates: issued once per course completion, verifiable by a code that cannot be guessed."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow
from trainer.vocabulary import CertificateState


class Certificate(Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    # None once the learner erased their account (see `withdrawn`).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    # One certificate per completion: two requests completing the course at once issue one.
    completion_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    version_number: Mapped[int]
    # As they stood at issue: the certificate says what was true then.
    name: Mapped[str] = mapped_column(sa.String(120))
    course_title: Mapped[str] = mapped_column(sa.String(200))
    sector: Mapped[str] = mapped_column(sa.String(20))
    hours: Mapped[float]
    # The course's credit details at issue ({body, type, activity_id, hours}), or None.
    credit: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    completed_on: Mapped[date]
    expires_on: Mapped[date | None]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    # The object's key when the PDF is kept in object storage (see services/pdf_storage.py).
    pdf_key: Mapped[str | None] = mapped_column(sa.String(300))
    pdf_error: Mapped[str] = mapped_column(sa.String(500), default="")

    @property
    def withdrawn(self) -> bool:
        """The learner erased their account: the certificate is void and holds nothing about them."""
        return self.user_id is None

    def state(self, today: date) -> CertificateState:
        if self.withdrawn:
            return CertificateState.WITHDRAWN
        if self.revoked_at is not None:
            return CertificateState.REVOKED
        if self.expires_on is not None and today > self.expires_on:
            return CertificateState.EXPIRED
        return CertificateState.VALID


class CertificateReminder(Model):
    """A notice sent about a certificate (before it expires); each kind goes out once."""

    __tablename__ = "certificate_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("certificate_id", "kind"),)
