"""Links that leave the site (mail, certificates, badges, QR codes), built on PUBLIC_BASE_URL only.

Never from the request's Host or X-Forwarded-Host: a forged header would otherwise put another
site's address into a password-reset mail sent to a real person.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values: object) -> str:
    """The absolute address of an endpoint on the configured public site, in or out of a request."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme or "https")
    current_app.inject_url_defaults(endpoint, values)  # as url_for does: static files by their hashed names
    return adapter.build(endpoint, values, force_external=True)
