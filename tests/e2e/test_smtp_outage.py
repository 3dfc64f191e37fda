"""The SMTP server is down for a long time while the daemon works: mail keeps being recorded and
keyworded, replies wait in the outbox without using up their attempts, and when the server comes
back every reply goes out exactly once."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.e2e.test_faults import _Daemon, _answered, _check, _copies, _done_count, _first
from tests.e2e.waiting import wait_until

pytestmark = pytest.mark.servers

BATCHES, PER_BATCH = 3, 10


def test_smtp_down_over_many_cycles_then_every_reply_drains_once(mailbot, smtp, samples):
    total = BATCHES * PER_BATCH
    raws = _copies(_first(samples, "accepted"), total, "smtp-down")
    smtp.go_down()  # connections are refused: the "server away" case, not a failed transaction
    daemon = _Daemon(mailbot, "run")  # MAILBOT_POLL_INTERVAL=1 from the fixture
    try:
        for b in range(BATCHES):
            mailbot.append(*raws[b * PER_BATCH : (b + 1) * PER_BATCH])
            expected = (b + 1) * PER_BATCH
            assert wait_until(lambda: _done_count(mailbot) >= expected or not daemon.running(), timeout=30), (
                f"batch {b + 1}: {_done_count(mailbot)} of {expected} recorded:\n{daemon.log()[-3000:]}"
            )
            time.sleep(1.5)  # at least one more cycle tries to deliver while the server is away
        assert daemon.running(), "the daemon stays up while SMTP is away"

        entries = mailbot.log()
        assert len(entries) == total, "ingestion goes on while SMTP is away"
        assert {e["verdict"] for e in entries} == {"accepted"}
        assert {e["reply"]["state"] for e in entries} == {"pending"}, Counter(e["reply"]["state"] for e in entries)
        assert {e["reply"]["attempts"] for e in entries} == {0}, "an unreachable server uses up no attempt"
        assert not smtp.messages()
        log_while_down = daemon.log()
        assert log_while_down.count("SMTP server unavailable") >= BATCHES, log_while_down[-3000:]

        smtp.go_up()
        assert wait_until(lambda: _answered(smtp) >= total or not daemon.running(), timeout=60), (
            f"{_answered(smtp)} of {total} answered after SMTP came back:\n{daemon.log()[-3000:]}"
        )
        time.sleep(2.5)  # two more cycles: a doubled reply would arrive now
        stderr = daemon.stop()
    finally:
        if daemon.running():
            daemon.proc.kill()
    assert "cycle failed" not in stderr and "Traceback" not in stderr, stderr[-4000:]
    entries, replies = _check(mailbot, smtp, total=total, answered=total)
    assert len(replies) == total, "no reply doubled"
    assert len({str(r.message["Message-ID"]) for r in replies}) == total
    assert Counter(str(r.message["In-Reply-To"]) for r in replies) == Counter(e["message_id"] for e in entries)
    assert {e["reply"]["attempts"] for e in entries} == {1}, "each reply went out at its first real attempt"
