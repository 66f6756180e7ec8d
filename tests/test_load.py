"""Under load, with several gunicorn workers: 50 learners read lessons and submit quizzes for a
minute; nothing fails, and every submission the server accepted is in the database afterwards,
even when a worker is killed in the middle.

Runs on the suite's database (SQLite file, or PostgreSQL with --postgres). Marked slow: `pytest -m
"not slow"` leaves it out while working; `make test` runs it.

A busy machine serves fewer requests in the minute, so each learner keeps going past the minute
until they have submitted twice (within a bound): the counts checked do not depend on its speed."""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from tests.conftest import GOOD_COURSE, build_app
from tests.support.waiting import free_port, wait_for_url
from trainer.extensions import db
from trainer.models import QuizAttempt
from trainer.services import accounts, publishing

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = 50
SECONDS = float(os.environ.get("LOAD_TEST_SECONDS", 60))
WORKERS = 3
AT_LEAST = 2  # submissions per learner, however long they take (up to MOST_SECONDS)
MOST_SECONDS = 600

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(database_urls, tmp_path_factory):
    """The app under gunicorn on its own database, with the example course and 50 learners."""
    url = database_urls["e2e"].replace("e2e", "load") if "sqlite" in database_urls["e2e"] else database_urls["e2e"]
    app = build_app(url)
    with app.app_context():
        flask_migrate.upgrade()
        assert publishing.import_path(GOOD_COURSE).ok  # unchanged text changes nothing
        for i in range(LEARNERS):
            if accounts.get_by_email(f"load{i}@example.org") is None:
                accounts.register(f"load{i}@example.org", "harbour-lantern-violet-42", accounts.Profile(
                    name=f"Load {i}", organisation="", sector="health", specialty=None, is_resident=False,
                    locale=None, timezone="UTC"))
        db.session.commit()
    port = free_port()
    env = {**os.environ, "TRAINER_ENV": "development", "DATABASE_URL": url.replace("postgresql+psycopg", "postgresql"),
           "SECRET_KEY": "load-test", "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024",
           "RATELIMIT_ENABLED": "0", "MAIL_OUTBOX": str(tmp_path_factory.mktemp("outbox"))}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-k", "sync", "-w", str(WORKERS),
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    wait_for_url(base + "/healthz")
    yield app, base, server
    server.terminate()
    server.wait(timeout=20)


class Learner:
    """One simulated learner with their own cookies."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())
        page = self.get("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        self.post("/login", {"csrf_token": token, "email": email, "password": "harbour-lantern-violet-42"})

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=30).read().decode()

    def post(self, path: str, data) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            response = self.opener.open(self.base + path, body, timeout=30)
            return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")

    def submit_quiz(self) -> int | None:
        """Answer the quiz once; the id of the attempt the server accepted, or None."""
        page = self.get("/courses/core/indicators-quiz")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        first = re.search(r'name="q-companion" value="([0-9a-f]{16})"', page).group(1)
        status, location = self.post("/courses/core/indicators-quiz/quiz",
                                     {"csrf_token": csrf, "token": token, "unanswered": "submit", "q-companion": first})
        match = re.search(r"/attempts/(\d+)$", location)
        return int(match.group(1)) if status == 302 and match else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _run(base: str, seconds: float, at_least: int = AT_LEAST,
         on_first=None) -> tuple[list[int], list[str]]:
    """Every learner signs in and submits quizzes for ``seconds`` and until they have ``at_least``
    accepted (a slow machine takes longer, within MOST_SECONDS). ``on_first`` is called once the
    server has accepted a first submission, while the learners keep going."""
    accepted: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline, bound = started + seconds, started + MOST_SECONDS
    first = threading.Event()

    def learner(i: int) -> None:
        try:
            person = Learner(base, f"load{i}@example.org")
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            with lock:
                errors.append(f"sign-in {i}: {error}")
            return
        mine = 0
        while (time.monotonic() < deadline or mine < at_least) and time.monotonic() < bound:
            try:
                person.get("/courses/core/what-it-is")
                attempt = person.submit_quiz()
                with lock:
                    if attempt is None:
                        errors.append(f"learner {i}: submission not accepted")
                    else:
                        accepted.append(attempt)
                        mine += 1
                        first.set()
            except Exception as error:  # noqa: BLE001 - every failure is counted as an error
                with lock:
                    errors.append(f"learner {i}: {error}")

    threads = [threading.Thread(target=learner, args=(i,)) for i in range(LEARNERS)]
    for thread in threads:
        thread.start()
    if on_first:
        first.wait(MOST_SECONDS)
        on_first()
    for thread in threads:
        thread.join()
    return accepted, errors


def _stored(app, ids: list[int]) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(sa.select(QuizAttempt.id).where(QuizAttempt.id.in_(ids))))


def test_fifty_learners_for_a_minute_without_errors(served):
    app, base, _server = served
    accepted, errors = _run(base, SECONDS)
    print(f"\n{LEARNERS} learners, {SECONDS:.0f} s, {WORKERS} workers: {len(accepted)} submissions accepted, "
          f"{len(errors)} errors")
    assert errors == []
    assert len(accepted) >= AT_LEAST * LEARNERS
    assert _stored(app, accepted) == set(accepted)


def test_a_worker_killed_midway_loses_nothing_accepted(served):
    app, base, server = served

    def kill_a_worker():
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        os.kill(int(children[0]), signal.SIGKILL)

    # The worker dies while every learner is busy: after the first submission, before the last.
    accepted, errors = _run(base, min(SECONDS, 20), on_first=kill_a_worker)
    print(f"\nworker killed midway: {len(accepted)} accepted, {len(errors)} requests failed in flight")
    assert accepted
    assert _stored(app, accepted) == set(accepted)
