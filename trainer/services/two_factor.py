"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238) from an authenticator app,
and single-use recovery codes for when the app is out of reach."""
from __future__ import annotations

import base64
import io
import logging
from datetime import datetime
from typing import Any, cast

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from trainer.extensions import db
from trainer.models import User
from trainer.services import audit, passwords, recovery_codes, sessions
from trainer.services.errors import InvalidInput
from trainer.vocabulary import Role

log = logging.getLogger(__name__)
ISSUER = "Frontline Trainer"
WRONG_APP_CODE = _l("That code is not right. Check the time on your phone and try again.")
WRONG_RECOVERY_CODE = _l("That recovery code is not right, or it has been used already.")


def enabled(user: User) -> bool:
    return bool(user.totp_secret)


def required(user: User) -> bool:
    """Whether the person's roles oblige them to use two-factor sign-in. An organisation's
    administrators, who read its people's records, are held to the administrators' rule."""
    roles = current_app.config["TWO_FACTOR_REQUIRED_ROLES"]
    return any(user.has_role(role) for role in roles) or (user.organisation_admin and Role.ADMIN in roles)


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address that adds the account to an authenticator app (a link to it
    opens the app on a phone; the QR code holds the same)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The key in groups of four, as people copy it by hand (apps ignore the spaces)."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def setup_qr(user: User, secret: str) -> str:
    """A QR code (as a data URI) that authenticator apps scan to add the account."""
    uri = setup_uri(user, secret)
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="png", scale=5, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _step(secret: str, code: str) -> int | None:
    """The time step a code belongs to (this one or a neighbour, for clock drift), or None."""
    code = "".join(ch for ch in code if ch.isdigit())
    totp = pyotp.TOTP(secret)
    now = totp.timecode(datetime.now())
    for step in (now, now - 1, now + 1):
        if len(code) == 6 and pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def enable(user: User, secret: str, code: str, keep: str | None = None) -> list[str]:
    """Switch two-factor sign-in on; returns the new recovery codes, to show once. The person's
    other sessions end (they sign in again, now with a code); `keep`, this one, goes on."""
    step = _step(secret, code)
    if step is None:
        raise InvalidInput("code", str(WRONG_APP_CODE))
    user.totp_secret, user.totp_last_step = secret, step
    sessions.end_all(user, keep=keep)
    audit.record(user, "two-factor-enabled", f"user {user.id}")
    db.session.flush()
    return recovery_codes.replace(user)


def verify(user: User, code: str) -> bool:
    """Check a sign-in code; each code works once, and no code older than the last one used.

    The database decides, in one conditional UPDATE: of several requests sending the same code at
    once, whatever each read before, only one moves the last step on and is let in."""
    step = _step(user.totp_secret or "", code) if user.totp_secret else None
    if step is None:
        return False
    moved = cast(sa.CursorResult[Any], db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)))
    if moved.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)  # what the row now holds; nothing left to write
    return True


def check(user: User, code: str) -> str | None:
    """A code from the app or, shaped like one, a recovery code (used up if right).

    Returns "app" or "recovery" for a right code, None for a wrong one."""
    if recovery_codes.looks_like(code):
        return "recovery" if enabled(user) and recovery_codes.use(user, code) else None
    return "app" if verify(user, code) else None


def wrong_code_message(code: str) -> str:
    return str(WRONG_RECOVERY_CODE if recovery_codes.looks_like(code) else WRONG_APP_CODE)


def _confirm(user: User, password: str, code: str, confirmed: bool = False) -> None:
    """Password and a second factor, before a change to two-factor sign-in itself. `confirmed`:
    the person has just signed in again at their identity provider instead of giving a password
    (services/single_sign_on.py); the code is asked all the same."""
    if not confirmed and not passwords.verify_password(user.password_hash, password):
        raise InvalidInput("password", str(_l("Your current password is not right.")))
    if check(user, code) is None:
        raise InvalidInput("code", wrong_code_message(code))


def disable(user: User, password: str, code: str, keep: str | None = None, confirmed: bool = False) -> None:
    """Switch two-factor sign-in off, after the password and a code. For someone whose role
    requires it this is the way to a new phone: every page then sends them to set it up again.
    The person's sessions end but `keep`, this one: none may carry on, or enrol an app of its own."""
    _confirm(user, password, code, confirmed)
    user.totp_secret, user.totp_last_step = None, None
    sessions.end_all(user, keep=keep)
    recovery_codes.delete_all(user)
    audit.record(user, "two-factor-disabled", f"user {user.id}")
    db.session.flush()


def renew_recovery_codes(user: User, password: str, code: str, confirmed: bool = False) -> list[str]:
    """A new set of recovery codes in place of the old; returns them, to show once."""
    if not enabled(user):
        raise InvalidInput("code", str(_l("Two-factor sign-in is off, so there are no recovery codes.")))
    _confirm(user, password, code, confirmed)
    codes = recovery_codes.replace(user)
    audit.record(user, "recovery-codes-renewed", f"user {user.id}")
    db.session.flush()
    return codes
