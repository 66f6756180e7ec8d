"""A real Learning Record Store for the xAPI tests: Ralph (ralph-malph on PyPI), with its file-system
backend, started on a loopback port in a folder of its own.

Ralph pins its own versions of FastAPI, httpx and pydantic, so it lives in a virtualenv of its
own, `.venv-lrs`, which `make lrs` (and so `make test`) builds; RALPH_BIN may name another
`ralph` executable."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.waiting import free_port, wait_for_url

ROOT = Path(__file__).resolve().parents[2]
USERNAME = "frontline-trainer"
PASSWORD = "lrs-test-password-7"


def ralph_bin() -> Path | None:
    named = os.environ.get("RALPH_BIN")
    path = Path(named) if named else ROOT / ".venv-lrs" / "bin" / "ralph"
    return path if path.is_file() and os.access(path, os.X_OK) else None


@dataclass
class Lrs:
    endpoint: str  # the xAPI address: statements are at <endpoint>/statements
    process: subprocess.Popen

    def statements(self, **query: Any) -> list[dict[str, Any]]:
        """Every statement the LRS holds (following its "more" links)."""
        found: list[dict[str, Any]] = []
        url: str | None = f"{self.endpoint}/statements"
        params: dict[str, Any] | None = {"limit": 500, **query}
        base = self.endpoint.rsplit("/xAPI", 1)[0]
        while url:
            answer = httpx.get(url, params=params, auth=(USERNAME, PASSWORD), timeout=30,
                               headers={"X-Experience-API-Version": "1.0.3"})
            answer.raise_for_status()
            body = answer.json()
            found.extend(body["statements"])
            more = body.get("more")
            url, params = (base + more if more and more.startswith("/") else more or None), None
        return found


@contextmanager
def running_ralph(folder: Path) -> Iterator[Lrs]:
    ralph = ralph_bin()
    if ralph is None:
        # A failure, not a skip, as for redis-server and pgbouncer: `make test` installs it, so a
        # missing Ralph is a broken set-up, never a reason to pass without reading statements back.
        pytest.fail("Ralph (the LRS the xAPI tests read statements back from) is not installed: "
                    "`make lrs` builds .venv-lrs with it, or set RALPH_BIN")
    env = {**os.environ, "RALPH_APP_DIR": str(folder), "RALPH_AUTH_FILE": str(folder / "auth.json"),
           "RALPH_RUNSERVER_BACKEND": "fs",
           "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "statements")}
    subprocess.run([str(ralph), "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all",
                    "-A", USERNAME, "http://127.0.0.1", "-w"], env=env, check=True, capture_output=True)
    port = free_port()
    log = open(folder / "ralph.log", "wb")  # noqa: SIM115 - closed when the server stops
    server = Path(__file__).with_name("ralph_server.py")
    process = subprocess.Popen([str(ralph.parent / "python"), str(server), "127.0.0.1", str(port)],
                               cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_url(f"http://127.0.0.1:{port}/__heartbeat__")
        except RuntimeError:
            log.flush()
            raise RuntimeError("Ralph did not start: " + (folder / "ralph.log").read_text()[-2000:]) from None
        yield Lrs(f"http://127.0.0.1:{port}/xAPI", process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
