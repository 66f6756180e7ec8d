"""Signed-in sessions kept on the server, below the web layer."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from trainer.extensions import db
from trainer.models import User, UserSession
from trainer.services import sessions, users


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def test_a_session_loads_its_person_and_roles_in_one_query(app, make_user, sql_statements):
    user = make_user(roles=("trainer",))
    with app.app_context():
        session_id = sessions.start(_user(user.id))
        db.session.commit()
    with sql_statements() as statements:
        loaded = sessions.signed_in_user(user.id, session_id)
        assert loaded.role_names == {"learner", "trainer"}
    assert len(statements) == 1, statements


def test_only_the_right_person_and_a_known_session_sign_in(app, make_user):
    user, other = make_user(), make_user()
    with app.app_context():
        session_id = sessions.start(_user(user.id))
        db.session.commit()
        assert sessions.signed_in_user(user.id, session_id).id == user.id
        assert sessions.signed_in_user(other.id, session_id) is None  # someone else's session
        assert sessions.signed_in_user(user.id, session_id + "x") is None
        assert sessions.signed_in_user(user.id, "") is None


def test_ending_a_session_signs_it_out(app, make_user):
    user = make_user()
    with app.app_context():
        session_id = sessions.start(_user(user.id))
        sessions.end(session_id)
        db.session.commit()
        assert sessions.signed_in_user(user.id, session_id) is None


def test_ending_all_but_one(app, make_user):
    user, other = make_user(), make_user()
    with app.app_context():
        mine, theirs = [sessions.start(_user(user.id)) for _ in range(2)], sessions.start(_user(other.id))
        sessions.end_all(_user(user.id), keep=mine[0])
        db.session.commit()
        assert sessions.signed_in_user(user.id, mine[0]) is not None
        assert sessions.signed_in_user(user.id, mine[1]) is None
        assert sessions.signed_in_user(other.id, theirs) is not None
        sessions.end_all(_user(user.id))
        assert sessions.signed_in_user(user.id, mine[0]) is None


def test_a_deactivated_account_has_no_sessions(app, make_user):
    admin, user = make_user(roles=("admin",)), make_user()
    with app.app_context():
        session_id = sessions.start(_user(user.id))
        users.set_active(_user(admin.id), _user(user.id), False)
        db.session.commit()
        users.set_active(_user(admin.id), _user(user.id), True)
        db.session.commit()
        assert sessions.signed_in_user(user.id, session_id) is None  # reactivating brings none back


def test_sessions_past_the_absolute_limit_are_deleted_at_the_next_sign_in(app, make_user, count_rows):
    user, other = make_user(), make_user()
    too_old = datetime.now(UTC) - timedelta(seconds=app.config["SESSION_ABSOLUTE_SECONDS"] + 60)
    with app.app_context():
        old = sessions.start(_user(user.id))
        recent = sessions.start(_user(user.id))
        db.session.execute(sa.update(UserSession).where(UserSession.id_hash == sessions.stored_id(old))
                           .values(created_at=too_old))
        db.session.commit()
        sessions.start(_user(other.id))
        db.session.commit()
        assert count_rows(UserSession) == 2  # the old one is gone; the recent and the new stay
        assert sessions.signed_in_user(user.id, old) is None
        assert sessions.signed_in_user(user.id, recent) is not None


def test_only_a_hash_of_the_session_id_is_stored(app, make_user):
    user = make_user()
    with app.app_context():
        session_id = sessions.start(_user(user.id))
        db.session.commit()
        [row] = db.session.scalars(sa.select(UserSession)).all()
        assert len(session_id) >= 43 and session_id not in str(vars(row))
        assert row.id_hash == sessions.stored_id(session_id) and row.user_id == user.id


def test_deleting_the_account_deletes_its_sessions(app, make_user, count_rows):
    user = make_user()
    with app.app_context():
        sessions.start(_user(user.id))
        db.session.commit()
        db.session.delete(_user(user.id))
        db.session.commit()
    assert count_rows(UserSession) == 0
