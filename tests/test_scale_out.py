"""Two app processes on different ports, one PostgreSQL and one Redis: a session started on one
continues on the other and ends on both when signed out on one, and every rate limit counts the
attempts made on both (through Redis).

The processes get low limits through their environment; each test starts with the counters at
zero. Requests alternate between the hosts up to a limit, then the next one is refused on either.
Marked slow: it starts two gunicorn hosts and Redis."""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import flask_migrate
import pyotp
import pytest
import redis

from tests.conftest import build_app
from tests.support.waiting import free_port, wait_for_url
from trainer.extensions import db
from trainer.services import accounts, two_factor

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "harbour-lantern-violet-42"
# Low limits for the two processes, so each is reached in a few requests.
LIMITS = {"LOGIN_LIMIT_PER_ACCOUNT": "3 per minute", "LOGIN_LIMIT_PER_ADDRESS": "5 per minute",
          "RESET_LIMIT_PER_ADDRESS": "3 per minute", "VERIFY_LIMIT": "3 per minute",
          "REGISTER_LIMIT_PER_ADDRESS": "3 per minute"}
# Accounts with two-factor sign-in, and their authenticator secrets: three asked for a code at
# sign-in, and one for each two-factor settings form, signed in on both hosts.
TWO_FACTOR = {f"code-{name}@example.org": pyotp.random_base32() for name in "abc"}
SETTINGS = {f"settings-{name}@example.org": pyotp.random_base32() for name in "ab"}


def _account(email: str, totp_secret: str | None = None) -> None:
    if accounts.get_by_email(email) is None:
        user = accounts.register(email, PASSWORD, accounts.Profile(
            name="Two Hosts", organisation="", sector="police", specialty=None, is_resident=False,
            locale=None, timezone="UTC"))
        if totp_secret:
            two_factor.enable(user, totp_secret, pyotp.TOTP(totp_secret).now())


