"""Two app processes on different ports, one PostgreSQL and one Redis: a session started on one
continues on the other, and the sign-in limit counts attempts made on both (through Redis)."""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import flask_migrate
import pytest

from tests.conftest import build_app
from trainer.extensions import db
from trainer.services import accounts

ROOT = Path(__file__).resolve().parent.parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


@pytest.fixture(scope="module")
def two_hosts(request, database_urls, tmp_path_factory):
    if not request.config.getoption("--postgres"):
        pytest.skip("several app hosts share a PostgreSQL server; run with --postgres")
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.fail("redis-server is missing: `make test` installs Debian's redis-server")
    url = database_urls["e2e"]
    app = build_app(url)
    with app.app_context():
        flask_migrate.upgrade()
        if accounts.get_by_email("two-hosts@example.org") is None:
            accounts.register("two-hosts@example.org", "harbour-lantern-violet-42", accounts.Profile(
                name="Two Hosts", organisation="", sector="police", specialty=None, is_resident=False,
                locale=None, timezone="UTC"))
        db.session.commit()
    redis_port = _port()
    redis = subprocess.Popen([redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    env = {**os.environ, "DATABASE_URL": url.replace("postgresql+psycopg", "postgresql"), "SECRET_KEY": "shared",
           "TRAINER_ENV": "development", "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}",
           "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute", "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024",
           "MAIL_OUTBOX": str(tmp_path_factory.mktemp("outbox"))}
    ports = [_port(), _port()]
    hosts = [subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{p}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env) for p in ports]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for base in bases:
            _wait(base + "/healthz")
        yield bases
    finally:
        for process in [*hosts, redis]:
            process.terminate()
            process.wait(timeout=20)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _opener(jar):
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())


def _status(opener, url, data=None) -> int:
    try:
        return opener.open(url, urllib.parse.urlencode(data).encode() if data else None, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def _sign_in_form(opener, base) -> str:
    page = opener.open(base + "/login", timeout=10).read().decode()
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_session_started_on_one_host_continues_on_the_other(two_hosts):
    host_a, host_b = two_hosts
    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    token = _sign_in_form(opener, host_a)
    assert _status(opener, host_a + "/login", {"csrf_token": token, "email": "two-hosts@example.org",
                                               "password": "harbour-lantern-violet-42"}) == 302
    # Cookies are per host name, and both hosts are 127.0.0.1: the same cookie goes to B.
    assert _status(opener, host_b + "/profile") == 200
    assert "Two Hosts" in opener.open(host_b + "/", timeout=10).read().decode()


def test_the_sign_in_limit_counts_attempts_on_both_hosts(two_hosts):
    host_a, host_b = two_hosts
    statuses = []
    for base in (host_a, host_b, host_a, host_b):
        opener = _opener(http.cookiejar.CookieJar())
        token = _sign_in_form(opener, base)
        statuses.append(_status(opener, base + "/login", {"csrf_token": token, "email": "limited@example.org",
                                                          "password": "wrong password here"}))
    assert statuses == [200, 200, 200, 429]  # three per account per minute, wherever they are made
