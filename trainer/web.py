"""Helpers shared by the views of every area. Imports no blueprint, so every blueprint may import it."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, request, url_for
from werkzeug.routing import IntegerConverter

from trainer.extensions import db
from trainer.services.errors import InvalidInput

# Ids and numbers are INTEGER columns: 32 bits on PostgreSQL, which refuses to compare one with
# a larger value ("integer out of range"); SQLite cannot even bind one beyond 64 bits.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number larger than any id or number a column can hold
    matches no route, so it is "not found" instead of a database error."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_number(value: str) -> int:
    """``request.args.get(name, default, type=id_number)``: the default for a number out of range."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError("out of range")
    return number


def page_number(value: str) -> int:
    """``request.args.get("page", 1, type=page_number)``: pages 1 to a million, else the first."""
    number = int(value)
    if not 1 <= number <= 1_000_000:
        raise ValueError("out of range")
    return number


def same_site_path(target: str | None) -> str:
    """The target if it is a path on this site, else "" (a `next` that would leave the site)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return ""


def safe_next(target: str | None, fallback: str = "pages.home") -> str:
    """Only same-site paths: a `next` that leaves the site is replaced by the fallback."""
    return same_site_path(target) or url_for(fallback)


def redirect_next(fallback: str = "pages.home"):
    return redirect(safe_next(request.args.get("next") or request.form.get("next"), fallback))


def field_error(form, error: InvalidInput) -> None:
    """Show a service's refusal next to the field it concerns, and undo what it began."""
    field = getattr(form, error.field, None)
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)
    db.session.rollback()
