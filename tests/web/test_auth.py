"""Accounts through the browser's eyes: register, sign in and out, profile, passwords."""
from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, login, mailed_path
from tests.support.smtp import SilentMailServer
from tests.support.waiting import wait_for
from trainer.models import User

VALID = dict(name="Zoë Łukasiewicz", email="zoe@example.org", password=PASSWORD, confirm=PASSWORD,
             organisation="City Hospital", sector="health", specialty="emergency", is_resident="y",
             locale="en", timezone="Europe/Amsterdam")


def register(client, **changes):
    return client.post("/register", data={**VALID, **changes})


def test_register_signs_in_nobody_until_the_mailed_link_is_opened(client, get_user, count_rows, outbox):
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"] == "/register/sent"
    page = client.get("/register/sent").get_data(as_text=True)
    assert "Check your email" in page and "We sent a link to zoe@example.org to confirm it." in page
    assert count_rows(User) == 1 and "Welcome back" not in client.get("/").get_data(as_text=True)
    user = get_user("zoe@example.org")
    assert user.email == "zoe@example.org" and user.role_names == {"learner"} and not user.email_verified
    assert user.sector == "health" and user.specialty == "emergency" and user.is_resident
    assert user.password_hash.startswith("$argon2id$")

    [mail] = outbox()
    assert mail["To"] == "zoe@example.org" and mail["Subject"] == "Confirm your email address for Frontline Trainer"
    opened = client.get(mailed_path(mail, "/email/confirm/"))
    assert opened.status_code == 302 and opened.headers["Location"] == "/login"
    assert "your email address zoe@example.org is confirmed" in client.get("/login").get_data(as_text=True)
    assert get_user("zoe@example.org").email_verified
    assert login(client, SimpleNamespace(email="zoe@example.org", password=PASSWORD)).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Welcome back, Zoë Łukasiewicz" in page and "Please confirm your email address" not in page
    again = client.get(mailed_path(mail, "/email/confirm/"), follow_redirects=True)
    assert "was confirmed already" in again.get_data(as_text=True)


def test_a_join_link_survives_registration_and_confirmation(client, outbox):
    page = client.get("/login?next=/join/abc123").get_data(as_text=True)
    assert 'href="/register?next=/join/abc123"' in page
    assert 'name="next" type="hidden" value="/join/abc123"' in client.get("/register?next=/join/abc123").get_data(
        as_text=True)
    register(client, next="/join/abc123")
    opened = client.get(mailed_path(outbox()[0], "/email/confirm/"))
    assert opened.headers["Location"] == "/login?next=/join/abc123"


def test_a_next_that_leaves_the_site_is_dropped(client, outbox):
    register(client, next="https://evil.example/")
    assert client.get(mailed_path(outbox()[0], "/email/confirm/")).headers["Location"] == "/login"


def _same_page(page: str, *addresses: str) -> str:
    """The page with the addresses masked, and the CSRF tokens, which carry the second they were
    signed in (two answers a second apart differ there, whoever asked)."""
    for address in addresses:
        page = page.replace(address, "ADDRESS")
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1TOKEN", page)


def test_registration_answers_alike_for_a_taken_and_a_new_address(app, client, make_user, count_rows, outbox):
    make_user(email="zoe@example.org", name="Zoë Owner")
    taken = register(client, email="ZOE@Example.org")
    taken_page = client.get(taken.headers["Location"])
    new = register(client, email="newcomer@example.org")
    new_page = client.get(new.headers["Location"])
    assert (taken.status_code, taken.headers["Location"]) == (new.status_code, new.headers["Location"])
    assert taken_page.status_code == new_page.status_code == 200
    assert _same_page(taken_page.get_data(as_text=True), "zoe@example.org") == \
        _same_page(new_page.get_data(as_text=True), "newcomer@example.org")
    assert "An account with this email address already exists" not in taken_page.get_data(as_text=True)
    assert count_rows(User) == 2
    owners, newcomers = outbox()
    assert owners["To"] == "zoe@example.org" and "Someone tried to create" in owners.get_content()
    assert "/login" in owners.get_content() and "/password/forgot" in owners.get_content()
    assert "http://127.0.0.1:5000/login" in owners.get_content()
    assert newcomers["To"] == "newcomer@example.org" and "/email/confirm/" in newcomers.get_content()


def test_registration_spends_the_same_hashing_work_for_a_taken_address(client, make_user, monkeypatch):
    from trainer.services import passwords

    make_user(email="zoe@example.org")
    calls = []
    real = passwords.hash_password
    monkeypatch.setattr(passwords, "hash_password", lambda password: calls.append(password) or real(password))
    register(client)
    register(client, email="newcomer@example.org")
    assert calls == [PASSWORD, PASSWORD]


