"""Single sign-on, the protocol side: sending a person to their identity provider and checking
what comes back, with Authlib's Flask client; the account rules are in
`services/single_sign_on.py`.

Authlib does the protocol: the authorisation code flow with PKCE (S256), a random `state` kept in
the session and cleared when it is used, a `nonce` in the ID token, and the ID token's signature
(the provider's published keys), issuer, audience, expiry and issue time. Every failure becomes
`single_sign_on.Refused` with a short reason, never a token or a claim value.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app, session
from flask_babel import lazy_gettext as _l
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from trainer.services import single_sign_on
from trainer.services.single_sign_on import NOT_VERIFIED, Refused, linked_providers, provider_named
from trainer.sso_config import Provider

if TYPE_CHECKING:
    from trainer.models import User

log = logging.getLogger(__name__)

_CLIENTS = "single_sign_on_clients"  # app.extensions key: one Authlib client per provider setting
_NEXT = "sso_next"
_CONFIRMING, _CONFIRMED = "sso_confirming", "sso_confirmed_at"
CONFIRMATION_SECONDS = 300  # how long a fresh sign-in at the provider stands in for the password
_ERROR_CODE = re.compile(r"[a-z_]{1,40}")


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
    single_sign_on.confirm(provider, user, claims, int(pending.get("since", time.time())))
    session[_CONFIRMED] = int(time.time())
    return session.pop(_NEXT, "")


def confirmed_recently() -> bool:
    """Whether the person confirmed who they are at their provider in the last few minutes."""
    at = session.get(_CONFIRMED)
    return isinstance(at, int) and 0 <= time.time() - at <= CONFIRMATION_SECONDS


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
        raise Refused(f"provider-error:{code}", str(NOT_VERIFIED % {"label": provider.label}), 400, provider) from None
    except JoseError as error:
        raise Refused(f"id-token:{type(error).__name__}", str(NOT_VERIFIED % {"label": provider.label}),
                      400, provider) from None
    except requests.RequestException as error:
        log.warning("single sign-on: %s did not answer: %s", provider.name, type(error).__name__)
        raise _unreachable(provider) from None
    except (ValueError, KeyError, TypeError, RuntimeError) as error:  # a token answer missing its parts
        raise Refused(f"response:{type(error).__name__}", str(NOT_VERIFIED % {"label": provider.label}),
                      400, provider) from None


def _claims(provider: Provider, client: FlaskOAuth2App, token: dict[str, Any]) -> dict[str, Any]:
    """The ID token's claims; the name and address from the userinfo endpoint when the ID token
    leaves them out (only for the same subject, and never `amr` or `acr`)."""
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise Refused("id-token:missing", str(NOT_VERIFIED % {"label": provider.label}), 400, provider)
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


def finish(name: str) -> Outcome:
    """Check the provider's answer on the way back and find the account. Raises Refused; the
    caller commits on success and rolls back otherwise."""
    provider = provider_named(name)
    client = _client(provider)
    _metadata(provider, client)
    token = _token(provider, client)
    user, provider_mfa = single_sign_on.sign_in_as(provider, _claims(provider, client, token), session.get("locale"))
    return Outcome(user=user, provider=provider, provider_mfa=provider_mfa, next_url=session.pop(_NEXT, ""))


