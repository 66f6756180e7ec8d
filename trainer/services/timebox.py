"""Run a pure function in a child process, and stop it if it takes too long.

The editor's preview renders whatever an author types. The renderer keeps known slow inputs
near linear (see trainer.content.render), but a child process can be stopped whatever the
input, without leaving a worker busy or a thread half-way: on a timeout it is killed.
Children come from a fork server started on first use, which has imported and warmed up the
pure content package once (see trainer.content.warmup) and holds no database connection, lock
or thread of the app. One child is always started ahead and waits for its work, so a call does
not wait for a process to start (about 10 ms); each child does one piece of work and ends.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["trainer.content.warmup"])


class TimedOut(Exception):
    """The function did not finish in time (or its process died) and was stopped."""


def _child(send: Connection, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = (True, func(*args))
    except Exception as error:  # noqa: BLE001 - handed to the parent, which raises it
        result = (False, f"{type(error).__name__}: {error}")
    send.send(result)
    send.close()


def _waiting_child(jobs: Connection, send: Connection) -> None:
    try:
        func, args = jobs.recv()
    except EOFError:  # the parent is gone, or stopped it
        return
    _child(send, func, args)


@dataclass
class _Spare:
    """A child started ahead: it reads one job from ``jobs`` and answers on ``answers``."""

    process: BaseProcess
    jobs: Connection
    answers: Connection
    parent: int = field(default_factory=os.getpid)  # a forked copy of this module must not use it

    @classmethod
    def start(cls) -> _Spare:
        jobs_out, jobs = _CONTEXT.Pipe(duplex=False)
        answers, answers_in = _CONTEXT.Pipe(duplex=False)
        process = _CONTEXT.Process(target=_waiting_child, args=(jobs_out, answers_in), daemon=True)
        process.start()
        jobs_out.close()
        answers_in.close()
        return cls(process, jobs, answers)


_lock = threading.Lock()
_spare: _Spare | None = None


def _take_spare() -> _Spare:
    """The child started ahead (or a new one), and another started ahead for the next call."""
    global _spare
    with _lock:
        spare, _spare = _spare, None
        if spare is None or spare.parent != os.getpid() or not spare.process.is_alive():
            spare = _Spare.start()
        return spare


def _start_next() -> None:
    global _spare
    with _lock:
        if _spare is None or _spare.parent != os.getpid():
            _spare = _Spare.start()


def waiting_child() -> BaseProcess | None:
    """The child started ahead for the next call, if there is one."""
    with _lock:
        return _spare.process if _spare is not None else None


def run(func: Callable[..., T], *args: Any, seconds: float) -> T:
    """``func(*args)`` in a child process; TimedOut after ``seconds``. ``func`` must be a
    module-level function, and its arguments and result plain data that can be pickled."""
    spare = _take_spare()
    process, receive = spare.process, spare.answers
    try:
        spare.jobs.send((func, args))
    except OSError:  # it died while waiting: start one now
        spare.jobs.close()
        receive.close()
        process.kill()
        process.join()
        spare = _Spare.start()
        process, receive = spare.process, spare.answers
        spare.jobs.send((func, args))
    spare.jobs.close()
    _start_next()  # while this child works
    try:
        if not receive.poll(seconds):
            log.warning("%s took more than %s seconds and was stopped", func.__name__, seconds)
            raise TimedOut()
        ok, value = receive.recv()
    except EOFError:  # the process ended without an answer (killed, out of memory)
        raise TimedOut() from None
    finally:
        receive.close()
        if process.is_alive():
            process.kill()
        process.join()
    if not ok:
        raise RuntimeError(f"{func.__name__} failed in its process: {value}")
    return value
