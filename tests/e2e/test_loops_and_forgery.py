"""Loops and forged senders through the real servers: an autoresponder is cut off by the hourly
limit; with the office's authserv-id set, a forged school From gets no reply at all."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.servers

THCS = "thcsthoilai.binhdai@bentre.edu.vn"


def _report(n: int, extra_headers: str = "") -> bytes:
    return (
        f"From: {THCS}\r\nTo: pgdbinhdai@bentre.edu.vn\r\nSubject: THCS Thoi Lai - Bao cao thang 10 lan {n}\r\n"
        f"Date: Mon, 02 Nov 2026 08:{n:02d}:00 +0700\r\nMessage-ID: <loop-{n}@bentre.edu.vn>\r\n{extra_headers}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n"
    ).encode()


def test_an_autoresponder_that_never_says_so_is_cut_off(mailbot, smtp):
    mailbot.append(*(_report(n) for n in range(14)))
    defaults = {"MAILBOT_RULES__MAX_REPLIES_PER_SENDER_PER_HOUR": None, "MAILBOT_RULES__MAX_REPLIES_PER_HOUR": None}
    mailbot.run("poll", "--once", extra_env=defaults)
    entries = mailbot.log()
    assert len(entries) == 14
    assert len(smtp.messages()) == 10, "at most ten answers an hour to one address"
    limited = [e for e in entries if "reply-rate-limited" in [r["code"] for r in e["reasons"]]]
    assert len(limited) == 4 and all(e["reply"]["kind"] is None for e in limited)
    mailbot.run("poll", "--once", extra_env=defaults)
    assert len(smtp.messages()) == 10


def test_forged_school_sender_is_held_and_never_answered(mailbot, smtp):
    ours = "mail.bentre.edu.vn"
    genuine = _report(1, f"Authentication-Results: {ours}; dkim=pass header.d=bentre.edu.vn; dmarc=pass header.from=bentre.edu.vn\r\n")
    # a forger writes a passing result of its own below the one our server added
    forged = _report(2, f"Authentication-Results: {ours}; dmarc=fail header.from=bentre.edu.vn\r\n"
                        f"Authentication-Results: {ours}; dmarc=pass header.from=bentre.edu.vn\r\n")
    mailbot.append(genuine, forged)
    mailbot.run("poll", "--once", extra_env={"MAILBOT_RULES__AUTHSERV_ID": ours})
    by_id = {e["message_id"]: e for e in mailbot.log()}
    assert by_id["<loop-1@bentre.edu.vn>"]["verdict"] == "accepted"
    held = by_id["<loop-2@bentre.edu.vn>"]
    assert held["verdict"] == "held" and [r["code"] for r in held["reasons"]] == ["sender-unverified"]
    assert [str(r.message["In-Reply-To"]) for r in smtp.messages()] == ["<loop-1@bentre.edu.vn>"]
