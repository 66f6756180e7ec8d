"""A small LTI 1.3 platform (an LMS as far as a tool can tell) for the tests, served on a loopback
port: its own RSA key and key set, an OpenID Connect authorisation endpoint that answers a tool's
login with a signed launch (form_post, as Canvas and Moodle do), an OAuth 2 token endpoint
(client credentials with the tool's signed JWT assertion, checked against the tool's key set),
Assignment and Grade Services line items that keep the scores posted to them, Names and Role
Provisioning memberships (two members a page, so paging is exercised), and a deep linking return
endpoint that checks and keeps the tool's signed answer.

A test prepares what the next launch says (`prepare`), drives the tool's login, follows the
redirect here, and posts the form this platform answers with to the tool.
"""
from __future__ import annotations

import html
import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, abort, jsonify, request
from joserfc import jwk, jwt
from werkzeug.serving import make_server

from tests.support.waiting import answers, wait_for
from tests.support.workers import free_port

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
CLIENT_ID = "frontline-tool"
DEPLOYMENT = "deployment-1"


@dataclass
class Platform:
    base: str
    key: jwk.RSAKey
    tool_keys: dict[str, Any] | None = None
    prepared: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)
    deep_link_answers: list[dict[str, Any]] = field(default_factory=list)
    failures: int = 0  # answer this many score posts with 503 first
    tool_base: str = ""  # where the tool is served, for the browser journeys' start pages

    @property
    def issuer(self) -> str:
        return self.base

    def registration(self) -> dict[str, Any]:
        """What an administrator copies into the tool's registration form."""
        return {"name": "Harness Hospital", "sector": "health", "issuer": self.issuer, "client_id": CLIENT_ID,
                "deployment_ids": [DEPLOYMENT], "auth_url": self.base + "/auth",
                "token_url": self.base + "/token", "jwks_url": self.base + "/jwks"}

    def trust_tool(self, key_set: dict[str, Any]) -> None:
        """The tool's key set, as the platform's administrator would paste or fetch it."""
        self.tool_keys = key_set

    def prepare(self, sub: str = "learner-1", roles: tuple[str, ...] = (LEARNER,), custom: dict | None = None,
                message_type: str = "LtiResourceLinkRequest", context: str = "course-101",
                **overrides: Any) -> str:
        """What the next launch with the returned `lti_message_hint` says; `overrides` replace or
        add claims (None removes one)."""
        hint = secrets.token_urlsafe(8)
        self.prepared[hint] = {"sub": sub, "roles": list(roles), "custom": custom or {},
                               "message_type": message_type, "context": context, "overrides": overrides}
        return hint

    def login_params(self, hint: str, target: str = "https://tool.invalid/lti/launch") -> dict[str, str]:
        return {"iss": self.issuer, "login_hint": "someone", "target_link_uri": target, "lti_message_hint": hint,
                "client_id": CLIENT_ID, "lti_deployment_id": DEPLOYMENT}

    def claims(self, prepared: dict[str, Any], nonce: str) -> dict[str, Any]:
        now = int(time.time())
        sub, context = prepared["sub"], prepared["context"]
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": CLIENT_ID, "sub": sub, "iat": now, "exp": now + 300, "nonce": nonce,
            "name": f"Person {sub}", "email": f"{sub}@hospital.example",
            LTI + "deployment_id": DEPLOYMENT, LTI + "message_type": prepared["message_type"],
            LTI + "version": "1.3.0", LTI + "roles": prepared["roles"],
            LTI + "target_link_uri": "https://tool.invalid/lti/launch",
            LTI + "context": {"id": context, "title": f"Safeguarding {context}"},
            LTI + "custom": prepared["custom"],
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.base}/memberships/{context}", "service_versions": ["2.0"]},
        }
        if prepared["message_type"] == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": "link-1"}
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": [SCORE_SCOPE], "lineitem": f"{self.base}/lineitems/{context}-item?type=x"}
        else:
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.base + "/deep-link-return", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["window", "iframe"], "data": "opaque-data"}
        for name, value in prepared["overrides"].items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def sign(self, claims: dict[str, Any], key: jwk.RSAKey | None = None) -> str:
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def score_list(self, context: str = "course-101") -> list[dict[str, Any]]:
        return self.scores.get(f"{context}-item", [])

    def check_tool_jwt(self, token: str, audience: str) -> dict[str, Any]:
        """A JWT from the tool, verified against its key set; aborts with 401 otherwise."""
        try:
            decoded = jwt.decode(token, jwk.KeySet.import_key_set(self.tool_keys or {"keys": []}), algorithms=["RS256"])
            jwt.JWTClaimsRegistry(iss={"essential": True, "value": CLIENT_ID},
                                  aud={"essential": True, "value": audience},
                                  exp={"essential": True}).validate(decoded.claims)
        except Exception:  # noqa: BLE001  (any failure is a refusal, as a platform answers)
            abort(401)
        return dict(decoded.claims)


