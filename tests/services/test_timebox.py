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
    assert not [p for p in multiprocessing.active_children() if p.is_alive()]


def test_an_error_in_the_child_is_raised_here():
    with pytest.raises(RuntimeError, match="ValueError: broken"):
        timebox.run(slow.fail, "broken", seconds=30)
