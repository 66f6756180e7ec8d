"""Binding the extensions to an app: database pragmas, sign-in, languages, security headers."""
from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Flask, current_app, flash, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from trainer import guards, jobs
from trainer.config import ROOT
from trainer.extensions import babel, csrf, db, limiter, login_manager, migrate, talisman
from trainer.services import sessions, two_factor
from trainer.web import SESSION_ID, sign_out

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers work during writes; the busy timeout makes writers wait, not fail."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def select_locale() -> str:
    if not has_request_context():  # CLI commands and background work speak the default language
        return "en"
    languages = babel_languages()
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or "en"


def current_locale() -> str:
    """The language the page is shown in."""
    return str(get_locale() or "en")


def select_timezone() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def babel_languages() -> dict[str, str]:
    return current_app.config["LANGUAGES"]


def load_user(user_id: str):
    """The person the cookie signs in, while its session still exists on the server (see
    services/sessions.py): signing out deletes it, and a copy of the cookie stops working too."""
    session_id = session.get(SESSION_ID)
    if not user_id.isdigit() or not isinstance(session_id, str):
        return None
    return sessions.signed_in_user(int(user_id), session_id)


def _session_time_limits():
    """End a signed-in session after a long idle spell or a long day, whatever the cookie says."""
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    started, seen = session.get("signed_in_at"), session.get("seen_at")
    cfg = current_app.config
    if started is None or seen is None:  # a session from before these limits: start counting now
        session["signed_in_at"] = session["seen_at"] = now
        return None
    if now - seen > cfg["SESSION_IDLE_SECONDS"] or now - started > cfg["SESSION_ABSOLUTE_SECONDS"]:
        sign_out()  # on the server too: a copy of this cookie must not carry on where this one stopped
        db.session.commit()
        flash(_("You were signed out after a while away, to keep your account safe. Please sign in again."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if now - seen > 60:  # refresh at most once a minute, so most responses leave the cookie alone
        session["seen_at"] = now
    return None


# Pages a person who must set up two-factor sign-in can still reach before doing so.
_BEFORE_TWO_FACTOR = {"auth.two_factor_setup", "auth.logout", "auth.set_language", "static", "pages.quick_exit",
                      "pages.support", "pages.healthz", "learn.media"}


def _two_factor_required():
    """Administrators and trainers set up two-factor sign-in before anything else."""
    if (current_user.is_authenticated and request.endpoint not in _BEFORE_TWO_FACTOR
            and two_factor.required(current_user) and not two_factor.enabled(current_user)):
        flash(_("Your role needs two-factor sign-in. Set it up to continue."), "info")
        return redirect(url_for("auth.two_factor_setup"))
    return None


def _no_store_for_signed_in(response):
    """Pages with personal data must not linger in shared caches or the back-forward cache."""
    if current_user and current_user.is_authenticated and "immutable" not in response.headers.get(
            "Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_extensions(app: Flask) -> None:
    guards.init_app(app)  # first: unknown hosts and other sites' forms are refused before anything else
    db.init_app(app)
    jobs.init_app(app)  # work and mail leave for the queue once their transaction commits
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories="translations")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the proxy; see docs/deploy.md
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        strict_transport_security=not app.config["LOCAL"],
        content_security_policy=CSP,
        # Same-site requests carry Referer and Origin (the CSRF checks need them over HTTPS);
        # other sites get neither. Quick exit's interstitial sends `no-referrer` itself.
        referrer_policy="same-origin",
        frame_options="DENY",
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )
    app.before_request(_session_time_limits)
    app.before_request(_two_factor_required)
    app.after_request(_no_store_for_signed_in)
