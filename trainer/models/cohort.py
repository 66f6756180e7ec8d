"""Cohorts: groups of learners that trainers follow, with assignments and due dates."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import Model
from trainer.models.organisation import OrganisationCohort
from trainer.models.types import UTCDateTime, utcnow


class Cohort(Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    archived: Mapped[bool] = mapped_column(default=False)
    # Anyone signed in with the code may join while joining is switched on.
    join_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    join_enabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    trainers: Mapped[list[CohortTrainer]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    assignments: Mapped[list[Assignment]] = relationship(
        cascade="all, delete-orphan", order_by="Assignment.due_on", back_populates="cohort")
    holder: Mapped[OrganisationCohort | None] = relationship(lazy="joined", cascade="all, delete-orphan",
                                                             passive_deletes=True)

    def is_trained_by(self, user_id: int) -> bool:
        return any(t.user_id == user_id for t in self.trainers)

    @property
    def organisation_id(self) -> int | None:
        """The organisation that holds the cohort, if any (``organisation`` is free text)."""
        return self.holder.organisation_id if self.holder else None

    @property
    def owner_id(self) -> int | None:
        """The trainer who created the cohort; None once their account is gone (and for cohorts
        made before owners were recorded that had several trainers by then)."""
        return next((t.user_id for t in self.trainers if t.owner), None)


class CohortTrainer(Model):
    __tablename__ = "cohort_trainers"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The cohort's creator; the others are co-trainers, whom only the owner (or an administrator)
    # may remove.
    owner: Mapped[bool] = mapped_column(default=False, server_default="0")


class CohortMember(Model):
    __tablename__ = "cohort_members"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invitation(Model):
    """A person on an uploaded list, by email address. Nobody joins by being on a list: the
    person who holds the address (signed in, with it confirmed) accepts or declines."""

    __tablename__ = "cohort_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last time a trainer sent it again

    __table_args__ = (sa.UniqueConstraint("cohort_id", "email"),)

    @property
    def state(self) -> str:
        """pending, accepted or declined."""
        if self.accepted_at is not None:
            return "accepted"
        return "declined" if self.declined_at is not None else "pending"


class Assignment(Model):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    module: Mapped[str | None] = mapped_column(sa.String(64))  # None: the whole course
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="assignments")
    course = relationship("Course", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("cohort_id", "course_id", "module"),)


class Reminder(Model):
    """A reminder sent about an assignment; the unique key makes each kind go out once."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))  # due-soon, overdue, or manual-YYYY-MM-DD
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("assignment_id", "user_id", "kind"),)


class CohortCase(Model):
    """A case played by a cohort together: each chapter by the members who hold its sector's role,
    in turn, over days. It keeps the case's state as a learner's run does (see ScenarioRun)."""

    __tablename__ = "cohort_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(sa.String(64))
    version_number: Mapped[int]
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    turn_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the current chapter's
    current_node: Mapped[str] = mapped_column(sa.String(64))
    # As on ScenarioRun; each step also says who took it ("by": a user id, or "platform").
    path: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    facts: Mapped[list[str] | None] = mapped_column(sa.JSON, default=list)
    handoffs: Mapped[dict[str, dict] | None] = mapped_column(sa.JSON, default=dict)
    ending: Mapped[str | None] = mapped_column(sa.String(64))
    grade: Mapped[str | None] = mapped_column(sa.String(12))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped[Cohort] = relationship()
    course = relationship("Course", lazy="joined")
    roles: Mapped[list[CohortCaseRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    def holders(self, chapter: str) -> set[int]:
        """The members who play ``chapter``."""
        return {role.user_id for role in self.roles if role.chapter == chapter}


class CohortCaseRole(Model):
    """A member's sector role in a cohort's case: the chapter they play (several may share one)."""

    __tablename__ = "cohort_case_roles"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort_cases.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    chapter: Mapped[str] = mapped_column(sa.String(64))
