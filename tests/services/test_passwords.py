"""Breached passwords are refused (NIST SP 800-63B 5.1.1.2), checked against a stand-in for the
Pwned Passwords range API on 127.0.0.1."""
from __future__ import annotations

import logging

import pytest
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from tests.support.pwned import BREACHED, CLEAN, closed_port_url, sha1
from trainer.config import TestConfig
from trainer.services import passwords

BREACH_MESSAGE = "appeared in a data breach"


def test_tests_never_ask_the_real_service():
    assert TestConfig.PWNED_PASSWORDS_URL == ""


def test_a_breached_password_is_refused(app, pwned):
    with app.app_context():
        assert BREACH_MESSAGE in passwords.password_problem(BREACHED)
        assert passwords.password_problem(CLEAN) is None


def test_only_the_five_character_prefix_leaves_the_server(app, pwned):
    with app.app_context():
        passwords.is_breached(BREACHED)
    [(path, headers)] = pwned.requests
    digest = sha1(BREACHED)
    assert path == "/range/" + digest[:5]
    assert digest[5:] not in path and BREACHED not in path
    assert headers["Add-Padding"] == "true"


def test_padding_lines_with_count_zero_are_ignored(app, pwned):
    digest = sha1(CLEAN)
    assert f"{digest[5:]}:0" in pwned.lines(digest[:5], padded=True)  # the decoy is really served
    with app.app_context():
        assert passwords.is_breached(CLEAN) is False
    assert len(pwned.requests) == 1


def test_a_weak_password_is_refused_without_asking(app, pwned):
    with app.app_context():
        assert "too easy to guess" in passwords.password_problem("password1234")
    assert pwned.requests == []


@pytest.mark.parametrize("failure", ["error", "slow", "drip", "garbage", "down"])
def test_an_unavailable_service_lets_the_password_through_with_a_warning(app, pwned, caplog, monkeypatch,
                                                                         failure):
    if failure == "down":
        app.config["PWNED_PASSWORDS_URL"] = closed_port_url()  # restored by monkeypatch
    else:
        pwned.mode = failure
    # Too slow by far, however busy the machine: 0.5 s allowed, 60 s (or 12 s a line) taken.
    monkeypatch.setitem(app.config, "PWNED_PASSWORDS_TIMEOUT", 0.5)
    pwned.delay = 60
    with caplog.at_level(logging.WARNING, logger=passwords.__name__), app.app_context():
        assert passwords.password_problem(BREACHED) is None
    [record] = [r for r in caplog.records if r.name == passwords.__name__]
    assert record.levelno == logging.WARNING and "breached-password check skipped" in record.getMessage()
    assert sha1(BREACHED)[:5] not in record.getMessage() and BREACHED not in record.getMessage()


def test_passwords_longer_than_zxcvbn_takes_are_scored(app):
    with app.app_context():
        assert "too easy to guess" in passwords.password_problem("a" * 100)
        phrase = "marigold tugboat anvil sprocket " * 3 + "quill"
        assert len(phrase) > passwords.SCORED_LENGTH and passwords.password_problem(phrase) is None


def test_zxcvbn_leaked_password_list_is_already_refused_by_the_strength_rule(app):
    """zxcvbn ranks its 30,000 leaked passwords, so no separate offline list check is needed:
    every entry long enough to pass the length rule scores too low, as typed or capitalised."""
    long_enough = [p for p in FREQUENCY_LISTS["passwords"] if len(p) >= passwords.MIN_LENGTH]
    assert len(long_enough) > 1000
    with app.app_context():
        for entry in long_enough:
            for variant in (entry, entry.capitalize(), entry.upper()):
                assert passwords.password_problem(variant) is not None, variant
