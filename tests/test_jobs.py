"""The job queue, on the database and on RQ (a real redis-server the tests start): a job's
progress and file, retries with pauses, jobs given up, and workers killed outright (SIGKILL) in
the middle of a job or of a send, after which the work is picked up again and finished once."""
from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import build_app, login
from tests.support.smtp import SilentMailServer
from tests.support.workers import kill, redis_server, start_worker, stop, wait_until, worker_env
from trainer.extensions import db
from trainer.models import (
    Assignment,
    Certificate,
    Cohort,
    CohortMember,
    CohortTrainer,
    Course,
    Job,
    PendingMail,
    User,
    UserRole,
)
from trainer.services import certificates, job_runner, job_worker, jobs, mail


def _cohort_with_certificates(app, count: int) -> tuple[int, int]:
    """A trainer's cohort whose `count` members each hold a certificate of its assigned course, none
    rendered yet. Returns (trainer id, cohort id)."""
    with app.app_context():
        trainer = User(email="zip-trainer@example.org", password_hash="-", name="Zip Trainer", sector="police",
                       email_verified_at=datetime.now(UTC))
        course = Course(slug="zip-course")
        db.session.add_all([trainer, course])
        db.session.flush()
        db.session.add(UserRole(user_id=trainer.id, role="trainer"))
        cohort = Cohort(name="Zip cohort", join_code="zip-code",
                        trainers=[CohortTrainer(user_id=trainer.id, owner=True)])
        db.session.add(cohort)
        db.session.flush()
        db.session.add(Assignment(cohort_id=cohort.id, course_id=course.id, due_on=date(2030, 1, 1)))
        for i in range(count):
            learner = User(email=f"zip-{i}@example.org", password_hash="-", name=f"Learner {i:02d}", sector="health")
            db.session.add(learner)
            db.session.flush()
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id))
            db.session.add(Certificate(code=certificates.new_code(), user_id=learner.id, course_id=course.id,
                                       completion_key=f"zip-{i}", version_number=1, name=learner.name,
                                       course_title="The shared core", sector="health", hours=2,
                                       completed_on=date.today(), expires_on=None))
        db.session.commit()
        return trainer.id, cohort.id


def _ask_for_zip(app, trainer_id: int, cohort_id: int) -> int:
    with app.app_context():
        job = certificates.request_cohort_zip(db.session.get(User, trainer_id), db.session.get(Cohort, cohort_id))
        db.session.commit()
        return job.id


def _job(app, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id, options=[sa.orm.undefer(Job.result)])  # the file, deferred otherwise
        db.session.expunge(job)
        return job


def _stored_pdfs(app) -> dict[int, bytes]:
    with app.app_context():
        return {c.id: c.pdf for c in db.session.scalars(sa.select(Certificate)) if c.pdf}


def _zip_names(data: bytes) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())


@pytest.fixture
def no_embedded_worker(app, monkeypatch):
    """Commits in this process hand nothing to its own worker: another process (or the test) works."""
    monkeypatch.setitem(app.config, "JOBS_EMBEDDED_WORKER", False)


def test_the_database_queue_runs_a_job_with_its_progress_and_keeps_its_file(app):
    trainer_id, cohort_id = _cohort_with_certificates(app, 3)
    job_id = _ask_for_zip(app, trainer_id, cohort_id)
    job_worker.wait_all()
    job = _job(app, job_id)
    assert (job.state, job.done, job.total, job.attempts, job.summary) == ("done", 3, 3, 1, {"added": 3})
    assert job.result_name == f"cohort-{cohort_id}-certificates.zip" and len(_zip_names(job.result)) == 3
    assert len(_stored_pdfs(app)) == 3  # each PDF is kept for the next zip and download


def test_the_page_shows_progress_with_a_refresh_link_and_the_file_once_ready(app, client, make_user,
                                                                             no_embedded_worker):
    trainer_id, cohort_id = _cohort_with_certificates(app, 2)
    with app.app_context():  # the trainer signs in with a password
        from trainer.services import passwords

        db.session.get(User, trainer_id).password_hash = passwords.hash_password("violet-kettle-harbour-9")
        db.session.commit()
    login(client, type("U", (), {"email": "zip-trainer@example.org", "password": "violet-kettle-harbour-9"}))
    asked = client.post(f"/cohorts/{cohort_id}/certificates.zip")
    job_url = asked.headers["Location"]
    waiting = client.get(job_url).get_data(as_text=True)
    assert "Waiting to start." in waiting and f'href="{job_url}"' in waiting  # works without JavaScript
    job_id = int(job_url.rsplit("/", 1)[1])
    assert client.get(f"{job_url}/status.json").get_json() == {"state": "queued", "done": 0, "total": 0,
                                                               "summary": {}, "download": None}
    assert client.get(f"{job_url}/download").status_code == 404  # nothing to download yet
    with app.app_context():
        assert job_runner.run_due() == 1
    status = client.get(f"{job_url}/status.json").get_json()
    assert status["state"] == "done" and status["done"] == status["total"] == 2
    assert status["download"] == f"/jobs/{job_id}/download"
    ready = client.get(job_url).get_data(as_text=True)
    assert "Ready." in ready and f"/jobs/{job_id}/download" in ready and "<progress" not in ready
    assert len(_zip_names(client.get(f"/jobs/{job_id}/download").data)) == 2
    # A trainer who no longer trains the cohort cannot fetch what they asked for before.
    with app.app_context():
        db.session.execute(sa.delete(CohortTrainer).where(CohortTrainer.cohort_id == cohort_id))
        db.session.commit()
    assert client.get(f"/jobs/{job_id}/download").status_code == 404


