"""The application a benchmark measures: its own database, and none of the guards (form tokens,
rate limits, the two-factor rule) that would stand between a scripted client and the pages."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def bench_app(name: str, url: str | None = None, **settings: Any):
    """An app on ``url``, or on a new SQLite file named for the benchmark ``name``."""
    os.environ.setdefault("TRAINER_ENV", "development")
    from trainer import create_app

    url = url or f"sqlite:///{tempfile.mkdtemp(prefix=f'trainer-bench-{name}-')}/bench.sqlite"
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False, "TWO_FACTOR_REQUIRED_ROLES": (), **settings})


def migrated(app, curriculum: bool = True) -> None:
    """The schema, the demo accounts and (with ``curriculum``) every course in courses/."""
    import flask_migrate

    from trainer.extensions import db
    from trainer.services import demo, publishing

    with app.app_context():
        flask_migrate.upgrade()
        demo.seed_accounts()
        if curriculum:
            assert publishing.import_path(ROOT / "courses").ok
        db.session.commit()
