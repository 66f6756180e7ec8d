"""Run a pure function in a child process, and stop it if it takes too long.

The editor's preview renders whatever an author types. The renderer keeps known slow inputs
near linear (see trainer.content.render), but a child process can be stopped whatever the
input, without leaving a worker busy or a thread half-way: on a timeout it is killed.
Children come from a fork server started on first use, which has imported the pure content
package once and holds no database connection, lock or thread of the app, so each one starts
in a few tens of milliseconds.
"""
from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["trainer.content"])


class TimedOut(Exception):
    """The function did not finish in time (or its process died) and was stopped."""


def _child(send: Connection, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = (True, func(*args))
    except Exception as error:  # noqa: BLE001 - handed to the parent, which raises it
        result = (False, f"{type(error).__name__}: {error}")
    send.send(result)
    send.close()


def run(func: Callable[..., T], *args: Any, seconds: float) -> T:
    """``func(*args)`` in a child process; TimedOut after ``seconds``. ``func`` must be a
    module-level function, and its arguments and result plain data that can be pickled."""
    receive, send = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_child, args=(send, func, args), daemon=True)
    process.start()
    send.close()
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
