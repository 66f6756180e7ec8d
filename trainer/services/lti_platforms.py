"""The LTI platforms an administrator registered (an organisation's Moodle or Canvas): what the
platform shows when the tool is added to it. Used through `services/lti.py`."""
from __future__ import annotations

import logging
import urllib.parse
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from trainer import policy
from trainer.extensions import db
from trainer.models import LtiPlatform, User
from trainer.services import audit
from trainer.services.errors import InvalidInput, NotAllowed, NotFound
from trainer.vocabulary import Sector

log = logging.getLogger(__name__)


@dataclass
class PlatformDetails:
    """What an administrator registers: the platform gives all of it when the tool is added."""

    name: str
    sector: str
    issuer: str
    client_id: str
    deployment_ids: list[str]
    auth_url: str
    token_url: str
    jwks_url: str


def _check_url(name: str, value: str) -> None:
    parts = urllib.parse.urlsplit(value)
    local = current_app.config.get("LOCAL") and parts.hostname in {"127.0.0.1", "localhost"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise InvalidInput(name, str(_l("Enter an https:// address.")))
    if not parts.hostname:
        raise InvalidInput(name, str(_l("Enter a full address.")))


def _admin_or_operator(actor: User | None) -> None:
    """Platforms are registered by an administrator, or by an operator at the command line (None)."""
    if actor is not None and not policy.is_admin(actor):
        raise NotAllowed()


def add_platform(details: PlatformDetails, actor: User | None = None) -> LtiPlatform:
    """Register a platform. Raises InvalidInput for a missing or malformed value, or an issuer and
    client id already registered. The caller commits."""
    _admin_or_operator(actor)
    for name in ("name", "issuer", "client_id"):
        if not getattr(details, name).strip():
            raise InvalidInput(name, str(_l("This field is required.")))
    if details.sector not in Sector.values():
        raise InvalidInput("sector", str(_l("Choose a sector.")))
    deployments = [d.strip() for d in details.deployment_ids if d.strip()]
    if not deployments:
        raise InvalidInput("deployment_ids", str(_l("Enter at least one deployment ID.")))
    for name in ("issuer", "auth_url", "token_url", "jwks_url"):
        _check_url(name, getattr(details, name))
    if db.session.scalar(sa.select(LtiPlatform.id).where(LtiPlatform.issuer == details.issuer,
                                                         LtiPlatform.client_id == details.client_id)):
        raise InvalidInput("client_id", str(_l("This issuer and client ID are already registered.")))
    platform = LtiPlatform(name=details.name.strip()[:120], sector=details.sector, issuer=details.issuer,
                           client_id=details.client_id, deployment_ids=deployments, auth_url=details.auth_url,
                           token_url=details.token_url, jwks_url=details.jwks_url)
    db.session.add(platform)
    db.session.flush()
    audit.record(actor, "lti-platform-added", f"lti platform {platform.id}")
    log.info("LTI platform %s registered", platform.id)
    return platform


def platforms(actor: User | None = None) -> list[LtiPlatform]:
    _admin_or_operator(actor)
    return list(db.session.scalars(sa.select(LtiPlatform).order_by(LtiPlatform.name, LtiPlatform.id)))


def remove_platform(platform_id: int, actor: User | None = None) -> None:
    """Forget a platform, and with it the links of its accounts (the accounts stay). Caller commits."""
    _admin_or_operator(actor)
    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        raise NotFound()
    db.session.delete(platform)
    db.session.flush()
    audit.record(actor, "lti-platform-removed", f"lti platform {platform_id}")
    log.info("LTI platform %s removed", platform_id)
