"""Slow work and mail, done outside the request. One small interface over two queues:

- `enqueue(name, owner=None, **args)` writes a `Job` row in the caller's transaction; once that
  transaction commits, the job is handed to the queue. `mail.queue` does the same for mail.
- `get(job_id)` and `for_owner(actor, job_id)` read a job's state, progress and result.
- A task is a function `task(progress, **args)` named in `TASKS`; it reports its steps through
  `Progress` (each step commits, so a task must be able to start again after a worker dies, and
  skip what it finished) and may return a `Result` file.

With `REDIS_URL` set, jobs and mail travel on RQ queues ("jobs" and "mail") to the processes that
run `flask --app wsgi jobs worker`. Without it the database is the queue: each app process runs
an embedded worker (two threads, one for mail and one for jobs) that the commit wakes, so
`make run` works on one machine with nothing else. Either way the rows decide: a worker claims a
row before it works on it, and a claim older than `JOBS_CLAIM_SECONDS` belongs to a worker that
died, so the row is free again and nothing is lost or done twice at once.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from trainer.extensions import db
from trainer.models import Job, User
from trainer.services.errors import NotFound
from trainer.vocabulary import JobState

log = logging.getLogger(__name__)

# Every task a job can name: "module:function". A name not here is refused by `enqueue`.
TASKS: dict[str, str] = {
    "accounts.password_reset": "trainer.services.addresses:password_reset_job",
    "certificates.cohort_zip": "trainer.services.certificates:build_cohort_zip",
    "certificates.render_missing": "trainer.services.certificates:render_missing",
    "lti.send_score": "trainer.services.lti_people:send_score",
    "reminders.overdue": "trainer.services.reminders:send_overdue_job",
    "xapi.deliver": "trainer.services.xapi:deliver_job",
}

_DISPATCH = "trainer.services.jobs.dispatch"


@dataclass
class Result:
    """A file a job made, kept with the job for its owner to download."""

    name: str
    mimetype: str
    data: bytes


class Progress:
    """What a running task tells its page: how many steps, how many done, and a summary of counts.
    Every call commits the task's work so far, and renews the worker's claim on the job."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.summary: dict[str, int] = dict(job.summary or {})

    def start(self, total: int) -> None:
        self.job.total, self.job.done = total, 0
        self._save()

    def advance(self, steps: int = 1, **counts: int) -> None:
        self.job.done += steps
        for key, value in counts.items():
            self.summary[key] = self.summary.get(key, 0) + value
        self._save()

    def _save(self) -> None:
        self.job.claimed_at = datetime.now(UTC)
        self.job.summary = dict(self.summary)
        db.session.commit()


def enqueue(name: str, owner: User | None = None, **args: Any) -> Job:
    """Ask for `name` to be run with `args` (plain JSON values) once the caller's transaction
    commits. Returns the job row (its id is set)."""
    if name not in TASKS:
        raise ValueError(f"unknown job {name!r}")
    request_id = g.get("request_id") if has_app_context() else None
    job = Job(name=name, args=args, owner_id=owner.id if owner is not None else None,
              not_before=datetime.now(UTC), request_id=(request_id or "")[:64])
    db.session.add(job)
    db.session.flush()
    _pending(db.session())["jobs"].append(job.id)
    return job


def mail_queued(ids: list[int]) -> None:
    """Mail rows written in the current transaction: deliver them once it commits."""
    _pending(db.session())["mail"].extend(ids)


def get(job_id: int) -> Job | None:
    return db.session.get(Job, job_id)


def for_owner(actor: User, job_id: int) -> Job:
    """A job the actor asked for; anyone else's (or none) is "not found"."""
    job = db.session.get(Job, job_id)
    if job is None or job.owner_id is None or job.owner_id != actor.id:
        raise NotFound()
    return job


def task(name: str) -> Callable[..., Result | None]:
    module, function = TASKS[name].split(":")
    return getattr(importlib.import_module(module), function)


def redis_url(app: Flask | None = None) -> str:
    return (app or current_app).config.get("REDIS_URL") or ""


# Handing work to the queue once the transaction that wrote it has committed.

def _pending(session: Session) -> dict[str, list[int]]:
    return session.info.setdefault(_DISPATCH, {"jobs": [], "mail": []})


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_DISPATCH, None)
    if not pending or not (pending["jobs"] or pending["mail"]) or not has_app_context():
        return
    dispatch(current_app._get_current_object(), pending["jobs"], pending["mail"])  # type: ignore[attr-defined]


def _after_rollback(session: Session) -> None:
    # A savepoint rolled back (begin_nested) leaves the rest of the transaction, and the work it
    # wrote, to be committed; ids of rows the savepoint took back are harmless (nothing to claim).
    if not session.in_nested_transaction():
        session.info.pop(_DISPATCH, None)


def dispatch(app: Flask, job_ids: list[int], mail_ids: list[int]) -> None:
    """Hand committed work to whichever queue the app uses. Never raises: work not handed over is
    still in the database, where the workers' sweep finds it."""
    try:
        if redis_url(app):
            from trainer.services import job_rq

            job_rq.push(app, job_ids, mail_ids)
        elif app.config["JOBS_EMBEDDED_WORKER"]:
            from trainer.services import job_worker

            job_worker.for_app(app).wake(jobs=bool(job_ids), mail=bool(mail_ids))
    except Exception:  # noqa: BLE001 - the rows stay; a worker's sweep picks them up
        log.exception("handing jobs %s and mail %s to the queue failed; the next sweep takes them",
                      job_ids, mail_ids)


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
    if not redis_url(app) and app.config["JOBS_EMBEDDED_WORKER"]:
        from trainer.services import job_worker

        job_worker.start_on_first_request(app)


def ready_result(actor: User, job_id: int) -> Job:
    """A finished job's file, for the person who asked for it, while they still have the right to
    what it holds (a cohort's certificates: while they train the cohort)."""
    from trainer import policy
    from trainer.models import Cohort

    job = for_owner(actor, job_id)
    if job.state != JobState.DONE or not job.result_name:
        raise NotFound()
    if job.name == "certificates.cohort_zip":
        cohort = db.session.get(Cohort, job.args.get("cohort_id"))
        if cohort is None or not policy.can_manage_cohort(actor, cohort):
            raise NotFound()
    return job
