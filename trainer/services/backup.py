"""Backups of the SQLite database: a consistent copy while the app runs, and a restore.

PostgreSQL has its own tools (pg_dump, pg_restore, base backups); see docs/deploy.md."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from trainer.extensions import db


class BackupError(Exception):
    pass


def sqlite_path() -> Path:
    url = make_url(str(db.engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError("backup and restore work on a SQLite file; for PostgreSQL use pg_dump and "
                          "pg_restore (docs/deploy.md)")
    return Path(url.database)


def backup(target: Path) -> int:
    """Copy the live database with SQLite's online backup API: a consistent snapshot even while
    others write. Returns the size in bytes."""
    source_path = sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()
    _check(target)
    return target.stat().st_size


def _check(path: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from None
    finally:
        connection.close()
    if result != "ok":
        raise BackupError(f"{path} fails its integrity check: {result}")
    if "alembic_version" not in tables or "users" not in tables:
        raise BackupError(f"{path} is not a Frontline Trainer database")


def restore(source: Path) -> None:
    """Put a checked backup in place of the database (stop the app first). The file it replaces
    is kept beside it as .before-restore."""
    _check(source)
    target = sqlite_path()
    db.engine.dispose()
    if target.exists():
        shutil.copy2(target, target.with_name(target.name + ".before-restore"))
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copy2(source, target)
