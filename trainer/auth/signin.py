"""Who is signed in, and for how long: the server-side session behind the cookie, signing in and
out, the idle and absolute time limits, and the two-factor gate.

The auth blueprint installs the checks for every request of the app (`trainer/auth/__init__.py`).
Other areas sign a person out with `sign_out` (quick exit does).
"""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from trainer.extensions import db, login_manager
from trainer.models import User
from trainer.services import sessions, two_factor

# Where the cookie keeps the id of its server-side session (see services/sessions.py).
SESSION_ID = "session_id"

# Pages a person who must set up two-factor sign-in can still reach before doing so.
BEFORE_TWO_FACTOR = frozenset({"auth.two_factor_setup", "auth.logout", "auth.set_language", "static",
                               "pages.quick_exit", "pages.support", "pages.healthz", "learn.media"})


def fresh_session(locale: str | None = None) -> None:
    """Start a new cookie session: nothing carried over from before but the language."""
    locale = locale or session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def current_session_id() -> str | None:
    """The id of this request's server-side session, to keep it when ending the person's others."""
    return session.get(SESSION_ID)


def sign_in(user: User) -> None:
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


def load_user(user_id: str) -> User | None:
    """The person the cookie signs in, while its session still exists on the server (see
    services/sessions.py): signing out deletes it, and a copy of the cookie stops working too."""
    session_id = session.get(SESSION_ID)
    if not user_id.isdigit() or not isinstance(session_id, str):
        return None
    return sessions.signed_in_user(int(user_id), session_id)


def enforce_time_limits() -> Response | None:
    """End a signed-in session after a long idle spell or a long day, whatever the cookie says."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None  # static files are the same for everyone: no user to load, no session to touch
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


def require_two_factor() -> Response | None:
    """Administrators and trainers set up two-factor sign-in before anything else, unless they
    signed in through an identity provider that says they used a second factor there."""
    if (request.endpoint not in BEFORE_TWO_FACTOR and current_user.is_authenticated
            and two_factor.required(current_user) and not two_factor.enabled(current_user)
            and not session.get("provider_mfa")):
        flash(_("Your role needs two-factor sign-in. Set it up to continue."), "info")
        return redirect(url_for("auth.two_factor_setup"))
    return None


def configure_login() -> None:
    """Flask-Login reads the person from the server-side session and sends others to sign in."""
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"
