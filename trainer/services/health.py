"""The health check behind GET /healthz."""
from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from trainer.extensions import db

log = logging.getLogger(__name__)


def check() -> dict:
    """The status of the app and its database, with the database's round-trip time."""
    started = time.perf_counter()
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = {"status": "ok", "backend": db.engine.dialect.name,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
    except SQLAlchemyError as exc:
        log.error("health check: database unavailable: %s", exc)
        db.session.rollback()
        database = {"status": "error", "backend": db.engine.dialect.name}
    status = "ok" if database["status"] == "ok" else "error"
    return {"status": status, "app": "ok", "database": database}
