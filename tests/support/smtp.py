"""Stand-ins for smtplib.SMTP, for tests of mail that is sent or refused, and a mail server that
never answers."""
from __future__ import annotations

import smtplib
import socket
import threading


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


class SilentMailServer:
    """A mail server that accepts connections and never says a word (a hung SMTP relay)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections.append(connection)

    def close(self):
        if not self.running:
            return
        self.running = False
        self.thread.join()
        self.listener.close()
        for connection in self.connections:
            connection.close()
