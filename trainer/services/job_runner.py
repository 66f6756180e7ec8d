"""Running jobs from their rows: claim, run, record. Used by every worker, whatever the queue."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g

from trainer.extensions import db
from trainer.models import Job
from trainer.services.jobs import Progress, Result, task

log = logging.getLogger(__name__)


def _claim_expiry() -> timedelta:
    return timedelta(seconds=current_app.config["JOBS_CLAIM_SECONDS"])


def _free(now: datetime) -> sa.ColumnElement[bool]:
    """Rows a worker may take now: queued and due, or running under a claim that has expired."""
    return sa.or_(sa.and_(Job.state == "queued", Job.not_before <= now),
                  sa.and_(Job.state == "running", Job.claimed_at < now - _claim_expiry()))


def claim(job_id: int, now: datetime | None = None) -> Job | None:
    """The job, if this worker is the one that gets it: one atomic UPDATE decides."""
    now = now or datetime.now(UTC)
    claimed: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(Job).where(Job.id == job_id, _free(now))
        .values(state="running", claimed_at=now, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    return db.session.get(Job, job_id, populate_existing=True)


def due(now: datetime | None = None, limit: int = 20) -> list[int]:
    now = now or datetime.now(UTC)
    return list(db.session.scalars(sa.select(Job.id).where(_free(now)).order_by(Job.not_before, Job.id)
                                   .limit(limit)))


def run(job_id: int, now: datetime | None = None) -> bool:
    """Claim and run one job; False when another worker has it, or it is finished. A task that
    raises is tried again after a pause, up to JOBS_MAX_ATTEMPTS tries in all."""
    job = claim(job_id, now)
    if job is None:
        return False
    g.request_id = job.request_id or None  # its log lines carry the id of the request that asked
    cfg = current_app.config
    if job.attempts > cfg["JOBS_MAX_ATTEMPTS"]:  # its workers died every time: stop trying
        _fail(job, "stopped")
        return True
    log.info("job %s (%s) started, attempt %d", job.id, job.name, job.attempts)
    try:
        result = task(job.name)(Progress(job), **job.args)
    except Exception as error:  # noqa: BLE001 - recorded on the job, with the traceback in the log
        db.session.rollback()
        job = db.session.get_one(Job, job_id, populate_existing=True)
        log.exception("job %s (%s) failed on attempt %d", job.id, job.name, job.attempts)
        if job.attempts >= cfg["JOBS_MAX_ATTEMPTS"]:
            _fail(job, type(error).__name__)
        else:
            pause = cfg["JOBS_RETRY_SECONDS"] * 2 ** (job.attempts - 1)
            job.state, job.claimed_at = "queued", None
            job.not_before = datetime.now(UTC) + timedelta(seconds=pause)
            job.error = type(error).__name__
            db.session.commit()
        return True
    job.state, job.claimed_at, job.error = "done", None, ""
    job.finished_at = datetime.now(UTC)
    job.done = max(job.done, job.total)
    if isinstance(result, Result):
        job.result, job.result_name, job.result_type = result.data, result.name[:200], result.mimetype[:100]
    db.session.commit()
    log.info("job %s (%s) done", job.id, job.name)
    return True


def _fail(job: Job, reason: str) -> None:
    job.state, job.claimed_at, job.error = "failed", None, reason[:300]
    job.finished_at = datetime.now(UTC)
    db.session.commit()
    log.error("job %s (%s) failed for good after %d attempts: %s", job.id, job.name, job.attempts, reason)


def run_due(now: datetime | None = None) -> int:
    """Run every job that is due now (one at a time); returns how many this worker ran."""
    ran = 0
    for job_id in due(now):
        ran += run(job_id, now)
    if not ran:
        purge_finished()
    return ran


def purge_finished(now: datetime | None = None) -> int:
    """Finished jobs (and their files) are kept for JOBS_KEEP_HOURS, then deleted."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(hours=current_app.config["JOBS_KEEP_HOURS"])
    deleted: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.delete(Job).where(Job.state.in_(("done", "failed")), Job.finished_at < cutoff)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return deleted.rowcount or 0
