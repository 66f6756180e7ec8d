"""Stand-ins for smtplib.SMTP, for tests of mail that is sent or refused."""
from __future__ import annotations

import smtplib


class WorkingSMTP:
    """Accepts every message; `sent` lists the recipients (reset it in the test)."""

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


class RefusingSMTP(WorkingSMTP):
    """Refuses the recipient, repeating the address in its answer as real servers do."""

    def send_message(self, msg):
        to = str(msg["To"])
        raise smtplib.SMTPRecipientsRefused({to: (550, f"5.1.1 <{to}>: Recipient address rejected".encode())})
