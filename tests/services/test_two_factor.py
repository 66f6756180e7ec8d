"""A sign-in code is accepted once, even when several requests send it at the same moment: the
database decides, not what each request read before."""
from __future__ import annotations

import threading
from datetime import datetime

import pyotp
import pytest

from trainer.extensions import db
from trainer.models import User
from trainer.services import recovery_codes, two_factor

THREADS = 4


@pytest.fixture
def person(app, make_user):
    """An account with two-factor sign-in on: its id, TOTP secret and recovery codes."""
    user = make_user()
    secret = pyotp.random_base32()
    with app.app_context():
        account = db.session.get(User, user.id)
        account.totp_secret = secret
        codes = recovery_codes.replace(account)
        db.session.commit()
    return user.id, secret, codes


def _code(person, kind: str) -> str:
    _user_id, secret, codes = person
    return pyotp.TOTP(secret).now() if kind == "app" else codes[0]


@pytest.mark.parametrize("kind", ["app", "recovery"])
def test_a_code_used_by_another_request_after_this_one_read_the_account_is_refused(app, person, kind):
    user_id, code = person[0], _code(person, kind)
    with app.app_context():
        user = db.session.get(User, user_id)  # this request has read the account...
        with app.app_context():  # ...when another one, with its own connection, uses the code
            assert two_factor.check(db.session.get(User, user_id), code) == kind
            db.session.commit()
        assert two_factor.check(user, code) is None
        db.session.commit()


@pytest.mark.parametrize("kind", ["app", "recovery"])
def test_a_code_sent_by_several_requests_at_once_works_for_one(app, person, kind):
    user_id, code = person[0], _code(person, kind)
    ready = threading.Barrier(THREADS)
    results, errors = [], []

    def request() -> None:
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                ready.wait(timeout=60)  # every request has read the account before any checks
                results.append(two_factor.check(user, code))
                db.session.commit()
        except Exception as error:  # noqa: BLE001  (reported below, not lost in the thread)
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(results) == THREADS
    assert results.count(kind) == 1 and results.count(None) == THREADS - 1


def test_an_earlier_code_is_refused_after_a_later_one(app, person):
    user_id, secret, _codes = person
    totp = pyotp.TOTP(secret)
    with app.app_context():
        user = db.session.get(User, user_id)
        now = totp.timecode(datetime.now())
        assert two_factor.verify(user, totp.generate_otp(now))
        db.session.commit()
        assert not two_factor.verify(user, totp.generate_otp(now - 1))
        assert db.session.get(User, user_id).totp_last_step == now
