"""LTI 1.3 (IMS Learning Tools Interoperability), the tool's side: the platforms an administrator
registered, the site's signing keys and their public key set, OpenID Connect login initiation, and
the verification of a launch's `id_token`. Everything else the site does with LTI (accounts,
cohorts, grades, rosters, deep linking) goes through this module, so the JOSE library under it can
be replaced without touching them.

The JOSE work (RSA keys, JWK sets, signing and verifying JWTs, checking claims) is joserfc's. The
launch state is kept on the server, keyed by the hash of the `state` parameter, for
`LTI_STATE_SECONDS`, and spent by the launch: no cookie is set during login, so a browser that
blocks cookies in the platform's frame launches all the same.

Why not pylti1p3: the original (2.0.0, November 2022) is no longer released; its maintained fork,
pylti1p3next (2.0.2, June 2026), still checks a launch's state against a cookie it sets during
login, keeps the nonce in the framework's session (a cookie here) or in a cache found through
another cookie, and its way round blocked cookies is a page of inline script, which this site's
Content-Security-Policy refuses. It also brings jwcrypto, PyJWT and requests beside joserfc. What
it would save is the part here (a few hundred lines of claim checks and HTTP calls); the crypto is
a maintained library's either way.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from joserfc import jwk, jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError

from trainer.extensions import db
from trainer.models import LtiKey, LtiPlatform, LtiState
from trainer.services.errors import InvalidInput, NotFound, ServiceError
from trainer.services.lti_platforms import (  # registering platforms: part of the same interface
    PlatformDetails as PlatformDetails,
    add_platform as add_platform,
    platforms as platforms,
    remove_platform as remove_platform,
)

log = logging.getLogger(__name__)

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
ALGORITHMS = ["RS256"]


class LaunchRefused(ServiceError):
    """A login or launch that cannot be accepted. `reason` is a short code for the log (never a
    token or anything about the person); `status` the HTTP status to answer with."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


class PlatformUnavailable(ServiceError):
    """The platform's endpoint did not answer as it should; the work may be tried again."""


class NoSigningKey(PlatformUnavailable):
    """The site has no key to sign with yet: `flask --app wsgi lti rotate-key` makes one."""


# --- the site's keys --------------------------------------------------------------------------------

def rotate_key() -> LtiKey:
    """Make a new signing key. The keys before it stay in the key set until retired, so platforms
    that cached them keep verifying what was signed before. The caller commits."""
    kid = secrets.token_hex(12)  # hex: an id never starts with "-", which a command line reads as an option
    key = jwk.RSAKey.generate_key(2048, parameters={"kid": kid}, private=True)
    row = LtiKey(kid=kid, private_pem=key.as_pem(private=True).decode())
    db.session.add(row)
    db.session.flush()
    log.info("LTI key %s made", kid)
    return row


def retire_key(kid: str) -> LtiKey:
    """Take a key out of the key set. The newest key cannot be retired: it signs. Caller commits."""
    row = db.session.scalar(sa.select(LtiKey).where(LtiKey.kid == kid, LtiKey.retired_at.is_(None)))
    if row is None:
        raise NotFound()
    if row.id == live_keys()[-1].id:
        raise InvalidInput("kid", str(_l("The newest key signs: make a new one before retiring it.")))
    row.retired_at = datetime.now(UTC)
    db.session.flush()
    log.info("LTI key %s retired", kid)
    return row


def live_keys() -> list[LtiKey]:
    return list(db.session.scalars(sa.select(LtiKey).where(LtiKey.retired_at.is_(None)).order_by(LtiKey.id)))


def _signing_row() -> LtiKey:
    keys = live_keys()
    if not keys:
        log.error("LTI: the site has no signing key; run `flask --app wsgi lti rotate-key`")
        raise NoSigningKey("no signing key")
    return keys[-1]


def _private_key(row: LtiKey) -> jwk.RSAKey:
    return jwk.RSAKey.import_key(row.private_pem, parameters={"kid": row.kid, "use": "sig", "alg": "RS256"})


def public_key_set() -> dict[str, list[dict[str, Any]]]:
    """The public halves of the live keys, as a JWK set (RFC 7517)."""
    return {"keys": [dict(_private_key(row).as_dict(private=False)) for row in live_keys()]}


def sign(claims: dict[str, Any]) -> str:
    """A JWT signed with the newest key."""
    row = _signing_row()
    return jwt.encode({"alg": "RS256", "kid": row.kid, "typ": "JWT"}, claims, _private_key(row))


# --- HTTP to the platform --------------------------------------------------------------------------

