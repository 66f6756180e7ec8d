"""Recovery codes: a person who loses their phone signs in with a single-use code, without an
administrator, and makes a new set when they run low."""
from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import pyotp
import pytest
import sqlalchemy as sa

from tests.conftest import login
from trainer.extensions import db
from trainer.models import AuditEvent, RecoveryCode
from trainer.services import recovery_codes

CODE = re.compile(r"<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{2})</code></li>")
WRONG = "That recovery code is not right, or it has been used already."


def _switch_on(client) -> tuple[str, list[str]]:
    """Two-factor sign-in on; returns the TOTP secret and the recovery codes shown."""
    page = client.get("/profile/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    response = client.post("/profile/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    return secret, CODE.findall(response.get_data(as_text=True))


def _app_code(secret: str, offset: int = 30) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def _audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()
        db.session.expunge_all()
        return list(events)


def _hashes(app, user_id: int) -> dict[str, datetime | None]:
    with app.app_context():
        rows = db.session.execute(sa.select(RecoveryCode.code_hash, RecoveryCode.used_at)
                                  .where(RecoveryCode.user_id == user_id)).all()
        return dict(rows)


def _second_step(client, user, code: str):
    client.post("/logout")
    assert login(client, user).headers["Location"] == "/login/code"
    return client.post("/login/code", data={"code": code})


@pytest.fixture
def person(app, client, make_user):
    """A signed-in learner who has just switched two-factor sign-in on."""
    user = make_user()
    login(client, user)
    user.secret, user.codes = _switch_on(client)
    return user


def test_switching_on_shows_ten_codes_once_and_keeps_only_hashes(app, client, make_user):
    user = make_user()
    login(client, user)
    page = client.get("/profile/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    response = client.post("/profile/two-factor", data={"code": pyotp.TOTP(secret).now()})
    text = response.get_data(as_text=True)
    codes = CODE.findall(text)
    assert len(codes) == len(set(codes)) == 10
    assert "This is the only time they are shown." in text
    assert response.headers["Cache-Control"] == "no-store"
    assert "data-print hidden" in text and "<script>" not in text  # the button is app.js's to show
    later = client.get("/profile/two-factor").get_data(as_text=True)
    assert "You have 10 unused recovery codes." in later
    assert not any(code in later for code in codes)
    stored = _hashes(app, user.id)
    assert len(stored) == 10 and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)
    with app.app_context():
        dump = " ".join(str(value) for row in db.session.execute(sa.select(RecoveryCode)).scalars()
                        for value in vars(row).values())
    for code in codes:
        assert code not in dump and code.replace("-", "") not in dump


def test_a_recovery_code_signs_in_once(app, client, person):
    typed = person.codes[0].upper().replace("-", " ")  # case, spaces and hyphens do not matter
    response = _second_step(client, person, typed)
    assert response.status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert "You signed in with a recovery code. 9 recovery codes are left." in page
    assert "Make a new set" not in page
    [event] = _audit(app, "recovery-code-used")
    assert event.actor_id == person.id and event.details == {"remaining": 9}
    again = _second_step(client, person, person.codes[0])
    assert again.status_code == 200 and WRONG in again.get_data(as_text=True)
    assert client.get("/profile").status_code == 302  # not signed in
    assert len(_audit(app, "recovery-code-used")) == 1


def test_a_wrong_code_is_refused_and_changes_nothing(app, client, person):
    before = _hashes(app, person.id)
    response = _second_step(client, person, "zzzz-zzzz-zz")
    assert response.status_code == 200 and WRONG in response.get_data(as_text=True)
    wrong_app_code = client.post("/login/code", data={"code": "000000"})
    assert "That code is not right. Check the time on your phone" in wrong_app_code.get_data(as_text=True)
    assert client.get("/profile").status_code == 302
    assert _hashes(app, person.id) == before and all(used is None for used in before.values())
    assert _audit(app, "recovery-code-used") == []


def test_running_low_suggests_a_new_set(app, client, person):
    with app.app_context():
        ids = db.session.scalars(sa.select(RecoveryCode.id).where(RecoveryCode.user_id == person.id)
                                 .order_by(RecoveryCode.id)).all()
        db.session.execute(sa.update(RecoveryCode).where(RecoveryCode.id.in_(ids[:7]))
                           .values(used_at=datetime.now(UTC)))
        db.session.commit()
    used = {h for h, at in _hashes(app, person.id).items() if at}
    assert len(used) == 7
    # Whichever code is unused: try them until one works (the first seven are spent).
    for code in person.codes:
        if _second_step(client, person, code).status_code == 302:
            break
    page = client.get("/profile").get_data(as_text=True)
    assert "2 recovery codes are left." in page and "Make a new set on your two-factor sign-in page" in page
    assert "You have 2 unused recovery codes." in client.get("/profile/two-factor").get_data(as_text=True)


def test_a_new_set_replaces_the_old_one(app, client, person):
    old = _hashes(app, person.id)
    response = client.post("/profile/two-factor/recovery-codes",
                           data={"renew-password": person.password, "renew-code": _app_code(person.secret)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    new_codes = CODE.findall(response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(person.codes)
    assert set(_hashes(app, person.id)).isdisjoint(old)
    assert len(_audit(app, "recovery-codes-renewed")) == 1
    assert WRONG in _second_step(client, person, person.codes[1]).get_data(as_text=True)
    assert client.post("/login/code", data={"code": new_codes[0]}).status_code == 302


def test_a_new_set_can_be_made_with_a_recovery_code(app, client, person):
    response = client.post("/profile/two-factor/recovery-codes",
                           data={"renew-password": person.password, "renew-code": person.codes[3]})
    assert response.status_code == 200 and len(CODE.findall(response.get_data(as_text=True))) == 10
    assert [e.details for e in _audit(app, "recovery-code-used")] == [{"remaining": 9}]


@pytest.mark.parametrize("password, code, message", [
    ("not-my-password", None, "Your current password is not right."),
    (None, "000000", "That code is not right. Check the time on your phone"),
    (None, "abcd-efgh-jk", WRONG),
])
def test_a_new_set_needs_the_password_and_a_code(app, client, person, password, code, message):
    before = _hashes(app, person.id)
    response = client.post("/profile/two-factor/recovery-codes",
                           data={"renew-password": password or person.password,
                                 "renew-code": code or _app_code(person.secret)})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _hashes(app, person.id) == before
    assert _audit(app, "recovery-codes-renewed") == []


@pytest.mark.parametrize("path, prefix", [("/profile/two-factor/recovery-codes", "renew-"),
                                          ("/profile/two-factor/disable", "")])
def test_code_checks_on_the_profile_are_rate_limited(app, client, person, monkeypatch, path, prefix):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per minute")
    statuses = [client.post(path, data={f"{prefix}password": person.password, f"{prefix}code": "000000"},
                            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_typing_forgives_case_separators_and_look_alike_letters():
    assert recovery_codes.normalise(" K7PQ 3XW9-MR ") == "k7pq3xw9mr"
    assert recovery_codes.normalise("o1lI-0000-00") == "0111000000"
    assert recovery_codes.looks_like("k7pq-3xw9-mr") and not recovery_codes.looks_like("123 456")


def test_without_two_factor_there_is_nothing_to_renew(client, make_user):
    user = make_user()
    login(client, user)
    response = client.post("/profile/two-factor/recovery-codes",
                           data={"renew-password": user.password, "renew-code": "000000"})
    assert response.headers["Location"] == "/profile/two-factor"


def test_switching_off_deletes_the_codes(app, client, person, count_rows):
    response = client.post("/profile/two-factor/disable",
                           data={"password": person.password, "code": _app_code(person.secret)})
    assert response.status_code == 302 and count_rows(RecoveryCode) == 0


def test_after_losing_the_phone_a_recovery_code_switches_it_off(app, client, person, get_user, count_rows):
    assert _second_step(client, person, person.codes[0]).status_code == 302
    response = client.post("/profile/two-factor/disable", data={"password": person.password,
                                                                "code": person.codes[1]})
    assert response.status_code == 302
    assert get_user(person.id).totp_secret is None and count_rows(RecoveryCode) == 0


def test_the_administrator_reset_deletes_the_codes(app, client, person, make_user, count_rows):
    other = make_user()
    with app.app_context():  # someone else's codes stay
        db.session.add(RecoveryCode(user_id=other.id, code_hash="0" * 64))
        db.session.commit()
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    admin.post(f"/admin/users/{person.id}/two-factor-reset")
    assert _hashes(app, person.id) == {} and count_rows(RecoveryCode) == 1


def test_the_data_download_counts_the_codes_but_never_holds_them(app, client, person):
    data = client.post("/profile/data.json", data={"download-password": person.password}).get_data(as_text=True)
    account = json.loads(data)["account"]
    assert account["two_factor_sign_in"] is True and account["unused_recovery_codes"] == 10
    for code_hash in _hashes(app, person.id):
        assert code_hash not in data
    assert not any(code in data for code in person.codes)


def test_deleting_the_account_deletes_the_codes(client, person, count_rows):
    response = client.post("/profile/delete", data={"password": person.password})
    assert response.status_code == 302 and count_rows(RecoveryCode) == 0
