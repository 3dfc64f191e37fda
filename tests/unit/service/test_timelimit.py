"""TimeLimited: the helper process that bounds the wall-clock time of one message's parse + judge."""

from __future__ import annotations

import os
import sys
import time

import pytest

from mailbot.core.mail import UnparseableMail
from mailbot.service.timelimit import TimeLimited, TimeLimitExceeded, WorkerDied, slow_point


def _work(arg):
    kind, value = arg
    if kind == "echo":
        return value
    if kind == "pid":
        return os.getpid()
    if kind == "sleep":
        time.sleep(value)
        return "woke"
    if kind == "unparseable":
        raise UnparseableMail(value)
    if kind == "exit":
        sys.exit(value)
    if kind == "die":
        os._exit(value)
    raise AssertionError(kind)


@pytest.fixture
def limited():
    worker = TimeLimited(_work, 1.0)
    yield worker
    worker.close()


def test_results_come_back_from_one_reused_helper(limited):
    assert limited(("echo", {"bytes": b"x" * 3_000_000})) == {"bytes": b"x" * 3_000_000}
    first = limited(("pid", None))
    assert first != os.getpid()
    assert limited(("pid", None)) == first
    assert limited.started == 1


def test_exceptions_are_raised_again_with_the_helpers_traceback(limited):
    with pytest.raises(UnparseableMail, match="hỏng") as caught:
        limited(("unparseable", "thư hỏng"))
    assert any("in the helper process" in note for note in caught.value.__notes__)
    with pytest.raises(RuntimeError, match="SystemExit"):  # never ends the caller
        limited(("exit", 3))
    assert limited(("echo", 1)) == 1 and limited.started == 1


def test_a_timeout_kills_the_helper_and_the_next_call_gets_a_new_one(limited):
    before = limited(("pid", None))
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as caught:
        limited(("sleep", 60))
    assert time.monotonic() - started < 5 and caught.value.seconds == 1.0
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)  # killed and reaped
    after = limited(("pid", None))
    assert after != before and limited.started == 2
    assert limited(("sleep", 0.01)) == "woke"


def test_a_helper_that_dies_is_reported_and_replaced(limited):
    with pytest.raises(WorkerDied, match="exit code 7"):
        limited(("die", 7))
    assert limited(("echo", "ok")) == "ok"


def test_close_ends_the_helper():
    worker = TimeLimited(_work, 1.0)
    pid = worker(("pid", None))
    worker.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    worker.close()  # twice is fine


def test_zero_is_not_a_limit():
    with pytest.raises(ValueError):
        TimeLimited(_work, 0)


def test_slow_point_sleeps_only_for_the_marker(monkeypatch):
    monkeypatch.setenv("MAILBOT_SLOW_JUDGE", "0.2:CHẬM")
    started = time.monotonic()
    slow_point("THCS Thới Lai - báo cáo")
    assert time.monotonic() - started < 0.1
    slow_point("THCS Thới Lai - báo cáo CHẬM")
    assert time.monotonic() - started >= 0.2
