"""Signed-in sessions end on the server: a copy of the cookie taken before signing out, or before
another way of ending the session, opens nothing afterwards."""
from __future__ import annotations

import re
import time

import sqlalchemy as sa

from tests.conftest import login
from trainer.extensions import db
from trainer.models import UserSession


def _copy(app, client):
    """Another browser holding a copy of ``client``'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_out(client) -> bool:
    response = client.get("/profile")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_cookie_copied_before_signing_out_opens_nothing_after(app, client, make_user):
    user = make_user()
    login(client, user)
    thief = _copy(app, client)
    assert thief.get("/profile").status_code == 200  # the copy works while the session lasts
    client.post("/logout")
    assert _signed_out(thief)
    page = thief.get("/profile", follow_redirects=True).get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page  # the sign-in page
    download = thief.post("/profile/data.json", data={"download-password": user.password})
    assert download.status_code == 302 and download.headers["Location"].startswith("/login")
    assert "Content-Disposition" not in download.headers
    assert thief.get("/profile/data.json").headers["Location"].startswith("/login")


def test_signing_out_ends_only_this_session(app, make_user, count_rows):
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    assert count_rows(UserSession) == 2
    here.post("/logout")
    assert _signed_out(here) and not _signed_out(elsewhere)
    assert count_rows(UserSession) == 1


def test_ending_other_sessions_keeps_this_one(app, make_user):
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    stolen = _copy(app, elsewhere)
    here.post("/sessions/end-others")
    assert not _signed_out(here)
    assert _signed_out(elsewhere) and _signed_out(stolen)


def test_a_session_without_its_row_is_signed_out(app, client, make_user):
    login(client, make_user())
    with app.app_context():
        db.session.execute(sa.delete(UserSession))
        db.session.commit()
    assert _signed_out(client)


def test_the_cookie_holds_no_session_version_and_the_table_no_session_id(app, client, make_user):
    login(client, make_user())
    with client.session_transaction() as session:
        session_id = session["session_id"]
        assert session["_user_id"].isdigit()
    assert len(session_id) >= 43  # 32 random bytes
    with app.app_context():
        stored = db.session.scalars(sa.select(UserSession.id_hash)).all()
    assert len(stored) == 1 and session_id not in stored[0] and re.fullmatch(r"[0-9a-f]{64}", stored[0])


def test_an_idle_timeout_ends_the_session_for_copies_too(app, client, make_user):
    login(client, make_user())
    thief = _copy(app, client)
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 2 * 3600 - 5
    assert _signed_out(client)
    assert _signed_out(thief)


def test_a_password_reset_ends_every_session(app, client, make_user, outbox):
    user = make_user()
    signed_in = app.test_client()
    login(signed_in, user)
    client.post("/password/forgot", data={"email": user.email})
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+)", outbox()[0].get_content()).group(1)
    new = "a-brand-new-lantern-path"
    assert client.post(link, data={"new_password": new, "confirm": new}).status_code == 302
    assert _signed_out(signed_in)
