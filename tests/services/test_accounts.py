"""The accounts service, below the web layer."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from trainer.extensions import db
from trainer.models import User
from trainer.services import accounts, passwords
from trainer.services.errors import InvalidInput


def _profile(**changes):
    base = dict(name="Ólafur Þórsson", organisation="", sector="police", specialty=None, is_resident=False,
                locale=None, timezone="Atlantic/Reykjavik")
    return accounts.Profile(**{**base, **changes})


def test_register_normalises_email_and_always_grants_learner(app):
    with app.app_context():
        user = accounts.register("  Olafur@Example.ORG ", PASSWORD, _profile(), roles=("trainer",))
        assert user.email == "olafur@example.org"
        assert user.role_names == {"learner", "trainer"}


@pytest.mark.parametrize("changes, field", [
    ({"sector": "pirates"}, "sector"),
    ({"specialty": "emergency"}, "specialty"),  # police has no health specialty
    ({"locale": "fr"}, "locale"),
    ({"timezone": "Mars/Base"}, "timezone"),
    ({"name": "   "}, "name"),
])
def test_profile_rules_hold_without_a_form(app, changes, field):
    with app.app_context():
        with pytest.raises(InvalidInput) as error:
            accounts.register("x@example.org", PASSWORD, _profile(**changes))
        assert error.value.field == field


def test_residents_are_only_in_health(app):
    with app.app_context():
        user = accounts.register("x@example.org", PASSWORD, _profile(is_resident=True))
        assert user.is_resident is False


def test_password_rules(app):
    with app.app_context():
        assert passwords.password_problem("short") is not None
        assert passwords.password_problem("x" * 129) is not None
        assert passwords.password_problem("password1234") is not None
        assert passwords.password_problem("correct horse battery staple") is None


def test_password_using_the_email_is_refused(app):
    with app.app_context():
        assert passwords.password_problem("rosa.resident2026", email="rosa.resident2026@example.org") is not None


def test_authenticate_upgrades_old_hashes(app, make_user, monkeypatch):
    user = make_user()
    monkeypatch.setitem(app.config, "ARGON2_TIME_COST", 2)
    with app.app_context():
        assert accounts.authenticate(user.email, user.password) is not None
        db.session.commit()
        stored = db.session.get(User, user.id).password_hash
    assert "t=2" in stored


def test_reset_token_is_bound_to_the_current_password(app, make_user):
    user = make_user()
    with app.app_context():
        _, token = accounts.password_reset_token(user.email)
        assert accounts.user_for_reset_token(token).id == user.id
        accounts.change_password(db.session.get(User, user.id), user.password, "an-entirely-new-phrase-7")
        assert accounts.user_for_reset_token(token) is None


def test_no_reset_token_for_unknown_or_deactivated_accounts(app, make_user):
    user = make_user(active=False)
    with app.app_context():
        assert accounts.password_reset_token(user.email) is None
        assert accounts.password_reset_token("nobody@example.org") is None


def test_an_account_with_several_roles_is_read_whole(app, make_user):
    user = make_user(roles=("trainer", "admin"))
    with app.app_context():
        assert accounts.get_by_email(user.email).role_names == {"learner", "trainer", "admin"}


def test_the_service_refuses_an_address_that_mixes_alphabets(app):
    with app.app_context():
        with pytest.raises(InvalidInput) as error:
            accounts.register("\u0430na@example.org", PASSWORD, _profile())
        assert error.value.field == "email"


def test_checking_a_new_account_does_not_depend_on_the_address_being_free(app, make_user):
    taken = make_user(email="taken@example.org")
    with app.app_context():
        assert accounts.check_new_account(" Taken@Example.org", PASSWORD, _profile()) == taken.email
        with pytest.raises(InvalidInput) as error:
            accounts.register(taken.email, PASSWORD, _profile())
        assert error.value.field == "email"
