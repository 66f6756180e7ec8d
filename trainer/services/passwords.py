"""Password hashing (Argon2id, memory-hard), strength rules and the breached-password check."""
from __future__ import annotations

import hashlib
import http.client
import logging
import re
import time
import urllib.error
import urllib.request

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

log = logging.getLogger(__name__)

MIN_LENGTH = 10
MAX_LENGTH = 128  # long enough for any passphrase, short enough to bound hashing work
MIN_STRENGTH = 3  # zxcvbn score 0-4; 3 refuses common words, names, dates and keyboard walks
# zxcvbn refuses longer input (its matching slows down sharply with length), so a longer
# password is judged by its first 72 characters.
SCORED_LENGTH = 72

_RANGE_LINE = re.compile(r"([0-9A-F]{35}):([0-9]+)")
_MAX_ANSWER_BYTES = 1 << 20  # a real padded answer is about 40 KB


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def fingerprint(password_hash: str) -> str:
    """A short digest of the current hash: a reset link carrying it works only once."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    hints = [v for v in (email, email.split("@")[0], name) if v]
    if zxcvbn(password[:SCORED_LENGTH], user_inputs=hints)["score"] < MIN_STRENGTH:
        return str(_l("This password is too easy to guess. Try a longer phrase of unrelated words."))
    # NIST SP 800-63B section 5.1.1.2: passwords from earlier breaches must be refused, because
    # attackers try those lists first. zxcvbn's own leaked-password list needs no separate check:
    # every entry of it, as listed, capitalised or in capitals, scores below MIN_STRENGTH, so the
    # rule above already refuses it (tests/services/test_passwords.py checks this).
    if is_breached(password):
        return str(_l("This password has appeared in a data breach, so others may try it. "
                      "Please choose a different one."))
    return None


class _BadAnswer(Exception):
    """The breached-password service answered, but not with a range list."""


def is_breached(password: str) -> bool:
    """Whether the Pwned Passwords range API lists this password.

    Only the first five hex characters of the password's SHA-1 leave the server (k-anonymity);
    the service answers with every known suffix for that prefix, padded with decoys of count 0,
    and the comparison happens here. Fails open: when the check is switched off
    (PWNED_PASSWORDS_URL empty), cannot be reached or answers badly, the answer is False and a
    warning is logged; the strength rule still applies.
    """
    url = current_app.config["PWNED_PASSWORDS_URL"]
    if not url:
        return False
    digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    try:
        counts = _range(url + digest[:5], current_app.config["PWNED_PASSWORDS_TIMEOUT"])
    except (OSError, ValueError, http.client.HTTPException, _BadAnswer) as error:
        # Never log the address: it holds the hash prefix.
        log.warning("breached-password check skipped (%s); the password was judged on strength alone",
                    _reason(error))
        return False
    return counts.get(digest[5:], 0) > 0


def _range(url: str, timeout: float) -> dict[str, int]:
    """Suffix -> count from one range request, read within about `timeout` seconds."""
    request = urllib.request.Request(url, headers={"Add-Padding": "true", "User-Agent": "Frontline-Trainer"})
    deadline = time.monotonic() + timeout
    body = b""
    with urllib.request.urlopen(request, timeout=timeout) as response:
        while chunk := response.read1(65536):
            body += chunk
            if len(body) > _MAX_ANSWER_BYTES:
                raise _BadAnswer("answer too long")
            if time.monotonic() > deadline:
                raise _BadAnswer("answer too slow")
    lines = body.decode("ascii", errors="replace").split()
    matches = [_RANGE_LINE.fullmatch(line) for line in lines]
    if not matches or not all(matches):
        raise _BadAnswer("not a range list")
    return {m[1]: int(m[2]) for m in matches if m}


def _reason(error: Exception) -> str:
    """A loggable reason for a failed check, without the address."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    if isinstance(error, (_BadAnswer, TimeoutError, ConnectionError)):
        return str(error) or type(error).__name__
    return type(error).__name__  # ValueError and the like can quote the address
