"""Registration, password change and password reset refuse breached passwords (NIST SP 800-63B),
checked against a stand-in for the Pwned Passwords range API on 127.0.0.1."""
from __future__ import annotations

import re

from tests.conftest import PASSWORD, login
from tests.support.pwned import BREACHED, CLEAN, sha1
from trainer.models import User

MESSAGE = ("This password has appeared in a data breach, so others may try it. "
           "Please choose a different one.")
PROFILE = dict(name="Zoë Łukasiewicz", email="zoe@example.org", organisation="City Hospital",
               sector="health", specialty="emergency", locale="en", timezone="Europe/Amsterdam")


def _error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', page, re.S)
    assert found, f"no error shown next to {field}"
    return found.group(1).strip()


def test_registration_refuses_a_breached_password_and_creates_nothing(client, pwned, count_rows):
    response = client.post("/register", data={**PROFILE, "password": BREACHED, "confirm": BREACHED})
    assert response.status_code == 200
    assert _error(response.get_data(as_text=True), "password") == MESSAGE
    assert count_rows(User) == 0
    [(path, _)] = pwned.requests
    assert path == "/range/" + sha1(BREACHED)[:5]


def test_registration_accepts_a_clean_password(client, pwned, count_rows):
    response = client.post("/register", data={**PROFILE, "password": CLEAN, "confirm": CLEAN})
    assert response.status_code == 302
    assert count_rows(User) == 1


def test_password_change_refuses_a_breached_password(client, make_user, pwned):
    user = make_user()
    login(client, user)
    page = client.post("/password", data={"current_password": user.password, "new_password": BREACHED,
                                          "confirm": BREACHED}).get_data(as_text=True)
    assert _error(page, "new_password") == MESSAGE
    client.post("/logout")
    assert login(client, user, PASSWORD).status_code == 302  # the old password still works


def test_password_reset_refuses_a_breached_password(client, make_user, pwned, outbox):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    link = re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", outbox()[0].get_content()).group(1)
    page = client.post(link, data={"new_password": BREACHED, "confirm": BREACHED}).get_data(as_text=True)
    assert _error(page, "new_password") == MESSAGE
    assert client.post(link, data={"new_password": CLEAN, "confirm": CLEAN}).status_code == 302
    assert login(client, user, CLEAN).status_code == 302
