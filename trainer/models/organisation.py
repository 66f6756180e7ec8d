"""Organisations: a hospital, a police force or a service that trains its own people here.

Membership and the cohorts an organisation holds are tables of their own rather than columns of
`users` and `cohorts`: on SQLite adding a foreign key to a table means copying it, and dropping the
old copy would cascade-delete everything that points at it.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow


class Organisation(Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # Defaults for its people: the country whose services they see first, and the interface
    # language of those who chose none.
    country: Mapped[str | None] = mapped_column(sa.String(8))
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    # False: its people sign in only through its identity provider (accounts that hold the
    # platform's roles keep their password, so nobody locks the platform out).
    password_sign_in: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrganisationMember(Model):
    """A person belongs to at most one organisation; its administrators manage its people,
    cohorts and reports, and nothing of another organisation."""

    __tablename__ = "organisation_members"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 index=True)
    admin: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class OrganisationCohort(Model):
    """A cohort its organisation holds (one made by one of its people)."""

    __tablename__ = "organisation_cohorts"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 index=True)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
