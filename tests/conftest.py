"""Fixtures shared by the whole suite.

The database is SQLite by default; `pytest --postgres` starts a throw-away PostgreSQL server
and runs the same tests against it. The schema is built by the real migrations, once.
"""
from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import tempfile
from types import SimpleNamespace

import flask_migrate
import pytest
import sqlalchemy as sa

from tests.support.postgres import temporary_postgres
from tests.support.statements import recorded_statements
from trainer import create_app
from trainer.config import TestConfig
from trainer.extensions import db, limiter
from trainer.services import accounts, mail

PASSWORD = "violet-kettle-harbour-9"


def pytest_addoption(parser):
    parser.addoption("--postgres", action="store_true",
                     help="run against a temporary PostgreSQL server instead of SQLite")


@pytest.fixture(scope="session")
def database_urls(request, tmp_path_factory):
    """SQLAlchemy URLs for the unit database and the end-to-end database."""
    if request.config.getoption("--postgres"):
        with temporary_postgres(("trainer_test", "trainer_e2e")) as urls:
            yield {"unit": urls["trainer_test"], "e2e": urls["trainer_e2e"]}
        return
    folder = tmp_path_factory.mktemp("db")
    yield {"unit": f"sqlite:///{folder / 'unit.sqlite'}", "e2e": f"sqlite:///{folder / 'e2e.sqlite'}"}


def build_app(url: str, **overrides):
    """An app on the given database; the settings must be in place before the engine is made."""
    outbox = tempfile.mkdtemp(prefix="trainer-outbox-")
    settings = {"SQLALCHEMY_DATABASE_URI": url, "MAIL_OUTBOX": outbox, **overrides}
    return create_app(type("SuiteConfig", (TestConfig,), settings))


@pytest.fixture(scope="session")
def app(database_urls):
    app = build_app(database_urls["unit"])
    with app.app_context():
        flask_migrate.upgrade()
    return app


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Every test starts with empty tables and fresh rate-limit counters."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    mail.wait_for_deliveries()  # nothing a test queued lands in the next one
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(t.name for t in db.metadata.sorted_tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
    limiter.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """The mail written to the outbox folder during the test, as parsed messages."""
    folder = app.config["MAIL_OUTBOX"]
    before = set(os.listdir(folder)) if os.path.isdir(folder) else set()

    def read():
        mail.wait_for_deliveries()  # mail a request queued goes out in the background
        names = sorted(set(os.listdir(folder)) - before) if os.path.isdir(folder) else []
        messages = []
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                messages.append(email.message_from_binary_file(f, policy=email.policy.default))
        return messages

    return read


@pytest.fixture
def make_user(app):
    """Create an account; returns a plain record (id, email, password) that outlives the session."""
    counter = iter(range(1, 10_000))

    def make(roles=("learner",), email=None, password=PASSWORD, name=None, sector="health",
             specialty=None, locale=None, active=True, verified=True, timezone="Europe/Amsterdam"):
        n = next(counter)
        email = email or f"user{n}@example.org"
        profile = accounts.Profile(name=name or f"Test User {n}", organisation="Test Org", sector=sector,
                                   specialty=specialty, is_resident=False, locale=locale,
                                   timezone=timezone)
        with app.app_context():
            user = accounts.register(email, password, profile, roles=tuple(roles), verified=verified)
            user.active = active
            db.session.commit()
            return SimpleNamespace(id=user.id, email=user.email, password=password, name=user.name)

    return make


def login(client, user, password=None):
    return client.post("/login", data={"email": user.email, "password": password or user.password})


def mailed_path(message, path: str) -> str:
    """The path of the link to `path...` in a mail; links are built on PUBLIC_BASE_URL."""
    found = re.search(r"http://127\.0\.0\.1:5000(" + re.escape(path) + r"\S*)", message.get_content())
    assert found, f"no link to {path} in the mail"
    return found.group(1)


@pytest.fixture
def pwned(app, monkeypatch):
    """The stand-in breached-password service, listing BREACHED, with the app pointed at it."""
    from tests.support.pwned import serving

    with serving(app, monkeypatch) as stub:
        yield stub


@pytest.fixture
def get_user(app):
    """Read an account fresh from the database, by id or email address."""
    from trainer.models import User

    def get(key):
        with app.app_context():
            user = accounts.get_by_email(key) if isinstance(key, str) else db.session.get(User, key)
            if user is not None:
                db.session.expunge(user)
            return user

    return get


@pytest.fixture
def sql_statements(app):
    """``with sql_statements() as sent:`` records every SQL statement the block sends (in an app
    context), to hold a page or a service to a fixed number of queries."""
    @contextlib.contextmanager
    def record():
        with app.app_context(), recorded_statements(db.engine) as statements:
            yield statements

    return record


@pytest.fixture
def count_rows(app):
    def count(model):
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return count


GOOD_COURSE = os.path.join(os.path.dirname(__file__), "content", "fixtures", "good-course")


@pytest.fixture
def published_course(app):
    """The complete example course (lesson with a content note, every question kind, a
    scenario), published as version 1. Returns its slug."""
    from trainer.services import publishing

    with app.app_context():
        result = publishing.import_path(GOOD_COURSE)
        assert result.ok, [str(p) for p in result.report.problems]
        db.session.commit()
    return "core"
