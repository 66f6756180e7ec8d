"""Email addresses: proving that a person reads theirs, and the mail the public forms send.

An address counts as proven once its owner opens a confirmation link sent to it, or completes a
password reset. Until then the account cannot hold a certificate or a staff role.

Registration and the password-reset form give the same answer, in about the same time, whether
or not an address has an account: both do the same work either way (a registration with a taken
address still hashes the password; the reset form only asks a job to look the address up), and
the mail is written as `pending_mail` rows delivered by a worker after the commit
(services/mail.py), so no answer waits for the mail server. Only the mail the address receives
differs.
"""
from __future__ import annotations

import hashlib
import logging
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, render_template
from flask_babel import force_locale, lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from trainer.extensions import db
from trainer.models import User
from trainer.services import accounts, certificates, jobs, mail, passwords
from trainer.services.links import public_url

log = logging.getLogger(__name__)

_CONFIRM_SALT = "email-confirm"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_CONFIRM_SALT)


def _address_digest(email: str) -> str:
    """Binds a link to the address it was sent to, without writing the address into the link."""
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def confirmation_token(user: User, next_url: str = "") -> str:
    """A signed link token for this account and its current address; `next_url` (a same-site path)
    is where the person goes on once confirmed, such as a cohort's join page."""
    data: dict[str, object] = {"u": user.id, "e": _address_digest(user.email)}
    if next_url:
        data["n"] = next_url
    return _serializer().dumps(data)


@dataclass
class Confirmation:
    user: User
    next_url: str
    newly: bool  # False when the address had been proven before


def confirm(token: str) -> Confirmation | None:
    """Prove the address a confirmation link was sent to. None when the link is forged, expired,
    or no longer matches an active account with that address."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("e") != _address_digest(user.email):
        return None
    newly = not user.email_verified
    address_proven(user)
    next_url = data.get("n")
    return Confirmation(user, next_url if isinstance(next_url, str) else "", newly)


def address_proven(user: User) -> None:
    """Record that the person reads their address, and give them what waited for it: the
    certificates of courses they completed. Invitations to the address now show in full, for the
    person to accept or decline (services/membership.py); nobody joins a cohort unasked."""
    if user.email_verified:
        return
    user.email_verified_at = datetime.now(UTC)
    db.session.flush()
    log.info("account %s proved its email address", user.id)
    certificates.issue_earned(user)


def _language(user: User) -> AbstractContextManager[object]:
    """Mail in the recipient's language; a new account without one gets the page's language."""
    return force_locale(user.locale) if user.locale else nullcontext()


def send_confirmation(user: User, next_url: str = "") -> list[int]:
    """Queue a confirmation link to the account's address (none once it is proven); returns the
    ids of the mail to deliver after the commit."""
    if user.email_verified:
        return []
    days = current_app.config["EMAIL_CONFIRM_MAX_AGE"] // (24 * 3600)
    link = public_url("auth.confirm_email", token=confirmation_token(user, next_url))
    with _language(user):
        subject = str(_l("Confirm your email address for Frontline Trainer"))
        body = render_template("mail/confirm_email.txt", user=user, link=link, days=days)
    return [mail.queue(user.email, subject, body)]


def _tell_owner_of_attempt(owner: User) -> list[int]:
    """Someone registered with an address that has an account: tell its owner, nobody else."""
    if not owner.active:
        return []
    with _language(owner):
        subject = str(_l("Someone tried to register with your email address"))
        body = render_template("mail/registration_attempt.txt", user=owner, login_link=public_url("auth.login"),
                               reset_link=public_url("auth.forgot_password"))
    return [mail.queue(owner.email, subject, body)]


def sign_up(email: str, password: str, profile: accounts.Profile, next_url: str = "") -> list[int]:
    """Registration from the public form: a new address gets an unconfirmed account and a
    confirmation link; a taken one leaves its account alone and tells the owner. The caller shows
    the same answer either way. Raises InvalidInput for what is wrong whoever owns the address.
    Returns the ids of the mail to deliver after the commit."""
    email = accounts.check_new_account(email, password, profile)
    owner = accounts.get_by_email(email)
    if owner is not None:
        passwords.hash_password(password)  # the work an account costs, so both answers take as long
        return _tell_owner_of_attempt(owner)
    try:
        with db.session.begin_nested():
            user = accounts.create_account(email, password, profile)
    except IntegrityError:  # a registration running at the same moment took the address
        return []
    return send_confirmation(user, next_url)


def request_password_reset(email: str) -> list[int]:
    """Queue a reset link for an active account with this address; nothing for any other address
    (the caller answers the same). Returns the ids of the mail to deliver after the commit."""
    found = accounts.password_reset_token(email)
    if found is None:
        return []
    user, token = found
    with _language(user):
        subject = str(_l("Reset your Frontline Trainer password"))
        body = render_template("mail/reset_password.txt", user=user,
                               link=public_url("auth.reset_password", token=token),
                               minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
    return [mail.queue(user.email, subject, body)]


def request_password_reset_later(email: str, locale: str) -> None:
    """The reset form's work, done by a job: the request writes the same row whatever the address,
    so a known and an unknown address are answered in the same time; the worker looks the address
    up and writes the mail (in `locale`, the page's language, unless the account has its own)."""
    jobs.enqueue("accounts.password_reset", email=email[:254], locale=locale)


def password_reset_job(progress: jobs.Progress, email: str, locale: str) -> None:
    """The job behind `request_password_reset_later`. The typed address is not kept once done."""
    with force_locale(locale or "en"):
        request_password_reset(email)
    progress.job.args = {}


def reset_password(token: str, new_password: str) -> User:
    """Choose a new password with an emailed reset link, which proves the address too."""
    user = accounts.reset_password(token, new_password)
    address_proven(user)
    return user
