"""Outgoing mail. SMTP when configured, otherwise an outbox folder; never lost silently.

A message that cannot be handed over is kept in `pending_mail` and logged, and
`flask --app wsgi mail retry` tries again.
"""
from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from trainer.extensions import db
from trainer.models import PendingMail

log = logging.getLogger(__name__)


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
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = outbox / f"{stamp}.eml"
        path.write_bytes(bytes(msg))
        log.info("mail to %s written to %s", msg["To"], path)
        return
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)
    log.info("mail to %s sent", msg["To"])


def send_mail(recipient: str, subject: str, body: str) -> bool:
    """Send now; on failure keep the message for a retry. Returns whether it went out."""
    try:
        _deliver(_message(recipient, subject, body))
        return True
    except (OSError, smtplib.SMTPException) as exc:
        log.error("mail to %s failed, kept for retry: %s", recipient, exc)
        db.session.add(PendingMail(recipient=recipient, subject=subject, body=body,
                                   last_error=str(exc)[:500]))
        db.session.flush()
        return False


def retry_pending() -> tuple[int, int]:
    """Try every kept message once more. Returns (sent, still pending)."""
    sent = 0
    pending = db.session.scalars(sa.select(PendingMail).order_by(PendingMail.id)).all()
    for item in pending:
        try:
            _deliver(_message(item.recipient, item.subject, item.body))
        except (OSError, smtplib.SMTPException) as exc:
            item.attempts += 1
            item.last_error = str(exc)[:500]
            item.last_attempt_at = datetime.now(timezone.utc)
            continue
        db.session.delete(item)
        sent += 1
    db.session.flush()
    return sent, len(pending) - sent
