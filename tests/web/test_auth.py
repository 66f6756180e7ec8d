"""Accounts through the browser's eyes: register, sign in and out, profile, passwords."""
from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, login
from trainer.models import User

VALID = dict(name="Zoë Łukasiewicz", email="zoe@example.org", password=PASSWORD, confirm=PASSWORD,
             organisation="City Hospital", sector="health", specialty="emergency", is_resident="y",
             locale="en", timezone="Europe/Amsterdam")


def register(client, **changes):
    return client.post("/register", data={**VALID, **changes})


def test_register_creates_a_learner_and_signs_in(client, get_user, count_rows):
    response = register(client)
    assert response.status_code == 302
    assert count_rows(User) == 1
    page = client.get("/").get_data(as_text=True)
    assert "Welcome back, Zoë Łukasiewicz" in page
    user = get_user("zoe@example.org")
    assert user.email == "zoe@example.org" and user.role_names == {"learner"}
    assert user.sector == "health" and user.specialty == "emergency" and user.is_resident
    assert user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize("changes, field, message", [
    ({"email": ""}, "email", "This field is required."),
    ({"email": "not-an-email"}, "email", "Enter an email address like name@example.org."),
    ({"password": "short", "confirm": "short"}, "password", "Use at least 10 characters."),
    ({"password": "password123", "confirm": "password123"}, "password", "too easy to guess"),
    ({"password": "x" * 129, "confirm": "x" * 129}, "password", "Use at most 128 characters."),
    ({"confirm": "something-else-entirely"}, "confirm", "The passwords do not match."),
    ({"name": ""}, "name", "This field is required."),
    ({"name": "n" * 121}, "name", "120 characters"),
    ({"organisation": "o" * 201}, "organisation", "200 characters"),
    ({"sector": "pirates"}, "sector", "Not a valid choice"),
    ({"sector": "police", "specialty": "emergency"}, "specialty", "belongs to your sector"),
    ({"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice"),
])
def test_register_rejects_bad_input_next_to_the_field(client, count_rows, changes, field, message):
    response = register(client, **changes)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', page, re.S)
    assert error, f"no error shown next to {field}"
    assert message in error.group(1)
    assert f'aria-describedby="{field}-error"' in page or f'aria-describedby="{field}-hint {field}-error"' in page
    assert count_rows(User) == 0


def test_register_refuses_a_duplicate_account_in_any_case(client, make_user, count_rows):
    make_user(email="zoe@example.org")
    response = register(client, email="ZOE@Example.org")
    assert "An account with this email address already exists." in response.get_data(as_text=True)
    assert count_rows(User) == 1


def test_dutch_error_messages(client, count_rows):
    client.post("/language", data={"locale": "nl", "next": "/register"})
    response = register(client, email="")
    assert "Dit veld is verplicht." in response.get_data(as_text=True)
    assert count_rows(User) == 0


def test_sign_in_and_out(client, make_user):
    user = make_user()
    response = login(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Welcome back" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    assert "Welcome back" not in client.get("/").get_data(as_text=True)
    assert client.get("/profile").status_code == 302


@pytest.mark.parametrize("email, password", [
    ("user1@example.org", "wrong-password-here"),
    ("nobody@example.org", PASSWORD),
])
def test_sign_in_failure_has_one_generic_message(client, make_user, email, password):
    make_user(email="user1@example.org")
    page = client.post("/login", data={"email": email, "password": password}).get_data(as_text=True)
    assert "That email address and password do not match an active account." in page


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    page = login(client, user).get_data(as_text=True)
    assert "do not match an active account" in page


def test_sign_in_follows_only_same_site_next(client, make_user):
    user = make_user()
    ok = client.post("/login", data={"email": user.email, "password": user.password, "next": "/profile"})
    assert ok.headers["Location"] == "/profile"
    client.post("/logout")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post("/login", data={"email": user.email, "password": user.password, "next": evil})
        assert response.headers["Location"] == "/", evil
        client.post("/logout")


def test_profile_update(client, make_user, get_user):
    user = make_user()
    login(client, user)
    page = client.get("/profile").get_data(as_text=True)
    assert 'value="Test User 1"' in page
    response = client.post("/profile", data={"name": "Dvořák", "organisation": "Police Service",
                                             "sector": "police", "specialty": "", "locale": "nl",
                                             "timezone": "America/Toronto"})
    assert response.status_code == 302
    fresh = get_user(user.id)
    assert (fresh.name, fresh.sector, fresh.specialty, fresh.locale, fresh.timezone) == \
        ("Dvořák", "police", None, "nl", "America/Toronto")


def test_profile_rejects_bad_input_and_changes_nothing(client, make_user, get_user):
    user = make_user()
    login(client, user)
    response = client.post("/profile", data={"name": "", "sector": "health", "locale": "en", "timezone": "UTC"})
    assert "This field is required." in response.get_data(as_text=True)
    assert get_user(user.id).name == "Test User 1"


def test_change_password_ends_other_sessions(app, make_user):
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    new = "a-brand-new-lantern-path"
    response = here.post("/password", data={"current_password": user.password, "new_password": new,
                                            "confirm": new})
    assert response.status_code == 302
    assert here.get("/profile").status_code == 200
    assert elsewhere.get("/profile").status_code == 302  # signed out
    here.post("/logout")
    assert login(here, user, new).status_code == 302


def test_change_password_needs_the_current_one(client, make_user):
    user = make_user()
    login(client, user)
    page = client.post("/password", data={"current_password": "not-my-password", "new_password":
                                          "a-brand-new-lantern-path", "confirm": "a-brand-new-lantern-path"})
    assert "Your current password is not right." in page.get_data(as_text=True)
    client.post("/logout")
    assert login(client, user).status_code == 302  # the old password still works


def test_sign_out_everywhere_else(app, make_user):
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    here.post("/sessions/end-others")
    assert here.get("/profile").status_code == 200
    assert elsewhere.get("/profile").status_code == 302


def _reset_link(message) -> str:
    """The path of the mailed link, which is on PUBLIC_BASE_URL (the test config's 127.0.0.1:5000)."""
    return re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", message.get_content()).group(1)


def test_password_reset_by_emailed_single_use_link(client, make_user, outbox):
    user = make_user()
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    [mail] = outbox()
    assert mail["To"] == user.email
    link = _reset_link(mail)
    assert client.get(link).status_code == 200
    new = "a-brand-new-lantern-path"
    assert client.post(link, data={"new_password": new, "confirm": new}).status_code == 302
    assert login(client, user, new).status_code == 302
    client.post("/logout")
    used = client.get(link)
    assert used.status_code == 400 and "expired or has been used already" in used.get_data(as_text=True)


def test_password_reset_link_expires(app, client, make_user, outbox, monkeypatch):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    link = _reset_link(outbox()[0])
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    assert client.get(link).status_code == 400


def test_password_reset_answers_the_same_for_unknown_addresses(client, make_user, outbox):
    make_user(email="known@example.org")
    known = client.post("/password/forgot", data={"email": "known@example.org"}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "unknown@example.org"}, follow_redirects=True)
    message = "If an account uses that address, we have sent it a link"
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert len(outbox()) == 1


def test_tampered_reset_token_is_refused(client, make_user):
    make_user()
    assert client.get("/password/reset/not-a-real-token").status_code == 400
    page = client.post("/password/reset/not-a-real-token", data={"new_password": "x" * 12, "confirm": "x" * 12})
    assert page.status_code == 400


def test_language_switch_for_visitors_and_members(client, make_user, get_user):
    page = client.get("/", headers={"Accept-Language": "nl-NL,nl;q=0.9"}).get_data(as_text=True)
    assert '<html lang="nl">' in page
    client.post("/language", data={"locale": "en", "next": "/support"})
    page = client.get("/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    user = make_user()
    login(client, user)
    response = client.post("/language", data={"locale": "nl", "next": "/support"})
    assert response.headers["Location"] == "/support"
    assert get_user(user.id).locale == "nl"
    assert "Ondersteuning" in client.get("/support").get_data(as_text=True)


def test_language_switch_refuses_unknown_language_and_foreign_next(client):
    response = client.post("/language", data={"locale": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_signed_in_pages_are_not_cached(client, make_user):
    login(client, make_user())
    assert client.get("/profile").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("key, age", [("seen_at", 2 * 3600 + 5), ("signed_in_at", 12 * 3600 + 5)])
def test_idle_and_long_sessions_end(client, make_user, key, age):
    import time

    login(client, make_user())
    assert client.get("/profile").status_code == 200
    with client.session_transaction() as session:
        session[key] = int(time.time()) - age
    response = client.get("/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/profile").status_code == 302  # signed out, not just redirected once


def test_an_active_session_continues(client, make_user):
    import time

    login(client, make_user())
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 3600  # an hour's pause is fine
    assert client.get("/profile").status_code == 200
