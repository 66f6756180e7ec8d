"""Single sign-on with OpenID Connect: sending a person to their identity provider, checking what
comes back, and finding (or making) the account it belongs to.

Authlib's Flask client does the protocol: the authorisation code flow with PKCE (S256), a random
`state` kept in the session and cleared when it is used, a `nonce` in the ID token, and the ID
token's signature (the provider's published keys), issuer, audience, expiry and issue time. What
is ours is the rule of accounts:

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

Every refusal raises `Refused` (with a short reason for the log and audit, never a token or a
claim value) and changes nothing.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
import sqlalchemy as sa
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app, session
from flask_babel import lazy_gettext as _l
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from trainer import policy
from trainer.extensions import db
from trainer.models import SignInIdentity, User, UserRole
from trainer.services import accounts, audit
from trainer.services.errors import InvalidInput
from trainer.sso_config import Provider, find
from trainer.vocabulary import Language, Role

log = logging.getLogger(__name__)

_CLIENTS = "single_sign_on_clients"  # app.extensions key: one Authlib client per provider setting
_NEXT = "sso_next"
_CONFIRMING, _CONFIRMED = "sso_confirming", "sso_confirmed_at"
CONFIRMATION_SECONDS = 300  # how long a fresh sign-in at the provider stands in for the password
_ERROR_CODE = re.compile(r"[a-z_]{1,40}")


class Refused(Exception):
    """A sign-in that did not happen. `reason` is for the log and the audit; `message` for the person."""

    def __init__(self, reason: str, message: str, status: int, provider: Provider | None = None) -> None:
        super().__init__(reason)
        self.reason, self.message, self.status, self.provider = reason, message, status, provider


@dataclass
class Outcome:
    """A person the provider vouched for, and whether it says they used a second factor."""

    user: User
    provider: Provider
    provider_mfa: bool
    next_url: str


class _Session(OAuth2Session):
    """Authlib's requests session, whose own `verify` (a provider's CA_BUNDLE) wins over the
    REQUESTS_CA_BUNDLE of the environment, which requests would otherwise prefer."""

    def request(self, method, url, withhold_token=False, auth=None, **kwargs):
        kwargs.setdefault("verify", self.verify)
        return super().request(method, url, withhold_token=withhold_token, auth=auth, **kwargs)


class _Client(FlaskOAuth2App):
    client_cls = _Session


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


def _client(provider: Provider) -> FlaskOAuth2App:
    """The Authlib client for a provider; kept per app, so its discovery document and keys are
    fetched once (and the keys again when a token names a key it does not know)."""
    clients: dict[Provider, FlaskOAuth2App] = current_app.extensions.setdefault(_CLIENTS, {})
    if provider not in clients:
        clients[provider] = _Client(
            FlaskIntegration(f"oidc_{provider.name}"), name=f"oidc_{provider.name}",
            client_id=provider.client_id, client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256",
                           "default_timeout": current_app.config.get("OIDC_TIMEOUT", 10),
                           "verify": provider.ca_bundle or True})
    return clients[provider]


def _unreachable(provider: Provider) -> Refused:
    return Refused("provider-unreachable", str(_l(
        "We could not reach %(label)s just now, so you are not signed in. Please try again in a few "
        "minutes.", label=provider.label)), 502, provider)


def _metadata(provider: Provider, client: FlaskOAuth2App) -> dict[str, Any]:
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        client.server_metadata = {}  # ask again next time
        log.warning("single sign-on: discovery for %s failed: %s", provider.name, type(error).__name__)
        raise _unreachable(provider) from None
    if metadata.get("issuer", "").rstrip("/") != provider.issuer:
        client.server_metadata = {}
        log.warning("single sign-on: %s's discovery document names another issuer", provider.name)
        raise _unreachable(provider)
    return metadata


def begin(name: str, redirect_uri: str, next_url: str) -> Response:
    """The redirect to the provider's sign-in page, with state, nonce and the PKCE challenge kept
    in this session for the way back."""
    provider = provider_named(name)
    client = _client(provider)
    _metadata(provider, client)
    session[_NEXT] = next_url
    session.pop(_CONFIRMING, None)
    return client.authorize_redirect(redirect_uri)


def linked_providers(user: User) -> list[Provider]:
    """The configured providers the person has signed in with: those that can confirm it is them."""
    issuers = set(db.session.scalars(sa.select(SignInIdentity.issuer).where(SignInIdentity.user_id == user.id)))
    return [p for p in providers() if p.issuer in issuers]


def begin_confirmation(name: str, redirect_uri: str, next_url: str, user: User) -> Response:
    """Send a signed-in person to sign in at their provider again, now (`prompt=login`,
    `max_age=0`), to confirm it is them before an action that otherwise asks for the password."""
    provider = provider_named(name)
    if provider not in linked_providers(user):
        raise Refused("confirm-not-linked", str(_l("Your account does not sign in with %(label)s.",
                                                   label=provider.label)), 404, provider)
    client = _client(provider)
    _metadata(provider, client)
    session[_NEXT] = next_url
    session[_CONFIRMING] = {"user": user.id, "since": int(time.time())}
    return client.authorize_redirect(redirect_uri, prompt="login", max_age=0)


def confirming(user: User) -> bool:
    """Whether this session is on its way back from a confirmation for this person."""
    pending = session.get(_CONFIRMING)
    return isinstance(pending, dict) and pending.get("user") == user.id


def finish_confirmation(name: str, user: User) -> str:
    """Check the provider's answer to `begin_confirmation`: the same person (issuer and subject
    linked to this account), who signed in there just now. Returns where to go next."""
    provider = provider_named(name)
    pending = session.pop(_CONFIRMING, None) or {}
    client = _client(provider)
    _metadata(provider, client)
    claims = dict(_token(provider, client).get("userinfo") or {})
    linked = db.session.scalar(sa.select(SignInIdentity.user_id).where(
        SignInIdentity.issuer == provider.issuer, SignInIdentity.subject == str(claims.get("sub", ""))[:255]))
    if linked != user.id:
        raise Refused("confirm-other-person", str(_l(
            "%(label)s signed in someone else, so nothing was confirmed.", label=provider.label)), 403, provider)
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int) or auth_time < int(pending.get("since", time.time())) - 60:
        raise Refused("confirm-not-fresh", str(_l(
            "%(label)s did not ask you to sign in again, so nothing was confirmed.", label=provider.label)),
            403, provider)
    session[_CONFIRMED] = int(time.time())
    audit.record(user, "sso-confirmed", f"user {user.id}", provider=provider.name)
    return session.pop(_NEXT, "")


def confirmed_recently() -> bool:
    """Whether the person confirmed who they are at their provider in the last few minutes."""
    at = session.get(_CONFIRMED)
    return isinstance(at, int) and 0 <= time.time() - at <= CONFIRMATION_SECONDS


_NOT_VERIFIED = _l("We could not check the answer from %(label)s, so you are not signed in. Please start again "
                   "from the sign-in page.")


def _token(provider: Provider, client: FlaskOAuth2App) -> dict[str, Any]:
    """The provider's answer, checked: state, code, and the ID token with its nonce."""
    try:
        return client.authorize_access_token(claims_options={"iss": {"essential": True, "values": [provider.issuer]}})
    except MismatchingStateError:
        raise Refused("state", str(_l("This sign-in has been used already or has expired. Please start again from "
                                      "the sign-in page.")), 400, provider) from None
    except OAuthError as error:
        if error.error in {"access_denied", "login_required", "interaction_required", "consent_required"}:
            raise Refused("provider-declined", str(_l("%(label)s did not sign you in. Please start again from the "
                                                      "sign-in page.", label=provider.label)), 403, provider) from None
        # The error code may come from the browser's address bar: only a plain code goes to the log.
        code = str(error.error) if _ERROR_CODE.fullmatch(str(error.error)) else "other"
        raise Refused(f"provider-error:{code}", str(_NOT_VERIFIED % {"label": provider.label}), 400, provider) from None
    except JoseError as error:
        raise Refused(f"id-token:{type(error).__name__}", str(_NOT_VERIFIED % {"label": provider.label}),
                      400, provider) from None
    except requests.RequestException as error:
        log.warning("single sign-on: %s did not answer: %s", provider.name, type(error).__name__)
        raise _unreachable(provider) from None
    except (ValueError, KeyError, TypeError, RuntimeError) as error:  # a token answer missing its parts
        raise Refused(f"response:{type(error).__name__}", str(_NOT_VERIFIED % {"label": provider.label}),
                      400, provider) from None


