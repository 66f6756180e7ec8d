"""Administration of accounts: search, roles, deactivation."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from trainer import policy
from trainer.extensions import db
from trainer.models import OrganisationMember, User, UserRole
from trainer.services import audit, recovery_codes, sessions
from trainer.services.errors import InvalidInput, NotAllowed, NotFound
from trainer.vocabulary import Role

log = logging.getLogger(__name__)

PAGE_SIZE = 50


def search(actor: User, query: str = "", role: str = "", page: int = 1) -> tuple[list[User], int]:
    """Users matching the query by name, email or organisation; returns (page of users, total)."""
    if not policy.can_manage_users(actor):
        raise NotAllowed()
    stmt = sa.select(User)
    if not policy.is_admin(actor):  # an organisation's administrator: its people only
        stmt = stmt.where(User.membership.has(OrganisationMember.organisation_id == actor.organisation_id))
    if query.strip():
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.name).like(like), User.email.like(like),
                                 sa.func.lower(User.organisation).like(like)))
    if role in Role.values():
        stmt = stmt.where(User.roles.any(UserRole.role == role))
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
    page = max(page, 1)
    users = db.session.scalars(stmt.order_by(User.name, User.id)
                               .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).unique().all()
    return list(users), total


def get_user(actor: User, user_id: int) -> User:
    """An account the actor manages; another organisation's is "not found" to an organisation's
    administrator, so ids reveal nothing."""
    if not policy.can_manage_users(actor):
        raise NotAllowed()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    if not policy.can_see_account(actor, user):
        audit.record_refusal(actor, "account-access-refused", f"user {user.id}")
        raise NotFound()
    return user


def set_roles(actor: User, target: User, roles: set[str]) -> User:
    if not policy.can_change_roles(actor, target):
        raise NotAllowed()
    if not roles <= set(Role.values()):
        raise InvalidInput("roles", "unknown role")
    # Roles the actor may not give stay as they are: an organisation's administrator's form
    # offers the trainer role only.
    given = set(policy.roles_given_by(actor))
    roles = (roles & given) | (target.role_names - given)
    if not all(policy.can_receive_role(target, role) for role in roles - target.role_names):
        raise InvalidInput("roles", str(_l("%(name)s has not confirmed their email address yet. Trainer and "
                                           "administrator roles need a confirmed address.", name=target.name)))
    roles = roles | {Role.LEARNER.value}  # everyone can learn
    target.roles = [r for r in target.roles if r.role in roles] + [
        UserRole(role=r) for r in sorted(roles - target.role_names)
    ]
    db.session.flush()
    log.info("admin %s set roles of %s to %s", actor.id, target.id, sorted(roles))
    audit.record(actor, "roles-changed", f"user {target.id}", roles=sorted(roles))
    return target


def set_active(actor: User, target: User, active: bool) -> User:
    if not policy.can_deactivate(actor, target):
        raise NotAllowed()
    target.active = active
    if not active:
        sessions.end_all(target)  # signed out at their next request; reactivating brings none back
    db.session.flush()
    log.info("admin %s %s account %s", actor.id, "reactivated" if active else "deactivated", target.id)
    audit.record(actor, "account-reactivated" if active else "account-deactivated", f"user {target.id}")
    return target


def reset_two_factor(actor: User, target: User) -> User:
    """For someone who lost their authenticator: they set it up again at their next sign-in."""
    if not policy.can_change_roles(actor, target):
        raise NotAllowed()
    target.totp_secret, target.totp_last_step = None, None
    recovery_codes.delete_all(target)
    sessions.end_all(target)
    db.session.flush()
    audit.record(actor, "two-factor-reset", f"user {target.id}")
    log.info("admin %s reset two-factor sign-in of %s", actor.id, target.id)
    return target
