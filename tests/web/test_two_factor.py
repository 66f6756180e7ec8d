"""Two-factor sign-in: available to everyone, required for administrators and trainers."""
from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.conftest import login


def _setup(client) -> str:
    page = client.get("/profile/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="totp-secret">([A-Z2-7]+)</code>', page).group(1)
    response = client.post("/profile/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    assert "Your recovery codes" in response.get_data(as_text=True)  # shown once, right away
    return secret


def _code(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def test_a_learner_turns_it_on_and_then_needs_a_code(app, client, make_user):
    user = make_user()
    login(client, user)
    assert "Two-factor sign-in" in client.get("/profile").get_data(as_text=True)
    secret = _setup(client)
    client.post("/logout")
    response = login(client, user)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/profile").status_code == 302  # not signed in yet
    wrong = client.post("/login/code", data={"code": "000000"})
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert client.post("/login/code", data={"code": _code(secret, 30)}).status_code == 302
    assert client.get("/profile").status_code == 200


def test_a_code_works_once(app, client, make_user):
    user = make_user()
    login(client, user)
    secret = _setup(client)
    client.post("/logout")
    login(client, user)
    code = _code(secret, 30)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    login(client, user)
    assert "That code is not right" in client.post("/login/code", data={"code": code}).get_data(as_text=True)


def test_the_setup_refuses_a_wrong_code(client, make_user, get_user):
    user = make_user()
    login(client, user)
    client.get("/profile/two-factor")
    page = client.post("/profile/two-factor", data={"code": "123456"}).get_data(as_text=True)
    assert "That code is not right" in page
    assert get_user(user.id).totp_secret is None


def test_staff_must_set_it_up_before_anything_else(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("admin", "trainer"))
    trainer = make_user(roles=("trainer",))
    login(client, trainer)
    response = client.get("/cohorts")
    assert response.status_code == 302 and response.headers["Location"] == "/profile/two-factor"
    assert client.get("/support").status_code == 200  # support and quick exit stay reachable
    _setup(client)
    assert client.get("/cohorts").status_code == 200
    page = client.get("/profile/two-factor").get_data(as_text=True)
    assert "Your role requires it, so it stays on." in page
    assert client.post("/profile/two-factor/disable", data={"password": trainer.password,
                                                            "code": "000000"}).status_code == 400


def test_a_learner_switches_it_off_with_password_and_code(client, make_user, get_user):
    user = make_user()
    login(client, user)
    secret = _setup(client)
    response = client.post("/profile/two-factor/disable", data={"password": user.password, "code": _code(secret, 30)})
    assert response.status_code == 302
    assert get_user(user.id).totp_secret is None


def test_turning_it_on_signs_out_other_sessions(app, make_user):
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    _setup(here)
    assert here.get("/profile").status_code == 200
    assert elsewhere.get("/profile").status_code == 302


@pytest.mark.parametrize("path", ["/login/code"])
def test_no_pending_sign_in_goes_back_to_the_password(client, path):
    assert client.get(path).headers["Location"] == "/login"


def test_an_administrator_resets_a_lost_authenticator(app, client, make_user, get_user):
    user = make_user()
    login(client, user)
    _setup(client)
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    assert "Reset two-factor sign-in" in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    admin.post(f"/admin/users/{user.id}/two-factor-reset")
    assert get_user(user.id).totp_secret is None
    assert client.get("/profile").status_code == 302  # their sessions ended
    assert login(client, user).headers["Location"] == "/"  # password alone again, until they set it up