def http(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
         ) -> tuple[dict[str, str], Any]:
    """Call the platform; the answer's headers and its JSON. Raises PlatformUnavailable."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=current_app.config["LTI_HTTP_TIMEOUT"]) as response:
            raw = response.read()
            return dict(response.headers), json.loads(raw) if raw else None
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        raise PlatformUnavailable(f"{method} {urllib.parse.urlsplit(url).netloc}: {error}") from error


def access_token(platform: LtiPlatform, scopes: list[str]) -> str:
    """An OAuth 2 access token from the platform (client credentials, with a signed JWT assertion
    as the client's proof: the LTI Advantage security framework)."""
    now = int(time.time())
    assertion = sign({"iss": platform.client_id, "sub": platform.client_id, "aud": platform.token_url,
                      "iat": now, "exp": now + 300, "jti": secrets.token_urlsafe(16)})
    form = urllib.parse.urlencode({
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion, "scope": " ".join(scopes)}).encode()
    _, answer = http("POST", platform.token_url, body=form,
                     headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
        raise PlatformUnavailable(f"platform {platform.id} gave no access token")
    return answer["access_token"]


# --- login and launch ---------------------------------------------------------------------------------

def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def find_platform(issuer: str, client_id: str | None) -> LtiPlatform:
    """The platform a login names. Raises LaunchRefused when none (or more than one) matches."""
    stmt = sa.select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        stmt = stmt.where(LtiPlatform.client_id == client_id)
    found = list(db.session.scalars(stmt.limit(2)))
    if len(found) != 1:
        raise LaunchRefused("unknown-platform")
    return found[0]


def login_redirect(params: dict[str, str], redirect_uri: str) -> str:
    """Third-party initiated login: remember a state and a nonce on the server, and answer with the
    address of the platform's authorisation endpoint. The caller commits."""
    issuer, hint = params.get("iss", ""), params.get("login_hint", "")
    if not issuer or not hint or not params.get("target_link_uri"):
        raise LaunchRefused("login-params")
    platform = find_platform(issuer, params.get("client_id"))
    deployment = params.get("lti_deployment_id")
    if deployment and deployment not in platform.deployment_ids:
        raise LaunchRefused("deployment")
    sweep()
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.session.add(LtiState(state_hash=_state_hash(state), nonce=nonce, platform_id=platform.id))
    query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
             "client_id": platform.client_id, "redirect_uri": redirect_uri, "login_hint": hint,
             "state": state, "nonce": nonce}
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_url else "?"
    return platform.auth_url + separator + urllib.parse.urlencode(query)


def origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) address; None for anything else."""
    parts = urllib.parse.urlsplit(url)
    ok = parts.scheme in {"http", "https"} and parts.netloc and "@" not in parts.netloc
    return f"{parts.scheme}://{parts.netloc}" if ok else None


def platform_origins(platform: LtiPlatform) -> set[str]:
    """Where the platform's own pages are: they may frame the pages a launch answers with."""
    return {o for o in (origin(platform.issuer), origin(platform.auth_url)) if o}


def all_platform_origins() -> set[str]:
    return set().union(*(platform_origins(p) for p in platforms()))


@dataclass
class Launch:
    """A verified launch: who, from where, into what, and what the platform offers back."""

    platform: LtiPlatform
    message_type: str
    deployment_id: str
    subject: str
    claims: dict[str, Any] = field(repr=False)

    def claim(self, name: str) -> Any:
        return self.claims.get(LTI + name)

    @property
    def name(self) -> str:
        given = " ".join(str(self.claims.get(k, "")) for k in ("given_name", "family_name")).strip()
        return str(self.claims.get("name") or given or "").strip()

    @property
    def email(self) -> str | None:
        value = self.claims.get("email")
        return value if isinstance(value, str) and "@" in value else None

    @property
    def roles(self) -> list[str]:
        return [r for r in self.claim("roles") or [] if isinstance(r, str)]

    @property
    def custom(self) -> dict[str, str]:
        value = self.claim("custom")
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}

    @property
    def context(self) -> dict[str, Any]:
        value = self.claim("context")
        return value if isinstance(value, dict) else {}

    @property
    def line_item_url(self) -> str | None:
        ags = self.claims.get(AGS_ENDPOINT)
        if isinstance(ags, dict) and SCORE_SCOPE in (ags.get("scope") or []):
            url = ags.get("lineitem")
            return url if isinstance(url, str) and len(url) <= 500 and origin(url) else None
        return None

    @property
    def memberships_url(self) -> str | None:
        nrps = self.claims.get(NRPS_CLAIM)
        url = nrps.get("context_memberships_url") if isinstance(nrps, dict) else None
        return url if isinstance(url, str) and len(url) <= 500 and origin(url) else None

    @property
    def frame_origins(self) -> set[str]:
        """The platform's origins and the page it launched from (a hosted Canvas's pages are on
        the institution's own host, its login service elsewhere)."""
        found = platform_origins(self.platform)
        presentation = self.claim("launch_presentation")
        for url in (presentation.get("return_url") if isinstance(presentation, dict) else None,
                    self.deep_linking.get("deep_link_return_url")):
            if isinstance(url, str) and origin(url):
                found.add(str(origin(url)))
        return found

    @property
    def deep_linking(self) -> dict[str, Any]:
        value = self.claims.get(DL + "deep_linking_settings")
        return value if isinstance(value, dict) else {}


