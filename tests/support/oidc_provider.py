"""A real OpenID Connect provider for the single sign-on tests: pyop (the provider library SATOSA
uses) behind a small Flask app with a sign-in form, served on a free loopback port.

pyop does the protocol and signs the ID tokens. For the bad-input tests the provider can be told
to misbehave in the ways a forged or broken answer would (`provider.mode`): sign with a key it
does not publish, address the token to another client, give an expired token, a wrong nonce or
another issuer. Each of these is still made and signed by pyop; only its inputs change.
"""
from __future__ import annotations

import html
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from Cryptodome.PublicKey import RSA
from flask import Flask, Response, jsonify, redirect, request
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.exceptions import BearerTokenError, InvalidAuthenticationRequest, OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo
from werkzeug.serving import make_server

from tests.support.tls import Certificate
from tests.support.waiting import wait_for

CLIENT_ID = "frontline-trainer"
CLIENT_SECRET = "a-client-secret-for-the-tests"
OTHER_CLIENT = "another-application"
PASSWORD = "provider-password"

MODES = ("forged", "wrong-audience", "expired", "wrong-nonce", "wrong-issuer")


@dataclass
class Person:
    """Someone with an account at the provider."""

    username: str
    sub: str
    claims: dict[str, Any]
    amr: list[str] = field(default_factory=lambda: ["pwd"])
    acr: str | None = None
    # Profile claims in the ID token (as most providers do) or only at the userinfo endpoint.
    in_id_token: bool = True
    # When they last typed their password here (the ID token's auth_time); `stale` gives an hour ago,
    # as a provider that answers from its own session without asking again would.
    signed_in_at: int = 0
    stale: bool = False


class MisbehavingProvider(Provider):
    """pyop's provider, whose ID tokens the tests can spoil on purpose (see `mode`)."""

    mode: str | None = None
    forger_key: RSAKey
    lock = threading.Lock()

    def _create_signed_id_token(self, client_id, sub, user_claims=None, nonce=None, authorization_code=None,
                                access_token_value=None, extra_id_token_claims=None):
        with self.lock:
            saved = (self.signing_key, self.id_token_lifetime, self.configuration_information["issuer"])
            if self.mode == "forged":
                self.signing_key = self.forger_key  # same key id, a key the provider never published
            elif self.mode == "wrong-audience":
                client_id = OTHER_CLIENT
            elif self.mode == "expired":
                self.id_token_lifetime = -3600
            elif self.mode == "wrong-nonce":
                nonce = "not-the-nonce-that-was-sent"
            elif self.mode == "wrong-issuer":
                self.configuration_information["issuer"] = saved[2] + "/elsewhere"
            try:
                return super()._create_signed_id_token(client_id, sub, user_claims, nonce, authorization_code,
                                                       access_token_value, extra_id_token_claims)
            finally:
                self.signing_key, self.id_token_lifetime, self.configuration_information["issuer"] = saved


