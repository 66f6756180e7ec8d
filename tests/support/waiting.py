"""Waiting for a condition, never for a fixed time: a busy machine only makes the wait longer.

Each wait has a deadline far beyond what a quiet machine needs, so a test fails when something
never happens, not when the machine is slow."""
from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Callable

# Long enough for a machine running several test suites at once.
PATIENCE = 60.0


def wait_for(condition: Callable[[], object], seconds: float = PATIENCE, interval: float = 0.05) -> bool:
    """Poll ``condition`` until it is true; False if it never was within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def answers(url: str) -> bool:
    """The server at ``url`` answered (any status below 500 counts; an error page still answers)."""
    try:
        urllib.request.urlopen(url, timeout=5).read()
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False
    return True


def wait_for_url(url: str, seconds: float = PATIENCE) -> None:
    """Wait until a server just started answers at ``url``."""
    if not wait_for(lambda: answers(url), seconds, interval=0.2):
        raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def free_port() -> int:
    """A port on the loopback address that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
