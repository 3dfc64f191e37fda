"""A wall-clock limit per message (rules.max_seconds_per_message): a message whose parsing and
judging take too long is quarantined with the reason, its helper process is killed, and the messages
behind it are judged and answered normally. The slowness comes from the MAILBOT_SLOW_JUDGE test hook
(mailbot/service/timelimit.py), in the manner of MAILBOT_CRASH_AT."""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

import pytest

from tests.e2e.test_faults import _check, _copy, _first

pytestmark = pytest.mark.servers

MARKER = "SLOW-JUDGE-MARKER"


def _slow_report() -> bytes:
    msg = EmailMessage()
    msg["From"] = "thcsthoilai.binhdai@bentre.edu.vn"
    msg["To"] = "pgdbinhdai@bentre.edu.vn"
    msg["Subject"] = f"THCS Thới Lai - Báo cáo tháng 10 {MARKER}"
    msg["Message-ID"] = "<slow@bentre.edu.vn>"
    msg.set_content("Kính gửi Phòng.")
    return msg.as_bytes(policy=SMTP_POLICY)


def test_slow_message_is_quarantined_and_the_ones_behind_it_are_answered(mailbot, smtp, samples):
    accepted = _first(samples, "accepted")
    raws = [_copy(accepted, "before-slow"), _slow_report(), _copy(accepted, "after-slow")]
    mailbot.append(*raws)
    env = {"MAILBOT_RULES__MAX_SECONDS_PER_MESSAGE": "2", "MAILBOT_SLOW_JUDGE": f"600:{MARKER}"}

    started = time.monotonic()
    out = mailbot.run("poll", "--once", extra_env=env, timeout=90)
    took = time.monotonic() - started
    print(f"poll with a timed-out message: {took:.1f} s")
    assert took < 30, f"the poll finished soon after the limit, not after the 600 s sleep ({took:.1f} s)"
    assert "ghi sổ 3 thư mới" in out.stdout, out.stdout

    entries = {e["message_id"]: e for e in mailbot.log()}
    assert len(entries) == 3
    slow = next(e for e in entries.values() if e["verdict"] == "quarantined")
    assert slow["error"].startswith("quá thời gian xử lý (2 giây)"), slow["error"]
    assert [r["code"] for r in slow["reasons"]] == ["processing-timeout"]
    assert slow["reasons"][0]["details"]["error"] == slow["error"]
    assert slow["reply"]["kind"] is None, "a quarantined message is not answered"
    for message_id in ("<before-slow@bentre.edu.vn>", "<after-slow@bentre.edu.vn>"):
        assert entries[message_id]["verdict"] == "accepted"
        assert entries[message_id]["reply"]["state"] == "sent"

    mailbot.run("poll", "--once", extra_env=env)  # nothing more happens
    _, replies = _check(mailbot, smtp, total=3, answered=2, settle=0.5)
    assert sorted(str(r.message["In-Reply-To"]) for r in replies) == [
        "<after-slow@bentre.edu.vn>",
        "<before-slow@bentre.edu.vn>",
    ]


def test_limit_zero_judges_in_process_without_a_limit(mailbot, smtp, samples):
    """0 switches the limit off: a slow message (here 3 s) is judged normally, in the poll itself."""
    raws = [_copy(_first(samples, "accepted"), "plain"), _slow_report()]
    mailbot.append(*raws)
    env = {"MAILBOT_RULES__MAX_SECONDS_PER_MESSAGE": "0", "MAILBOT_SLOW_JUDGE": f"3:{MARKER}"}
    mailbot.run("poll", "--once", extra_env=env)
    entries = mailbot.log()
    assert {e["verdict"] for e in entries} == {"accepted"}
    _check(mailbot, smtp, total=2, answered=2)
