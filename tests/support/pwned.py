"""A stand-in for the Pwned Passwords range API on 127.0.0.1, so no test leaves the machine.

It answers `GET <prefix>` as the real service does: one `SUFFIX:COUNT` line per known hash with
that SHA-1 prefix, and with `Add-Padding: true`, extra decoy lines of count 0.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.waiting import free_port

BREACHED = "lantern-orchard-cobalt-41"  # strong by zxcvbn, but the stand-in lists it
CLEAN = "meadow-compass-violet-17"  # listed only as padding, with count 0


def sha1(password: str) -> str:
    return hashlib.sha1(password.encode("utf-8")).hexdigest().upper()


class PwnedStub:
    """Serves `breached` ({password: count}); `decoys` are passwords listed with count 0 as
    padding. `mode` switches to failures: "error" (HTTP 500), "slow" (answers after `delay`
    seconds), "drip" (a line every `delay / 5` seconds, never finishing in time) or "garbage"
    (200 with a body that is not a range list)."""

    def __init__(self) -> None:
        self.breached: dict[str, int] = {}
        self.decoys: list[str] = []
        self.mode = "ok"
        self.delay = 1.0
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers) as received
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                stub.requests.append((self.path, dict(self.headers)))
                stub.answer(self)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/range/"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> PwnedStub:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def lines(self, prefix: str, padded: bool) -> list[str]:
        known = [f"{sha1(p)[5:]}:{n}" for p, n in self.breached.items() if sha1(p).startswith(prefix)]
        if not padded:
            return known
        decoys = [f"{sha1(p)[5:]}:0" for p in self.decoys if sha1(p).startswith(prefix)]
        filler = [f"{secrets.token_hex(18)[:35].upper()}:0" for _ in range(800)]
        return known + decoys + filler

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "error":
            handler.send_error(500)
            return
        prefix = handler.path.rsplit("/", 1)[-1]
        padded = handler.headers.get("Add-Padding", "").lower() == "true"
        body = "oops, not a list" if self.mode == "garbage" else "\r\n".join(self.lines(prefix, padded))
        data = body.encode()
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            for line in data.splitlines(keepends=True) if self.mode == "drip" else [data]:
                handler.wfile.write(line)
                handler.wfile.flush()
                if self.mode == "drip":
                    time.sleep(self.delay / 5)
        except OSError:  # the client gave up waiting
            pass


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens: connections are refused."""
    return f"http://127.0.0.1:{free_port()}/range/"


@contextmanager
def serving(app, monkeypatch):
    """The stand-in, listing BREACHED (and CLEAN as padding), with the app pointed at it."""
    with PwnedStub() as stub:
        stub.breached[BREACHED] = 4127
        stub.decoys.append(CLEAN)
        monkeypatch.setitem(app.config, "PWNED_PASSWORDS_URL", stub.url)
        # Generous: an answer from this machine must never be taken for a service that is down.
        # The tests of a slow service shorten it and slow the stand-in far beyond it.
        monkeypatch.setitem(app.config, "PWNED_PASSWORDS_TIMEOUT", 30)
        yield stub
