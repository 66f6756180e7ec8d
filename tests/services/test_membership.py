"""Consent rules live in the services and the policy, not only in the pages: an unconfirmed
address cannot accept, decline or join; only a cohort's owner or an administrator removes
co-trainers; a refused look at another trainer's cohort is recorded even though the request's
transaction is rolled back."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from trainer import policy
from trainer.extensions import db
from trainer.models import AuditEvent, Cohort, CohortMember, CohortTrainer, Invitation, User
from trainer.services import cohorts, membership
from trainer.services.errors import InvalidInput, NotAllowed, NotFound


def _person(id=1, roles=("learner",), active=True, verified=True, organisation_id=None, organisation_admin=False):
    return SimpleNamespace(id=id, is_active=active, email_verified=verified, has_role=lambda r: r in roles,
                           organisation_id=organisation_id, organisation_admin=organisation_admin)


def _cohort_of(*trainers, organisation_id=None):
    return SimpleNamespace(trainers=[SimpleNamespace(user_id=i, owner=owner) for i, owner in trainers],
                           owner_id=next((i for i, owner in trainers if owner), None), organisation_id=organisation_id,
                           is_trained_by=lambda user_id: any(i == user_id for i, _ in trainers))


def test_an_organisations_administrators_manage_its_cohorts_and_nothing_of_another():
    ours, theirs = _cohort_of((5, True), organisation_id=1), _cohort_of((6, True), organisation_id=2)
    unheld = _cohort_of((7, True))
    admin_of_1 = _person(id=9, organisation_id=1, organisation_admin=True)
    assert policy.can_manage_cohort(admin_of_1, ours) and policy.can_remove_co_trainers(admin_of_1, ours)
    assert not policy.can_manage_cohort(admin_of_1, theirs) and not policy.can_manage_cohort(admin_of_1, unheld)
    assert not policy.can_remove_co_trainers(admin_of_1, theirs)
    plain_member = _person(id=10, organisation_id=1)
    assert not policy.can_manage_cohort(plain_member, ours) and not policy.can_create_cohort(plain_member)
    assert policy.can_create_cohort(admin_of_1) and policy.can_see_command_reports(admin_of_1)
    assert not policy.can_manage_cohort(_person(id=9, organisation_id=1, organisation_admin=True, active=False), ours)


def test_an_organisations_administrators_manage_its_people_but_not_the_platforms_roles():
    admin_of_1 = _person(id=9, organisation_id=1, organisation_admin=True)
    ours, theirs = _person(id=2, organisation_id=1), _person(id=3, organisation_id=2)
    nobodys = _person(id=4)
    platform = _person(id=5, roles=("learner", "admin"), organisation_id=1)
    assert policy.can_manage_users(admin_of_1) and policy.can_see_account(admin_of_1, ours)
    assert not policy.can_see_account(admin_of_1, theirs) and not policy.can_see_account(admin_of_1, nobodys)
    assert policy.can_change_roles(admin_of_1, ours) and policy.can_deactivate(admin_of_1, ours)
    assert not policy.can_change_roles(admin_of_1, theirs) and not policy.can_deactivate(admin_of_1, platform)
    assert not policy.can_change_roles(admin_of_1, admin_of_1)  # not their own account
    assert policy.roles_given_by(admin_of_1) == ("trainer",)
    assert set(policy.roles_given_by(_person(roles=("admin",)))) == {"trainer", "author", "reviewer", "admin"}
    assert policy.roles_given_by(_person(roles=("trainer",))) == ()


def test_only_a_proven_active_address_may_join():
    assert policy.can_join_cohort(_person())
    assert not policy.can_join_cohort(_person(verified=False))
    assert not policy.can_join_cohort(_person(active=False))
    assert not policy.can_join_cohort(None)


def test_only_the_owner_or_an_administrator_removes_co_trainers():
    cohort = _cohort_of((1, True), (2, False))
    assert policy.can_remove_co_trainers(_person(1, roles=("trainer",)), cohort)
    assert not policy.can_remove_co_trainers(_person(2, roles=("trainer",)), cohort)
    assert not policy.can_remove_co_trainers(_person(1, roles=("trainer",), active=False), cohort)
    assert not policy.can_remove_co_trainers(_person(1, roles=("learner",)), cohort)  # no longer a trainer
    assert policy.can_remove_co_trainers(_person(9, roles=("admin",)), cohort)
    ownerless = _cohort_of((1, False), (2, False))  # made before owners were recorded
    assert not policy.can_remove_co_trainers(_person(1, roles=("trainer",)), ownerless)
    assert policy.can_remove_co_trainers(_person(9, roles=("admin",)), ownerless)


@pytest.fixture
def invited(app, make_user):
    """A cohort owned by a trainer that invited an unconfirmed and a confirmed address."""
    trainer = make_user(roles=("trainer",))
    unproven, proven = make_user(verified=False), make_user()
    with app.app_context():
        cohort = cohorts.create(db.session.get(User, trainer.id), cohorts.CohortDetails("C", "", None, None))
        cohort.join_enabled = True
        for person in (unproven, proven):
            db.session.add(Invitation(cohort_id=cohort.id, email=person.email, name="X"))
        db.session.commit()
        ids = dict(db.session.execute(sa.select(Invitation.email, Invitation.id)).all())
        return SimpleNamespace(cohort_id=cohort.id, code=cohort.join_code, trainer=trainer, unproven=unproven,
                               proven=proven, invitation={p.id: ids[p.email] for p in (unproven, proven)})


def test_the_service_refuses_an_unconfirmed_address(app, invited, count_rows):
    with app.app_context():
        user = db.session.get(User, invited.unproven.id)
        for call in (lambda: membership.accept(user, invited.invitation[user.id]),
                     lambda: membership.decline(user, invited.invitation[user.id]),
                     lambda: membership.join(user, invited.code)):
            with pytest.raises(InvalidInput) as refused:
                call()
            assert refused.value.message.startswith("Confirm your email address first")
        assert membership.invitations_for(user).offers == [] and membership.invitations_for(user).hidden == 1
    assert count_rows(CohortMember) == 0


def test_accepting_makes_the_membership_and_another_person_cannot(app, invited, count_rows):
    with app.app_context():
        proven, other = db.session.get(User, invited.proven.id), db.session.get(User, invited.unproven.id)
        with pytest.raises(NotFound):
            membership.accept(other, invited.invitation[proven.id])
        [(invitation, summary)] = membership.invitations_for(proven).offers
        assert summary.cohort.id == invited.cohort_id and len(summary.trainers) == 1
        membership.accept(proven, invitation.id)
        db.session.commit()
        assert invitation.state == "accepted" and membership.invitations_for(proven).offers == []
        with pytest.raises(NotFound):
            membership.accept(proven, invitation.id)  # answered already
    assert count_rows(CohortMember) == 1


def test_joining_by_link_answers_a_pending_invitation(app, invited):
    with app.app_context():
        proven = db.session.get(User, invited.proven.id)
        membership.join(proven, invited.code)
        db.session.commit()
        assert db.session.get(Invitation, invited.invitation[proven.id]).state == "accepted"


def test_a_refused_look_at_another_trainers_cohort_is_recorded_despite_the_rollback(app, invited, make_user):
    stranger = make_user(roles=("trainer",), name="Sam Stranger")
    with app.app_context():
        actor = db.session.get(User, stranger.id)
        with pytest.raises(NotFound):
            cohorts.get(actor, invited.cohort_id)
        with pytest.raises(NotFound):
            cohorts.get(actor, 999999)  # no such cohort: nothing to record
        actor.name = "written by the refused request"
        db.session.flush()
        db.session.rollback()  # as at the end of a request answered 404
        [event] = db.session.scalars(sa.select(AuditEvent)).all()
        assert (event.action, event.actor_id, event.target) == ("cohort-access-refused", stranger.id,
                                                                f"cohort {invited.cohort_id}")
        assert event.actor == f"user {stranger.id}" and event.details == {}  # ids only
        assert db.session.get(User, stranger.id).name == "Sam Stranger"


def test_co_trainer_removal_rules_in_the_service(app, invited, make_user):
    colleague, stranger = make_user(roles=("trainer",)), make_user(roles=("trainer",))
    with app.app_context():
        cohort = db.session.get(Cohort, invited.cohort_id)
        owner, co = db.session.get(User, invited.trainer.id), db.session.get(User, colleague.id)
        cohorts.add_trainer(owner, cohort, co.email)
        with pytest.raises(NotAllowed):
            cohorts.remove_trainer(co, cohort, co.id)  # not even themselves: the owner decides
        with pytest.raises(NotFound):
            cohorts.remove_trainer(co, cohort, owner.id)
        with pytest.raises(NotFound):
            cohorts.remove_trainer(db.session.get(User, stranger.id), cohort, co.id)
        cohorts.remove_trainer(owner, cohort, co.id)
        db.session.commit()
        assert [t.user_id for t in db.session.scalars(sa.select(CohortTrainer))] == [owner.id]