def test_a_weak_password_is_answered_alike_for_a_taken_and_a_new_address(client, make_user):
    make_user(email="zoe@example.org")
    answers = [register(client, email=email, password="password123", confirm="password123")
               for email in ("zoe@example.org", "newcomer@example.org")]
    assert [a.status_code for a in answers] == [200, 200]
    pages = [_same_page(a.get_data(as_text=True), "zoe@example.org", "newcomer@example.org") for a in answers]
    assert pages[0] == pages[1] and "too easy to guess" in pages[0]


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


@pytest.mark.parametrize("email", ["\u0430na@example.org", "ana@ex\u0430mple.org", "ana@xn--pple-43d.com"])
def test_register_refuses_an_address_that_mixes_alphabets(client, count_rows, email):
    page = register(client, email=email).get_data(as_text=True)
    error = re.search(r'<p class="error-message" id="email-error">(.*?)</p>', page, re.S)
    assert error and "mixes letters from different alphabets" in error.group(1)
    assert count_rows(User) == 0


def test_register_accepts_an_address_in_one_alphabet_with_accents(client, count_rows):
    assert register(client, email="zoë.łukasiewicz@example.org").status_code == 302
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


def test_the_time_zone_list_marks_each_readers_own_zone(app, make_user):
    """The time zones' options are made once and kept: each reader still sees their own zone
    selected, and only theirs, exactly as WTForms writes a select."""
    from wtforms.widgets import Select

    from trainer.auth.forms import ProfileForm

    for zone in ("America/Toronto", "Europe/Amsterdam", "America/Toronto"):
        client = app.test_client()
        login(client, make_user(timezone=zone))
        page = client.get("/profile").get_data(as_text=True)
        assert page.count(" selected value=") == 4  # sector, specialty, language and time zone
        assert f'<option selected value="{zone}">{zone.replace("_", " ")}</option>' in page
        with app.test_request_context("/profile"):
            form = ProfileForm(meta={"csrf": False}, data={"timezone": zone})
            kept = str(form.timezone())
            form.timezone.widget = Select()
            assert kept == str(form.timezone())


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


def _resetmailed_path(message) -> str:
    return mailed_path(message, "/password/reset/")


def test_password_reset_by_emailed_single_usemailed_path(client, make_user, outbox):
    user = make_user()
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    [mail] = outbox()
    assert mail["To"] == user.email
    link = _resetmailed_path(mail)
    assert client.get(link).status_code == 200
    new = "a-brand-new-lantern-path"
    assert client.post(link, data={"new_password": new, "confirm": new}).status_code == 302
    assert login(client, user, new).status_code == 302
    client.post("/logout")
    used = client.get(link)
    assert used.status_code == 400 and "expired or has been used already" in used.get_data(as_text=True)


def test_links_in_mail_name_the_configured_site_whatever_the_request_says(client, make_user, outbox):
    user = make_user()
    forged = client.post("/password/forgot", data={"email": user.email}, headers={"Host": "evil.example"})
    assert forged.status_code == 400 and outbox() == []  # an unknown host is refused outright
    client.post("/password/forgot", data={"email": user.email})  # the test client's host, localhost, is trusted
    content = outbox()[0].get_content()
    assert "http://127.0.0.1:5000/password/reset/" in content and "localhost" not in content


def test_a_completed_password_reset_proves_the_address(client, make_user, get_user, outbox):
    user = make_user(verified=False)
    client.post("/password/forgot", data={"email": user.email})
    new = "a-brand-new-lantern-path"
    client.post(_resetmailed_path(outbox()[0]), data={"new_password": new, "confirm": new})
    assert get_user(user.id).email_verified


def test_password_reset_link_expires(app, client, make_user, outbox, monkeypatch):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    link = _resetmailed_path(outbox()[0])
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    assert client.get(link).status_code == 400


def test_password_reset_answers_alike_for_unknown_addresses(client, make_user, outbox):
    make_user(email="known@example.org")
    answers, pages = [], []
    for email in ("known@example.org", "unknown@example.org"):
        answers.append(client.post("/password/forgot", data={"email": email}))
        pages.append(client.get(answers[-1].headers["Location"]).get_data(as_text=True))
    known, unknown = answers
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert known.get_data() == unknown.get_data()
    message = "If an account uses that address, we have sent it a link"
    assert _same_page(pages[0]) == _same_page(pages[1]) and message in pages[0]
    assert [m["To"] for m in outbox()] == ["known@example.org"]


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


