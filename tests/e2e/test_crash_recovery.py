"""Kill mailbot with SIGKILL at each named point of the pipeline; after a restart nothing is lost or doubled."""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest

from tests.e2e.waiting import wait_until

from mailbot.service.crashpoints import POINTS

pytestmark = pytest.mark.servers

DONE = b"$MailbotDone"


def _batch(samples):
    """Five answered messages (four receipts, one rejection) and one robot mail."""
    accepted = [raw for e, raw in samples if e["expect_status"] == "accepted"][:4]
    rejected = [raw for e, raw in samples if e["expect_status"] == "rejected"][:1]
    ignored = [raw for e, raw in samples if e["expect_status"] == "ignored"][:1]
    return accepted + rejected + ignored, len(accepted) + len(rejected)


def _assert_consistent(mailbot, smtp, total, answered, *, allow_one_resend):
    entries = mailbot.log()
    assert len(entries) == total, "every message recorded exactly once"
    assert len({e["message_id"] for e in entries}) == total
    replies = smtp.wait_for(answered)
    ids = Counter(str(r.message["Message-ID"]) for r in replies)
    assert len(ids) == answered, "every answered message got its reply"
    resent = [i for i, n in ids.items() if n > 1]
    if allow_one_resend:
        # killed between the SMTP server's 250 and "mark sent": one resend, with the same Message-ID
        assert len(resent) == 1 and all(ids[i] == 2 for i in resent)
        for message_id in resent:
            copies = {r.raw for r in replies if str(r.message["Message-ID"]) == message_id}
            assert len(copies) == 1, "the resend is byte-identical"
    else:
        assert not resent, f"replies sent twice: {resent}"
    assert all(e["reply"]["state"] in ("sent", None) for e in entries)
    with mailbot.imap() as imap:
        imap.select_folder("INBOX", readonly=True)
        flags = imap.get_flags(imap.search(["ALL"]))
    assert all(DONE in f for f in flags.values()), "the mailbox markers agree with the register"


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_at_each_point_then_restart(mailbot, smtp, samples, point):
    raws, answered = _batch(samples)
    mailbot.append(*raws)

    crashed = mailbot.run("poll", "--once", extra_env={"MAILBOT_CRASH_AT": point}, check=False)
    assert crashed.returncode == -signal.SIGKILL, (crashed.stdout, crashed.stderr)

    mailbot.run("poll", "--once")
    mailbot.run("poll", "--once")  # and once more: nothing new happens
    _assert_consistent(mailbot, smtp, len(raws), answered, allow_one_resend=point == "after-smtp")


def test_daemon_killed_between_record_and_mark_recovers_on_restart(mailbot, smtp, samples):
    raws, answered = _batch(samples)
    mailbot.append(*raws)
    daemon = mailbot.popen("run", extra_env={"MAILBOT_CRASH_AT": "after-commit"})
    assert daemon.wait(timeout=60) == -signal.SIGKILL

    daemon = mailbot.popen("run")
    try:
        assert wait_until(lambda: len(smtp.messages()) >= answered), "the restarted daemon answers"
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
    _assert_consistent(mailbot, smtp, len(raws), answered, allow_one_resend=False)


def test_daemon_keeps_polling_and_stops_cleanly_on_sigterm(mailbot, smtp, samples):
    daemon = mailbot.popen("run")
    try:
        time.sleep(1.5)  # the daemon is idle on an empty mailbox
        mailbot.append(samples[0][1])
        assert wait_until(lambda: len(smtp.messages()) == 1), "mail that arrives while running is answered"
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
        stderr = daemon.log()
        assert "mailbot stopped" in stderr
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert len(mailbot.log()) == 1


def _unique_copies(raw: bytes, count: int) -> list[bytes]:
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"message-id:")]
    return [b"\r\n".join([*lines, b"Message-ID: <copy-%d@bentre.edu.vn>" % i]) + sep + body for i in range(count)]


def test_sigterm_in_the_middle_of_a_batch_loses_nothing(mailbot, smtp, samples):
    raws = _unique_copies(samples[0][1], 120)
    mailbot.append(*raws)
    daemon = mailbot.popen("run", extra_env={"MAILBOT_BATCH_SIZE": "200"})
    try:
        assert wait_until(lambda: len(smtp.messages()) > 0 or daemon.poll() is not None, timeout=60)
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=60) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
    mailbot.run("poll", "--once")
    entries = mailbot.log()
    assert len(entries) == len(raws)
    replies = smtp.wait_for(len(raws), timeout=30)
    assert len({str(r.message["Message-ID"]) for r in replies}) == len(raws) == len(replies)
