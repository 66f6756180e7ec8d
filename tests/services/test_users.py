"""Administration rules live in the service and the policy, not only in the views."""
from __future__ import annotations

import pytest

from trainer import policy
from trainer.extensions import db
from trainer.models import User
from trainer.services import users
from trainer.services.errors import InvalidInput, NotAllowed


def _load(app, *ids):
    return [db.session.get(User, i) for i in ids]


@pytest.mark.parametrize("roles", [("learner",), ("trainer",)])
def test_non_admins_cannot_manage_users(app, make_user, roles):
    actor, target = make_user(roles=roles), make_user()
    with app.app_context():
        actor, target = _load(app, actor.id, target.id)
        for call in (lambda: users.search(actor), lambda: users.get_user(actor, target.id),
                     lambda: users.set_roles(actor, target, {"admin"}),
                     lambda: users.set_active(actor, target, False)):
            with pytest.raises(NotAllowed):
                call()


def test_deactivated_admin_has_no_power(app, make_user):
    actor = make_user(roles=("admin",), active=False)
    with app.app_context():
        [actor] = _load(app, actor.id)
        assert not policy.can_manage_users(actor)


def test_learner_role_cannot_be_removed(app, make_user):
    admin, target = make_user(roles=("admin",)), make_user(roles=("trainer",))
    with app.app_context():
        admin, target = _load(app, admin.id, target.id)
        users.set_roles(admin, target, set())
        assert target.role_names == {"learner"}


@pytest.mark.parametrize("role", ["trainer", "admin"])
def test_staff_roles_need_a_confirmed_address(app, make_user, role):
    admin, target = make_user(roles=("admin",)), make_user(verified=False)
    with app.app_context():
        admin, target = _load(app, admin.id, target.id)
        with pytest.raises(InvalidInput) as error:
            users.set_roles(admin, target, {role})
        assert error.value.field == "roles" and "has not confirmed their email address" in error.value.message
        assert target.role_names == {"learner"}
        assert not policy.can_receive_role(target, role) and policy.can_receive_role(target, "learner")


def test_roles_an_unconfirmed_account_already_has_can_be_kept_or_removed(app, make_user):
    admin, target = make_user(roles=("admin",)), make_user(roles=("trainer", "admin"), verified=False)
    with app.app_context():
        admin, target = _load(app, admin.id, target.id)
        users.set_roles(admin, target, {"trainer"})
        assert target.role_names == {"learner", "trainer"}
        users.set_roles(admin, target, set())
        assert target.role_names == {"learner"}
