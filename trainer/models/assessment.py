"""Before and after a course: the pre-test, the confidence self-ratings, testing out, the
attestation of time spent, and the evaluation.

A learner takes a course in rounds: the first, then one more each time they recertify. Each round
has its own pre-test, ratings, attestation and evaluation.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow

RATING = "BETWEEN 1 AND 5"


class CourseRound(Model):
    """One round of a course for one learner: what they knew and felt before, and after."""

    __tablename__ = "course_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The pre-test, and the first attempt at the same quiz after it (the post-test).
    pre_attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="SET NULL"))
    post_attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="SET NULL"))
    # One rating (1-5) per confidence statement of the course, in its order.
    pre_confidence: Mapped[list[int] | None] = mapped_column(sa.JSON)
    post_confidence: Mapped[list[int] | None] = mapped_column(sa.JSON)
    tested_out: Mapped[bool] = mapped_column(default=False)
    attested_hours: Mapped[float | None]
    attested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("user_id", "course_id", "number"),)


class CourseEvaluation(Model):
    """A learner's evaluation of a course (once per round). Reported only in aggregate."""

    __tablename__ = "course_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]
    relevance: Mapped[int]
    confidence: Mapped[int]
    change: Mapped[str] = mapped_column(sa.Text, default="")  # what they will change in practice
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id", "round"),
        sa.CheckConstraint(f"relevance {RATING}", name="relevance_rated"),
        sa.CheckConstraint(f"confidence {RATING}", name="confidence_rated"),
    )
