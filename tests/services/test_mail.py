"""Mail is written to the outbox with the work that sends it, and delivered after the commit by a
worker; it is retried with growing pauses, kept as a dead letter after the last try, never lost
and never sent twice at once."""
from __future__ import annotations

import smtplib
import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.smtp import RefusingSMTP, WorkingSMTP
from trainer.extensions import db
from trainer.models import AuditEvent, PendingMail
from trainer.services import mail


class BrokenSMTP:
    def __init__(self, *args, **kwargs):
        raise ConnectionRefusedError("no server")


@pytest.fixture
def no_worker(app, monkeypatch):
    """Commits hand nothing to a worker: the test delivers by hand."""
    monkeypatch.setitem(app.config, "JOBS_EMBEDDED_WORKER", False)


def _queue(app, count: int = 1) -> list[int]:
    with app.app_context():
        ids = [mail.queue(f"person{i}@example.org", "Subject", "Body") for i in range(count)]
        db.session.commit()
    return ids


def _item(app, item_id: int) -> PendingMail:
    with app.app_context():
        item = db.session.get(PendingMail, item_id)
        db.session.expunge(item)
        return item


def test_mail_goes_out_after_the_commit_and_not_before(app, outbox, count_rows):
    with app.app_context():
        assert mail.send_mail("a@example.org", "Subject", "Body with ünïcode")
        assert outbox() == []  # written, not sent: the transaction is still open
        db.session.commit()
    [message] = outbox()
    assert message["To"] == "a@example.org" and "ünïcode" in message.get_content()
    assert count_rows(PendingMail) == 0


def test_mail_of_work_that_is_rolled_back_is_never_sent(app, outbox, count_rows):
    with app.app_context():
        mail.queue("a@example.org", "Subject", "Body")
        db.session.rollback()
        db.session.commit()
    assert outbox() == [] and count_rows(PendingMail) == 0


def test_a_failed_send_is_tried_again_after_a_growing_pause_then_kept_as_a_dead_letter(app, monkeypatch,
                                                                                      no_worker):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.invalid")
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    monkeypatch.setattr(smtplib, "SMTP", BrokenSMTP)
    [item_id] = _queue(app)
    now = datetime.now(UTC)
    pause = timedelta(seconds=app.config["MAIL_RETRY_SECONDS"])
    with app.app_context():
        assert mail.deliver_due(now) == 1
        item = db.session.get(PendingMail, item_id)
        assert (item.attempts, item.state, item.claimed_at) == (1, "pending", None)
        assert item.last_error == "ConnectionRefusedError"
        assert item.next_attempt_at >= now + pause
        assert mail.deliver_due(now + pause / 2) == 0  # not yet
        assert mail.deliver_due(now + pause + timedelta(seconds=5)) == 1
        item = db.session.get(PendingMail, item_id, populate_existing=True)
        assert item.attempts == 2 and item.next_attempt_at >= item.last_attempt_at + 2 * pause  # doubled
        assert mail.deliver_due(now + timedelta(days=1)) == 1
        item = db.session.get(PendingMail, item_id, populate_existing=True)
        assert (item.attempts, item.state) == (3, "dead")
        assert mail.deliver_due(now + timedelta(days=2)) == 0  # a dead letter waits for an administrator
        assert mail.retry_pending() == (0, 0)


def test_the_error_kept_never_repeats_the_address(app, monkeypatch, no_worker):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example")
    monkeypatch.setattr(smtplib, "SMTP", RefusingSMTP)
    [item_id] = _queue(app)
    with app.app_context():
        assert mail.deliver([item_id]) == 0
    item = _item(app, item_id)
    assert item.last_error == "SMTPRecipientsRefused (1 refused)" and "@" not in item.last_error


def test_mail_retry_sends_what_waits_whatever_its_pause(app, monkeypatch, count_rows, runner, no_worker):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.invalid")
    monkeypatch.setattr(smtplib, "SMTP", BrokenSMTP)
    [item_id] = _queue(app)
    with app.app_context():
        assert mail.deliver([item_id]) == 0
    result = runner.invoke(args=["mail", "retry"])
    assert "Sent 0; 1 still waiting." in result.output
    assert _item(app, item_id).attempts == 2
    monkeypatch.setattr(smtplib, "SMTP", WorkingSMTP)
    WorkingSMTP.sent = []
    assert "Sent 1; 0 still waiting." in runner.invoke(args=["mail", "retry"]).output
    assert WorkingSMTP.sent == ["person0@example.org"] and count_rows(PendingMail) == 0


