"""Binding the extensions to an app: database pragmas, languages, security headers."""
from __future__ import annotations

import functools

import sqlalchemy as sa
from babel import support
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from wtforms.i18n import messages_path

from trainer import guards
from trainer.config import ROOT
from trainer.extensions import babel, csrf, db, limiter, login_manager, migrate, talisman
from trainer.services import jobs
from trainer.vocabulary import Language

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
        return Language.EN.value
    languages = babel_languages()
    if current_user and current_user.is_authenticated:
        if current_user.locale in languages:
            return current_user.locale
        chosen_by_organisation = current_user.organisation_locale
        if session.get("locale") not in languages and chosen_by_organisation in languages:
            return chosen_by_organisation
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or Language.EN.value


def current_locale() -> str:
    """The language the page is shown in."""
    return str(get_locale() or Language.EN.value)


def select_timezone() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def babel_languages() -> dict[str, str]:
    return current_app.config["LANGUAGES"]


@functools.cache
def wtforms_translations(language: str) -> support.NullTranslations:
    """WTForms' own messages in a language, read from disk once per process."""
    return support.Translations.load(messages_path(), [language], domain="wtforms")


class _KeptWTFormsTranslations:
    """WTForms' messages in the reader's language, from the catalogue kept for that language."""

    def ugettext(self, string: str) -> str:
        return wtforms_translations(current_locale()).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return wtforms_translations(current_locale()).ungettext(singular, plural, n)


_KEPT_WTFORMS_TRANSLATIONS = _KeptWTFormsTranslations()


def _wtforms_translations_once() -> None:
    """Flask-WTF reads WTForms' catalogue from disk on every request that builds a form, unless
    the request holds one already: give it one that reads the catalogue kept per language."""
    request.wtforms_translations = _KEPT_WTFORMS_TRANSLATIONS  # type: ignore[attr-defined]


def _no_store_for_signed_in(response):
    """Pages with personal data must not linger in shared caches or the back-forward cache."""
    if request.endpoint == "static":  # the same files for everyone, with their own caching
        return response
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
    login_manager.init_app(app)  # who is signed in, and the session limits: trainer/auth/signin.py
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
    app.after_request(_no_store_for_signed_in)
    app.before_request(_wtforms_translations_once)
