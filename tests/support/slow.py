"""Module-level functions for tests that run code in a child process (which imports them by name)."""
from __future__ import annotations

import os
import time


def add(a: int, b: int) -> int:
    return a + b


def fail(message: str) -> None:
    raise ValueError(message)


def never_returns(*_args) -> None:
    while True:
        time.sleep(0.05)


def pid() -> int:
    return os.getpid()
