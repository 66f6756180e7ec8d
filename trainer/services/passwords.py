"""Password hashing (Argon2id, memory-hard) and strength rules."""
from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 128  # long enough for any passphrase, short enough to bound hashing work
MIN_STRENGTH = 3  # zxcvbn score 0-4; 3 refuses common words, names, dates and keyboard walks


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
    if zxcvbn(password, user_inputs=hints)["score"] < MIN_STRENGTH:
        return str(_l("This password is too easy to guess. Try a longer phrase of unrelated words."))
    return None