def _confirmationmailed_path(app, user_id: int, next_url: str = "") -> str:
    from trainer.extensions import db
    from trainer.services import addresses

    with app.app_context():
        return "/email/confirm/" + addresses.confirmation_token(db.session.get(User, user_id), next_url)


def test_a_confirmation_link_is_signed_expires_and_belongs_to_one_address(app, client, make_user, get_user,
                                                                           monkeypatch):
    from trainer.extensions import db

    user = make_user(verified=False)
    link = _confirmationmailed_path(app, user.id)
    assert client.get(link[:-3] + "abc").status_code == 400
    monkeypatch.setitem(app.config, "EMAIL_CONFIRM_MAX_AGE", -1)
    expired = client.get(link)
    assert expired.status_code == 400 and "Send the link again" in expired.get_data(as_text=True)
    monkeypatch.setitem(app.config, "EMAIL_CONFIRM_MAX_AGE", 7 * 24 * 3600)
    with app.app_context():  # the account's address changed after the link was sent
        db.session.get(User, user.id).email = "someone-else@example.org"
        db.session.commit()
    assert client.get(link).status_code == 400
    assert not get_user(user.id).email_verified


def test_the_confirmation_link_works_for_seven_days(app):
    assert app.config["EMAIL_CONFIRM_MAX_AGE"] == 7 * 24 * 3600


def test_a_signed_in_person_who_has_not_confirmed_is_reminded_and_can_ask_again(client, make_user, outbox):
    user = make_user(verified=False)
    login(client, user)
    page = client.get("/learning").get_data(as_text=True)
    assert f"open the link we sent to {user.email}" in page
    assert 'action="/email/confirm/send"' in page and 'name="next" value="/learning"' in page
    response = client.post("/email/confirm/send", data={"next": "/learning"})
    assert response.status_code == 302 and response.headers["Location"] == "/learning"
    assert f"We sent a new link to {user.email}" in client.get("/learning").get_data(as_text=True)
    [mail] = outbox()
    assert mail["To"] == user.email
    assert client.get(mailed_path(mail, "/email/confirm/")).headers["Location"] == "/learning"  # signed in already
    assert "Please confirm your email address" not in client.get("/learning").get_data(as_text=True)


def test_asking_again_after_confirming_sends_nothing(client, make_user, outbox):
    login(client, make_user())
    assert "Please confirm your email address" not in client.get("/").get_data(as_text=True)
    client.post("/email/confirm/send", data={"next": "/"})
    assert outbox() == []


