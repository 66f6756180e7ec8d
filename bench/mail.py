"""Mail leaves the request: a roster upload of 200 people answered with a mail server that never
answers, next to one with no mail server at all (mail written to the outbox folder), measured
side by side in one run; and the password-reset form for a known and an unknown address,
alternating (and which goes first), each followed (untimed) by the job that looks the address up.

Both apps are served in this process by the test client, each with its embedded worker; the
uploads alternate between them, and before each the worker of the app without a mail server has
finished writing the previous upload's mail (untimed), so neither upload shares its time with
the other's delivery. The worker of the other app is meanwhile stuck on the silent server, as it
would be in production."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

ROSTER = 200
UPLOADS = 7
RESETS = 101


def _app(folder: Path, name: str, **settings):
    import flask_migrate

    from trainer import create_app
    from trainer.extensions import db
    from trainer.services import demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/{name}.sqlite", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "TWO_FACTOR_REQUIRED_ROLES": (),
                      "LOG_LEVEL": "CRITICAL", "MAIL_OUTBOX": str(folder / f"{name}-outbox"), **settings})
    with app.app_context():
        flask_migrate.upgrade()
        demo.seed_accounts()
        db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": "trainer@example.org",
                                       "password": "demo-trainer-meadow-compass"}).status_code == 302
    return app, client


def _upload(client, run: int) -> float:
    created = client.post("/cohorts", data={"name": f"Bench {run}"})
    cohort = created.headers["Location"].rsplit("/", 1)[1]
    csv = "name,email\n" + "".join(f"Person {i},person-{run}-{i}@example.org\n" for i in range(ROSTER))
    import io

    started = time.perf_counter()
    response = client.post(f"/cohorts/{cohort}/roster", data={"roster": (io.BytesIO(csv.encode()), "list.csv")})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and f"{ROSTER} people were emailed" in response.get_data(as_text=True)
    return elapsed


def run() -> list[dict]:
    os.environ.setdefault("TRAINER_ENV", "development")
    from tests.support.smtp import SilentMailServer
    from trainer.services import job_worker

    folder = Path(tempfile.mkdtemp(prefix="trainer-bench-mail-"))
    silent = SilentMailServer()
    try:
        none_app, none_client = _app(folder, "no-server")
        silent_app, silent_client = _app(folder, "silent", MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.port,
                                         MAIL_USE_TLS=False, MAIL_TIMEOUT=600)
        times: dict[str, list[float]] = {"none": [], "silent": []}
        for run in range(UPLOADS + 1):  # the first of each warms up and is not counted
            job_worker.for_app(none_app).wait_idle(600)
            for label, client in (("none", none_client), ("silent", silent_client)) if run % 2 else \
                    (("silent", silent_client), ("none", none_client)):
                elapsed = _upload(client, run)
                if run:
                    times[label].append(elapsed)
                job_worker.for_app(none_app).wait_idle(600)
        none_ms, silent_ms = (statistics.median(times[k]) * 1000 for k in ("none", "silent"))
        print(f"Roster upload of {ROSTER}, median of {UPLOADS} each, alternating: no mail server {none_ms:.0f} ms, "
              f"a mail server that never answers {silent_ms:.0f} ms; ratio {silent_ms / none_ms:.2f} "
              f"(silent / none; at most about 1 means the upload never waits for mail)", flush=True)
        delivered = len(os.listdir(folder / "no-server-outbox"))
        print(f"  the app without a mail server wrote {delivered} messages to its outbox after the answers; "
              f"the other's worker is still waiting on the silent server ({len(silent.connections)} connection)")

        reset: dict[str, list[float]] = {"known": [], "unknown": []}
        for i in range(RESETS + 1):
            pair = [("known", "resident@example.org"), ("unknown", f"nobody-{i}@example.org")]
            for label, email in pair if i % 2 else reversed(pair):
                started = time.perf_counter()
                assert silent_client.post("/password/forgot", data={"email": email}).status_code == 302
                if i:
                    reset[label].append(time.perf_counter() - started)
                job_worker.for_app(silent_app).jobs.wait_idle(60)  # the job looking the address up, untimed
        known_ms, unknown_ms = (statistics.median(reset[k]) * 1000 for k in ("known", "unknown"))
        print(f"Password reset form, median of {RESETS} each, alternating: known address {known_ms:.1f} ms, "
              f"unknown address {unknown_ms:.1f} ms; ratio {known_ms / unknown_ms:.2f} (known / unknown)", flush=True)
        return [{"roster_none_ms": none_ms, "roster_silent_ms": silent_ms, "roster_ratio": silent_ms / none_ms,
                 "reset_known_ms": known_ms, "reset_unknown_ms": unknown_ms, "reset_ratio": known_ms / unknown_ms}]
    finally:
        for worker in job_worker.running():
            worker.stop()
        silent.close()