def _spend_state(state: str) -> LtiState:
    """The login a launch belongs to, once: the row is deleted whether the launch is then accepted
    or not, and one older than LTI_STATE_SECONDS does not count."""
    if not state:
        raise LaunchRefused("state")
    row = db.session.get(LtiState, _state_hash(state))
    if row is None:
        raise LaunchRefused("state")
    db.session.delete(row)
    db.session.flush()
    oldest = datetime.now(UTC) - timedelta(seconds=current_app.config["LTI_STATE_SECONDS"])
    if row.created_at < oldest:
        raise LaunchRefused("state")
    return row


def _platform_keys(platform: LtiPlatform) -> jwk.KeySet:
    try:
        _, keys = http("GET", platform.jwks_url, headers={"Accept": "application/json"})
        return jwk.KeySet.import_key_set(keys)
    except PlatformUnavailable as error:
        log.warning("LTI platform %s: its key set could not be read: %s", platform.id, error)
        raise LaunchRefused("platform-keys", 502) from error
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise LaunchRefused("platform-keys", 502) from error


def _check_claims(claims: dict[str, Any], platform: LtiPlatform, nonce: str) -> None:
    registry = jwt.JWTClaimsRegistry(
        leeway=60, iss={"essential": True, "value": platform.issuer},
        aud={"essential": True, "value": platform.client_id}, exp={"essential": True},
        iat={"essential": True}, nonce={"essential": True, "value": nonce}, sub={"essential": True})
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise LaunchRefused("expired") from error
    except (InvalidClaimError, MissingClaimError) as error:
        raise LaunchRefused(f"claim-{error.claim}") from error
    if not isinstance(claims["sub"], str) or not 0 < len(claims["sub"]) <= 255:  # the spec's limit
        raise LaunchRefused("claim-sub")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != platform.client_id:
        raise LaunchRefused("claim-azp")
    if claims.get(LTI + "version") != "1.3.0":
        raise LaunchRefused("version")
    if claims.get(LTI + "deployment_id") not in platform.deployment_ids:
        raise LaunchRefused("deployment")
    if claims.get(LTI + "message_type") not in {RESOURCE_LINK, DEEP_LINKING}:
        raise LaunchRefused("message-type")


def verify_launch(id_token: str, state: str) -> Launch:
    """Check a launch: the state is one this site issued and unspent; the token is signed by one of
    the platform's keys; issuer, audience, nonce, expiry, deployment, version and message type are
    as they must be. Raises LaunchRefused. The spent state is the only write; the caller commits
    it whether the launch is accepted or refused."""
    row = _spend_state(state)
    platform = db.session.get(LtiPlatform, row.platform_id)
    if platform is None or not id_token:
        raise LaunchRefused("id-token")
    try:
        token = jwt.decode(id_token, _platform_keys(platform), algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError) as error:
        raise LaunchRefused("signature") from error
    claims = dict(token.claims)
    _check_claims(claims, platform, row.nonce)
    return Launch(platform, claims[LTI + "message_type"], claims[LTI + "deployment_id"], str(claims["sub"]), claims)


def deep_linking_response(platform: LtiPlatform, deployment_id: str, data: str | None,
                          items: list[dict[str, Any]]) -> str:
    """The signed LtiDeepLinkingResponse message carrying the chosen content items back."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": platform.client_id, "aud": platform.issuer, "iat": now, "exp": now + 600,
        "nonce": secrets.token_urlsafe(16), LTI + "deployment_id": deployment_id,
        LTI + "message_type": "LtiDeepLinkingResponse", LTI + "version": "1.3.0", DL + "content_items": items}
    if data:
        claims[DL + "data"] = data
    return sign(claims)


def sweep() -> int:
    """Delete login states past their lifetime (each login does, so none pile up); the number
    deleted. The caller commits."""
    oldest = datetime.now(UTC) - timedelta(seconds=current_app.config["LTI_STATE_SECONDS"])
    result = db.session.execute(sa.delete(LtiState).where(LtiState.created_at < oldest))
    return int(getattr(result, "rowcount", 0) or 0)
