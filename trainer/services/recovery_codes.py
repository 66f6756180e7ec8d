"""Recovery codes: ten single-use codes, made when two-factor sign-in is switched on, that sign a
person in when their authenticator app is out of reach (a lost or broken phone).

A code is 10 characters of Crockford's base32 (digits and lower-case letters without i, l, o and
u), so 50 random bits, shown as `k7pq-3xw9-mr`. Typing ignores case, spaces and hyphens, and
reads o as 0 and i or l as 1. Only hashes are stored."""
from __future__ import annotations

import hashlib
import secrets
from typing import Any, cast

import sqlalchemy as sa

from trainer.extensions import db
from trainer.models import RecoveryCode, User
from trainer.models.types import utcnow
from trainer.services import audit

COUNT = 10
LENGTH = 10
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: 5 bits a character
FEW = 3  # at or below this many unused codes, people are asked to make a new set
_MISREAD = str.maketrans({"o": "0", "i": "1", "l": "1"})


def normalise(code: str) -> str:
    """The code as stored: lower case, without spaces or hyphens, look-alike letters read as digits."""
    return "".join(ch for ch in code.lower() if ch not in " -\t").translate(_MISREAD)


def looks_like(code: str) -> bool:
    """Whether the input is shaped like a recovery code rather than a six-digit app code."""
    return len(normalise(code)) == LENGTH


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def _hash(user_id: int, code: str) -> str:
    # A fast hash is enough here: each code holds 50 random bits, unlike a password, and the
    # account's TOTP secret sits unhashed in the same database, so a slow hash would protect
    # nothing more if the database leaked. The account id keeps equal codes apart.
    return hashlib.sha256(f"{user_id}:{normalise(code)}".encode()).hexdigest()


def replace(user: User) -> list[str]:
    """Make a new set for the person, dropping the old one; returns the codes, to show once."""
    delete_all(user)
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(user.id, c)) for c in codes)
    db.session.flush()
    return [display(c) for c in codes]


def delete_all(user: User) -> None:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def remaining(user: User) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(RecoveryCode)
                              .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).scalar_one()


def use(user: User, code: str) -> bool:
    """Spend one unused code of the person's. A single UPDATE, so two requests with the same
    code cannot both succeed."""
    if not looks_like(code):
        return False
    spent = cast(sa.CursorResult[Any], db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(user.id, code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)))
    if spent.rowcount != 1:
        return False
    audit.record(user, "recovery-code-used", f"user {user.id}", remaining=remaining(user))
    db.session.flush()
    return True
