"""Who may do what. Pure functions over users and objects; services call these.

Views never decide access themselves: they call a service, and the service asks this module.
"""
from __future__ import annotations

from typing import Protocol, TypeGuard

from trainer.vocabulary import Role


class Actor(Protocol):
    id: int

    @property
    def is_active(self) -> bool: ...

    @property
    def email_verified(self) -> bool: ...

    def has_role(self, role: str) -> bool: ...

    @property
    def organisation_id(self) -> int | None: ...

    @property
    def organisation_admin(self) -> bool: ...


class Account(Actor, Protocol):
    @property
    def email_verified(self) -> bool: ...


class TrainedCohort(Protocol):
    """What a cohort tells the rules: who trains it, and who owns it."""

    def is_trained_by(self, user_id: int) -> bool: ...

    @property
    def owner_id(self) -> int | None: ...

    @property
    def organisation_id(self) -> int | None: ...


# Roles that see other people's records; only for people who proved they read their address.
STAFF_ROLES = frozenset({Role.TRAINER, Role.AUTHOR, Role.REVIEWER, Role.ADMIN})
AUTHOR_ROLES = (Role.AUTHOR, Role.REVIEWER, Role.ADMIN)
# Roles only the platform's administrators give (and whose holders only they manage).
PLATFORM_ROLES = AUTHOR_ROLES


def is_admin(user: Actor | None) -> TypeGuard[Actor]:
    return bool(user and user.is_active and user.has_role(Role.ADMIN))


def is_organisation_admin(user: Actor | None, organisation_id: int | None = None) -> TypeGuard[Actor]:
    """An administrator of an organisation (of this one, when given): they manage its people,
    cohorts and reports, and nothing of another organisation or of the platform."""
    return bool(user and user.is_active and user.organisation_admin and user.organisation_id is not None
                and (organisation_id is None or user.organisation_id == organisation_id))


def can_manage_organisation(user: Actor | None, organisation_id: int) -> bool:
    return is_admin(user) or is_organisation_admin(user, organisation_id)


def can_manage_users(user: Actor | None) -> bool:
    """The accounts pages: every account for administrators, their organisation's people for an
    organisation's administrators (the services scope the lists)."""
    return is_admin(user) or is_organisation_admin(user)


def can_see_account(actor: Actor | None, target: Actor) -> bool:
    return is_admin(actor) or (target.organisation_id is not None
                               and is_organisation_admin(actor, target.organisation_id))


def can_change_roles(actor: Actor | None, target: Actor) -> bool:
    """Admins manage roles, but not their own: an admin cannot lock everyone out by accident. An
    organisation's administrators manage their own people's (only the trainer role, see
    `roles_given_by`)."""
    if actor is None or actor.id == target.id or not can_see_account(actor, target):
        return False
    # An organisation's administrators do not touch accounts that hold the platform's roles.
    return is_admin(actor) or not any(target.has_role(role) for role in PLATFORM_ROLES)


def roles_given_by(actor: Actor | None) -> tuple[str, ...]:
    """The roles an actor may give or take away: all of them for administrators; the trainer role
    for an organisation's administrators (authoring and the platform stay with the platform)."""
    if is_admin(actor):
        return (Role.TRAINER, Role.AUTHOR, Role.REVIEWER, Role.ADMIN)
    if is_organisation_admin(actor):
        return (Role.TRAINER,)
    return ()


def can_receive_role(target: Account, role: str) -> bool:
    """Anyone can learn; staff roles go only to an account whose address is proven, so nobody who
    registered someone else's address first is made a trainer or an administrator in their name."""
    return role not in STAFF_ROLES or target.email_verified


def may_hold_certificate(user: Account) -> bool:
    """A certificate vouches for a named person to employers and regulators: it is issued only to
    an account whose address is proven."""
    return user.email_verified


def can_deactivate(actor: Actor | None, target: Actor) -> bool:
    return can_change_roles(actor, target)


def can_author(user: Actor | None) -> bool:
    """Writing courses and drafts, and keeping the referral directory: authors, reviewers and
    administrators; nothing else comes with it."""
    return bool(user and user.is_active and any(user.has_role(role) for role in AUTHOR_ROLES))


def can_keep_directory(user: Actor | None) -> bool:
    """Editing the referral directory and recording that an entry was checked: authors and
    administrators."""
    return can_author(user)


def can_approve(user: Actor | None) -> bool:
    """Publishing a draft someone else last changed, where a second person must publish:
    reviewers and administrators."""
    return bool(user and user.is_active and (user.has_role(Role.REVIEWER) or user.has_role(Role.ADMIN)))


def can_create_cohort(user: Actor | None) -> bool:
    return bool(user and user.is_active and (user.has_role(Role.TRAINER) or user.has_role(Role.ADMIN)
                                             or is_organisation_admin(user)))


def _holds(user: Actor | None, cohort: TrainedCohort) -> bool:
    """The actor administers the organisation that holds the cohort."""
    return cohort.organisation_id is not None and is_organisation_admin(user, cohort.organisation_id)


def can_manage_cohort(user: Actor | None, cohort: TrainedCohort) -> bool:
    """Administrators see every cohort; an organisation's administrators its cohorts; a trainer
    only the cohorts they train."""
    if is_admin(user) or _holds(user, cohort):
        return True
    return bool(user and user.is_active and user.has_role(Role.TRAINER) and cohort.is_trained_by(user.id))


def can_remove_co_trainers(user: Actor | None, cohort: TrainedCohort) -> bool:
    """The cohort's owner (the trainer who created it), its organisation's administrators and
    administrators; co-trainers cannot remove one another."""
    if is_admin(user) or _holds(user, cohort):
        return True
    return bool(user and user.is_active and user.has_role(Role.TRAINER) and cohort.owner_id is not None
                and cohort.owner_id == user.id)


def can_join_cohort(user: Actor | None) -> bool:
    """Joining lets a cohort's trainers read the person's learning record, so only with an email
    address they have proven: an invitation goes to an address, and whoever accepts must hold it."""
    return bool(user and user.is_active and user.email_verified)


def can_see_command_reports(user: Actor | None) -> bool:
    """Reports across cohorts: a trainer's cover the cohorts they train, an organisation
    administrator's their organisation's, an administrator's all."""
    return can_create_cohort(user)