def _explode(progress, **args):
    raise RuntimeError("the renderer fell over")


_flaky_calls: list[int] = []


def _flaky(progress, **args):
    _flaky_calls.append(progress.job.attempts)
    if len(_flaky_calls) == 1:
        raise OSError("a passing fault")
    progress.start(1)
    progress.advance(rendered=1)


def test_a_failing_job_is_tried_again_after_a_growing_pause_then_given_up(app, make_user, monkeypatch,
                                                                           no_embedded_worker, caplog):
    monkeypatch.setitem(jobs.TASKS, "certificates.render_missing", "tests.test_jobs:_explode")
    admin = make_user(roles=("admin",))
    with app.app_context():
        job_id = certificates.request_render_missing(db.session.get(User, admin.id)).id
        db.session.commit()
    now = datetime.now(UTC)
    pause = timedelta(seconds=app.config["JOBS_RETRY_SECONDS"])
    with app.app_context():
        assert job_runner.run_due(now) == 1
        job = db.session.get(Job, job_id)
        assert (job.state, job.attempts, job.error) == ("queued", 1, "RuntimeError")
        assert job.not_before >= now + pause
        assert job_runner.run_due(now + pause / 2) == 0  # not yet
        assert job_runner.run_due(now + pause + timedelta(seconds=1)) == 1
        job = db.session.get(Job, job_id, populate_existing=True)
        assert job.attempts == 2 and job.not_before >= now + 2 * pause  # the pause doubled
        assert job_runner.run_due(now + timedelta(hours=1)) == 1
        job = db.session.get(Job, job_id, populate_existing=True)
        assert (job.state, job.attempts) == ("failed", app.config["JOBS_MAX_ATTEMPTS"])
        assert job_runner.run_due(now + timedelta(hours=2)) == 0
    assert "the renderer fell over" in caplog.text  # the traceback is in the log
    client = app.test_client()
    login(client, admin)
    assert "could not be done" in client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_a_job_that_fails_once_succeeds_on_its_next_try(app, make_user, monkeypatch, no_embedded_worker):
    monkeypatch.setitem(jobs.TASKS, "certificates.render_missing", "tests.test_jobs:_flaky")
    _flaky_calls.clear()
    admin = make_user(roles=("admin",))
    with app.app_context():
        job_id = certificates.request_render_missing(db.session.get(User, admin.id)).id
        db.session.commit()
        job_runner.run_due()
        job_runner.run_due(datetime.now(UTC) + timedelta(hours=1))
    job = _job(app, job_id)
    assert (job.state, job.attempts, job.summary, _flaky_calls) == ("done", 2, {"rendered": 1}, [1, 2])


def test_two_workers_never_run_one_job_at_once(app, no_embedded_worker):
    trainer_id, cohort_id = _cohort_with_certificates(app, 1)
    job_id = _ask_for_zip(app, trainer_id, cohort_id)
    with app.app_context():
        assert job_runner.claim(job_id) is not None
        assert job_runner.claim(job_id) is None and job_runner.due() == []  # the claim is fresh
        db.session.get(Job, job_id).claimed_at = datetime.now(UTC) - timedelta(
            seconds=app.config["JOBS_CLAIM_SECONDS"] + 1)
        db.session.commit()
        assert job_runner.due() == [job_id]  # its worker died
        assert job_runner.run(job_id) and not job_runner.run(job_id)
    assert _job(app, job_id).state == "done"


def test_bulk_pdf_rendering_is_a_job_for_administrators(app, make_user, no_embedded_worker):
    _cohort_with_certificates(app, 2)
    admin, trainer = make_user(roles=("admin",)), make_user(roles=("trainer",))
    with app.app_context():
        with pytest.raises(certificates.NotAllowed):
            certificates.request_render_missing(db.session.get(User, trainer.id))
        job_id = certificates.request_render_missing(db.session.get(User, admin.id)).id
        db.session.commit()
        assert job_runner.run_due() == 1
    assert _job(app, job_id).summary == {"rendered": 2} and len(_stored_pdfs(app)) == 2


