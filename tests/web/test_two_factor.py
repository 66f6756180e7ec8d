"""Two-factor sign-in: available to everyone, required for administrators and trainers."""
from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.conftest import login


def _setup(client) -> str:
    return _setup_with_codes(client)[0]


def _setup_with_codes(client) -> tuple[str, list[str]]:
    """Two-factor sign-in on; the TOTP secret and the recovery codes shown."""
    page = client.get("/profile/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    response = client.post("/profile/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    assert "Your recovery codes" in response.get_data(as_text=True)  # shown once, right away
    return secret, re.findall(r"<code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{2})</code>", response.get_data(as_text=True))


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
    assert "Switch two-factor sign-in off" not in page and "Set up a new phone" in page
    assert client.post("/profile/two-factor/disable", data={"password": trainer.password,
                                                            "code": "000000"}).status_code == 400


def test_staff_move_to_a_new_phone_and_set_it_up_again_at_once(app, make_user, get_user, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("admin", "trainer"))
    trainer = make_user(roles=("trainer",))
    here, elsewhere = app.test_client(), app.test_client()
    login(here, trainer)
    old_secret, codes = _setup_with_codes(here)
    login(elsewhere, trainer)
    elsewhere.post("/login/code", data={"code": codes[0]})
    assert elsewhere.get("/profile").status_code == 200
    # The phone is lost: a recovery code confirms the move.
    response = here.post("/profile/two-factor/disable", data={"password": trainer.password, "code": codes[1]})
    assert response.headers["Location"] == "/profile/two-factor"
    assert get_user(trainer.id).totp_secret is None
    # This session may do nothing but set up the new app; the other one has ended.
    assert here.get("/cohorts").headers["Location"] == "/profile/two-factor"
    assert elsewhere.get("/profile").status_code == 302
    new_secret = _setup(here)
    assert new_secret != old_secret and get_user(trainer.id).totp_secret == new_secret
    assert here.get("/cohorts").status_code == 200


def test_switching_it_off_ends_other_sessions(app, make_user):
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    secret, codes = _setup_with_codes(here)
    login(elsewhere, user)
    elsewhere.post("/login/code", data={"code": codes[0]})
    assert elsewhere.get("/profile").status_code == 200
    here.post("/profile/two-factor/disable", data={"password": user.password, "code": _code(secret, 30)})
    assert here.get("/profile").status_code == 200
    assert elsewhere.get("/profile").status_code == 302


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


def test_a_password_change_between_the_password_and_the_code_voids_the_sign_in(app, make_user):
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    secret = _setup(here)
    assert login(elsewhere, user).headers["Location"] == "/login/code"  # waiting for the code...
    new = "a-brand-new-lantern-path"
    here.post("/password", data={"current_password": user.password, "new_password": new, "confirm": new})
    response = elsewhere.post("/login/code", data={"code": _code(secret, 30)})
    assert response.headers["Location"] == "/login"  # ...back to the password, which has changed
    assert elsewhere.get("/profile").status_code == 302


def test_setup_shows_the_key_in_groups_of_four_and_a_link_that_opens_an_authenticator_app(client, make_user):
    from urllib.parse import parse_qs, unquote, urlsplit

    user = make_user()
    login(client, user)
    page = client.get("/profile/two-factor").get_data(as_text=True)
    shown = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', page).group(1)
    groups = shown.split(" ")
    assert len(groups) > 1 and all(len(g) == 4 for g in groups[:-1]) and 1 <= len(groups[-1]) <= 4
    link = re.search(r'<a class="button button-secondary" href="(otpauth://[^"]+)">Open in your authenticator app</a>',
                     page).group(1)
    parts = urlsplit(link.replace("&amp;", "&"))
    assert parts.netloc == "totp" and user.email in unquote(parts.path)
    assert parse_qs(parts.query)["secret"] == ["".join(groups)]
    # The key the page shows is the one the server checks codes against.
    response = client.post("/profile/two-factor", data={"code": pyotp.TOTP("".join(groups)).now()})
    assert response.status_code == 200 and "recovery codes" in response.get_data(as_text=True).lower()
