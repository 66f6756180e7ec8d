"""Work in a child process with a time limit: answered when quick, stopped when not."""
from __future__ import annotations

import multiprocessing
import time

import pytest

from tests.support import slow
from trainer.services import timebox


def test_the_answer_comes_back():
    assert timebox.run(slow.add, 2, 3, seconds=30) == 5


def test_work_that_takes_too_long_is_stopped():
    started = time.perf_counter()
    with pytest.raises(timebox.TimedOut):
        timebox.run(slow.never_returns, seconds=0.5)
    assert time.perf_counter() - started < 15  # half a second, plus a busy machine's start-up
    waiting = timebox.waiting_child()
    assert not [p for p in multiprocessing.active_children() if p.is_alive() and p is not waiting]


def test_a_child_waits_ahead_and_each_one_works_once():
    first = timebox.run(slow.pid, seconds=30)
    waiting = timebox.waiting_child()
    assert waiting is not None and waiting.is_alive() and waiting.pid != first
    assert timebox.run(slow.pid, seconds=30) == waiting.pid
    waiting.join(timeout=30)
    assert not waiting.is_alive()


def test_a_waiting_child_that_died_is_replaced():
    timebox.run(slow.add, 1, 1, seconds=30)
    waiting = timebox.waiting_child()
    waiting.kill()
    waiting.join(timeout=30)
    assert timebox.run(slow.add, 2, 2, seconds=30) == 4


def test_an_error_in_the_child_is_raised_here():
    with pytest.raises(RuntimeError, match="ValueError: broken"):
        timebox.run(slow.fail, "broken", seconds=30)