def _claims(provider: Provider, client: FlaskOAuth2App, token: dict[str, Any]) -> dict[str, Any]:
    """The ID token's claims; the name and address from the userinfo endpoint when the ID token
    leaves them out (only for the same subject, and never `amr` or `acr`)."""
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise Refused("id-token:missing", str(_NOT_VERIFIED % {"label": provider.label}), 400, provider)
    wanted = {provider.email_claim, provider.name_claim, "email_verified"}
    if provider.role_claim:
        wanted.add(provider.role_claim)
    if not wanted <= claims.keys() and client.server_metadata.get("userinfo_endpoint"):
        try:
            extra = client.userinfo(token=token)
        except (requests.RequestException, ValueError):
            raise _unreachable(provider) from None
        if extra.get("sub") == claims["sub"]:
            claims.update({key: value for key, value in extra.items() if key in wanted and key not in claims})
    return claims


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _verified(claims: dict[str, Any]) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _refuse_account(provider: Provider, reason: str, message: Any, status: int = 403) -> Refused:
    return Refused(reason, str(message), status, provider)


def _new_account(provider: Provider, claims: dict[str, Any], email: str) -> User:
    if not provider.create_accounts:
        raise _refuse_account(provider, "no-account", _l(
            "There is no account here for the person %(label)s signed in, and accounts are not made "
            "automatically for %(label)s. Please ask your training coordinator to invite you.", label=provider.label))
    name = _text(claims.get(provider.name_claim), 120) or email.partition("@")[0][:120]
    locale = _text(claims.get("locale"), 5)[:2].lower()
    profile = accounts.Profile(
        name=name, organisation=provider.organisation or provider.label[:200], sector=provider.sector,
        specialty=None, is_resident=False,
        locale=locale if locale in Language.values() else session.get("locale"), timezone="UTC")
    verified = _verified(claims)
    try:
        user = accounts.create_external_account(email, profile, verified=verified)
    except InvalidInput:
        raise _refuse_account(provider, "bad-profile", _l(
            "%(label)s did not give us a name and email address we can use, so no account was made.",
            label=provider.label), 400) from None
    audit.record(user, "sso-account-created", f"user {user.id}", provider=provider.name)
    return user


