"""Outgoing mail. SMTP when configured, otherwise an outbox folder; never lost silently.

Every message is written as a `pending_mail` row (`queue`) in the transaction of the work that
sends it, so it exists exactly when that work was committed, and is delivered by a worker once
the commit is done (services/jobs.py): no request waits for the mail server. Each delivery claims the
row first, so two workers never send it at once, and a claim that outlives CLAIM_EXPIRES belongs
to a worker that died mid-send: the row is free again. A failed send is tried again after a pause
that grows with each attempt (MAIL_RETRY_SECONDS, doubled each time); after MAIL_MAX_ATTEMPTS the
message becomes a dead letter that administrators see and can send again (/admin/mail).
A worker killed after the server took a message but before the row was deleted sends it once
more on the next try; the message keeps its Message-ID, so the receiving side can tell.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, g, has_app_context

from trainer import policy
from trainer.extensions import db
from trainer.models import PendingMail, User
from trainer.services import audit
from trainer.services.errors import NotAllowed, NotFound

log = logging.getLogger(__name__)

# A claim older than this belongs to a delivery that died (a restart mid-send): the row is free
# again. Longer than any SMTP conversation, each of whose steps waits at most MAIL_TIMEOUT.
# MAIL_CLAIM_SECONDS overrides it.
CLAIM_EXPIRES = timedelta(minutes=15)


def _claim_expires() -> timedelta:
    seconds = current_app.config.get("MAIL_CLAIM_SECONDS")
    return timedelta(seconds=seconds) if seconds else CLAIM_EXPIRES


def _message(recipient: str, subject: str, body: str, item_id: int | None = None,
             created: datetime | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Message-ID"] = _message_id(item_id, created) if item_id is not None and created else make_msgid()
    msg.set_content(body)
    return msg


def _message_id(item_id: int, created: datetime) -> str:
    """The same for every try of one kept message, unique to this site: when it was written, and
    its row."""
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    return f"<{created.strftime('%Y%m%d%H%M%S.%f')}.{item_id}@{host}>"


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
    """Keep a message for delivery after the caller's transaction commits (as `queue`). Returns
    True: it is in the outbox, which sends it, tries again, or keeps it as a dead letter."""
    queue(recipient, subject, body)
    return True


def queue(recipient: str, subject: str, body: str) -> int:
    """Keep a message to be sent once the caller's transaction commits; returns its id. Nothing
    leaves the machine here: the commit hands the message to the job queue (services/jobs.py)."""
    from trainer.services import jobs

    item = PendingMail(recipient=recipient, subject=subject, body=body, attempts=0,
                       next_attempt_at=datetime.now(UTC), request_id=_request_id())
    db.session.add(item)
    db.session.flush()
    jobs.mail_queued([item.id])
    return item.id


def _request_id() -> str:
    request_id = g.get("request_id") if has_app_context() else None
    return (request_id or "")[:64]


def deliver_in_background(ids: Iterable[int]) -> None:
    """Kept for the views that call it after their commit: the mail `queue` wrote is already on
    its way (the commit handed it to the job queue), so this only makes sure of it, harmlessly
    twice at worst; the claims keep any message from being sent twice."""
    from trainer.services import jobs

    ids = list(ids)
    if ids:
        jobs.dispatch(current_app._get_current_object(), [], ids)  # type: ignore[attr-defined]


def wait_for_deliveries(timeout: float | None = None) -> None:
    """Wait until this process's embedded workers have sent what is due (a clean shutdown, or a
    test that reads the outbox)."""
    from trainer.services import job_worker

    job_worker.wait_all(timeout)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0))


def deliver(ids: Iterable[int]) -> int:
    """Send each of these kept messages that no other delivery holds; returns how many went out.

    Each row is claimed, sent, then deleted, or released with its error and the time of its next
    try (or set aside as a dead letter after the last). It commits after every step (a claim must
    be visible to other deliveries at once), so call it outside any unit of work of your own: from
    a worker or a command.
    """
    sent = 0
    for item_id in ids:
        item = _claim(item_id)
        if item is None:
            continue
        g.request_id = item.request_id or None  # its log lines belong to the request that wrote it
        try:
            _deliver(_message(item.recipient, item.subject, item.body, item.id, item.created_at))
        except (OSError, smtplib.SMTPException) as exc:
            now = datetime.now(UTC)
            item.attempts += 1
            item.last_error = _reason(exc)[:500]
            item.last_attempt_at = now
            item.claimed_at = None
            if item.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                item.state = "dead"
                log.error("mail %s failed %d times and is kept as a dead letter: %s", item.id, item.attempts,
                          _reason(exc))
            else:
                item.next_attempt_at = now + _backoff(item.attempts)
                log.error("mail %s failed, kept for retry: %s (next try at %s)", item.id, _reason(exc),
                          item.next_attempt_at.isoformat(timespec="seconds"))
        else:
            db.session.delete(item)
            sent += 1
        db.session.commit()
    return sent


def _free(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(PendingMail.state == "pending",
                   sa.or_(PendingMail.claimed_at.is_(None), PendingMail.claimed_at < now - _claim_expires()))


def _claim(item_id: int) -> PendingMail | None:
    """The row, if this delivery is the one that gets it: one atomic UPDATE decides."""
    now = datetime.now(UTC)
    claimed = cast(sa.CursorResult[Any], db.session.execute(
        sa.update(PendingMail).where(PendingMail.id == item_id, _free(now)).values(claimed_at=now)
        .execution_options(synchronize_session=False)))
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    item = db.session.get(PendingMail, item_id, populate_existing=True)
    # No transaction stays open while the mail server takes its time: an open read would hold a
    # snapshot on PostgreSQL and stop SQLite from checkpointing its write-ahead log. The row stays
    # loaded (objects are not expired on commit).
    db.session.commit()
    return item


def due_ids(now: datetime | None = None, limit: int = 100) -> list[int]:
    """Kept messages whose next try is due and that no living delivery holds."""
    now = now or datetime.now(UTC)
    return list(db.session.scalars(
        sa.select(PendingMail.id).where(_free(now), sa.or_(PendingMail.next_attempt_at.is_(None),
                                                          PendingMail.next_attempt_at <= now))
        .order_by(PendingMail.id).limit(limit)))


def deliver_due(now: datetime | None = None) -> int:
    """One pass of a mail worker: try every message that is due. Returns how many it tried (sent
    or not), so that a worker goes on while there is anything to do."""
    ids = due_ids(now)
    db.session.rollback()  # no read transaction held while the mail server is slow
    deliver(ids)
    return len(ids)


def retry_pending() -> tuple[int, int]:
    """Try every kept message once more now, whatever its pause (except dead letters, and those
    another delivery is sending right now). Returns (sent, still pending)."""
    ids = db.session.scalars(sa.select(PendingMail.id).where(PendingMail.state == "pending")
                             .order_by(PendingMail.id)).all()
    sent = deliver(ids)
    return sent, len(ids) - sent


# The administrators' view of the outbox.

PAGE_SIZE = 100


def dead_letters(actor: User) -> list[PendingMail]:
    """Mail every try failed for, newest first."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    return list(db.session.scalars(sa.select(PendingMail).where(PendingMail.state == "dead")
                                   .order_by(PendingMail.last_attempt_at.desc(), PendingMail.id.desc())
                                   .limit(PAGE_SIZE)))


def waiting(actor: User) -> list[PendingMail]:
    """Mail still to be sent that has failed at least once, with the time of its next try."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    return list(db.session.scalars(sa.select(PendingMail).where(PendingMail.state == "pending",
                                                               PendingMail.attempts > 0)
                                   .order_by(PendingMail.next_attempt_at, PendingMail.id).limit(PAGE_SIZE)))


def resend(actor: User, item_id: int) -> PendingMail:
    """An administrator sends a dead letter again (after the mail server or the address was put
    right): it is tried once the request commits, with a full set of tries."""
    from trainer.services import jobs

    if not policy.is_admin(actor):
        raise NotAllowed()
    item = db.session.get(PendingMail, item_id)
    if item is None or item.state != "dead":
        raise NotFound()
    item.state, item.attempts, item.claimed_at = "pending", 0, None
    item.next_attempt_at = datetime.now(UTC)
    db.session.flush()
    audit.record(actor, "mail-resent", f"mail {item.id}")
    log.info("admin %s sent mail %s again", actor.id, item.id)
    jobs.mail_queued([item.id])
    return item
