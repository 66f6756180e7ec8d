"""The referral directory: seeded from courses/referrals.yaml, edited and checked by administrators.

Check dates: ``Referral.checked`` is the last time anyone checked the entry against its source.
An import of the file keeps the later of the file's date and the database's, so a check recorded
in the browser ("I checked this today") is never undone by an older file, and a newer date in the
file replaces an older browser check.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from trainer import policy
from trainer.content import ReferralSpec
from trainer.extensions import db
from trainer.models import Referral, User
from trainer.services import audit
from trainer.services.errors import InvalidInput, NotAllowed, NotFound
from trainer.services.local_dates import today_for, utc_today
from trainer.vocabulary import Language

log = logging.getLogger(__name__)

COUNTRY_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
URL_RE = re.compile(r"^https?://\S+$")
# The country a reader most likely works in, from the language they use the site in. English is
# used in several of the directory's countries, so it suggests none.
LANGUAGE_COUNTRIES: dict[str | None, str] = {Language.NL: "NL"}


def sync_from_file(specs: tuple[ReferralSpec, ...]) -> tuple[int, int]:
    """Make the file's entries match the file; entries an administrator made or edited stay.

    A check date never moves backwards: a row keeps its own date (and who checked) when it is
    later than the file's. Returns (added or updated, removed)."""
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
        values: dict[str, object] = dict(country=spec.country, name=spec.name, description=spec.description or "",
                      descriptions=dict(spec.descriptions), phone=spec.phone, url=spec.url,
                      hours=spec.hours or "", languages=list(spec.languages), source=spec.source,
                      position=position)
        if row.checked is None or spec.checked > row.checked:
            values.update(checked=spec.checked, checked_by_id=None)
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
    services: list  # Referral entries, or (country, name, phone, checked) rows for phone_list


def learner_country(language: str, user: User | None = None) -> str | None:
    """The country whose services a reader sees first: their organisation's, or else from the
    interface language (nl: NL).

    Profiles hold no country, so these are the only hints; None keeps the usual order."""
    chosen = user.organisation_country if user is not None else None
    return chosen or LANGUAGE_COUNTRIES.get(language)


def directory(country: str | None = None, first: str | None = None) -> list[CountryGroup]:
    """Services grouped by country (regions under their country), in the file's order, with the
    country ``first`` (when given) at the top."""
    stmt = sa.select(Referral).order_by(Referral.country, Referral.position, Referral.name)
    if country:
        stmt = stmt.where(sa.or_(Referral.country == country, Referral.country.like(f"{country}-%")))
    return _first(_grouped(db.session.scalars(stmt).all()), first)


def phone_list(first: str | None = None) -> list[CountryGroup]:
    """Every service's name, number and check date, grouped like ``directory``: what a lesson
    page shows.

    Plain rows rather than whole entries, since every lesson view reads them.
    """
    return _first(_grouped(db.session.execute(_PHONE_LIST).all()), first)


_PHONE_LIST = (sa.select(Referral.country, Referral.name, Referral.phone, Referral.checked)
               .order_by(Referral.country, Referral.position, Referral.name))  # built once: every lesson reads it


def _grouped(rows: Iterable[Any]) -> list[CountryGroup]:
    """Referrals, or result rows with their columns, by country (``CA-ON`` goes with ``CA``)."""
    return [CountryGroup(code, list(items)) for code, items in groupby(rows, key=lambda r: r.country.split("-")[0])]


def _first(groups: list[CountryGroup], country: str | None) -> list[CountryGroup]:
    """``groups`` with the one for ``country`` moved to the top (the others keep their order)."""
    return sorted(groups, key=lambda group: group.country != country) if country else groups


def countries() -> list[str]:
    codes = db.session.scalars(sa.select(Referral.country).distinct()).all()
    return sorted({c.split("-")[0] for c in codes})


# --- keeping the directory true -------------------------------------------------------------

def max_age_days() -> int:
    """How many days an entry may go unchecked before it is due (REFERRAL_CHECK_MAX_AGE_DAYS)."""
    return int(current_app.config["REFERRAL_CHECK_MAX_AGE_DAYS"])


def due_for_checking(today: date | None = None) -> list[Referral]:
    """Entries not checked for ``max_age_days()`` or more, the longest-unchecked first."""
    cutoff = (today or utc_today()) - timedelta(days=max_age_days())
    stmt = (sa.select(Referral).where(Referral.checked <= cutoff)
            .order_by(Referral.checked, Referral.country, Referral.name))
    return list(db.session.scalars(stmt))


@dataclass
class AdminDirectory:
    """What the directory's admin page shows: every entry, and which are due for checking."""

    groups: list[CountryGroup]
    due_ids: set[int]
    max_age_days: int


