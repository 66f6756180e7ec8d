"""Worker processes for the job-queue tests: `flask --app wsgi jobs worker` on the test database,
started in a process group of its own so a test can kill it outright (SIGKILL), and a Redis server."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], bool], seconds: float = 120, message: str = "") -> None:
    """Wait for a condition, polling; fail with `message` after `seconds` (generous: a busy
    machine is slow, never wrong)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message or "the condition was not met in time")


def worker_env(database_url: str, outbox: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "TRAINER_ENV": "development", "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgresql://"),
            "MAIL_OUTBOX": outbox, "MAIL_SERVER": "", "LOG_LEVEL": "WARNING", "REDIS_URL": "",
            "JOBS_POLL_SECONDS": "0.2", **extra}


def start_worker(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", *args], cwd=ROOT,
                            env=env, start_new_session=True, stdout=subprocess.DEVNULL)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no handler runs, nothing is cleaned up, as when a machine loses power."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill(process)


@contextmanager
def redis_server() -> Iterator[str]:
    """A throw-away Redis on a free loopback port; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: `make test` installs Debian's redis-server")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        def answers() -> bool:
            try:
                return bool(redis.Redis.from_url(url).ping())
            except redis.ConnectionError:
                return False

        wait_until(answers, 30, "redis-server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
