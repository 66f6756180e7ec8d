"""Administrators see mail that could not be delivered and send a dead letter again."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.conftest import login
from trainer.extensions import db
from trainer.models import AuditEvent, PendingMail


def _rows(app) -> tuple[int, int]:
    """A dead letter and a message waiting for its next try."""
    with app.app_context():
        dead = PendingMail(recipient="gone@example.org", subject="You are invited", body="Body", attempts=11,
                           state="dead", last_error="SMTPRecipientsRefused (1 refused)")
        waiting = PendingMail(recipient="later@example.org", subject="Reset your password", body="Body", attempts=2,
                              last_error="ConnectionRefusedError",
                              next_attempt_at=datetime.now(UTC) + timedelta(hours=1))
        db.session.add_all([dead, waiting])
        db.session.commit()
        return dead.id, waiting.id


def test_administrators_see_dead_letters_and_mail_waiting_for_a_try(app, client, make_user):
    _rows(app)
    login(client, make_user(roles=("admin",)))
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "gone@example.org" in page and "You are invited" in page and "SMTPRecipientsRefused (1 refused)" in page
    assert "later@example.org" in page and "Reset your password" in page
    assert page.count("Send again") == 1  # only the dead letter
    learner = app.test_client()
    login(learner, make_user())
    assert learner.get("/admin/mail").status_code == 403


def test_sending_a_dead_letter_again_needs_the_form_token_and_is_audited(app, client, make_user, outbox,
                                                                        monkeypatch):
    dead_id, _ = _rows(app)
    admin = make_user(roles=("admin",))
    login(client, admin)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/admin/mail/{dead_id}/resend").status_code == 400
    with app.app_context():
        assert db.session.get(PendingMail, dead_id).state == "dead"
    page = client.get("/admin/mail").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    sent = client.post(f"/admin/mail/{dead_id}/resend", data={"csrf_token": token}, follow_redirects=True)
    assert "The message is on its way again." in sent.get_data(as_text=True)
    assert [m["To"] for m in outbox()] == ["gone@example.org"]
    with app.app_context():
        assert db.session.get(PendingMail, dead_id) is None  # delivered
        [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mail-resent"))
        assert (event.actor_id, event.target) == (admin.id, f"mail {dead_id}")
    # A message that is not a dead letter (or no longer exists) cannot be sent again by hand.
    assert client.post(f"/admin/mail/{dead_id}/resend", data={"csrf_token": token}).status_code == 404


def test_a_roster_upload_keeps_its_invitations_and_their_mail_when_the_server_refuses(app, client, make_user,
                                                                                      monkeypatch):
    import io
    import smtplib

    from tests.support.smtp import RefusingSMTP
    from trainer.models import Invitation
    from trainer.services import job_worker

    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example")
    monkeypatch.setattr(smtplib, "SMTP", RefusingSMTP)
    login(client, make_user(roles=("trainer",)))
    cohort_id = int(client.post("/cohorts", data={"name": "C"}).headers["Location"].rsplit("/", 1)[1])
    roster = "name,email\n" + "".join(f"Person {i},person{i}@example.org\n" for i in range(3))
    answer = client.post(f"/cohorts/{cohort_id}/roster", data={"roster": (io.BytesIO(roster.encode()), "list.csv")})
    assert answer.status_code == 200
    job_worker.wait_all()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 3
        kept = list(db.session.scalars(sa.select(PendingMail)))
        assert sorted(m.recipient for m in kept) == [f"person{i}@example.org" for i in range(3)]
        assert all(m.attempts == 1 and m.state == "pending" and m.next_attempt_at for m in kept)
