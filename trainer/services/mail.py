"""Outgoing mail. SMTP when configured, otherwise an outbox folder; never lost silently.

Mail a request sends is written as a `pending_mail` row in the request's own transaction
(`queue`) and, once the response has been sent, delivered by a short-lived thread
(`deliver_in_background`): no answer waits for the mail server, and no answer takes longer
because a message was sent.
A delivery claims each row before sending it, so two deliveries that overlap never send a message
twice; a message that cannot be handed over stays, is logged, and `flask --app wsgi mail retry`
tries again. A job worker can later take the same rows by calling `deliver`.
"""
from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from flask import after_this_request, current_app, g, has_request_context

from trainer.extensions import db
from trainer.models import PendingMail

log = logging.getLogger(__name__)

# A claim older than this belongs to a delivery that died (a restart mid-send): the row is free
# again. Longer than any SMTP conversation, each of whose steps waits at most MAIL_TIMEOUT.
CLAIM_EXPIRES = timedelta(minutes=15)
# A background delivery starts once its response is sent, or after this many seconds at most.
START_AT_LATEST = 1.0
# Background deliveries not finished yet: thread -> "its response has been sent".
_running: dict[threading.Thread, threading.Event] = {}
_running_lock = threading.Lock()


def _message(recipient: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid()
    msg.set_content(body)
    return msg


def _deliver(msg: EmailMessage) -> None:
    cfg = current_app.config
    if not cfg["MAIL_SERVER"]:
        outbox = Path(cfg["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = outbox / f"{stamp}.eml"
        path.write_bytes(bytes(msg))
        log.info("mail %s written to %s", msg["Message-ID"], path)
        return
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)
    log.info("mail %s sent", msg["Message-ID"])


def _reason(exc: Exception) -> str:
    """Why a send failed, for the log: the kind of error and the server's code, never its text,
    which often repeats the recipient's address."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__} {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"{type(exc).__name__} ({len(exc.recipients)} refused)"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return type(exc).__name__


def send_mail(recipient: str, subject: str, body: str) -> bool:
    """Send now; on failure keep the message for a retry. Returns whether it went out."""
    try:
        _deliver(_message(recipient, subject, body))
        return True
    except (OSError, smtplib.SMTPException) as exc:
        item = PendingMail(recipient=recipient, subject=subject, body=body, last_error=str(exc)[:500])
        db.session.add(item)
        db.session.flush()
        log.error("mail %s failed, kept for retry: %s", item.id, _reason(exc))
        return False


def queue(recipient: str, subject: str, body: str) -> int:
    """Keep a message to be sent once the caller's transaction commits; returns its id for
    `deliver_in_background` (or a worker). Nothing leaves the machine here."""
    item = PendingMail(recipient=recipient, subject=subject, body=body, attempts=0)
    db.session.add(item)
    db.session.flush()
    return item.id


def deliver_in_background(ids: Iterable[int]) -> None:
    """Send the queued messages `ids` from a short-lived thread, once the response has been sent.

    Call it after the commit that stored them. The thread starts now and begins sending when the
    server closes the response (or after `START_AT_LATEST`, for servers that skip that step), so
    the answer neither waits for the mail server nor shares its time with the delivery. Outside
    a request (commands) the messages are sent at once instead. A process that exits waits for
    the thread; one that is killed leaves the rows for `flask mail retry`.
    """
    ids = list(ids)
    if not ids:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not has_request_context():
        deliver(ids)
        return
    sent = threading.Event()
    thread = threading.Thread(target=_deliver_later, args=(app, ids, sent, g.get("request_id")),
                              name="mail-delivery", daemon=False)
    with _running_lock:
        _running[thread] = sent
    thread.start()

    @after_this_request
    def _start_once_sent(response):
        response.call_on_close(sent.set)
        return response


def _deliver_later(app, ids: list[int], response_sent: threading.Event, request_id: str | None) -> None:
    response_sent.wait(START_AT_LATEST)
    try:
        with app.app_context():
            g.request_id = request_id  # its log lines belong to the request that queued the mail
            deliver(ids)
    except Exception:  # noqa: BLE001 - nobody is waiting for this thread; the rows stay for `mail retry`
        log.exception("delivering mail %s in the background failed", ids)
    finally:
        with _running_lock:
            _running.pop(threading.current_thread(), None)


def wait_for_deliveries(timeout: float | None = None) -> None:
    """Send what is waiting in the background now, and wait until it is done (a clean shutdown, or a
    test that reads the outbox)."""
    with _running_lock:
        running = list(_running.items())
    for thread, response_sent in running:
        response_sent.set()
        thread.join(timeout)


def deliver(ids: Iterable[int]) -> int:
    """Send each of these kept messages that no other delivery holds; returns how many went out.

    Each row is claimed, sent, then deleted, or released with its error for a later retry.
    It commits after every step (a claim must be visible to other deliveries at once), so call it
    outside any unit of work of your own: in its own thread, from a command or from a worker.
    """
    sent = 0
    for item_id in ids:
        item = _claim(item_id)
        if item is None:
            continue
        try:
            _deliver(_message(item.recipient, item.subject, item.body))
        except (OSError, smtplib.SMTPException) as exc:
            log.error("mail %s failed, kept for retry: %s", item.id, _reason(exc))
            item.attempts += 1
            item.last_error = str(exc)[:500]
            item.last_attempt_at = datetime.now(UTC)
            item.claimed_at = None
        else:
            db.session.delete(item)
            sent += 1
        db.session.commit()
    return sent


def _claim(item_id: int) -> PendingMail | None:
    """The row, if this delivery is the one that gets it: one atomic UPDATE decides."""
    now = datetime.now(UTC)
    claimed = cast(sa.CursorResult[Any], db.session.execute(
        sa.update(PendingMail)
        .where(PendingMail.id == item_id,
               sa.or_(PendingMail.claimed_at.is_(None), PendingMail.claimed_at < now - CLAIM_EXPIRES))
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)))
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    return db.session.get(PendingMail, item_id, populate_existing=True)


def retry_pending() -> tuple[int, int]:
    """Try every kept message once more (except those another delivery is sending right now).
    Returns (sent, still pending)."""
    ids = db.session.scalars(sa.select(PendingMail.id).order_by(PendingMail.id)).all()
    sent = deliver(ids)
    return sent, len(ids) - sent