# Worker processes killed outright.

def _kill_mid_job_then_finish(app, env_first: dict, env_second: dict, database_url: str) -> None:
    trainer_id, cohort_id = _cohort_with_certificates(app, 12)
    job_id = _ask_for_zip(app, trainer_id, cohort_id)
    first = start_worker(env_first, "--queue", "jobs")
    try:
        wait_until(lambda: _job(app, job_id).done >= 2, 180, "the first worker never got going")
    finally:
        kill(first)
    stuck = _job(app, job_id)
    assert stuck.state == "running" and stuck.attempts == 1 and stuck.done < 12  # killed half-way
    rendered_before = _stored_pdfs(app)
    second = start_worker(env_second, "--queue", "jobs")
    try:
        wait_until(lambda: _job(app, job_id).state == "done", 240, "the job was not finished by the second worker")
    finally:
        stop(second)
    job = _job(app, job_id)
    assert (job.attempts, job.done, job.total) == (2, 12, 12)
    assert len(_zip_names(job.result)) == 12
    after = _stored_pdfs(app)
    assert len(after) == 12
    assert all(after[i] == pdf for i, pdf in rendered_before.items())  # what was made is not made again
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1


def test_a_database_queue_worker_killed_mid_job_leaves_it_to_the_next(app, database_urls, no_embedded_worker):
    env = worker_env(database_urls["unit"], app.config["MAIL_OUTBOX"], JOBS_CLAIM_SECONDS="3")
    _kill_mid_job_then_finish(app, env, env, database_urls["unit"])


def test_an_rq_worker_killed_mid_job_leaves_it_to_the_next(app, database_urls, no_embedded_worker):
    with redis_server() as url:
        rq_app = build_app(database_urls["unit"], REDIS_URL=url, MAIL_OUTBOX=app.config["MAIL_OUTBOX"])
        env = worker_env(database_urls["unit"], app.config["MAIL_OUTBOX"], REDIS_URL=url, JOBS_CLAIM_SECONDS="3",
                         JOBS_SWEEP_SECONDS="1")
        _kill_mid_job_then_finish(rq_app, env, env, database_urls["unit"])


def test_rq_carries_mail_and_jobs_queued_by_a_commit(app, database_urls, no_embedded_worker, outbox):
    import redis

    trainer_id, cohort_id = _cohort_with_certificates(app, 2)
    with redis_server() as url:
        rq_app = build_app(database_urls["unit"], REDIS_URL=url, MAIL_OUTBOX=app.config["MAIL_OUTBOX"])
        job_id = _ask_for_zip(rq_app, trainer_id, cohort_id)
        with rq_app.app_context():
            mail.queue("person@example.org", "Subject", "Body")
            db.session.commit()
        connection = redis.Redis.from_url(url)
        assert connection.llen("rq:queue:jobs") == 1 and connection.llen("rq:queue:mail") == 1
        worker = start_worker(worker_env(database_urls["unit"], app.config["MAIL_OUTBOX"], REDIS_URL=url), "--burst")
        assert worker.wait(timeout=240) == 0
    assert _job(app, job_id).state == "done"
    assert [m["To"] for m in outbox()] == ["person@example.org"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingMail)) == 0


def test_a_worker_killed_mid_send_loses_nothing_and_sends_once(app, database_urls, no_embedded_worker, outbox):
    silent = SilentMailServer()
    try:
        with app.app_context():
            item_id = mail.queue("person@example.org", "Subject", "Body")
            db.session.commit()
        hanging = worker_env(database_urls["unit"], app.config["MAIL_OUTBOX"], MAIL_SERVER="127.0.0.1",
                             MAIL_PORT=str(silent.port), MAIL_TIMEOUT="120", MAIL_USE_TLS="0", MAIL_CLAIM_SECONDS="3")
        first = start_worker(hanging, "--queue", "mail")
        try:
            wait_until(lambda: len(silent.connections) == 1, 120, "the worker never reached the mail server")
        finally:
            kill(first)  # in the middle of the SMTP conversation
    finally:
        silent.close()
    with app.app_context():
        item = db.session.get(PendingMail, item_id)
        assert item is not None and item.claimed_at is not None and item.attempts == 0  # kept, and claimed
    working = worker_env(database_urls["unit"], app.config["MAIL_OUTBOX"], MAIL_CLAIM_SECONDS="3")
    second = start_worker(working, "--queue", "mail")
    try:
        wait_until(lambda: _pending_count(app) == 0, 120, "the message was not sent by the next worker")
    finally:
        stop(second)
    assert [m["To"] for m in outbox()] == ["person@example.org"]  # once


def _pending_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PendingMail))
