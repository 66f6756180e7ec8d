"""Stable ids: ``{#id}`` in headings and list items, ``id:`` in front matter."""
from __future__ import annotations

import re

ID_RE = re.compile(r"[a-z][a-z0-9-]{0,63}")


def is_valid_id(value: object) -> bool:
    """True for lowercase letters, digits and hyphens, starting with a letter, ≤ 64 long."""
    return isinstance(value, str) and ID_RE.fullmatch(value) is not None


def bad_id_message(value: object) -> str:
    """The message for an id that breaks the rules."""
    return (f"malformed id '{value}': use lowercase letters, digits and hyphens, starting with "
            "a letter, at most 64 characters")
