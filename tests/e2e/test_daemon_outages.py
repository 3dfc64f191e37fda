"""The daemon survives an IMAP server that goes away and comes back: it backs off, then answers."""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from tests.servers.dovecot import Dovecot
from tests.servers.ports import free_port

pytestmark = pytest.mark.servers


def _wait(predicate, timeout=45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


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
            assert _wait(lambda: len(smtp.messages()) == 1), "after the outage the new mail is answered"
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=30) == 0
            stderr = daemon.stderr.read()
        finally:
            if daemon.poll() is None:
                daemon.kill()
        assert "mailbox unavailable" in stderr and "next try in" in stderr
        assert password not in stderr, "the password never reaches the log"
    finally:
        own.stop()
        shutil.rmtree(directory, ignore_errors=True)
