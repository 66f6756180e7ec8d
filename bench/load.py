"""Loopback load tests with gunicorn and wrk: the app's pages beside a bare hello-world.

Both servers run at once with the same worker settings; wrk loads them in turn, A B A B …, so
a noisy machine slows both alike and the ratio stays meaningful. Medians are reported.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
CONNECTIONS = 32
DURATION = "5s"
ROUNDS = 3


@dataclass
class WrkResult:
    rps: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


@contextmanager
def gunicorn(app: str, env: dict[str, str], probe: str = "/"):
    """Serve `app` with gunicorn sync workers on a free loopback port; yields the base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-k", "sync", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", app]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + probe)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def wrk(url: str, duration: str = DURATION, script: str | None = None) -> WrkResult:
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}", "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return WrkResult(rps, p99_ms, errors)


@contextmanager
def app_environment():
    """A migrated SQLite database with the demo accounts, in a temporary folder."""
    folder = tempfile.mkdtemp(prefix="trainer-bench-")
    env = {"TRAINER_ENV": "development", "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite",
           "SECRET_KEY": "bench-only", "MAIL_OUTBOX": f"{folder}/outbox", "RATELIMIT_ENABLED": "0"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["demo", "seed"], ["courses", "import", "courses/"]):
        subprocess.run(flask + args, cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)
    try:
        yield env
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def compare(label: str, app_url: str, base_url: str, script: str | None = None) -> dict:
    """Load the app's page and the baseline in turn; report medians and the median ratio."""
    wrk(app_url, "1s", script)
    wrk(base_url, "1s")  # warm both up
    pairs = []
    for _ in range(ROUNDS):
        a = wrk(app_url, script=script)
        b = wrk(base_url)
        pairs.append((a, b))
    result = {
        "label": label,
        "rps": statistics.median(a.rps for a, _ in pairs),
        "p99_ms": statistics.median(a.p99_ms for a, _ in pairs),
        "baseline_rps": statistics.median(b.rps for _, b in pairs),
        "baseline_p99_ms": statistics.median(b.p99_ms for _, b in pairs),
        "ratio": statistics.median(a.rps / b.rps for a, b in pairs),
        "errors": sum(a.errors for a, _ in pairs),
    }
    print(f"{label:<28} {result['rps']:>8.0f} req/s  p99 {result['p99_ms']:>7.1f} ms   "
          f"hello-world {result['baseline_rps']:>8.0f} req/s  p99 {result['baseline_p99_ms']:>7.1f} ms   "
          f"ratio {result['ratio']:.2f}   errors {result['errors']}", flush=True)
    return result


LESSON = "/courses/core/what-it-is"
QUIZ = "/courses/core/check-foundations"
PRETEST = "/courses/core/assessment/pre-test"
MY_LEARNING = "/learning"
COURSE = "/courses/core"
PRIVACY = "/privacy"  # text and the layout only: a signed-in page's floor


def signed_in_session(base_url: str) -> tuple[str, str]:
    """Sign in as the demo resident; returns (session cookie, CSRF token for that session)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base_url + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": "resident@example.org",
                                   "password": "demo-resident-violet-kettle"}).encode()
    opener.open(base_url + "/login", form).read()
    _take_pretest(opener, base_url)
    page = opener.open(base_url + QUIZ).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token


def _take_pretest(opener: urllib.request.OpenerDirector, base_url: str) -> None:
    """The course opens with a pre-test: take it (unanswered, every statement rated in the
    middle), so that its lessons and quizzes answer with their pages rather than a redirect."""
    page = opener.open(base_url + PRETEST).read().decode()
    if 'name="token"' not in page:
        return  # taken already, or the course has none
    fields = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
              "token": re.search(r'name="token" value="([^"]+)"', page).group(1), "unanswered": "submit"}
    fields.update({name: "3" for name in set(re.findall(r'name="(confidence-\d+)"', page))})
    opener.open(base_url + PRETEST, urllib.parse.urlencode(fields).encode()).read()


def expect_page(url: str, cookie: str | None = None) -> None:
    """Refuse to measure a URL that does not answer 200 itself: wrk counts a redirect as a
    success, so a page that sends the reader elsewhere would be measured as that redirect."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    try:
        status = urllib.request.build_opener(NoRedirect).open(request).status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"{url} answers {status}, not its page: nothing to measure")


def lua_script(cookie: str, csrf: str | None = None) -> str:
    """A wrk script sending the session cookie; with a CSRF token, quiz attempts: the quiz page
    (which opens a form and draws its questions), then that form submitted with an empty answer
    sheet, confirmed as sent with its questions unanswered (graded and recorded like any other), in
    turn. A submission needs a form the server
    issued, so the script sends the token of the last page it read; with many connections on one
    account, several send the same form, which is answered as a double submission."""
    lines = [f'wrk.headers["Cookie"] = "{cookie}"']
    if csrf:
        lines += [
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
            'local token = nil',
            'request = function()',
            f'  if token == nil then return wrk.format("GET", "{QUIZ}") end',
            f'  local body = "csrf_token={urllib.parse.quote(csrf)}&unanswered=submit&token=" .. token',
            '  token = nil',
            '  return wrk.format("POST", nil, nil, body)',
            'end',
            'response = function(status, headers, body)',
            """  local found = string.match(body, 'name="token" value="([^"]+)"')""",
            '  if found then token = found end',
            'end',
        ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
    return handle.name


def run() -> list[dict]:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `make bench` installs Debian's wrk")
    print(f"Loopback load: gunicorn -k sync -w {WORKERS}, wrk -t2 -c{CONNECTIONS} -d{DURATION}, "
          f"{ROUNDS} rounds alternating with hello-world; medians")
    with app_environment() as env, gunicorn("wsgi:app", env, "/healthz") as app_url, \
            gunicorn("bench.hello:app", {}) as base_url:
        cookie, csrf = signed_in_session(app_url)
        for path in (PRIVACY, LESSON, QUIZ, MY_LEARNING, COURSE):
            expect_page(app_url + path, cookie)
        # The health check is the app's floor: its middleware and one query, no page to render.
        results = [compare("health check GET /healthz", app_url + "/healthz", base_url + "/"),
                   compare("sign-in page GET /login", app_url + "/login", base_url + "/"),
                   # A signed-in page's floor: the session, the reader and the layout around text.
                   compare("privacy notice (signed in)", app_url + PRIVACY, base_url + "/", lua_script(cookie)),
                   compare("lesson page (signed in)", app_url + LESSON, base_url + "/", lua_script(cookie)),
                   compare("My learning (signed in)", app_url + MY_LEARNING, base_url + "/", lua_script(cookie)),
                   compare("course page (signed in)", app_url + COURSE, base_url + "/", lua_script(cookie))]
        quiz = compare("quiz page + submission", app_url + QUIZ + "/quiz", base_url + "/", lua_script(cookie, csrf))
        results.append(quiz)
        return results
