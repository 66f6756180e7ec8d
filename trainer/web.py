"""Blueprint registration and helpers shared by the views of every area."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.routing import IntegerConverter

from trainer.extensions import db
from trainer.services import sessions
from trainer.services.errors import InvalidInput, NotAllowed, NotFound

# Where the cookie keeps the id of its server-side session (see services/sessions.py).
SESSION_ID = "session_id"


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


def register_blueprints(app: Flask) -> None:
    from trainer.admin import bp as admin_bp
    from trainer.auth import bp as auth_bp
    from trainer.authoring import bp as authoring_bp
    from trainer.certificates import bp as certificates_bp
    from trainer.cohorts import bp as cohorts_bp
    from trainer.jobs.views import bp as jobs_bp
    from trainer.learn import bp as learn_bp
    from trainer.pages import bp as pages_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(learn_bp)
    app.register_blueprint(authoring_bp, url_prefix="/authoring")
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")


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


def or_http_error(call, *args, **kwargs):
    """Run a service call, turning NotAllowed, NotFound and InvalidInput into 403, 404 and 400.

    Views that show a refusal next to a form field catch InvalidInput themselves first.
    """
    try:
        return call(*args, **kwargs)
    except NotAllowed:
        abort(403)
    except NotFound:
        abort(404)
    except InvalidInput as error:
        db.session.rollback()
        abort(400, error.message)


def fresh_session(locale: str | None = None) -> None:
    """Start a new cookie session: nothing carried over from before but the language."""
    locale = locale or session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def current_session_id() -> str | None:
    """The id of this request's server-side session, to keep it when ending the person's others."""
    return session.get(SESSION_ID)


def sign_in(user) -> None:
    """Sign the person in with a new session, on the server and in the cookie; the clock of the
    idle and absolute time limits starts now. The caller commits."""
    fresh_session()
    session[SESSION_ID] = sessions.start(user)
    session["signed_in_at"] = session["seen_at"] = int(time.time())
    login_user(user)


def sign_out() -> None:
    """End this session on the server, so a copy of the cookie opens nothing either, and start
    a fresh cookie session that keeps only the language. The caller commits."""
    locale = current_user.locale if current_user.is_authenticated else None
    if session.get(SESSION_ID):
        sessions.end(session[SESSION_ID])
    logout_user()
    fresh_session(locale)
