"""Mail goes out, or is kept and retried; it is never lost silently."""
from __future__ import annotations

import smtplib
import threading
from datetime import UTC

from tests.support.smtp import WorkingSMTP
from tests.support.waiting import wait_for
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
    mail.wait_for_deliveries()
    assert count_rows(PendingMail) == 1
    with app.app_context():
        assert db.session.scalar(db.select(PendingMail)).attempts == 1


def _queue(app, count: int = 1) -> list[int]:
    with app.app_context():
        ids = [mail.queue(f"person{i}@example.org", "Subject", "Body") for i in range(count)]
        db.session.commit()
    return ids


def test_queued_mail_waits_for_the_commit_and_goes_out_once(app, outbox, count_rows):
    [item_id] = _queue(app)
    assert outbox() == [] and count_rows(PendingMail) == 1
    with app.app_context():
        assert mail.deliver([item_id]) == 1
        assert mail.deliver([item_id]) == 0  # delivered rows are gone
    assert [m["To"] for m in outbox()] == ["person0@example.org"] and count_rows(PendingMail) == 0


def test_a_failed_delivery_keeps_the_message_for_retry(app, monkeypatch, count_rows, runner):
    [item_id] = _queue(app)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.invalid")
    monkeypatch.setattr(smtplib, "SMTP", BrokenSMTP)
    with app.app_context():
        assert mail.deliver([item_id]) == 0
        item = db.session.get(PendingMail, item_id)
        assert (item.attempts, item.claimed_at) == (1, None) and "no server" in item.last_error
    monkeypatch.setattr(smtplib, "SMTP", WorkingSMTP)
    WorkingSMTP.sent = []
    assert "Sent 1; 0 still waiting." in runner.invoke(args=["mail", "retry"]).output
    assert WorkingSMTP.sent == ["person0@example.org"] and count_rows(PendingMail) == 0


def test_overlapping_deliveries_never_send_a_message_twice(app, monkeypatch, count_rows):
    """While one delivery is talking to the mail server, another (after a second response, or
    `flask mail retry`) starts on the same rows: each message still goes out once."""
    ids = _queue(app, 2)
    sent, inner, overlapped = [], [], []

    class OverlappingSMTP(WorkingSMTP):
        def send_message(self, msg):
            if not overlapped:  # in the middle of the first send, a second delivery runs in full
                overlapped.append(True)
                with app.app_context():
                    inner.append(mail.deliver(ids))
                    inner.append(mail.retry_pending())
            sent.append(msg["To"])

    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example")
    monkeypatch.setattr(smtplib, "SMTP", OverlappingSMTP)
    with app.app_context():
        assert mail.deliver(ids) == 1  # the second message went out in the other delivery
    assert sorted(sent) == ["person0@example.org", "person1@example.org"]
    assert inner == [1, (0, 1)]  # the other took the free message, and left the claimed one alone
    assert count_rows(PendingMail) == 0


def test_a_claim_left_by_a_delivery_that_died_expires(app, outbox):
    from datetime import datetime, timedelta

    [item_id] = _queue(app)
    with app.app_context():
        assert mail._claim(item_id) is not None  # then the process stops before sending
        assert mail.deliver([item_id]) == 0
        db.session.get(PendingMail, item_id).claimed_at = datetime.now(UTC) - mail.CLAIM_EXPIRES \
            - timedelta(seconds=1)
        db.session.commit()
        assert mail.deliver([item_id]) == 1
    assert len(outbox()) == 1


def test_outside_a_request_queued_mail_is_delivered_at_once(app, outbox):
    [item_id] = _queue(app)
    with app.app_context():
        mail.deliver_in_background([item_id])
    assert len(outbox()) == 1


def test_in_a_request_mail_goes_out_once_the_answer_is_sent(app, client, make_user, outbox, count_rows,
                                                            monkeypatch):
    user = make_user()
    sending, release, real_deliver = threading.Event(), threading.Event(), mail._deliver

    def slow_deliver(msg):
        sending.set()
        assert release.wait(30), "the answer waited for the mail"
        real_deliver(msg)

    monkeypatch.setattr(mail, "_deliver", slow_deliver)
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302 and not sending.is_set()  # nothing is sent before the answer
    response.close()  # what the server does once the answer is sent
    assert sending.wait(10)
    with app.app_context():  # the message, written in the request's transaction, is being sent
        assert db.session.scalar(db.select(PendingMail)).claimed_at is not None
    release.set()
    assert [m["To"] for m in outbox()] == [user.email] and count_rows(PendingMail) == 0


def test_mail_still_goes_out_when_the_server_never_closes_the_response(app, client, make_user, count_rows,
                                                                       monkeypatch):
    monkeypatch.setattr(mail, "START_AT_LATEST", 0.05)
    client.post("/password/forgot", data={"email": make_user().email})
    assert wait_for(lambda: count_rows(PendingMail) == 0)
