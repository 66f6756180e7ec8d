"""flask backup makes a consistent copy of a running SQLite database; flask restore puts it back."""
from __future__ import annotations

import sqlite3
import threading

import flask_migrate
import pytest

from tests.conftest import build_app
from trainer.extensions import db
from trainer.models import User
from trainer.services import accounts


@pytest.fixture
def file_app(tmp_path, request):
    if request.config.getoption("--postgres"):
        pytest.skip("backup and restore are for SQLite; PostgreSQL uses pg_dump (docs/deploy.md)")
    app = build_app(f"sqlite:///{tmp_path / 'live.sqlite'}")
    with app.app_context():
        flask_migrate.upgrade()
    return app


def _add_user(app, n):
    with app.app_context():
        profile = accounts.Profile(name=f"U{n}", organisation="", sector="police", specialty=None, is_resident=False,
                                   locale=None, timezone="UTC")
        accounts.register(f"u{n}@example.org", "violet-kettle-harbour-9", profile)
        db.session.commit()


def test_backup_while_writing_then_restore(file_app, tmp_path):
    _add_user(file_app, 0)
    stop = threading.Event()

    def writer():
        n = 1
        while not stop.is_set() and n < 40:
            _add_user(file_app, n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    runner = file_app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite")])
    stop.set()
    thread.join()
    assert result.exit_code == 0, result.output
    copied = sqlite3.connect(tmp_path / "copy.sqlite")
    assert copied.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    kept = copied.execute("SELECT count(*) FROM users").fetchone()[0]
    copied.close()
    assert kept >= 1
    _add_user(file_app, 999)  # written after the backup
    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "copy.sqlite")])
    assert result.exit_code == 0, result.output
    with file_app.app_context():
        emails = set(db.session.scalars(db.select(User.email)))
    assert "u999@example.org" not in emails and len(emails) == kept


def test_restore_refuses_a_file_that_is_not_a_backup(file_app, tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    result = file_app.test_cli_runner().invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code == 1 and "not a SQLite database" in result.output