def test_asking_for_the_link_again_is_limited_per_account_from_any_address(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_LIMIT_PER_RECIPIENT", "2 per minute")
    login(client, make_user(verified=False))
    statuses = [client.post("/email/confirm/send", environ_base={"REMOTE_ADDR": f"10.0.1.{i}"}).status_code
                for i in range(3)]
    assert statuses == [302, 302, 429]


def test_asking_for_the_link_again_is_limited_per_address(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_ADDRESS", "2 per minute")
    statuses = []
    for _ in range(3):
        client = app.test_client()
        login(client, make_user(verified=False))
        statuses.append(client.post("/email/confirm/send").status_code)
    assert statuses == [302, 302, 429]


@pytest.mark.parametrize("known", [True, False])
def test_mail_to_one_address_is_limited_alike_whether_or_not_it_has_an_account(app, make_user, monkeypatch,
                                                                             known):
    monkeypatch.setitem(app.config, "MAIL_LIMIT_PER_RECIPIENT", "3 per minute")
    if known:
        make_user(email="target@example.org")
    statuses = []
    for i, path in enumerate(["/register", "/password/forgot", "/register", "/password/forgot"]):
        client = app.test_client()
        data = {**VALID, "email": "Target@example.org"} if path == "/register" else {"email": "target@example.org"}
        statuses.append(client.post(path, data=data, environ_base={"REMOTE_ADDR": f"10.0.2.{i}"}).status_code)
    assert statuses == [302, 302, 302, 429]


def test_the_mail_allowance_of_an_address_is_shared_by_every_form(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_LIMIT_PER_RECIPIENT", "2 per minute")
    user = make_user(verified=False)
    client = app.test_client()
    client.post("/password/forgot", data={"email": user.email})
    login(client, user)
    # An email field slipped into the form does not move the count to another address.
    assert client.post("/email/confirm/send", data={"email": "other@example.org"}).status_code == 302
    assert client.post("/email/confirm/send").status_code == 429
    assert app.test_client().post("/password/forgot", data={"email": user.email}).status_code == 429


def test_a_form_that_is_refused_does_not_use_up_the_mail_allowance(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_LIMIT_PER_RECIPIENT", "1 per minute")
    assert register(client, password="password123", confirm="password123").status_code == 200
    assert register(client, password="password123", confirm="password123").status_code == 200
    assert register(client).status_code == 302


HUGE = "a" * (10 * 1024 * 1024) + "@example.org"


@pytest.mark.parametrize("path, data", [
    ("/register", {**VALID, "email": HUGE}),
    ("/password/forgot", {"email": HUGE}),
    ("/login", {"email": HUGE, "password": "x" * 12}),
])
def test_an_oversized_field_is_refused_before_any_costly_check(client, monkeypatch, count_rows, path, data):
    import email_validator

    def never(*args, **kwargs):
        raise AssertionError("the email check ran on an oversized value")

    monkeypatch.setattr(email_validator, "validate_email", never)
    response = client.post(path, data=data)
    assert response.status_code == 200
    error = re.search(r'<p class="error-message" id="email-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error and "Use at most 254 characters." in error.group(1)
    assert count_rows(User) == 0


def test_every_text_field_of_every_form_caps_its_length_first():
    import inspect

    from flask_wtf import FlaskForm
    from wtforms import EmailField, HiddenField, PasswordField, StringField, TextAreaField

    from trainer import forms as shared_forms
    from trainer.admin import forms as admin_forms
    from trainer.auth import forms as auth_forms
    from trainer.authoring import forms as authoring_forms
    from trainer.cohorts import forms as cohort_forms
    from trainer.forms import Capped

    text = (StringField, TextAreaField, EmailField, PasswordField, HiddenField)
    checked, uncapped = 0, []
    for module in (shared_forms, auth_forms, admin_forms, authoring_forms, cohort_forms):
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, FlaskForm) or form is FlaskForm:
                continue
            for attr in dir(form):
                field = getattr(form, attr)
                if getattr(field, "field_class", None) is None or not issubclass(field.field_class, text):
                    continue
                checked += 1
                validators = field.kwargs.get("validators") or []
                if not validators or not isinstance(validators[0], Capped):
                    uncapped.append(f"{name}.{attr}")
    assert checked > 30 and uncapped == []


def test_a_multipart_form_refuses_an_oversized_text_part(app, client):
    from trainer.config import Config

    assert Config.MAX_FORM_MEMORY_SIZE == 256 * 1024 and Config.MAX_FORM_PARTS == 100
    response = client.post("/password/forgot", content_type="multipart/form-data",
                           data={"email": "a" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1) + "@example.org"})
    assert response.status_code == 413
    many = client.post("/password/forgot", content_type="multipart/form-data",
                       data={f"f{i}": "x" for i in range(app.config["MAX_FORM_PARTS"] + 1)})
    assert many.status_code == 413


def _post(port: int, path: str, fields: dict) -> tuple[int, float]:
    """POST like a browser; returns the status and the seconds until the whole answer arrived."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.monotonic()
    connection.request("POST", path, urllib.parse.urlencode(fields),
                       {"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    elapsed = time.monotonic() - started
    connection.close()
    return response.status, elapsed


def test_the_answer_never_waits_for_a_mail_server_that_hangs(app, make_user, monkeypatch, count_rows):
    from werkzeug.serving import make_server

    from trainer.extensions import db
    from trainer.models import PendingMail

    make_user(email="known@example.org")
    silent = SilentMailServer()
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": silent.port, "MAIL_TIMEOUT": 600,
                       "MAIL_USE_TLS": False}.items():
        monkeypatch.setitem(app.config, key, value)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        known = _post(server.server_port, "/password/forgot", {"email": "known@example.org"})
        # The mail goes out after the answer: the delivery is now waiting on the silent server.
        assert wait_for(lambda: len(silent.connections) == 1)
        unknown = _post(server.server_port, "/password/forgot", {"email": "unknown@example.org"})
        taken = _post(server.server_port, "/register", {**VALID, "email": "known@example.org"})
        assert known[0] == unknown[0] == taken[0] == 302
        # Each answer came long before the 600 s the mail server may take, however busy the machine.
        assert known[1] < 60 and unknown[1] < 60 and taken[1] < 60, (known, unknown, taken)
        assert count_rows(PendingMail) == 2
        silent.close()  # the waiting deliveries fail now; their mail stays for another try
        with app.app_context():
            def failed_and_kept() -> int:
                db.session.rollback()  # a fresh read each time
                return db.session.scalar(sa.select(sa.func.count()).select_from(PendingMail).where(
                    PendingMail.attempts == 1, PendingMail.claimed_at.is_(None), PendingMail.last_error != ""))
            assert wait_for(lambda: failed_and_kept() == 2)
    finally:
        silent.close()
        server.shutdown()
