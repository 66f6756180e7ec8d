"""What checking a course's files found, kept by each file's text, for the next check.

The browser editor checks the whole course on every pause in typing, but between two checks
only the file being edited changed. A :class:`Memo` remembers, by file name and text, what
parsing and link checking made of each file, so the next check parses only the file that
changed and reuses the rest. One memo serves one course read with one image mapping (rendered
HTML holds the images' addresses); the caller keeps them apart.

A check records the entries it used; :attr:`Memo.entries` is only those, so a memo never grows
beyond one course's worth, and an edited file's earlier texts fall out at the next check.
Entries are plain data that can be pickled, so a memo can be handed to a child process and back.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

from .problems import Problem

T = TypeVar("T")
Key = tuple[Hashable, ...]


class Memo:
    """Results of earlier checks by (what, file name, digest of text, anything else they depend on)."""

    def __init__(self, entries: dict[Key, Any] | None = None) -> None:
        self._earlier = entries or {}
        self._used: dict[Key, Any] = {}
        self.hits = 0

    def get(self, what: str, name: str, text: str, compute: Callable[[], T], *depends: Hashable) -> T:
        """``compute()``, or what it gave before for the same file name, text and dependencies."""
        key: Key = (what, name, hashlib.sha256(text.encode("utf-8")).hexdigest(), *depends)
        if key in self._used:
            return self._used[key]
        if key in self._earlier:
            self.hits += 1
            value = self._earlier[key]
        else:
            value = compute()
        self._used[key] = value
        return value

    @property
    def entries(self) -> dict[Key, Any]:
        """The entries the checks through this memo used: what to keep for the next one."""
        return dict(self._used)

    def news(self) -> tuple[list[Key], dict[Key, Any]]:
        """The keys of :attr:`entries`, and only the entries that were not given: what a child
        process sends back (the parent has the rest, see :func:`merged`)."""
        return list(self._used), {key: value for key, value in self._used.items() if key not in self._earlier}


def merged(earlier: dict[Key, Any], keys: list[Key], new: dict[Key, Any]) -> dict[Key, Any]:
    """The entries of a memo rebuilt from what :meth:`Memo.news` sent back."""
    return {key: new[key] if key in new else earlier[key] for key in keys}


def relocated(problems: Iterable[Problem], path: str) -> tuple[Problem, ...]:
    """``problems`` as found in a file now shown as ``path`` (a memo keeps them by file name)."""
    return tuple(p if p.path == path else replace(p, path=path) for p in problems)


class Shelf:
    """The memos of the courses checked lately in this process, by course and image mapping;
    the least recently used goes when more than ``size`` are kept. Safe to share between threads."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._memos: OrderedDict[Hashable, dict[Key, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: Hashable) -> dict[Key, Any]:
        """The entries kept for ``key`` (empty when none are)."""
        with self._lock:
            if key not in self._memos:
                return {}
            self._memos.move_to_end(key)
            return self._memos[key]

    def keep(self, key: Hashable, entries: dict[Key, Any]) -> None:
        """Keep ``entries`` for ``key``, in place of what was kept before."""
        with self._lock:
            self._memos[key] = entries
            self._memos.move_to_end(key)
            while len(self._memos) > self._size:
                self._memos.popitem(last=False)
