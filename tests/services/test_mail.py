"""Mail goes out, or is kept and retried; it is never lost silently."""
from __future__ import annotations

import smtplib

from trainer.extensions import db
from trainer.models import PendingMail
from trainer.services import mail


def test_without_smtp_mail_goes_to_the_outbox(app, outbox):
    with app.app_context():
        assert mail.send_mail("a@example.org", "Subject", "Body with ünïcode")
    [message] = outbox()
    assert message["To"] == "a@example.org" and "ünïcode" in message.get_content()


class BrokenSMTP:
    def __init__(self, *args, **kwargs):
        raise ConnectionRefusedError("no server")


class WorkingSMTP:
    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, msg):
        WorkingSMTP.sent.append(msg["To"])


def test_failed_send_is_kept_and_retried(app, monkeypatch, count_rows, runner):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.invalid")
    monkeypatch.setattr(smtplib, "SMTP", BrokenSMTP)
    with app.app_context():
        assert not mail.send_mail("a@example.org", "Subject", "Body")
        db.session.commit()
    assert count_rows(PendingMail) == 1

    result = runner.invoke(args=["mail", "retry"])
    assert "Sent 0; 1 still waiting." in result.output
    with app.app_context():
        assert db.session.scalar(db.select(PendingMail)).attempts == 2

    monkeypatch.setattr(smtplib, "SMTP", WorkingSMTP)
    result = runner.invoke(args=["mail", "retry"])
    assert "Sent 1; 0 still waiting." in result.output
    assert WorkingSMTP.sent == ["a@example.org"]
    assert count_rows(PendingMail) == 0


def test_password_reset_still_answers_when_mail_fails(app, client, make_user, monkeypatch, count_rows):
    user = make_user()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.invalid")
    monkeypatch.setattr(smtplib, "SMTP", BrokenSMTP)
    response = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    assert "If an account uses that address" in response.get_data(as_text=True)
    assert count_rows(PendingMail) == 1
