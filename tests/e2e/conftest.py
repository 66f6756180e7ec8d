"""End-to-end fixtures: the app served on 127.0.0.1 and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import email as email_parser
import email.policy as email_policy
import functools
import json
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import GOOD_COURSE, build_app
from tests.support.waiting import PATIENCE
from trainer.extensions import db
from trainer.services import demo, publishing

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
NEUTRAL_PAGE = "<!doctype html><html lang='en'><title>Weather</title><h1>Weather today</h1></html>"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Waits are for conditions; on a busy two-core machine a condition can take longer than
# Playwright's default five seconds to come true (the live check of a pasted 10 MB lesson took
# over five), so give it the suite's patience (a passing wait returns at once).
expect.set_options(timeout=int(PATIENCE * 1000))


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def e2e_app(url: str, **overrides):
    """An app on the end-to-end database, migrated, with the demo accounts and the example course."""
    app = build_app(url, WTF_CSRF_ENABLED=True, **overrides)  # as in production
    with app.app_context():
        flask_migrate.upgrade()
        demo.seed_accounts()
        assert publishing.import_path(GOOD_COURSE).ok
        db.session.commit()
    return app


@contextmanager
def serving(app, ssl_context=None):
    """Serve the app on a free loopback port (over TLS with an ssl_context); yields the port."""
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=ssl_context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def live_server(database_urls):
    """The app on a free loopback port, with its own database and the demo accounts."""
    app = e2e_app(database_urls["e2e"])
    with serving(app) as port:
        url = f"http://127.0.0.1:{port}"
        app.config["PUBLIC_BASE_URL"] = url  # links in mail lead back to this server
        yield SimpleServer(app=app, url=url)


class SimpleServer:
    def __init__(self, app, url):
        self.app, self.url = app, url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ])
        yield browser
        browser.close()


def new_context(browser, server, **options):
    """A browser context on the server: only the server and the neutral Quick exit page answer.

    `context.neutral_requests` collects the requests made to the neutral page."""
    context = browser.new_context(base_url=server.url, **options)
    context.set_default_navigation_timeout(90_000)  # a 10 MB form on a busy machine; a fast load returns at once
    exit_url = server.app.config["QUICK_EXIT_URL"]
    host = exit_url.split("/")[2]
    context.neutral_requests = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(server.url):
            request_route.continue_()
        elif host in url:
            context.neutral_requests.append(request_route.request)
            request_route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)
        else:  # nothing else may leave the machine
            request_route.abort()

    context.route("**/*", route)
    return context


@pytest.fixture
def context_factory(browser, live_server):
    contexts = []

    def make(**options):
        context = new_context(browser, live_server, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(context_factory):
    page = context_factory().new_page()
    page.csp_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and page.csp_errors.append(msg.text))
    return page


def fresh_learner(live_server, sector: str = "health", verified: bool = False) -> tuple[str, str]:
    """A new account in the served database, so a journey does not depend on another's state.
    `verified`: its email address is confirmed already (needed to join a cohort)."""
    import uuid

    from trainer.services import accounts

    email, password = f"learner-{uuid.uuid4().hex[:10]}@example.org", "harbour-lantern-violet-42"
    with live_server.app.app_context():
        accounts.register(email, password, accounts.Profile(
            name="Sam Okafor", organisation="", sector=sector, specialty=None, is_resident=False,
            locale=None, timezone="UTC"), verified=verified)
        db.session.commit()
    return email, password


def mailed_link(live_server, email: str, path: str, after: int = 0, seconds: float = PATIENCE) -> str:
    """The link to `path...` in the newest of the first `after + 1` messages to `email` in the outbox.
    Mail leaves in the background, so it may arrive a moment after the page: wait for it."""
    outbox = Path(live_server.app.config["MAIL_OUTBOX"])
    pattern = re.compile(re.escape(live_server.url + path) + r"\S*")
    deadline = time.monotonic() + seconds
    while True:
        links = []
        for name in sorted(outbox.glob("*.eml")) if outbox.is_dir() else []:
            message = email_parser.message_from_bytes(name.read_bytes(), policy=email_policy.default)
            found = pattern.search(message.get_content()) if message["To"] == email else None
            if found:
                links.append(found.group(0))
        if len(links) > after:
            return links[after]
        assert time.monotonic() < deadline, f"{len(links)} mail with a link to {path} reached {email}: {links}"
        time.sleep(0.1)


def sign_in(page, email, password, t=lambda text: text) -> None:
    """Sign in through the form; ``t`` gives the page's words in the reader's language."""
    page.goto("/login")
    page.get_by_label(t("Email address")).fill(email)
    page.get_by_label(t("Password")).fill(password)
    page.get_by_role("button", name=t("Sign in")).click()
    # Signed in: the Sign out button exists (inside the folded menu on a phone).
    page.get_by_role("button", name=t("Sign out"), include_hidden=True).wait_for(state="attached")


@pytest.fixture(scope="module")
def case_courses(live_server):
    """The wraparound courses of courses/, published on the served app."""
    with live_server.app.app_context():
        for folder in ("wraparound", "wraparound-nl"):
            assert publishing.import_path(Path(__file__).resolve().parents[2] / "courses" / folder).ok
        db.session.commit()


def open_menu(page) -> None:
    """Open the site menu where it is folded away (narrow screens); on wide ones it is always open."""
    page.wait_for_load_state("load")  # the stylesheet decides whether the menu is folded
    menu = page.locator("summary.menu-button")
    if menu.is_visible() and page.locator("details.menu[open]").count() == 0:
        menu.click()


def audit(page) -> None:
    """Fail with a readable list when axe-core finds WCAG 2.1 A/AA violations on the page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] if isinstance(n["target"][0], str)
                                                                  else json.dumps(n["target"]) for n in v["nodes"][:3])
        for v in result["violations"]
    ]
    assert not problems, f"accessibility violations on {page.url}:\n" + "\n".join(problems)


@functools.cache
def _english_phrases() -> tuple[str, ...]:
    """Interface phrases of four words or more that the Dutch catalogue translates."""
    path = Path(__file__).resolve().parents[2] / "trainer" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalogue = read_po(f)
    return tuple(m.id for m in catalogue if isinstance(m.id, str) and m.string and m.string != m.id
                 and "%(" not in m.id and len(m.id.split()) >= 4)


def english_left(page) -> list[str]:
    """The interface's English phrases on a page shown in Dutch: each was rendered in the wrong
    language (a label built before the language was known, say). Text marked as in another
    language (a course written in English, a language's own name) is not checked."""
    shown = page.evaluate("""() => { const copy = document.body.cloneNode(true);
        copy.querySelectorAll('[lang]:not([lang|="nl"]), script, style, template').forEach(e => e.remove());
        return copy.textContent; }""")
    return [text for text in _english_phrases() if text in shown]
