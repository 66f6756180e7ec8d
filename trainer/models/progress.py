"""What learners have done, by the stable ids written in course sources.

Rows name courses by id and modules, questions and nodes by their slugs, so progress survives
new versions of a course: what did not change keeps its state.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow
from trainer.vocabulary import ModuleState


class Enrolment(Model):
    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_module: Mapped[str | None] = mapped_column(sa.String(64))
    last_visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_version: Mapped[int | None]

    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)


class ModuleProgress(Model):
    __tablename__ = "module_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(12), default=ModuleState.IN_PROGRESS.value)
    score: Mapped[float | None]
    attempts: Mapped[int] = mapped_column(default=0)
    seconds_spent: Mapped[int] = mapped_column(default=0)
    position: Mapped[str | None] = mapped_column(sa.String(64))  # last section or node seen
    # How far through the module the learner is (0-99 until it is completed), for course progress.
    percent: Mapped[int] = mapped_column(default=0, server_default="0")
    # Sections the learner chose to skip for now (content notes), and the ones read.
    skipped: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    done_sections: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id", "module"),
        sa.CheckConstraint(f"state IN {ModuleState.values()!r}", name="state_known"),
    )


class QuizAttempt(Model):
    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(sa.String(64))
    version_number: Mapped[int]
    # One per rendered form: a resubmitted or double-clicked form records one attempt.
    form_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The ids of the questions this attempt drew, in the order shown; None for attempts made
    # before quizzes drew questions (they had every question, options in written order).
    questions: Mapped[list[str] | None] = mapped_column(sa.JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    results: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    score: Mapped[float]
    passed: Mapped[bool]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuizDraw(Model):
    """A quiz form a learner has open: the questions drawn for it and its token (from which its
    option keys and order derive). One per learner and quiz; it becomes a QuizAttempt when
    submitted, so a reload shows the same form and a retake draws anew."""

    __tablename__ = "quiz_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(sa.String(64))
    version_number: Mapped[int]
    form_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    questions: Mapped[list[str]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "course_id", "module"),)


class ScenarioRun(Model):
    __tablename__ = "scenario_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(sa.String(64))
    version_number: Mapped[int]
    current_node: Mapped[str] = mapped_column(sa.String(64))
    # [{"node": ..., "choice": ...}, ...] in the order chosen.
    path: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    # A case's facts set so far, and what each hand-off passed on, by the hand-off's node id:
    # {"shared": [item ids], "note": str, "facts": [facts when it was made], "right": n, "items": n}.
    facts: Mapped[list[str] | None] = mapped_column(sa.JSON)
    handoffs: Mapped[dict[str, dict] | None] = mapped_column(sa.JSON)
    own_chapter: Mapped[str | None] = mapped_column(sa.String(64))  # the only chapter the learner plays
    ending: Mapped[str | None] = mapped_column(sa.String(64))
    grade: Mapped[str | None] = mapped_column(sa.String(12))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