def _account(provider: Provider, claims: dict[str, Any]) -> tuple[User, bool]:
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
        user = _new_account(provider, claims, email)
    elif not (_verified(claims) and user.email_verified):
        raise _refuse_account(provider, "email-unverified", _l(
            "An account here already uses this email address, and it could not be shown to be the same person, so "
            "we did not connect it to %(label)s. Sign in with your password, or ask an administrator.",
            label=provider.label))
    else:
        audit.record(user, "sso-identity-linked", f"user {user.id}", provider=provider.name)
    db.session.add(SignInIdentity(user_id=user.id, issuer=provider.issuer, subject=subject, provider=provider.name,
                                  last_used_at=datetime.now(UTC)))
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


def finish(name: str) -> Outcome:
    """Check the provider's answer on the way back and find the account. Raises Refused; the
    caller commits on success and rolls back otherwise."""
    provider = provider_named(name)
    client = _client(provider)
    _metadata(provider, client)
    token = _token(provider, client)
    claims = _claims(provider, client, token)
    user, _new = _account(provider, claims)
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
    return Outcome(user=user, provider=provider, provider_mfa=provider_mfa, next_url=session.pop(_NEXT, ""))


def record_refusal(refused: Refused, user: User | None = None) -> None:
    """Log and audit a refused sign-in (or confirmation, by a signed-in `user`): the provider and
    the reason, nothing the provider sent."""
    name = refused.provider.name if refused.provider else "unknown"
    log.warning("single sign-on with %s refused: %s", name, refused.reason)
    audit.record_refusal(user, "sso-sign-in-refused", f"provider {name}", reason=refused.reason)