LOGIN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>
<form method="post"><input type="hidden" name="request" value="{request}">
<p><label for="username">Username</label> <input id="username" name="username"></p>
<p><label for="password">Provider password</label> <input id="password" name="password" type="password"></p>
<p><button type="submit">Continue</button></p>{error}</form></main></body></html>"""


class TestProvider:
    """The provider app and what the tests look at: who is registered, the last request."""

    def __init__(self, redirect_uris: list[str]) -> None:
        self.url = ""
        self.people: dict[str, Person] = {}
        self.authentication_requests: list[dict[str, Any]] = []
        self.token_requests: list[dict[str, str]] = []
        self.token_errors: list[str] = []
        self.redirect_uris = redirect_uris
        self.app = Flask("test_identity_provider")
        self.provider: MisbehavingProvider | None = None
        self.ca_path = ""
        self._routes()

    @property
    def issuer(self) -> str:
        return self.url

    def add(self, person: Person) -> Person:
        self.people[person.username] = person
        return person

    @property
    def mode(self) -> str | None:
        assert self.provider is not None
        return self.provider.mode

    @mode.setter
    def mode(self, value: str | None) -> None:
        assert self.provider is not None and (value is None or value in MODES)
        self.provider.mode = value

    def start_provider(self, url: str) -> None:
        self.url = url
        signing = RSAKey(key=RSA.generate(2048), kid="provider-key", alg="RS256", use="sig")
        configuration = {
            "issuer": url,
            "authorization_endpoint": f"{url}/authorize",
            "token_endpoint": f"{url}/token",
            "userinfo_endpoint": f"{url}/userinfo",
            "jwks_uri": f"{url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_parameter_supported": True,
        }
        client = {"client_secret": CLIENT_SECRET, "redirect_uris": self.redirect_uris, "response_types": ["code"],
                  "token_endpoint_auth_method": "client_secret_basic", "subject_type": "public"}
        clients = {CLIENT_ID: client, OTHER_CLIENT: {**client, "client_secret": "other-secret"}}
        userinfo = _LiveUserinfo(self)
        self.provider = MisbehavingProvider(
            signing, configuration, AuthorizationState(HashBasedSubjectIdentifierFactory("test-salt")),
            clients, userinfo)
        self.provider.forger_key = RSAKey(key=RSA.generate(2048), kid="provider-key", alg="RS256", use="sig")

    def _id_token_claims(self, user_id: str, client_id: str) -> dict[str, Any]:
        person = self.people[user_id]
        claims: dict[str, Any] = {"amr": person.amr, "auth_time": person.signed_in_at}
        if person.acr:
            claims["acr"] = person.acr
        if person.in_id_token:
            claims.update(person.claims)
        return claims

    def _routes(self) -> None:
        app = self.app

        @app.get("/.well-known/openid-configuration")
        def discovery():
            assert self.provider is not None
            return jsonify(self.provider.provider_configuration.to_dict())

        @app.get("/jwks")
        def jwks():
            assert self.provider is not None
            return jsonify(self.provider.jwks)

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            assert self.provider is not None
            query = request.query_string.decode() if request.method == "GET" else request.form["request"]
            try:
                auth_request = self.provider.parse_authentication_request(query)
            except InvalidAuthenticationRequest as error:
                return Response(f"bad request: {html.escape(str(error))}", status=400)
            if request.method == "GET":
                self.authentication_requests.append(auth_request.to_dict())
                return LOGIN_PAGE.format(request=html.escape(query), error="")
            person = self.people.get(request.form.get("username", ""))
            if person is None or request.form.get("password") != PASSWORD:
                return LOGIN_PAGE.format(request=html.escape(query), error="<p role='alert'>Not right.</p>"), 401
            person.signed_in_at = int(time.time()) - (3600 if person.stale else 0)
            response = self.provider.authorize(auth_request, person.username)
            return redirect(response.request(auth_request["redirect_uri"], False), 302)

        @app.post("/token")
        def token():
            assert self.provider is not None
            body = request.get_data(as_text=True)  # before the form is parsed, which would use it up
            self.token_requests.append(request.form.to_dict())
            try:
                response = self.provider.handle_token_request(
                    body, dict(request.headers), extra_id_token_claims=self._id_token_claims)
            except OAuthError as error:
                self.token_errors.append(str(error))
                return jsonify(error=error.oauth_error, error_description=str(error)), 400
            return Response(response.to_json(), mimetype="application/json",
                            headers={"Cache-Control": "no-store"})

        @app.route("/userinfo", methods=["GET", "POST"])
        def userinfo():
            assert self.provider is not None
            try:
                response = self.provider.handle_userinfo_request(request.get_data(as_text=True),
                                                                 dict(request.headers))
            except (BearerTokenError, OAuthError):
                return Response(status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return Response(response.to_json(), mimetype="application/json")

    def sign_in(self, authorize_url: str, username: str) -> str:
        """What a browser does at the provider: open the sign-in page, send the form; returns the
        address the provider sends the browser back to (the client's callback, with code and state)."""
        import requests

        page = requests.get(authorize_url, timeout=30, verify=self.ca_path)
        assert page.status_code == 200, page.text
        query = authorize_url.split("?", 1)[1]
        answer = requests.post(f"{self.url}/authorize", data={"request": query, "username": username,
                                                                "password": PASSWORD},
                               allow_redirects=False, timeout=30, verify=self.ca_path)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def authorize_url(self, **params: str) -> str:
        return f"{self.url}/authorize?{urlencode(params)}"


class _LiveUserinfo(Userinfo):
    """pyop's userinfo, read from the people the tests add (by username), with their fixed `sub`."""

    def __init__(self, provider: TestProvider) -> None:
        super().__init__({})
        self._provider = provider

    def __getitem__(self, item):
        person = self._provider.people[item]
        return {"sub": person.sub, **person.claims}

    def __contains__(self, item):
        return item in self._provider.people

    def get_claims_for(self, user_id, requested_claims, userinfo=None):
        if not userinfo:
            userinfo = self[user_id] if user_id else {}
        return {claim: userinfo[claim] for claim in requested_claims if claim in userinfo}


@contextmanager
def serving(redirect_uris: list[str], certificate: Certificate) -> Iterator[TestProvider]:
    """The provider over HTTPS on a free loopback port, once its discovery document answers.
    OpenID Connect issuers are https:// addresses; the certificate comes from a throw-away
    authority (`certificate.ca_path`), which the app is told to trust (the provider's CA_BUNDLE)."""
    provider = TestProvider(redirect_uris)
    provider.ca_path = str(certificate.ca_path)
    server = make_server("127.0.0.1", 0, provider.app, threaded=True, ssl_context=certificate.server_context())
    provider.start_provider(f"https://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        context = certificate.client_context()
        if not wait_for(lambda: _answers(f"{provider.url}/.well-known/openid-configuration", context)):
            raise RuntimeError("the test identity provider did not answer")
        yield provider
    finally:
        server.shutdown()


def _answers(url: str, context: ssl.SSLContext) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as response:
            return response.status == 200
    except OSError:
        return False
