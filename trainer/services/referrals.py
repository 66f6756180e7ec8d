"""The referral directory: seeded from courses/referrals.yaml, edited by administrators."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from itertools import groupby

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from trainer import policy
from trainer.content import ReferralSpec
from trainer.extensions import db
from trainer.models import Referral, User
from trainer.services import audit
from trainer.services.errors import InvalidInput, NotAllowed, NotFound

log = logging.getLogger(__name__)

COUNTRY_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
URL_RE = re.compile(r"^https?://\S+$")


def sync_from_file(specs: tuple[ReferralSpec, ...]) -> tuple[int, int]:
    """Make the file's entries match the file; entries an administrator made or edited stay.

    Returns (added or updated, removed)."""
    existing = {(r.country, r.name): r for r in db.session.scalars(
        sa.select(Referral).where(Referral.from_file.is_(True)))}
    kept_by_admin = {(r.country, r.name) for r in db.session.scalars(
        sa.select(Referral).where(Referral.from_file.is_(False)))}
    changed = 0
    for position, spec in enumerate(specs):
        key = (spec.country, spec.name)
        if key in kept_by_admin:
            continue
        row = existing.pop(key, None) or Referral(from_file=True)
        values = dict(country=spec.country, name=spec.name, description=spec.description or "",
                      phone=spec.phone, url=spec.url, hours=spec.hours or "",
                      languages=list(spec.languages), checked=spec.checked, source=spec.source,
                      position=position)
        if any(getattr(row, k, None) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            db.session.add(row)
            changed += 1
    for row in existing.values():
        db.session.delete(row)
    db.session.flush()
    return changed, len(existing)


@dataclass
class CountryGroup:
    country: str
    services: list  # Referral entries, or (country, name, phone) rows for phone_list


def directory(country: str | None = None) -> list[CountryGroup]:
    """Services grouped by country (regions under their country), in the file's order."""
    stmt = sa.select(Referral).order_by(Referral.country, Referral.position, Referral.name)
    if country:
        stmt = stmt.where(sa.or_(Referral.country == country, Referral.country.like(f"{country}-%")))
    return _grouped(db.session.scalars(stmt).all())


def phone_list() -> list[CountryGroup]:
    """Every service's name and number, grouped like ``directory``: what a lesson page shows.

    Plain rows rather than whole entries, since every lesson view reads them.
    """
    stmt = (sa.select(Referral.country, Referral.name, Referral.phone)
            .order_by(Referral.country, Referral.position, Referral.name))
    return _grouped(db.session.execute(stmt).all())


def _grouped(rows) -> list[CountryGroup]:
    return [CountryGroup(code, list(items)) for code, items in groupby(rows, key=lambda r: r.country.split("-")[0])]


def countries() -> list[str]:
    codes = db.session.scalars(sa.select(Referral.country).distinct()).all()
    return sorted({c.split("-")[0] for c in codes})


@dataclass
class ReferralInput:
    country: str
    name: str
    description: str
    phone: str
    url: str
    hours: str
    languages: str
    checked: date | None
    source: str


def _validate(data: ReferralInput) -> dict:
    country = data.country.strip().upper()
    if not COUNTRY_RE.match(country):
        raise InvalidInput("country", str(_l("Use a country code such as CA, or a region such as CA-ON.")))
    if not data.name.strip():
        raise InvalidInput("name", str(_l("Enter the service's name.")))
    if not data.phone.strip() and not data.url.strip():
        raise InvalidInput("phone", str(_l("Give a phone number, a web address, or both.")))
    for field in ("url", "source"):
        value = getattr(data, field).strip()
        if value and not URL_RE.match(value):
            raise InvalidInput(field, str(_l("Enter a web address starting with https://")))
    if not data.source.strip():
        raise InvalidInput("source", str(_l("Say where the number was checked: the publisher's page.")))
    if data.checked is None:
        raise InvalidInput("checked", str(_l("Enter the date the details were checked.")))
    return dict(country=country, name=data.name.strip(), description=data.description.strip(),
                phone=data.phone.strip() or None, url=data.url.strip() or None, hours=data.hours.strip(),
                languages=[x.strip() for x in data.languages.split(",") if x.strip()],
                checked=data.checked, source=data.source.strip())


def save(actor: User, data: ReferralInput, referral: Referral | None = None) -> Referral:
    """Add or edit an entry; an edited file entry becomes the administrator's own."""
    if not policy.can_author(actor):
        raise NotAllowed()
    values = _validate(data)
    referral = referral or Referral(position=10_000)
    for key, value in values.items():
        setattr(referral, key, value)
    referral.from_file = False
    db.session.add(referral)
    db.session.flush()
    log.info("admin %s saved referral %s", actor.id, referral.id)
    audit.record(actor, "referral-saved", f"referral {referral.id}", name=referral.name)
    return referral


def get(actor: User, referral_id: int) -> Referral:
    if not policy.can_author(actor):
        raise NotAllowed()
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        raise NotFound()
    return referral


def delete(actor: User, referral: Referral) -> None:
    if not policy.can_author(actor):
        raise NotAllowed()
    db.session.delete(referral)
    db.session.flush()
    log.info("admin %s deleted referral %s", actor.id, referral.id)
    audit.record(actor, "referral-deleted", f"referral {referral.id}", name=referral.name)
