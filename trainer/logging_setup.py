"""Logging: one configuration per process (LOG_LEVEL, LOG_FORMAT, to stdout) and a request id.

Every request gets an id: the incoming `X-Request-ID` header when it is a short, safe token (what
nginx's `$request_id` sends), a new one otherwise. It is on every log record written while the
request runs and is sent back in the response's `X-Request-ID` header, so a person who reports a
problem can quote it and the proxy's log, the app's log and the mail log can be joined on it.

Log lines name people and things by id, never by email address, name or text someone typed.
"""
from __future__ import annotations

import json
import logging
import logging.config
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, has_app_context, request

REQUEST_ID_HEADER = "X-Request-ID"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("plain", "json")
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Libraries whose INFO lines carry personal data: Flask-Limiter logs each refused request with its
# key, which is an email address or an IP address. Their warnings and errors still come through.
QUIET = ("flask-limiter",)
# Attributes every LogRecord has; anything else on a record came from `extra=` and goes in JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}

_configured = False


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a safe token of at most 64 characters, otherwise a new one."""
    if header and _SAFE_ID.fullmatch(header):
        return header
    return secrets.token_hex(16)


def current_request_id() -> str:
    """The id of the request (or of the work it started) being served, or "-" outside one."""
    return (g.get("request_id") if has_app_context() else None) or "-"


class RequestIdFilter(logging.Filter):
    """Puts the current request id on each record, as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class PlainFormatter(logging.Formatter):
    """`2026-01-31T12:00:00.123Z INFO trainer.services.accounts [id] message`, times in UTC."""

    converter = staticmethod(time.gmtime)

    def __init__(self) -> None:
        super().__init__("%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s [%(request_id)s] %(message)s",
                         datefmt="%Y-%m-%dT%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, then
    any fields passed with `extra=` and the traceback, if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and k not in entry})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever `sys.stdout` is at the time (test runners swap it)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        pass


def settings(level: str, fmt: str) -> dict:
    """The dictConfig for this level and format. Loggers other than the root and `QUIET` keep
    their own configuration (gunicorn's among them) and pass records up to it as they always did."""
    level, fmt = str(level).upper(), str(fmt).lower()
    if level not in LEVELS:
        raise RuntimeError(f"LOG_LEVEL must be one of {', '.join(LEVELS)}, not {level!r}.")
    if fmt not in FORMATS:
        raise RuntimeError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"plain": {"()": PlainFormatter}, "json": {"()": JsonFormatter}},
        "handlers": {"stdout": {"()": StdoutHandler, "filters": ["request_id"], "formatter": fmt}},
        "loggers": {name: {"level": max(level, "WARNING", key=LEVELS.index)} for name in QUIET},
        "root": {"level": level, "handlers": ["stdout"]},
    }


def configure_logging(app: Flask) -> None:
    """Configure logging once per process, and give every request of `app` an id.

    Building a second app in the same process (the tests build many) leaves the configuration of
    the first in place."""
    global _configured
    if not _configured:
        logging.config.dictConfig(settings(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"]))
        _configured = True
    app.before_request(_start_request)
    app.after_request(_send_request_id)


def _start_request() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))


def _send_request_id(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    return response
