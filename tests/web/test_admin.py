"""Administrators' users page: search, roles, deactivation."""
from __future__ import annotations

from tests.conftest import login


def test_search_by_name_email_organisation_and_role(client, make_user):
    admin = make_user(roles=("admin",), name="Alex Admin")
    make_user(name="Rosa Resident", email="rosa@hospital.example")
    make_user(name="Tamsin Trainer", roles=("trainer",))
    login(client, admin)
    page = client.get("/admin/users?q=rosa").get_data(as_text=True)
    assert "Rosa Resident" in page and "Tamsin" not in page and "1 account found." in page
    page = client.get("/admin/users?q=HOSPITAL.example").get_data(as_text=True)
    assert "Rosa Resident" in page
    page = client.get("/admin/users?role=trainer").get_data(as_text=True)
    assert "Tamsin Trainer" in page and "Rosa" not in page
    page = client.get("/admin/users").get_data(as_text=True)
    assert "3 accounts found." in page


def test_grant_and_remove_roles(client, make_user, get_user):
    admin = make_user(roles=("admin",))
    user = make_user()
    login(client, admin)
    client.post(f"/admin/users/{user.id}/roles", data={"trainer": "y"})
    assert get_user(user.id).role_names == {"learner", "trainer"}
    client.post(f"/admin/users/{user.id}/roles", data={"admin": "y"})
    assert get_user(user.id).role_names == {"learner", "admin"}
    client.post(f"/admin/users/{user.id}/roles", data={})
    assert get_user(user.id).role_names == {"learner"}


def test_admin_cannot_change_their_own_roles_or_status(client, make_user, get_user):
    admin = make_user(roles=("admin",))
    login(client, admin)
    assert client.post(f"/admin/users/{admin.id}/roles", data={}).status_code == 403
    assert client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}).status_code == 403
    assert get_user(admin.id).role_names == {"learner", "admin"} and get_user(admin.id).active


def test_deactivation_signs_out_at_once_and_reactivation_restores(app, client, make_user, get_user):
    admin = make_user(roles=("admin",))
    user = make_user()
    theirs = app.test_client()
    login(theirs, user)
    assert theirs.get("/profile").status_code == 200
    login(client, admin)
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert not get_user(user.id).active
    assert theirs.get("/profile").status_code == 302
    assert "do not match an active account" in login(theirs, user).get_data(as_text=True)
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert login(theirs, user).status_code == 302


def test_unknown_user_is_404(client, make_user):
    login(client, make_user(roles=("admin",)))
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/roles", data={}).status_code == 404


def test_staff_roles_are_refused_to_an_unconfirmed_address_with_a_clear_message(client, make_user, get_user):
    admin = make_user(roles=("admin",))
    user = make_user(verified=False, name="Una Unconfirmed")
    login(client, admin)
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Address confirmed</dt><dd>Not yet" in page
    assert "Una Unconfirmed has not confirmed their email address yet." in page
    response = client.post(f"/admin/users/{user.id}/roles", data={"trainer": "y"}, follow_redirects=True)
    assert response.status_code == 200
    assert 'class="flash flash-error">Una Unconfirmed has not confirmed their email address yet. Trainer and ' \
           'administrator roles need a confirmed address.' in response.get_data(as_text=True)
    assert get_user(user.id).role_names == {"learner"}


def test_a_confirmed_address_shows_when_it_was_confirmed(client, make_user):
    login(client, make_user(roles=("admin",)))
    user = make_user()
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Address confirmed</dt><dd>Not yet" not in page and "has not confirmed" not in page