def test_an_administrator_sends_a_dead_letter_again(app, make_user, monkeypatch, outbox, no_worker):
    from trainer.models import User

    admin = make_user(roles=("learner", "admin"))
    learner = make_user()
    [item_id] = _queue(app)
    with app.app_context():
        db.session.get(PendingMail, item_id).state = "dead"
        db.session.commit()
        with pytest.raises(mail.NotAllowed):
            mail.resend(db.session.get(User, learner.id), item_id)
        [dead] = mail.dead_letters(db.session.get(User, admin.id))
        assert dead.id == item_id
        mail.resend(db.session.get(User, admin.id), item_id)
        db.session.commit()
        item = db.session.get(PendingMail, item_id)
        assert (item.state, item.attempts) == ("pending", 0)
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "mail-resent"))
        assert (event.actor_id, event.target) == (admin.id, f"mail {item_id}")
        with pytest.raises(mail.NotFound):  # only dead letters are sent again by hand
            mail.resend(db.session.get(User, admin.id), item_id)
        assert mail.deliver_due() == 1
    assert [m["To"] for m in outbox()] == ["person0@example.org"]


def test_overlapping_deliveries_never_send_a_message_twice(app, monkeypatch, count_rows, no_worker):
    """While one delivery is talking to the mail server, another (a second worker, or `flask mail
    retry`) starts on the same rows: each message still goes out once."""
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


def test_a_claim_left_by_a_delivery_that_died_expires(app, outbox, no_worker):
    [item_id] = _queue(app)
    with app.app_context():
        assert mail._claim(item_id) is not None  # then the process stops before sending
        assert mail.deliver([item_id]) == 0 and mail.due_ids() == []
        db.session.get(PendingMail, item_id).claimed_at = datetime.now(UTC) - mail._claim_expires() \
            - timedelta(seconds=1)
        db.session.commit()
        assert mail.due_ids() == [item_id]
        created = db.session.get(PendingMail, item_id).created_at
        assert mail.deliver([item_id]) == 1  # this try reaches the server
    [message] = outbox()
    assert message["Message-ID"] == f"<{created:%Y%m%d%H%M%S.%f}.{item_id}@127.0.0.1>"  # the same on every try


def test_in_a_request_the_answer_never_waits_for_the_mail(app, client, make_user, outbox, count_rows,
                                                        monkeypatch):
    user = make_user()
    sending, release, real_deliver = threading.Event(), threading.Event(), mail._deliver

    def slow_deliver(msg):
        sending.set()
        assert release.wait(30), "the answer waited for the mail"
        real_deliver(msg)

    monkeypatch.setattr(mail, "_deliver", slow_deliver)
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302 and not release.is_set()  # answered while the mail is held back
    assert sending.wait(10)
    with app.app_context():  # the message, written in the request's transaction, is being sent
        assert db.session.scalar(db.select(PendingMail)).claimed_at is not None
    release.set()
    assert [m["To"] for m in outbox()] == [user.email] and count_rows(PendingMail) == 0


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


def test_mail_written_before_a_savepoint_that_is_rolled_back_is_handed_over_at_the_commit(app, monkeypatch):
    from trainer.services import jobs

    handed: list[list[int]] = []
    monkeypatch.setattr(jobs, "dispatch", lambda _app, job_ids, mail_ids: handed.append(mail_ids))
    with app.app_context():
        kept = mail.queue("kept@example.org", "Subject", "Body")
        try:
            with db.session.begin_nested():
                mail.queue("dropped@example.org", "Subject", "Body")
                raise ValueError("a conflict, say")
        except ValueError:
            pass
        assert handed == []  # nothing before the commit
        db.session.commit()
        assert len(handed) == 1 and kept in handed[0]
        mail.queue("rolled-back@example.org", "Subject", "Body")
        db.session.rollback()
        db.session.commit()
    assert len(handed) == 1  # a transaction rolled back hands nothing over


def test_no_transaction_stays_open_while_the_mail_server_takes_its_time(app, monkeypatch, no_worker):
    """An open read would hold a snapshot on PostgreSQL, and keep SQLite from checkpointing."""
    [item_id] = _queue(app)
    open_during_send: list[bool] = []
    real_deliver = mail._deliver
    monkeypatch.setattr(mail, "_deliver", lambda msg: open_during_send.append(db.session().in_transaction())
                        or real_deliver(msg))
    with app.app_context():
        assert mail.deliver([item_id]) == 1
    assert open_during_send == [False]