SUBMIT = "<script>document.forms[0].submit()</script>"


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of an auto-posting form page (this platform's, or the tool's)."""
    return {html.unescape(m.group(1)): html.unescape(m.group(2))
            for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}


def _bearer(platform: Platform, scope: str) -> None:
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if scope not in platform.tokens.get(token, []):
        abort(401)


def _app(platform: Platform) -> Flask:
    app = Flask("lti-platform")

    @app.get("/jwks")
    def jwks():
        return jsonify({"keys": [platform.key.as_dict(private=False)]})

    @app.get("/auth")
    def auth():
        args = request.args
        prepared = platform.prepared.get(args.get("lti_message_hint", ""))
        if (prepared is None or args.get("client_id") != CLIENT_ID or args.get("response_mode") != "form_post"
                or args.get("scope") != "openid" or not args.get("nonce")):
            abort(400)
        token = platform.sign(platform.claims(prepared, args["nonce"]))
        return (f'<form method="post" action="{html.escape(args["redirect_uri"])}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{html.escape(args["state"])}"></form>' + SUBMIT)

    @app.get("/start")
    def start():
        """What the LMS's page does when a link is clicked: post the login initiation to the tool."""
        fields = platform.login_params(request.args["hint"], platform.tool_base + "/lti/launch")
        inputs = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items())
        return f'<form method="post" action="{platform.tool_base}/lti/login">{inputs}</form>' + SUBMIT

    @app.get("/course")
    def course_page():
        """An LMS course page that shows the tool in a frame, as Moodle and Canvas do."""
        return (f'<html lang="en"><title>LMS course</title><h1>LMS course</h1>'
                f'<iframe title="Tool" width="800" height="600" src="/start?hint={html.escape(request.args["hint"])}">'
                f'</iframe></html>')

    @app.post("/token")
    def token():
        form = request.form
        if (form.get("grant_type") != "client_credentials" or form.get("client_assertion_type")
                != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
            abort(400)
        claims = platform.check_tool_jwt(form.get("client_assertion", ""), platform.base + "/token")
        if claims.get("sub") != CLIENT_ID:
            abort(401)
        access = secrets.token_urlsafe(16)
        platform.tokens[access] = form.get("scope", "").split()
        return jsonify({"access_token": access, "token_type": "Bearer", "expires_in": 3600})

    @app.post("/lineitems/<item>/scores")
    def scores(item: str):
        _bearer(platform, SCORE_SCOPE)
        if request.content_type != "application/vnd.ims.lis.v1.score+json" or request.args.get("type") != "x":
            abort(415)
        if platform.failures:
            platform.failures -= 1
            abort(503)
        platform.scores.setdefault(item, []).append(request.get_json(force=True))
        return "", 204

    @app.get("/memberships/<context>")
    def memberships(context: str):
        _bearer(platform, NRPS_SCOPE)
        page = int(request.args.get("page", 0))
        chunk = platform.members[page * 2:page * 2 + 2]
        response = jsonify({"id": request.url, "context": {"id": context}, "members": chunk})
        if len(platform.members) > page * 2 + 2:
            response.headers["Link"] = f'<{platform.base}/memberships/{context}?page={page + 1}>; rel="next"'
        return response

    @app.post("/deep-link-return")
    def deep_link_return():
        claims = platform.check_tool_jwt(request.form.get("JWT", ""), platform.issuer)
        platform.deep_link_answers.append(claims)
        return "received"

    return app


@contextmanager
def running_platform() -> Iterator[Platform]:
    """The platform on a free loopback port, answering before this yields."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    platform = Platform(base=base, key=jwk.RSAKey.generate_key(2048, parameters={"kid": "platform-key-1"},
                                                               private=True))
    server = make_server("127.0.0.1", port, _app(platform), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: answers(base + "/jwks")), "the LTI platform did not start"
        yield platform
    finally:
        server.shutdown()
        thread.join()


def query_of(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
