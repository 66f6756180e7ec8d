"""Organisations and their people: a hospital or a police force with its own administrators.

Administrators of the platform create organisations and put accounts in them (or, later, an
organisation's identity provider does). An organisation's administrators then manage its
people (the trainer role, deactivation, two-factor resets: see `services.users`), its cohorts and
its report for command, and set its defaults: the country whose services its people see first
and the language of those who chose none. Nothing here reaches another organisation.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from trainer import policy
from trainer.extensions import db
from trainer.models import Organisation, OrganisationMember, User
from trainer.services import accounts, audit, referrals
from trainer.services.errors import InvalidInput, NotAllowed, NotFound
from trainer.sso_config import Provider
from trainer.vocabulary import Language

log = logging.getLogger(__name__)


@dataclass
class Details:
    name: str
    country: str  # "" for none
    locale: str  # "" for none
    password_sign_in: bool = True


def countries() -> list[str]:
    """The countries an organisation may default to: those the referral directory covers."""
    return referrals.countries()


def _check(details: Details, exclude_id: int | None = None) -> Details:
    name = " ".join(details.name.split())
    if not name or len(name) > 200:
        raise InvalidInput("name", str(_l("Give the organisation's name, at most 200 characters.")))
    clash = sa.select(Organisation.id).where(sa.func.lower(Organisation.name) == name.lower())
    if exclude_id is not None:
        clash = clash.where(Organisation.id != exclude_id)
    if db.session.scalar(clash) is not None:
        raise InvalidInput("name", str(_l("There is already an organisation with this name.")))
    if details.country and details.country not in countries():
        raise InvalidInput("country", str(_l("Choose a country from the list.")))
    if details.locale and details.locale not in Language.values():
        raise InvalidInput("locale", str(_l("Choose a language from the list.")))
    if not details.password_sign_in and not providers_of(name):
        raise InvalidInput("password_sign_in", str(_l(
            "Its people can only give up passwords once an identity provider signs them in: set one up with this "
            "organisation's name (see Single sign-on in the deployment guide) first.")))
    return Details(name, details.country, details.locale, details.password_sign_in)


def providers_of(organisation_name: str) -> list[Provider]:
    """The identity providers whose people belong to the organisation (their ORGANISATION setting)."""
    configured = current_app.config.get("OIDC_PROVIDERS") or ()
    return [p for p in configured if p.organisation.lower() == organisation_name.lower()]


def password_sign_in_allowed(user: User) -> bool:
    """Whether the person may sign in with a password: not when their organisation signs its
    people in through its identity provider, unless they hold the platform's roles."""
    if user.membership is None or user.membership.organisation.password_sign_in:
        return True
    return any(user.has_role(role) for role in policy.PLATFORM_ROLES)


def create(actor: User, details: Details) -> Organisation:
    if not policy.is_admin(actor):
        raise NotAllowed()
    details = _check(details)
    organisation = Organisation(name=details.name, country=details.country or None, locale=details.locale or None,
                                password_sign_in=details.password_sign_in)
    db.session.add(organisation)
    db.session.flush()
    audit.record(actor, "organisation-created", f"organisation {organisation.id}")
    return organisation


def visible_to(actor: User) -> list[Organisation]:
    """Every organisation for administrators; their own for an organisation's administrators."""
    if policy.is_admin(actor):
        return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))
    if policy.is_organisation_admin(actor) and actor.membership is not None:
        return [actor.membership.organisation]
    raise NotAllowed()


