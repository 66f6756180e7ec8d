"""Proving an email address, and the mail the public forms send, below the web layer."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.conftest import PASSWORD
from trainer.extensions import db
from trainer.models import Cohort, CohortMember, Invitation, PendingMail, User
from trainer.services import accounts, addresses, membership


def _profile(**changes):
    base = dict(name="Ólafur Þórsson", organisation="", sector="police", specialty=None, is_resident=False,
                locale=None, timezone="Atlantic/Reykjavik")
    return accounts.Profile(**{**base, **changes})


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def test_a_new_address_gets_an_unconfirmed_account_and_a_link(app):
    with app.app_context():
        [mail_id] = addresses.sign_up("Olafur@Example.org", PASSWORD, _profile(), next_url="/join/abc")
        user = accounts.get_by_email("olafur@example.org")
        assert user is not None and not user.email_verified
        item = db.session.get(PendingMail, mail_id)
        assert item.recipient == "olafur@example.org" and "/email/confirm/" in item.body


def test_a_taken_address_changes_nothing_and_tells_only_its_owner(app, make_user, count_rows):
    owner = make_user(email="olafur@example.org", password="another-owner-phrase-42")
    with app.app_context():
        [mail_id] = addresses.sign_up("olafur@example.org", PASSWORD, _profile())
        item = db.session.get(PendingMail, mail_id)
        assert item.recipient == owner.email and "Someone tried" in item.body
        assert accounts.authenticate(owner.email, owner.password) is not None  # same password as before
        db.session.commit()
    assert count_rows(User) == 1


def test_a_deactivated_owner_is_not_mailed(app, make_user):
    owner = make_user(active=False)
    with app.app_context():
        assert addresses.sign_up(owner.email, PASSWORD, _profile()) == []


def test_confirming_proves_the_address_once(app, make_user):
    user = make_user(verified=False)
    with app.app_context():
        token = addresses.confirmation_token(_user(user.id), "/learning")
        first = addresses.confirm(token)
        assert first.newly and first.next_url == "/learning" and first.user.email_verified
        db.session.commit()
        assert not addresses.confirm(token).newly


def test_a_link_fails_for_another_address_a_deactivated_account_or_a_forgery(app, make_user):
    user = make_user(verified=False)
    with app.app_context():
        token = addresses.confirmation_token(_user(user.id))
        _user(user.id).email = "changed@example.org"
        assert addresses.confirm(token) is None
        _user(user.id).email = user.email
        _user(user.id).active = False
        assert addresses.confirm(token) is None
        _user(user.id).active = True
        assert addresses.confirm(token + "x") is None
        assert addresses.confirm("not-a-token") is None
        assert addresses.confirm(token) is not None


def test_the_link_is_signed_with_its_own_salt(app, make_user):
    """A password-reset token (another salt) never passes as a confirmation."""
    user = make_user(verified=False)
    with app.app_context():
        _, reset_token = accounts.password_reset_token(user.email)
        assert addresses.confirm(reset_token) is None


def test_proving_the_address_joins_no_cohort_but_shows_its_invitations(app):
    with app.app_context():
        cohort = Cohort(name="Night shift", join_code="code-1", join_enabled=False)
        db.session.add(cohort)
        db.session.flush()
        db.session.add(Invitation(cohort_id=cohort.id, email="olafur@example.org", name="Ólafur"))
        addresses.sign_up("olafur@example.org", PASSWORD, _profile())
        user = accounts.get_by_email("olafur@example.org")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CohortMember)) == 0
        assert membership.invitations_for(user).hidden == 1  # only the number, until the address is proven
        addresses.confirm(addresses.confirmation_token(user))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CohortMember)) == 0  # consent first
        [(invitation, summary)] = membership.invitations_for(user).offers
        assert summary.cohort.name == "Night shift"
        db.session.rollback()


def test_a_password_reset_proves_the_address(app, make_user):
    user = make_user(verified=False)
    with app.app_context():
        [mail_id] = addresses.request_password_reset(user.email)
        assert "/password/reset/" in db.session.get(PendingMail, mail_id).body
        _, token = accounts.password_reset_token(user.email)
        addresses.reset_password(token, "an-entirely-new-phrase-7")
        assert _user(user.id).email_verified_at.date() == date.today()


def test_no_reset_mail_for_an_unknown_address(app):
    with app.app_context():
        assert addresses.request_password_reset("nobody@example.org") == []
