"""The daemon survives an IMAP server that goes away and comes back: it backs off, then answers."""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from tests.e2e.waiting import wait_until

from tests.servers.dovecot import Dovecot
from tests.servers.ports import free_port

pytestmark = pytest.mark.servers


def test_daemon_rides_out_an_imap_outage(mailbot, smtp, samples):
    directory = Path(tempfile.mkdtemp(prefix="mailbot-outage-"))
    directory.chmod(0o755)  # Dovecot's own processes run as other users and must reach it
    own = Dovecot(port=free_port(), directory=directory)
    own.start()
    try:
        user, password = own.new_account()
        env = {"MAILBOT_IMAP__PORT": str(own.port), "MAILBOT_IMAP__USERNAME": user, "MAILBOT_IMAP__PASSWORD": password}
        daemon = mailbot.popen("run", extra_env=env)
        try:
            time.sleep(1.5)
            own.stop()
            time.sleep(3)
            assert daemon.poll() is None, "the daemon stays up while the mailbox is away"
            own.start()
            own.append(user, password, samples[0][1])
            assert wait_until(lambda: len(smtp.messages()) == 1), "after the outage the new mail is answered"
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=30) == 0
            stderr = daemon.log()
        finally:
            if daemon.poll() is None:
                daemon.kill()
        assert "mailbox unavailable" in stderr and "next try in" in stderr
        assert password not in stderr, "the password never reaches the log"
    finally:
        own.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_staff_are_alerted_once_when_the_mailbox_cannot_be_read(mailbot, smtp):
    staff = "vanthu.pgd@bentre.edu.vn"
    daemon = mailbot.popen("run", extra_env={"MAILBOT_IMAP__PASSWORD": "wrong", "MAILBOT_STAFF_ADDRESS": staff})
    try:
        assert wait_until(lambda: len(smtp.messages()) >= 1, timeout=30), "an alert after repeated failures"
        time.sleep(3)
        assert daemon.poll() is None, "the daemon stays up"
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
        stderr = daemon.log()
    finally:
        if daemon.poll() is None:
            daemon.kill()
    [alert] = smtp.messages()
    assert alert.rcpt_tos == [staff]
    assert str(alert.message["Subject"]) == "[mailbot] Không đọc được hộp thư nhận báo cáo"
    assert "MAILBOT_IMAP__PASSWORD" in alert.message.get_content()
    assert "wrong" not in alert.message.get_content() and "wrong" not in stderr, "never the password"


def test_two_daemons_on_one_mailbox_record_and_answer_once(mailbot, smtp, samples, tmp_path):
    raws = [raw for e, raw in samples if e["expect_status"] in ("accepted", "rejected")]
    mailbot.append(*raws)
    # one shares the data directory (and its lock), the other has its own: both may race on the database
    first = mailbot.popen("run")
    second = mailbot.popen("run", extra_env={"MAILBOT_DATA_DIR": str(tmp_path / "other-data")})
    try:
        assert wait_until(lambda: len(smtp.messages()) >= len(raws), timeout=60)
        time.sleep(2)  # a duplicate, if any, would arrive now
        for daemon in (first, second):
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=30) == 0, daemon.log()[-3000:]
    finally:
        for daemon in (first, second):
            if daemon.poll() is None:
                daemon.kill()
    assert len(mailbot.log()) == len(raws)
    ids = [str(r.message["In-Reply-To"]) for r in smtp.messages()]
    assert len(ids) == len(set(ids)) == len(raws), "one reply per message"