def get(actor: User, organisation_id: int) -> Organisation:
    """An organisation the actor manages; any other is "not found"."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not policy.can_manage_organisation(actor, organisation.id):
        if organisation is not None and policy.can_manage_users(actor):
            audit.record_refusal(actor, "organisation-access-refused", f"organisation {organisation_id}")
        raise NotFound()
    return organisation


def update(actor: User, organisation: Organisation, details: Details) -> Organisation:
    """Its administrators set the defaults; only the platform's renames it (the name is how
    reports and other organisations know it)."""
    if not policy.can_manage_organisation(actor, organisation.id):
        raise NotFound()
    if not policy.is_admin(actor):
        details = Details(organisation.name, details.country, details.locale, details.password_sign_in)
    details = _check(details, exclude_id=organisation.id)
    organisation.name, organisation.country, organisation.locale = (details.name, details.country or None,
                                                                    details.locale or None)
    organisation.password_sign_in = details.password_sign_in
    db.session.flush()
    audit.record(actor, "organisation-changed", f"organisation {organisation.id}")
    return organisation


def members(actor: User, organisation: Organisation) -> list[tuple[User, bool]]:
    """Its people by name, each with whether they administer it."""
    if not policy.can_manage_organisation(actor, organisation.id):
        raise NotFound()
    rows = db.session.execute(sa.select(User, OrganisationMember.admin)
                              .join(OrganisationMember, OrganisationMember.user_id == User.id)
                              .where(OrganisationMember.organisation_id == organisation.id)
                              .order_by(User.name, User.id)).unique()
    return [(user, admin) for user, admin in rows]


def add_member(actor: User, organisation: Organisation, email: str, admin: bool = False) -> User:
    """Only the platform's administrators put an account in an organisation: an organisation's
    own could otherwise pull in anyone and read their records."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    user = accounts.get_by_email(email)
    if user is None:
        raise InvalidInput("email", str(_l("No account has this email address.")))
    if user.membership is not None:
        if user.membership.organisation_id == organisation.id:
            raise InvalidInput("email", str(_l("%(name)s is in this organisation already.", name=user.name)))
        raise InvalidInput("email", str(_l("%(name)s belongs to another organisation; remove them there first.",
                                           name=user.name)))
    user.membership = OrganisationMember(organisation_id=organisation.id, admin=admin)
    db.session.flush()
    audit.record(actor, "organisation-member-added", f"user {user.id}", organisation=organisation.id, admin=admin)
    return user


def _member(actor: User, organisation: Organisation, user_id: int) -> User:
    if not policy.can_manage_organisation(actor, organisation.id):
        raise NotFound()
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != organisation.id:
        raise NotFound()
    return user


def remove_member(actor: User, organisation: Organisation, user_id: int) -> User:
    """The person keeps their account and learning; the organisation no longer manages them."""
    user = _member(actor, organisation, user_id)
    if user.id == actor.id and not policy.is_admin(actor):
        raise InvalidInput("user", str(_l("You cannot remove yourself; ask another administrator.")))
    user.membership = None
    db.session.flush()
    audit.record(actor, "organisation-member-removed", f"user {user.id}", organisation=organisation.id)
    return user


def set_admin(actor: User, organisation: Organisation, user_id: int, admin: bool) -> User:
    user = _member(actor, organisation, user_id)
    if user.id == actor.id and not policy.is_admin(actor):
        raise InvalidInput("user", str(_l("You cannot change your own administration; ask another "
                                          "administrator.")))
    if admin and not user.email_verified:
        raise InvalidInput("user", str(_l("%(name)s has not confirmed their email address yet.", name=user.name)))
    assert user.membership is not None
    user.membership.admin = admin
    db.session.flush()
    audit.record(actor, "organisation-admin-changed", f"user {user.id}", organisation=organisation.id, admin=admin)
    return user


def join_through_provider(user: User, organisation_name: str) -> None:
    """Someone who signs in through an organisation's identity provider (its name is the
    provider's ORGANISATION setting) belongs to that organisation, unless they belong to one
    already. Nothing happens when no organisation has that name."""
    if not organisation_name or user.membership is not None:
        return
    organisation = db.session.scalar(sa.select(Organisation).where(
        sa.func.lower(Organisation.name) == organisation_name.lower()))
    if organisation is not None:
        user.membership = OrganisationMember(organisation_id=organisation.id)
        db.session.flush()
        audit.record(user, "organisation-joined-through-provider", f"user {user.id}", organisation=organisation.id)
