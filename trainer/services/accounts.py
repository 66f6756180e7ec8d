"""Accounts: registration, sign-in, profile, passwords and password reset."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from trainer.extensions import db
from trainer.models import User, UserRole
from trainer.services import lookalike, passwords, sessions
from trainer.services.errors import InvalidInput
from trainer.vocabulary import Language, Role, Sector, Specialty

log = logging.getLogger(__name__)

_RESET_SALT = "password-reset"
_TIMEZONES = frozenset(available_timezones())


@dataclass
class Profile:
    """What a person says about themselves; every field is validated here, not only in forms."""

    name: str
    organisation: str
    sector: str
    specialty: str | None
    is_resident: bool
    locale: str | None
    timezone: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_by_email(email: str) -> User | None:
    # unique(): roles are loaded in the same query, one row per role
    return db.session.scalars(sa.select(User).where(User.email == normalise_email(email))).unique().first()


def _check_profile(profile: Profile) -> None:
    if not profile.name.strip():
        raise InvalidInput("name", str(_l("Enter your name.")))
    if len(profile.name) > 120:
        raise InvalidInput("name", str(_l("Use at most %(n)d characters.", n=120)))
    if len(profile.organisation) > 200:
        raise InvalidInput("organisation", str(_l("Use at most %(n)d characters.", n=200)))
    if profile.sector not in Sector.values():
        raise InvalidInput("sector", str(_l("Choose a sector from the list.")))
    if profile.specialty and (profile.sector != Sector.HEALTH or profile.specialty not in Specialty.values()):
        raise InvalidInput("specialty", str(_l("Choose a specialty that belongs to your sector.")))
    if profile.locale and profile.locale not in Language.values():
        raise InvalidInput("locale", str(_l("Choose a language from the list.")))
    if profile.timezone not in _TIMEZONES:
        raise InvalidInput("timezone", str(_l("Choose a time zone from the list.")))


def _apply_profile(user: User, profile: Profile) -> None:
    user.name = profile.name.strip()
    user.organisation = profile.organisation.strip()
    user.sector = profile.sector
    user.specialty = profile.specialty or None
    user.is_resident = profile.is_resident and profile.sector == Sector.HEALTH
    user.locale = profile.locale or None
    user.timezone = profile.timezone


def check_new_account(email: str, password: str, profile: Profile) -> str:
    """Everything about a new account except whether its address is taken; returns the address,
    normalised. Raises InvalidInput. Its answer never depends on who else has an account."""
    email = normalise_email(email)
    _check_profile(profile)
    if lookalike.mixes_scripts(email):
        raise InvalidInput("email", str(lookalike.OWN_ADDRESS_MESSAGE))
    problem = passwords.password_problem(password, email=email, name=profile.name)
    if problem:
        raise InvalidInput("password", problem)
    return email


def create_account(email: str, password: str, profile: Profile, roles: tuple[str, ...] = (Role.LEARNER,),
                   verified: bool = False) -> User:
    """Store an account whose details `check_new_account` accepted and whose address is free."""
    unknown = set(roles) - set(Role.values())
    if unknown:
        raise InvalidInput("roles", f"unknown roles: {', '.join(sorted(unknown))}")
    user = User(email=normalise_email(email), password_hash=passwords.hash_password(password),
                email_verified_at=datetime.now(UTC) if verified else None)
    _apply_profile(user, profile)
    user.roles = [UserRole(role=r) for r in sorted(set(roles) | {Role.LEARNER})]
    db.session.add(user)
    db.session.flush()
    log.info("account %s registered", user.id)
    return user


def register(email: str, password: str, profile: Profile, roles: tuple[str, ...] = (Role.LEARNER,),
             verified: bool = False) -> User:
    """Create an account for an operator (the command line, demo accounts, tests). Raises
    InvalidInput for a bad profile or password, a look-alike address or a taken one.

    `verified` is for accounts an operator vouches for; everyone else proves their address with a
    link sent to it. The public form goes through `addresses.sign_up`, which answers the same
    whether or not the address is taken."""
    email = check_new_account(email, password, profile)
    if get_by_email(email) is not None:
        raise InvalidInput("email", str(_l("An account with this email address already exists.")))
    return create_account(email, password, profile, roles, verified)


def create_external_account(email: str, profile: Profile, verified: bool) -> User:
    """An account for someone an identity provider signed in (services/single_sign_on.py): its
    password is random and never shown, so only the provider signs it in. Raises InvalidInput for
    a bad profile, a look-alike address or a taken one."""
    email = normalise_email(email)
    _check_profile(profile)
    if len(email) > 254 or lookalike.mixes_scripts(email):
        raise InvalidInput("email", str(lookalike.OWN_ADDRESS_MESSAGE))
    if get_by_email(email) is not None:
        raise InvalidInput("email", str(_l("An account with this email address already exists.")))
    return create_account(email, secrets.token_urlsafe(32), profile, verified=verified)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, else None (one answer for every failure)."""
    user = get_by_email(email)
    if user is None:
        passwords.hash_password(password)  # spend the same time as a real check
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = datetime.now(UTC)
    db.session.flush()
    return user


def update_profile(user: User, profile: Profile) -> User:
    _check_profile(profile)
    _apply_profile(user, profile)
    db.session.flush()
    return user


def set_locale(user: User, locale: str) -> None:
    if locale not in Language.values():
        raise InvalidInput("locale", str(_l("Choose a language from the list.")))
    user.locale = locale
    db.session.flush()


def _set_password(user: User, new_password: str, keep: str | None = None) -> None:
    """A new password; every session of the person ends but `keep` (see sessions.end_all)."""
    problem = passwords.password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise InvalidInput("new_password", problem)
    user.password_hash = passwords.hash_password(new_password)
    sessions.end_all(user, keep=keep)
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str, keep: str | None = None) -> None:
    """Change the password after checking the current one; the person's other sessions end, and
    `keep`, the one they made the change in, goes on."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise InvalidInput("current_password", str(_l("Your current password is not right.")))
    _set_password(user, new_password, keep=keep)
    log.info("account %s changed its password", user.id)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def password_reset_token(email: str) -> tuple[User, str] | None:
    """A single-use reset token for an active account, or None (callers answer the same either way)."""
    user = get_by_email(email)
    if user is None or not user.active:
        return None
    token = _serializer().dumps({"u": user.id, "h": passwords.fingerprint(user.password_hash)})
    return user, token


def user_for_reset_token(token: str) -> User | None:
    """The account a valid, unused, unexpired token belongs to."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("h") != passwords.fingerprint(user.password_hash):
        return None
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    if user is None:
        raise InvalidInput("token", str(_l("This link has expired or has been used already. Ask for a new one.")))
    _set_password(user, new_password)  # every session ends: whoever knew the old password is out
    log.info("account %s reset its password", user.id)
    return user
