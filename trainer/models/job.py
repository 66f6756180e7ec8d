"""Slow work done outside the request: one row per job, whichever queue carries it (RQ on Redis,
or the database itself). The row is the truth: its state, its progress, who may see it, and its
result file; a worker claims it before running it, so two workers never run one job at once."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class Job(Model):
    __tablename__ = "jobs"
    __table_args__ = (sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
                      sa.Index("ix_jobs_state_not_before", "state", "not_before"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    args: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    state: Mapped[str] = mapped_column(sa.String(10), default="queued")
    # Who asked: only they see its page and download its result.
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the worker running it and renewed at every step; an old one belongs to a dead worker.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # What the job reports when it ends (counts, never names or addresses), and why it failed.
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str] = mapped_column(sa.String(300), default="")
    result: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    result_name: Mapped[str] = mapped_column(sa.String(200), default="")
    result_type: Mapped[str] = mapped_column(sa.String(100), default="")
    # The request that asked for it: the job's log lines carry the same id.
    request_id: Mapped[str] = mapped_column(sa.String(64), default="")
