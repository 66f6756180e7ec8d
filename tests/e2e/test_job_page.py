"""A job's page follows the job without a reload: its script polls the job's status and shows the
page's new state (progress, then the download) when it changes."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import audit, sign_in
from trainer.extensions import db
from trainer.models import Job, User


def _update(app, job_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(**values))
        db.session.commit()


def test_the_job_page_shows_progress_and_the_file_without_a_reload(page, live_server):
    app = live_server.app
    with app.app_context():
        trainer = db.session.scalar(sa.select(User).where(User.email == "trainer@example.org"))
        # A job a worker is running (its claim is fresh, so no other worker takes it).
        job = Job(name="certificates.render_missing", owner_id=trainer.id, state="running", done=3, total=12,
                  claimed_at=datetime.now(UTC), attempts=1)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    sign_in(page, "trainer@example.org", "demo-trainer-meadow-compass")
    page.goto(f"/jobs/{job_id}")
    expect(page.get_by_role("status")).to_contain_text("3 of 12 done.")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    audit(page)
    page.evaluate("() => { window.stillTheSamePage = true; }")
    _update(app, job_id, done=8)
    expect(page.get_by_role("status")).to_contain_text("8 of 12 done.", timeout=30_000)
    _update(app, job_id, done=12, state="done", claimed_at=None, finished_at=datetime.now(UTC),
            summary={"rendered": 12}, result=b"%PDF-", result_name="made.pdf", result_type="application/pdf")
    expect(page.get_by_role("status")).to_contain_text("12 PDFs made.", timeout=30_000)
    expect(page.get_by_role("link", name="Download made.pdf")).to_be_visible()
    assert page.evaluate("() => window.stillTheSamePage === true")  # no reload
    audit(page)
    assert page.csp_errors == []