def admin_directory(actor: User) -> AdminDirectory:
    """Every entry with who last checked it, and the ids of those due for checking."""
    if not policy.can_keep_directory(actor):
        raise NotAllowed()
    stmt = (sa.select(Referral).options(selectinload(Referral.checked_by))
            .order_by(Referral.country, Referral.position, Referral.name))
    rows = db.session.scalars(stmt).all()
    today, limit = today_for(actor), max_age_days()
    return AdminDirectory(_grouped(rows), {r.id for r in rows if r.is_due(today, limit)}, limit)


def mark_checked(actor: User, referral: Referral, today: date | None = None) -> Referral:
    """Record that ``actor`` checked the entry against its source today.

    The entry stays linked to referrals.yaml (a check is not an edit); the next import keeps
    this date unless the file gives a later one."""
    if not policy.can_keep_directory(actor):
        raise NotAllowed()
    referral.checked = max(referral.checked, today or today_for(actor))
    referral.checked_by_id = actor.id
    db.session.flush()
    log.info("admin %s checked referral %s", actor.id, referral.id)
    audit.record(actor, "referral-checked", f"referral {referral.id}", checked=referral.checked.isoformat())
    return referral


# --- editing --------------------------------------------------------------------------------

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
    description_nl: str = ""


def _validate(data: ReferralInput, today: date) -> dict:
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
    if data.checked > today:
        raise InvalidInput("checked", str(_l("A check cannot be dated in the future.")))
    if data.description_nl.strip() and not data.description.strip():
        raise InvalidInput("description",
                           str(_l("Write the description in English too: it is shown in every other language.")))
    descriptions = {Language.NL.value: data.description_nl.strip()} if data.description_nl.strip() else {}
    return dict(country=country, name=data.name.strip(), description=data.description.strip(),
                descriptions=descriptions, phone=data.phone.strip() or None, url=data.url.strip() or None,
                hours=data.hours.strip(), languages=[x.strip() for x in data.languages.split(",") if x.strip()],
                checked=data.checked, source=data.source.strip())


def save(actor: User, data: ReferralInput, referral: Referral | None = None) -> Referral:
    """Add or edit an entry; an edited file entry becomes the administrator's own.

    A new or changed check date is recorded as the administrator's check."""
    if not policy.can_keep_directory(actor):
        raise NotAllowed()
    values = _validate(data, today_for(actor))
    referral = referral or Referral(position=10_000)
    if referral.checked != values["checked"]:
        referral.checked_by_id = actor.id
    for key, value in values.items():
        setattr(referral, key, value)
    referral.from_file = False
    db.session.add(referral)
    db.session.flush()
    log.info("admin %s saved referral %s", actor.id, referral.id)
    audit.record(actor, "referral-saved", f"referral {referral.id}", name=referral.name)
    return referral


def get(actor: User, referral_id: int) -> Referral:
    if not policy.can_keep_directory(actor):
        raise NotAllowed()
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        raise NotFound()
    return referral


UNDO_SECONDS = 15 * 60
_UNDO_SALT = "referral-undo"
_KEPT = ("country", "name", "description", "descriptions", "phone", "url", "hours", "languages", "source",
         "position", "from_file", "checked_by_id")


def _undo_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_UNDO_SALT)


def delete(actor: User, referral: Referral) -> str:
    """Delete an entry; returns a signed copy of it that `restore` puts back for a quarter of an
    hour (the directory is public information, so the copy holds nothing private)."""
    if not policy.can_keep_directory(actor):
        raise NotAllowed()
    kept = {key: getattr(referral, key) for key in _KEPT} | {"checked": referral.checked.isoformat()}
    db.session.delete(referral)
    db.session.flush()
    log.info("admin %s deleted referral %s", actor.id, referral.id)
    audit.record(actor, "referral-deleted", f"referral {referral.id}", name=referral.name)
    return _undo_serializer().dumps(kept)


def restore(actor: User, token: str) -> Referral:
    """Put back an entry deleted less than a quarter of an hour ago, as it was."""
    if not policy.can_keep_directory(actor):
        raise NotAllowed()
    try:
        kept = _undo_serializer().loads(token, max_age=UNDO_SECONDS)
    except SignatureExpired as error:
        raise InvalidInput("undo", str(_l("A deletion can be undone for 15 minutes; this one is older. "
                                          "Add the entry again."))) from error
    except BadSignature as error:
        raise NotFound() from error
    referral = Referral(**{key: kept[key] for key in _KEPT if key in kept},
                        checked=date.fromisoformat(kept["checked"]))
    if referral.checked_by_id is not None and db.session.get(User, referral.checked_by_id) is None:
        referral.checked_by_id = None
    db.session.add(referral)
    db.session.flush()
    audit.record(actor, "referral-restored", f"referral {referral.id}", name=referral.name)
    return referral
