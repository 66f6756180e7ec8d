"""Addresses whose letters mix scripts, so that they can pass for another address."""
from __future__ import annotations

import pytest

from trainer.services import lookalike


@pytest.mark.parametrize("email", [
    "\u0430na@example.org",  # Cyrillic а in a Latin name
    "ivan.\u043f\u0435\u0442\u0440\u043e\u0432@example.org",  # Latin and Cyrillic words
    "ana@ex\u0430mple.org",  # in the domain
    "ana@xn--pple-43d.com",  # punycode for a Cyrillic а followed by Latin "pple"
    "ana@xn--zz-zzz.com",  # punycode that decodes to nothing
    "\uff41na@example.org",  # a fullwidth a
    "p\u03b1ul@example.org",  # Greek alpha
])
def test_mixed_scripts_are_flagged(email):
    assert lookalike.mixes_scripts(email)


@pytest.mark.parametrize("email", [
    "ana@example.org",
    "zo\u00eb.\u0142ukasiewicz@example.org",  # accents are Latin
    "nguy\u1ec5n+tag-2@example.vn",
    "\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444",  # all Cyrillic
    "\u03bc\u03b1\u03c1\u03af\u03b1@example.gr",  # Greek local part, Latin domain: each part is one script
    "\u7530\u4e2d\u3055\u3093@example.jp",  # Japanese mixes Han and Hiragana
    "\uae40\ubbfc\uc218@example.kr",
])
def test_one_script_per_part_is_fine(email):
    assert not lookalike.mixes_scripts(email)


def test_trainers_are_told_which_address_to_check(app):
    with app.test_request_context():
        assert "\u0430na@example.org" in lookalike.roster_problem("\u0430na@example.org")
        assert lookalike.roster_problem("ana@example.org") is None
