"""Accounts and their roles."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import Model
from trainer.models.organisation import OrganisationMember
from trainer.models.types import UTCDateTime, utcnow
from trainer.vocabulary import Role, Sector


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    sector: Mapped[str] = mapped_column(sa.String(20))
    specialty: Mapped[str | None] = mapped_column(sa.String(40))
    is_resident: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person proved they read this address (a link sent to it, or a password reset).
    # Until then they cannot join a cohort, receive a certificate in this name or become staff.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in: the TOTP secret once set up, and the last time step used (no replays).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None]

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="joined"
    )
    membership: Mapped[OrganisationMember | None] = relationship(lazy="joined", cascade="all, delete-orphan",
                                                                passive_deletes=True)

    __table_args__ = (
        sa.CheckConstraint(f"sector IN {Sector.values()!r}", name="sector_known"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, role: str) -> bool:
        return role in self.role_names

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def organisation_id(self) -> int | None:
        """The organisation the person belongs to (see `membership`), not the one they typed."""
        return self.membership.organisation_id if self.membership else None

    @property
    def organisation_admin(self) -> bool:
        return bool(self.membership and self.membership.admin)

    @property
    def organisation_locale(self) -> str | None:
        """The interface language the organisation sets for its people who chose none."""
        return self.membership.organisation.locale if self.membership else None

    @property
    def organisation_country(self) -> str | None:
        """The country whose services the organisation's people see first."""
        return self.membership.organisation.country if self.membership else None

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")

    __table_args__ = (sa.CheckConstraint(f"role IN {Role.values()!r}", name="role_known"),)


class RecoveryCode(Model):
    """A single-use code for signing in without the authenticator app. Only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(Model):
    """A signed-in session. The cookie holds a random id; only its SHA-256 is stored, so a copy of
    the database (a backup, say) holds nothing that signs anyone in. Deleting the row ends the
    session wherever a copy of its cookie is."""

    __tablename__ = "user_sessions"

    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
