"""The IMAP connection is cut in the middle of a large message's FETCH (a loopback proxy between
mailbot and the real Dovecot forwards a given number of bytes, then closes every connection).

The poll must fail cleanly (one clear error line, no traceback), nothing of the cut batch may be
half-recorded (no row, no stray file), and the next poll through the healthy proxy records and
answers every message exactly once with the keywords agreeing with the register. The daemon rides
the same cut out and finishes the work.
"""

from __future__ import annotations

import io
import os
import zipfile
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

import pytest

from tests.e2e.test_crash_recovery import _assert_consistent
from tests.e2e.test_faults import _Daemon, _answered, _check, _copies, _done_count, _first
from tests.e2e.waiting import wait_until
from tests.servers.proxy import TcpProxy
from tests.unit.office_files import docx

pytestmark = pytest.mark.servers

BIG_ATTACHMENT = 4 * 1024 * 1024  # about 5.5 MiB on the wire in base64, under the 25 MB limit
SMALL_BEFORE, SMALL_AFTER = 3, 2
BATCH = "3"  # the small ones form the first FETCH; the big one opens the second


def _big_report() -> bytes:
    """An accepted report whose Word file is large (a real .docx with a big stored picture)."""
    buffer = io.BytesIO(docx())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/media/image1.png", os.urandom(BIG_ATTACHMENT))
    msg = EmailMessage()
    msg["From"] = "thcsthoilai.binhdai@bentre.edu.vn"
    msg["To"] = "pgdbinhdai@bentre.edu.vn"
    msg["Subject"] = "THCS Thới Lai - Báo cáo tháng 10 (có ảnh chụp)"
    msg["Message-ID"] = "<big-cut@bentre.edu.vn>"
    msg.set_content("Kính gửi Phòng, trường gửi báo cáo kèm ảnh chụp.")
    msg.add_attachment(
        buffer.getvalue(),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="baocao-thang-10.docx",
    )
    return msg.as_bytes(policy=SMTP_POLICY)


def _mailbox(samples) -> tuple[list[bytes], bytes]:
    small = _copies(_first(samples, "accepted"), SMALL_BEFORE + SMALL_AFTER, "cut")
    big = _big_report()
    return [*small[:SMALL_BEFORE], big, *small[SMALL_BEFORE:]], big


def _stored_files(data_dir: Path) -> list[Path]:
    return [p for p in data_dir.rglob("*") if p.is_file() and p.name != "mailbot.lock"]


@pytest.fixture
def proxy(dovecot):
    with TcpProxy(dovecot.host, dovecot.port, max_seconds=240) as p:
        yield p


def test_imap_cut_in_the_middle_of_a_large_fetch(mailbot, smtp, samples, proxy, tmp_path):
    raws, big = _mailbox(samples)
    mailbot.append(*raws)
    env = {"MAILBOT_IMAP__PORT": str(proxy.port), "MAILBOT_BATCH_SIZE": BATCH}
    # greeting, login, SELECT, SEARCH and the first batch are far below this; the big message is far above
    proxy.cut_after(sum(len(r) for r in raws[:SMALL_BEFORE]) + 2 * 1024 * 1024)

    cut = mailbot.run("poll", "--once", extra_env=env, check=False)
    assert proxy.cuts == 1, "the proxy cut the connection"
    assert cut.returncode != 0, "a cut poll does not report success"
    assert "Lỗi:" in cut.stderr and "IMAP" in cut.stderr, cut.stderr
    assert "Traceback" not in cut.stderr, f"a clean error, no traceback:\n{cut.stderr}"
    assert len(cut.stderr.strip().splitlines()) <= 2, f"one clear error line:\n{cut.stderr}"

    entries = mailbot.log()
    ids = sorted(e["message_id"] for e in entries)
    assert ids == [f"<cut-{i}@bentre.edu.vn>" for i in range(SMALL_BEFORE)], "the batch before the cut is recorded"
    assert "<big-cut@bentre.edu.vn>" not in ids, "no row for the message whose FETCH was cut"
    data = tmp_path / "data"
    stored = _stored_files(data)
    assert not [p for p in stored if p.name.startswith(".tmp-")], "no partial file left behind"
    assert all(p.stat().st_size < len(big) // 2 for p in stored), "nothing of the cut message was stored"
    with mailbot.imap() as imap:
        imap.select_folder("INBOX", readonly=True)
        assert len(imap.search(["KEYWORD", "$MailbotDone"])) == SMALL_BEFORE, "only the recorded batch is marked"

    again = mailbot.run("poll", "--once", extra_env=env)
    assert proxy.cuts == 1
    assert f"ghi sổ {len(raws) - SMALL_BEFORE} thư mới" in again.stdout, again.stdout
    mailbot.run("poll", "--once", extra_env=env)  # and nothing more happens
    _assert_consistent(mailbot, smtp, len(raws), len(raws), allow_one_resend=False)
    entries, _ = _check(mailbot, smtp, total=len(raws), answered=len(raws), settle=0.5)
    assert {e["verdict"] for e in entries} == {"accepted"}
    [big_entry] = [e for e in entries if e["message_id"] == "<big-cut@bentre.edu.vn>"]
    assert [a["filename"] for a in big_entry["attachments"]] == ["baocao-thang-10.docx"]
    assert any(p.stat().st_size == len(big) for p in _stored_files(data / "raw")), "the whole message is kept"
    assert not [p for p in _stored_files(data) if p.name.startswith(".tmp-")]


def test_daemon_rides_out_an_imap_cut_during_a_large_fetch(mailbot, smtp, samples, proxy):
    raws, _ = _mailbox(samples)
    mailbot.append(*raws)
    proxy.cut_after(sum(len(r) for r in raws[:SMALL_BEFORE]) + 2 * 1024 * 1024)
    daemon = _Daemon(mailbot, "run", extra_env={"MAILBOT_IMAP__PORT": str(proxy.port), "MAILBOT_BATCH_SIZE": BATCH})
    try:
        assert proxy.wait_cut(timeout=60), "the proxy cut the daemon's connection"
        assert wait_until(lambda: _answered(smtp) >= len(raws) or not daemon.running(), timeout=60), (
            f"{_answered(smtp)} of {len(raws)} answered:\n{daemon.log()[-3000:]}"
        )
        assert daemon.running(), "the daemon survives the cut"
        assert _done_count(mailbot) == len(raws)
        stderr = daemon.stop()
    finally:
        if daemon.running():
            daemon.proc.kill()
    assert proxy.cuts == 1
    assert "mailbox unavailable" in stderr and "next try in" in stderr, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-4000:]
    _check(mailbot, smtp, total=len(raws), answered=len(raws), settle=0.5)
    _assert_consistent(mailbot, smtp, len(raws), len(raws), allow_one_resend=False)
