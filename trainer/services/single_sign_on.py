"""Single sign-on with OpenID Connect: the rules of accounts for people an identity provider
vouched for. The protocol (redirects, state, the ID token's checks) is the web side's, in
`trainer/auth/sso.py`; here are the claims it checked, and what they may do:

- An identity is the provider's issuer and subject (`SignInIdentity`); once linked, the person is
  found by it, whatever email address the provider later gives.
- A first sign-in whose email address matches an account here links to it only when the provider
  says it checked the address (`email_verified` true) *and* the account here has proven the
  address too. Otherwise someone could take over an account by giving a provider an address they
  do not read, or by registering here first with someone else's address.
- Otherwise an account is made when the provider's settings allow it, else the person is refused.
- Roles: with a role claim configured, the roles the provider may give (ALLOWED_ROLES) follow
  what it says at each sign-in; roles outside that set are the administrators' and stay as they
  are. Staff roles need a proven address, as everywhere.
- Two factors: the provider's count when its `amr` or `acr` says so (the provider's settings).

Every refusal raises `Refused` (with a short reason for the log and audit, never a token or a
claim value) and changes nothing.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from trainer import policy
from trainer.extensions import db
from trainer.models import SignInIdentity, User, UserRole
from trainer.services import accounts, audit, organisations
from trainer.services.errors import InvalidInput
from trainer.sso_config import Provider, find
from trainer.vocabulary import Language, Role

log = logging.getLogger(__name__)


class Refused(Exception):
    """A sign-in that did not happen. `reason` is for the log and the audit; `message` for the person."""

    def __init__(self, reason: str, message: str, status: int, provider: Provider | None = None) -> None:
        super().__init__(reason)
        self.reason, self.message, self.status, self.provider = reason, message, status, provider


def providers() -> tuple[Provider, ...]:
    return tuple(current_app.config.get("OIDC_PROVIDERS") or ())


def local_passwords() -> bool:
    """Whether people may sign in with a password here (LOCAL_PASSWORDS); with no provider
    configured, passwords stay whatever the setting says, or nobody could sign in."""
    return bool(current_app.config.get("LOCAL_PASSWORDS", True)) or not providers()


def provider_named(name: str) -> Provider:
    provider = find(providers(), name)
    if provider is None:
        raise Refused("unknown-provider", str(_l("There is no sign-in service of that name here.")), 404)
    return provider


def linked_providers(user: User) -> list[Provider]:
    """The configured providers the person has signed in with: those that can confirm it is them."""
    issuers = set(db.session.scalars(sa.select(SignInIdentity.issuer).where(SignInIdentity.user_id == user.id)))
    return [p for p in providers() if p.issuer in issuers]


NOT_VERIFIED = _l("We could not check the answer from %(label)s, so you are not signed in. Please start again "
                  "from the sign-in page.")


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _verified(claims: dict[str, Any]) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _refuse_account(provider: Provider, reason: str, message: Any, status: int = 403) -> Refused:
    return Refused(reason, str(message), status, provider)


def _new_account(provider: Provider, claims: dict[str, Any], email: str, locale_now: str | None) -> User:
    if not provider.create_accounts:
        raise _refuse_account(provider, "no-account", _l(
            "There is no account here for the person %(label)s signed in, and accounts are not made "
            "automatically for %(label)s. Please ask your training coordinator to invite you.", label=provider.label))
    name = _text(claims.get(provider.name_claim), 120) or email.partition("@")[0][:120]
    locale = _text(claims.get("locale"), 5)[:2].lower()
    profile = accounts.Profile(
        name=name, organisation=provider.organisation or provider.label[:200], sector=provider.sector,
        specialty=None, is_resident=False,
        locale=locale if locale in Language.values() else locale_now, timezone="UTC")
    verified = _verified(claims)
    try:
        user = accounts.create_external_account(email, profile, verified=verified)
    except InvalidInput:
        raise _refuse_account(provider, "bad-profile", _l(
            "%(label)s did not give us a name and email address we can use, so no account was made.",
            label=provider.label), 400) from None
    audit.record(user, "sso-account-created", f"user {user.id}", provider=provider.name)
    return user


def _account(provider: Provider, claims: dict[str, Any], locale_now: str | None) -> tuple[User, bool]:
    """The account for these claims, linking or making one as the rules allow; and whether it
    was linked or made just now."""
    subject = str(claims["sub"])[:255]
    identity = db.session.scalars(sa.select(SignInIdentity).where(
        SignInIdentity.issuer == provider.issuer, SignInIdentity.subject == subject)).first()
    if identity is not None:
        identity.last_used_at = datetime.now(UTC)
        user = db.session.get(User, identity.user_id)
        assert user is not None  # the foreign key cascades
        return user, False
    email = accounts.normalise_email(_text(claims.get(provider.email_claim), 254))
    if "@" not in email:
        raise _refuse_account(provider, "no-email", _l(
            "%(label)s did not tell us your email address, so we cannot find or make your account.",
            label=provider.label), 400)
    user = accounts.get_by_email(email)
    if user is None:
        user = _new_account(provider, claims, email, locale_now)
    elif not (_verified(claims) and user.email_verified):
        raise _refuse_account(provider, "email-unverified", _l(
            "An account here already uses this email address, and it could not be shown to be the same person, so "
            "we did not connect it to %(label)s. Sign in with your password, or ask an administrator.",
            label=provider.label))
    else:
        audit.record(user, "sso-identity-linked", f"user {user.id}", provider=provider.name)
    db.session.add(SignInIdentity(user_id=user.id, issuer=provider.issuer, subject=subject, provider=provider.name,
                                  last_used_at=datetime.now(UTC)))
    organisations.join_through_provider(user, provider.organisation)
    return user, True


def _sync_roles(provider: Provider, user: User, claims: dict[str, Any]) -> None:
    """The roles this provider may give follow what it says; learner stays, and staff roles need
    a proven address."""
    if not provider.role_claim:
        return
    said = provider.roles_from(claims.get(provider.role_claim))
    managed = set(provider.allowed_roles) - {Role.LEARNER.value}
    wanted = (user.role_names - managed) | {r for r in said if policy.can_receive_role(user, r)} | {Role.LEARNER.value}
    if wanted != user.role_names:
        user.roles = [r for r in user.roles if r.role in wanted] + [
            UserRole(role=r) for r in sorted(wanted - user.role_names)]
        audit.record(None, "roles-changed", f"user {user.id}", roles=sorted(wanted), provider=provider.name)


def sign_in_as(provider: Provider, claims: dict[str, Any], locale_now: str | None = None) -> tuple[User, bool]:
    """The account for a person the provider vouched for (`claims`, checked), linked or made as
    the rules allow, with its roles brought up to date; and whether the provider's second factor
    counts. `locale_now`: the language the person is reading in, for a new account. Raises
    Refused; the caller commits on success and rolls back otherwise."""
    if not claims.get("sub"):
        raise Refused("id-token:missing", str(NOT_VERIFIED % {"label": provider.label}), 400, provider)
    user, _new = _account(provider, claims, locale_now)
    if not user.active:
        raise _refuse_account(provider, "inactive", _l(
            "This account is switched off. Please ask an administrator if you think that is a mistake."))
    _sync_roles(provider, user, claims)
    provider_mfa = provider.counts_as_two_factors(claims.get("amr"), claims.get("acr"))
    if not user.email_verified and _verified(claims) and \
            accounts.normalise_email(_text(claims.get(provider.email_claim), 254)) == user.email:
        user.email_verified_at = datetime.now(UTC)  # the provider vouches for the address of its own person
    user.last_login_at = datetime.now(UTC)
    audit.record(user, "sso-sign-in", f"user {user.id}", provider=provider.name,
                 two_factor="provider" if provider_mfa else "platform")
    db.session.flush()
    return user, provider_mfa


def confirm(provider: Provider, user: User, claims: dict[str, Any], since: int) -> None:
    """Check a confirmation (the person signed in at the provider again, to stand in for the
    password): the identity linked to this account, signed in there no earlier than `since`."""
    linked = db.session.scalar(sa.select(SignInIdentity.user_id).where(
        SignInIdentity.issuer == provider.issuer, SignInIdentity.subject == str(claims.get("sub", ""))[:255]))
    if linked != user.id:
        raise Refused("confirm-other-person", str(_l(
            "%(label)s signed in someone else, so nothing was confirmed.", label=provider.label)), 403, provider)
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int) or auth_time < since - 60:
        raise Refused("confirm-not-fresh", str(_l(
            "%(label)s did not ask you to sign in again, so nothing was confirmed.", label=provider.label)),
            403, provider)
    audit.record(user, "sso-confirmed", f"user {user.id}", provider=provider.name)


def record_refusal(refused: Refused, user: User | None = None) -> None:
    """Log and audit a refused sign-in (or confirmation, by a signed-in `user`): the provider and
    the reason, nothing the provider sent."""
    name = refused.provider.name if refused.provider else "unknown"
    log.warning("single sign-on with %s refused: %s", name, refused.reason)
    audit.record_refusal(user, "sso-sign-in-refused", f"provider {name}", reason=refused.reason)

