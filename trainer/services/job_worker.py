"""The database queue's worker inside an app process: one thread delivers mail, one runs jobs.

A commit that queued work wakes the thread concerned; otherwise each looks for due work (retries,
jobs a dead worker left) every JOBS_POLL_SECONDS. Several processes may each run one: the claims
on the rows keep them from doing the same work twice. `flask --app wsgi jobs worker` runs the same
loops in the foreground, for a host that runs its workers apart from the web processes."""
from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable

from flask import Flask

from trainer.extensions import db

log = logging.getLogger(__name__)

_workers: dict[int, EmbeddedWorker] = {}
_lock = threading.Lock()


class Loop:
    """A thread that does `work` (returning how many items it handled) until nothing is due, then
    waits to be woken or for the poll interval. `wait_idle` returns once a whole pass has run
    after the call."""

    def __init__(self, app: Flask, name: str, work: Callable[[], int], poll: float) -> None:
        self.app, self.name, self.work, self.poll = app, name, work, poll
        self.cond = threading.Condition()
        self.asked = self.finished = 0
        self.stopping = False
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        with self.cond:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name=f"jobs-{self.name}", daemon=True)
                self.thread.start()

    def wake(self) -> int:
        self.start()
        with self.cond:
            self.asked += 1
            self.cond.notify_all()
            return self.asked

    def wait_idle(self, timeout: float | None = None) -> bool:
        if self.thread is None:
            return True
        target = self.wake()
        with self.cond:
            return self.cond.wait_for(lambda: self.finished >= target or self.stopping, timeout)

    def finish(self, timeout: float | None = None) -> bool:
        """Wait for the passes already asked for, without asking for another."""
        if self.thread is None:
            return True
        with self.cond:
            target = self.asked
            return self.cond.wait_for(lambda: self.finished >= target or self.stopping, timeout)

    def stop(self) -> None:
        with self.cond:
            self.stopping = True
            self.cond.notify_all()

    def _run(self) -> None:
        while not self.stopping:
            with self.cond:
                self.cond.wait_for(lambda: self.asked > self.finished or self.stopping, self.poll)
                if self.stopping:
                    return
                target = self.asked
            try:
                with self.app.app_context():
                    while self.work() and not self.stopping:
                        pass
            except Exception:  # noqa: BLE001 - the loop goes on; the rows stay for the next pass
                log.exception("the %s worker's pass failed", self.name)
            finally:
                with self.app.app_context():
                    db.session.remove()
            with self.cond:
                self.finished = max(self.finished, target)
                self.cond.notify_all()


class EmbeddedWorker:
    def __init__(self, app: Flask) -> None:
        from trainer.services import job_runner, mail

        poll = float(app.config["JOBS_POLL_SECONDS"])
        self.mail = Loop(app, "mail", mail.deliver_due, poll)
        self.jobs = Loop(app, "jobs", job_runner.run_due, poll)

    def start(self) -> None:
        self.mail.start()
        self.jobs.start()

    def wake(self, jobs: bool = True, mail: bool = True) -> None:
        if mail:
            self.mail.wake()
        if jobs:
            self.jobs.wake()

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self.jobs.wait_idle(timeout) and self.mail.wait_idle(timeout)  # jobs write mail

    def stop(self) -> None:
        self.mail.stop()
        self.jobs.stop()


def for_app(app: Flask) -> EmbeddedWorker:
    with _lock:
        worker = _workers.get(id(app))
        if worker is None:
            worker = _workers[id(app)] = EmbeddedWorker(app)
        return worker


def running() -> list[EmbeddedWorker]:
    with _lock:
        return list(_workers.values())


def start_on_first_request(app: Flask) -> None:
    """Start the threads with the first request, so mail and jobs left by an earlier run go out
    without waiting for new ones (never at import or in the factory, which only wires things)."""
    started = threading.Event()

    @app.before_request
    def _start_jobs_worker() -> None:
        if not started.is_set():
            started.set()
            for_app(app).start()


def wait_all(timeout: float | None = None) -> None:
    for worker in running():
        worker.wait_idle(timeout)


@atexit.register
def _drain() -> None:
    """A process that exits (a command, a restarted web worker) first finishes what it was woken
    for, for at most a minute; whatever it leaves, another worker takes once the claims expire."""
    for worker in running():
        worker.jobs.finish(60)
        worker.mail.finish(60)