@pytest.fixture(scope="module")
def servers(request, database_urls, tmp_path_factory):
    if not request.config.getoption("--postgres"):
        pytest.skip("several app hosts share a PostgreSQL server; run with --postgres")
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.fail("redis-server is missing: `make test` installs Debian's redis-server")
    url = database_urls["e2e"]
    app = build_app(url)
    with app.app_context():
        flask_migrate.upgrade()
        _account("two-hosts@example.org")
        for email, secret in {**TWO_FACTOR, **SETTINGS}.items():
            _account(email, secret)
        db.session.commit()
    redis_port = free_port()
    redis_process = subprocess.Popen([redis_server, "--port", str(redis_port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    env = {**os.environ, "DATABASE_URL": url.replace("postgresql+psycopg", "postgresql"), "SECRET_KEY": "shared",
           "TRAINER_ENV": "development", "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}",
           **LIMITS, "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024",
           "MAIL_OUTBOX": str(tmp_path_factory.mktemp("outbox"))}
    ports = [free_port(), free_port()]
    hosts = [subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{p}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env) for p in ports]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for base in bases:
            wait_for_url(base + "/healthz")
        yield bases, f"redis://127.0.0.1:{redis_port}"
    finally:
        for process in [*hosts, redis_process]:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture
def two_hosts(servers):
    """The two hosts' addresses, with every rate-limit counter at zero."""
    bases, redis_url = servers
    redis.Redis.from_url(redis_url).flushall()
    return bases


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


def _token(opener, url) -> str:
    """The CSRF token of the form on the page at ``url``."""
    page = opener.open(url, timeout=10).read().decode()
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _sign_in_form(opener, base) -> str:
    return _token(opener, base + "/login")


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


def test_signing_out_on_one_host_ends_the_session_on_the_other(two_hosts):
    host_a, host_b = two_hosts
    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    assert _status(opener, host_a + "/login", {"csrf_token": _sign_in_form(opener, host_a),
                                               "email": "two-hosts@example.org", "password": PASSWORD}) == 302
    copy = http.cookiejar.CookieJar()  # the session cookie, copied before signing out
    for cookie in jar:
        copy.set_cookie(cookie)
    assert _status(opener, host_b + "/logout", {"csrf_token": _token(opener, host_b + "/profile")}) == 302
    assert _status(_opener(copy), host_a + "/profile") == 302  # to the sign-in page


def test_the_sign_in_limit_counts_attempts_on_both_hosts(two_hosts):
    host_a, host_b = two_hosts
    statuses = []
    for base in (host_a, host_b, host_a, host_b):
        opener = _opener(http.cookiejar.CookieJar())
        token = _sign_in_form(opener, base)
        statuses.append(_status(opener, base + "/login", {"csrf_token": token, "email": "limited@example.org",
                                                          "password": "wrong password here"}))
    assert statuses == [200, 200, 200, 429]  # three per account per minute, wherever they are made


def _alternating(two_hosts, attempt, limit: int, allowed: int) -> None:
    """``limit`` attempts, alternating between the hosts, get ``allowed``; the next is refused on
    either host. ``attempt(base, n)`` makes the n-th attempt on the host at ``base``."""
    statuses = [attempt(two_hosts[n % 2], n) for n in range(limit)]
    assert statuses == [allowed] * limit
    assert [attempt(base, limit + i) for i, base in enumerate(two_hosts)] == [429, 429]


def test_the_sign_in_limit_per_address_counts_attempts_on_both_hosts(two_hosts):
    def attempt(base, n):  # a different account each time, so only the address limit applies
        opener = _opener(http.cookiejar.CookieJar())
        return _status(opener, base + "/login", {"csrf_token": _sign_in_form(opener, base),
                                                 "email": f"nobody-{n}@example.org", "password": "wrong password"})

    _alternating(two_hosts, attempt, limit=5, allowed=200)


def test_the_password_reset_limit_counts_requests_on_both_hosts(two_hosts):
    def attempt(base, _n):
        opener = _opener(http.cookiejar.CookieJar())
        token = _token(opener, base + "/password/forgot")
        return _status(opener, base + "/password/forgot", {"csrf_token": token, "email": "nobody@example.org"})

    _alternating(two_hosts, attempt, limit=3, allowed=302)


def test_the_registration_limit_counts_attempts_on_both_hosts(two_hosts):
    def attempt(base, n):  # a form that fails validation still counts: each is work for the host
        opener = _opener(http.cookiejar.CookieJar())
        token = _token(opener, base + "/register")
        return _status(opener, base + "/register", {"csrf_token": token, "email": f"new-{n}@example.org"})

    _alternating(two_hosts, attempt, limit=3, allowed=200)


def _pending_sign_in(base, email):
    """A browser that has given the password of a two-factor account and is asked for a code."""
    opener = _opener(http.cookiejar.CookieJar())
    assert _status(opener, base + "/login", {"csrf_token": _sign_in_form(opener, base), "email": email,
                                             "password": PASSWORD}) == 302
    return opener


def _wrong_code(email: str) -> str:
    totp, now = pyotp.TOTP({**TWO_FACTOR, **SETTINGS}[email]), time.time()
    right = {totp.at(now + drift) for drift in (-60, -30, 0, 30, 60)}
    return next(code for code in ("000000", "111111", "222222") if code not in right)


def _code_attempt(opener, base, email) -> int:
    token = _token(opener, base + "/login/code")
    return _status(opener, base + "/login/code", {"csrf_token": token, "code": _wrong_code(email)})


def test_the_sign_in_code_limit_per_account_counts_codes_on_both_hosts(two_hosts):
    email = "code-a@example.org"
    opener = _pending_sign_in(two_hosts[0], email)  # the signed session cookie goes to both hosts
    _alternating(two_hosts, lambda base, _n: _code_attempt(opener, base, email), limit=3, allowed=200)


def test_the_sign_in_code_limit_per_address_counts_codes_on_both_hosts(two_hosts):
    # Three accounts, none past its own limit of three, so the 429s come from the address limit.
    emails = ["code-a@example.org"] * 2 + ["code-b@example.org"] * 2 + ["code-c@example.org"] * 3
    openers = {email: _pending_sign_in(two_hosts[0], email) for email in TWO_FACTOR}
    _alternating(two_hosts, lambda base, n: _code_attempt(openers[emails[n]], base, emails[n]), limit=5,
                 allowed=200)


@pytest.mark.parametrize("path, email", [("/profile/two-factor/disable", "settings-a@example.org"),
                                         ("/profile/two-factor/recovery-codes", "settings-b@example.org")])
def test_the_two_factor_settings_limit_counts_attempts_on_both_hosts(two_hosts, path, email):
    opener = _pending_sign_in(two_hosts[0], email)
    right = pyotp.TOTP(SETTINGS[email]).at(time.time() + 30)  # the current code was used to switch it on
    assert _status(opener, two_hosts[0] + "/login/code", {"csrf_token": _token(opener, two_hosts[0] + "/login/code"),
                                                          "code": right}) == 302
    token = _token(opener, two_hosts[1] + "/profile")  # one token per session, for every form

    def attempt(base, _n):  # refused (wrong or missing password and code): the page again, 400
        return _status(opener, base + path, {"csrf_token": token, "password": "wrong password",
                                             "code": _wrong_code(email)})

    _alternating(two_hosts, attempt, limit=3, allowed=400)


def test_the_data_download_limit_counts_attempts_on_both_hosts(two_hosts):
    opener = _opener(http.cookiejar.CookieJar())
    assert _status(opener, two_hosts[0] + "/login", {"csrf_token": _sign_in_form(opener, two_hosts[0]),
                                                     "email": "two-hosts@example.org", "password": PASSWORD}) == 302
    token = _token(opener, two_hosts[1] + "/profile")

    def attempt(base, _n):  # a wrong password: the page again, 400
        return _status(opener, base + "/profile/data.json", {"csrf_token": token, "download-password": "wrong"})

    _alternating(two_hosts, attempt, limit=3, allowed=400)


@pytest.mark.parametrize("path", ["/verify/NO-SUCH-CODE", "/badges/assertions/NO-SUCH-CODE.json"])
def test_the_certificate_check_limit_counts_lookups_on_both_hosts(two_hosts, path):
    _alternating(two_hosts, lambda base, _n: _status(_opener(http.cookiejar.CookieJar()), base + path), limit=3,
                 allowed=404)
