"""Email addresses made to pass for another one: letters from more than one script.

A Cyrillic "а" looks exactly like a Latin "a", so "аna@example.org" can pass for "ana@example.org".
The local part, and each label of the domain (punycode labels read as the letters they stand
for), must keep to one script, except for the mixes real writing uses: Chinese, Japanese and
Korean beside Latin, as in Unicode's "highly restrictive" profile (UTS #39, section 5.2).
A letter's script is read from its Unicode name ("CYRILLIC SMALL LETTER A"). Digits, punctuation
and combining marks belong to no script. Letter-like symbols (fullwidth, mathematical or
modifier letters) count as scripts of their own, so mixing them with ordinary letters is flagged.
"""
from __future__ import annotations

import unicodedata

import idna
from flask_babel import lazy_gettext as _l

_EVERYDAY_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),  # Japanese
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),  # Chinese
    frozenset({"LATIN", "HAN", "HANGUL"}),  # Korean
)
_SCRIPT_ALIASES = {"CJK": "HAN", "IDEOGRAPHIC": "HAN", "KATAKANA-HIRAGANA": "KATAKANA"}

OWN_ADDRESS_MESSAGE = _l("This address mixes letters from different alphabets (for example a Cyrillic "
                         "“а” among Latin letters), so it can pass for another address. Type it in one "
                         "alphabet.")


def _script(char: str) -> str | None:
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "UNNAMED")
    if name.startswith("HALFWIDTH KATAKANA"):
        return "KATAKANA"
    first = name.split(" ", 1)[0]
    return _SCRIPT_ALIASES.get(first, first)


def _mixed(text: str) -> bool:
    scripts = {s for s in map(_script, text) if s is not None}
    return len(scripts) > 1 and not any(scripts <= mix for mix in _EVERYDAY_MIXES)


def _label_mixed(label: str) -> bool:
    if label.lower().startswith("xn--"):
        try:
            label = idna.decode(label)
        except idna.IDNAError:
            return True  # punycode that does not decode stands for nothing readable
    return _mixed(label)


def mixes_scripts(email: str) -> bool:
    """Whether the address's local part, or any label of its domain, mixes scripts."""
    local, _, domain = email.rpartition("@")
    return _mixed(local) or any(_label_mixed(label) for label in domain.split("."))


def roster_problem(email: str) -> str | None:
    """The warning a trainer sees for this address on a list of learners, or None."""
    if not mixes_scripts(email):
        return None
    return str(_l("%(email)s mixes letters from different alphabets and may imitate another address. "
                  "Check it with the person.", email=email))
