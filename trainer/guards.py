"""Refusals made before any other work on a request: unknown hosts, and forms from other sites.

- **Hosts.** Flask checks the request's Host against TRUSTED_HOSTS when it routes the request, but
  runs the `before_request` functions before it reports the failure. The first guard reports it at
  once, so nothing (sign-in limits, session checks, a mail) ever works with a forged host.
- **Origins.** Besides the CSRF token, an unsafe request (POST, PUT, PATCH, DELETE) that a browser
  says came from another origin is refused. The site's own origin is the request's scheme and
  host (trusted, once the host is checked) or the origin of PUBLIC_BASE_URL. `Origin: null`
  (sandboxed frames, documents that send no referrer) is refused too. A request without Origin is
  not a current browser's form: the CSRF token decides, as before (and over HTTPS Flask-WTF also
  wants a same-site Referer). With WTF_CSRF_ENABLED off (most tests) neither check runs.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, SecurityError

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443}
ViewT = TypeVar("ViewT", bound=Callable[..., Any])


class ForeignOrigin(BadRequest):
    """An unsafe request sent from a page of another site, or of no site at all."""


def origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an address or an Origin header; None for `null` and anything odd."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def own_origins() -> set[tuple[str, str, int]]:
    found = {origin_of(request.host_url), origin_of(current_app.config["PUBLIC_BASE_URL"])}
    return {origin for origin in found if origin is not None}


def refuse_untrusted_host() -> None:
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def cross_site(view: ViewT) -> ViewT:
    """Mark a view that other sites post to by design (an LMS's LTI login and launch): the origin
    check leaves it alone, and the view proves the request by other means (a signed token)."""
    view.cross_site = True  # type: ignore[attr-defined]
    return view


def refuse_foreign_origin() -> None:
    if request.method not in UNSAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if getattr(current_app.view_functions.get(request.endpoint or ""), "cross_site", False):
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin_of(origin) not in own_origins():
        raise ForeignOrigin()


def init_app(app: Flask) -> None:
    """Call before any extension adds its own `before_request`, so these run first."""
    app.before_request(refuse_untrusted_host)
    app.before_request(refuse_foreign_origin)
