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


class Account(Actor, Protocol):
    @property
    def email_verified(self) -> bool: ...


class TrainedCohort(Protocol):
    """What a cohort tells the rules: who trains it, and who owns it."""

    def is_trained_by(self, user_id: int) -> bool: ...

    @property
    def owner_id(self) -> int | None: ...


# Roles that see other people's records; only for people who proved they read their address.
STAFF_ROLES = frozenset({Role.TRAINER, Role.AUTHOR, Role.REVIEWER, Role.ADMIN})
AUTHOR_ROLES = (Role.AUTHOR, Role.REVIEWER, Role.ADMIN)


def is_admin(user: Actor | None) -> TypeGuard[Actor]:
    return bool(user and user.is_active and user.has_role(Role.ADMIN))


def can_manage_users(user: Actor | None) -> bool:
    return is_admin(user)


def can_change_roles(actor: Actor | None, target: Actor) -> bool:
    """Admins manage roles, but not their own: an admin cannot lock everyone out by accident."""
    return is_admin(actor) and actor.id != target.id


def can_receive_role(target: Account, role: str) -> bool:
    """Anyone can learn; staff roles go only to an account whose address is proven, so nobody who
    registered someone else's address first is made a trainer or an administrator in their name."""
    return role not in STAFF_ROLES or target.email_verified


def may_hold_certificate(user: Account) -> bool:
    """A certificate vouches for a named person to employers and regulators: it is issued only to
    an account whose address is proven."""
    return user.email_verified


def can_deactivate(actor: Actor | None, target: Actor) -> bool:
    return is_admin(actor) and actor.id != target.id


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
    return bool(user and user.is_active and (user.has_role(Role.TRAINER) or user.has_role(Role.ADMIN)))


def can_manage_cohort(user: Actor | None, cohort: TrainedCohort) -> bool:
    """Administrators see every cohort; a trainer only the cohorts they train."""
    if is_admin(user):
        return True
    return bool(user and user.is_active and user.has_role(Role.TRAINER) and cohort.is_trained_by(user.id))


def can_remove_co_trainers(user: Actor | None, cohort: TrainedCohort) -> bool:
    """The cohort's owner (the trainer who created it) and administrators; co-trainers cannot
    remove one another."""
    if is_admin(user):
        return True
    return bool(user and user.is_active and user.has_role(Role.TRAINER) and cohort.owner_id is not None
                and cohort.owner_id == user.id)


def can_join_cohort(user: Actor | None) -> bool:
    """Joining lets a cohort's trainers read the person's learning record, so only with an email
    address they have proven: an invitation goes to an address, and whoever accepts must hold it."""
    return bool(user and user.is_active and user.email_verified)


def can_see_command_reports(user: Actor | None) -> bool:
    """Reports across cohorts: a trainer's cover the cohorts they train, an administrator's all."""
    return can_create_cohort(user)
