"""Jobs and mail on RQ (Redis), when REDIS_URL is set.

RQ only carries the ids: the rows in the database keep the state, the claims and the results, as
with the database queue. A push that never reaches Redis (Redis down at the commit), a job whose
worker was killed (RQ leaves it "started"), and mail due for another try are all found by the
sweep that every `jobs worker` process runs every JOBS_SWEEP_SECONDS, which pushes them again; a
duplicate push is harmless, because the worker that comes second finds the row claimed or done.
The worker is RQ's SimpleWorker (the job runs in the worker process, no fork): a forked child
would share the parent's database connections."""
from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker

from trainer.extensions import db
from trainer.models import Job

log = logging.getLogger(__name__)

QUEUES = ("mail", "jobs")
_app: Flask | None = None  # the app of a worker process, for the functions RQ calls
_connections: dict[str, Redis] = {}


def connection(app: Flask) -> Redis:
    url = app.config["REDIS_URL"]
    if url not in _connections:
        # Short: a push happens right after a request's commit, and work Redis does not take is
        # still in the database for the sweep.
        _connections[url] = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _connections[url]


def queue(app: Flask, name: str) -> Queue:
    return Queue(name, connection=connection(app))


def push(app: Flask, job_ids: list[int], mail_ids: list[int]) -> None:
    timeout = app.config["JOBS_TIMEOUT_SECONDS"]
    jobs = queue(app, "jobs")
    for job_id in job_ids:
        jobs.enqueue("trainer.services.job_rq.run_job", job_id, job_timeout=timeout, result_ttl=0,
                     failure_ttl=24 * 3600, description=f"job {job_id}")
    if mail_ids:
        queue(app, "mail").enqueue("trainer.services.job_rq.deliver_mail", list(mail_ids), job_timeout=timeout,
                                   result_ttl=0, failure_ttl=24 * 3600, description=f"mail {len(mail_ids)}")


def _worker_app() -> Flask:
    global _app
    if _app is None:
        from trainer import create_app

        _app = create_app()
    return _app


def run_job(job_id: int) -> bool:
    """Called by RQ in the worker."""
    from trainer.services import job_runner

    with _worker_app().app_context():
        return job_runner.run(job_id)


def deliver_mail(ids: list[int]) -> int:
    """Called by RQ in the worker."""
    from trainer.services import mail

    with _worker_app().app_context():
        return mail.deliver(ids)


def sweep(app: Flask, now: datetime | None = None) -> tuple[int, int]:
    """Push again what the queue may have lost: jobs due (or left by a dead worker) for longer than
    a sweep's interval, and mail due for a try. Returns (jobs, mail) pushed."""
    from trainer.services import job_runner, mail

    now = now or datetime.now(UTC)
    grace = timedelta(seconds=app.config["JOBS_SWEEP_SECONDS"])
    job_ids = [i for i in job_runner.due(now, limit=200)
               if (job := db.session.get(Job, i)) is not None
               and (job.state == "running" or job.not_before <= now - grace)]
    mail_ids = mail.due_ids(now - grace, limit=500)
    db.session.rollback()
    job_runner.purge_finished(now)
    push(app, job_ids, mail_ids)
    return len(job_ids), len(mail_ids)


def _sweep_forever(app: Flask, stop: threading.Event) -> None:
    while not stop.wait(app.config["JOBS_SWEEP_SECONDS"]):
        try:
            with app.app_context():
                sweep(app)
        except Exception:  # noqa: BLE001 - try again at the next sweep
            log.exception("the jobs sweep failed")


def work(app: Flask, queues: tuple[str, ...] = QUEUES, burst: bool = False) -> None:
    """Run an RQ worker on `queues` in this process, with the sweep beside it."""
    global _app
    _app = app
    with app.app_context():
        sweep(app)
    stop = threading.Event()
    sweeper = threading.Thread(target=_sweep_forever, args=(app, stop), name="jobs-sweep", daemon=True)
    if not burst:
        sweeper.start()
    try:
        worker = SimpleWorker([queue(app, name) for name in queues], connection=connection(app))
        worker.work(burst=burst, logging_level=app.config.get("LOG_LEVEL", "INFO"))
    finally:
        stop.set()

