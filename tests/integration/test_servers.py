"""Proofs that the loopback server fixtures in tests/servers behave like real mail servers."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import smtplib
import socket
import sys
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

# plain `pytest` (unlike `python -m pytest`) does not put the repository root on sys.path
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.servers.dovecot import Dovecot  # noqa: E402
from tests.servers.ports import free_port  # noqa: E402
from tests.servers.smtp import SmtpSink  # noqa: E402

pytestmark = pytest.mark.servers

Account = tuple[str, str]
SENDER = "thpt.nguyendinhchieu@bentre.edu.vn"
RECIPIENT = "vanthu@bentre.edu.vn"


def make_raw(subject: str = "Báo cáo sĩ số đầu năm học 2024-2025", n: int = 0) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Văn thư THPT Nguyễn Đình Chiểu <{SENDER}>"
    msg["To"] = RECIPIENT
    msg["Subject"] = subject
    msg["Message-ID"] = f"<fixture-{n}@bentre.edu.vn>"
    # a line starting with "." exercises SMTP dot-stuffing
    msg.set_content("Kính gửi Sở GD&ĐT,\n.dòng bắt đầu bằng dấu chấm\nTrân trọng./.\n")
    return msg.as_bytes(policy=SMTP_POLICY)


def _dovecot_available() -> bool:
    return bool(shutil.which("dovecot")) or os.geteuid() == 0


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    if not _dovecot_available():
        pytest.skip("dovecot-imapd is not installed and we cannot install it (not root)")
    server = Dovecot()
    server.start()
    try:
        yield server
    finally:
        pid = server.pid
        server.stop()
        assert pid is not None and not Path(f"/proc/{pid}").exists()


@pytest.fixture
def account(dovecot: Dovecot) -> Account:
    return dovecot.new_account()


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SmtpSink]:
    with SmtpSink(tmp_path / "sink") as server:
        yield server


def send(sink: SmtpSink, raw: bytes) -> None:
    with smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
        smtp.sendmail(SENDER, [RECIPIENT], raw)


# -- ports -----------------------------------------------------------------------------------------


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


# -- Dovecot ---------------------------------------------------------------------------------------


def test_append_then_fetch_is_byte_exact_and_leaves_unseen(dovecot: Dovecot, account: Account) -> None:
    raw = make_raw()
    uid = dovecot.append(*account, raw)
    assert uid == 1
    imap = dovecot.client(*account)
    try:
        assert imap.select_folder("INBOX")[b"EXISTS"] == 1
        data = imap.fetch([uid], ["BODY.PEEK[]", "FLAGS"])[uid]
        assert data[b"BODY[]"] == raw
        assert b"\\Seen" not in data[b"FLAGS"]
        assert imap.search(["UNSEEN"]) == [uid]
    finally:
        imap.logout()


def test_append_to_folder_with_flags_and_date(dovecot: Dovecot, account: Account) -> None:
    when = dt.datetime(2024, 9, 5, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    flags = [b"\\Seen", b"$Recorded"]
    uid = dovecot.append(*account, make_raw(), folder="Archive", flags=flags, msg_time=when)
    assert uid is not None
    imap = dovecot.client(*account)
    try:
        imap.select_folder("Archive", readonly=True)
        data = imap.fetch([uid], ["FLAGS", "INTERNALDATE"])[uid]
        assert {b"\\Seen", b"$Recorded"} <= set(data[b"FLAGS"])
        assert data[b"INTERNALDATE"].astimezone(dt.UTC) == when.astimezone(dt.UTC)
        assert imap.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        imap.logout()


def test_append_many_returns_assigned_uids(dovecot: Dovecot, account: Account) -> None:
    raws = [make_raw(f"Báo cáo {i}", n=i) for i in range(150)]
    assert dovecot.append_many(*account, raws) == list(range(1, 151))
    imap = dovecot.client(*account)
    try:
        assert imap.select_folder("INBOX", readonly=True)[b"EXISTS"] == 150
        assert imap.fetch([150], ["BODY.PEEK[]"])[150][b"BODY[]"] == raws[-1]
    finally:
        imap.logout()


def test_accounts_have_separate_mailboxes_and_uidvalidity(dovecot: Dovecot) -> None:
    first, second = dovecot.new_account(), dovecot.new_account(prefix="other")
    assert first[0] != second[0] and second[0].startswith("other")
    dovecot.append(*first, make_raw())
    a, b = dovecot.client(*first), dovecot.client(*second)
    try:
        sel_a, sel_b = a.select_folder("INBOX"), b.select_folder("INBOX")
        assert (sel_a[b"EXISTS"], sel_b[b"EXISTS"]) == (1, 0)
        assert sel_a[b"UIDVALIDITY"] != sel_b[b"UIDVALIDITY"]
    finally:
        a.logout()
        b.logout()


def test_wrong_password_does_not_slow_later_logins(dovecot: Dovecot, account: Account) -> None:
    with pytest.raises(LoginError):
        dovecot.client(account[0], "wrong")
    started = time.monotonic()
    dovecot.client(*account).logout()
    # Dovecot's per-IP auth penalty would delay this login by 2 s or more
    assert time.monotonic() - started < 1.0


def test_many_connections_for_one_user(dovecot: Dovecot, account: Account) -> None:
    clients = []
    try:
        for _ in range(25):  # Dovecot's default allows 10 per user and IP
            clients.append(dovecot.client(*account))
            clients[-1].select_folder("INBOX")
    finally:
        for imap in clients:
            imap.logout()


def test_idle_reports_append_from_another_connection(dovecot: Dovecot, account: Account) -> None:
    imap = dovecot.client(*account)
    try:
        imap.select_folder("INBOX")
        imap.idle()
        threading.Timer(0.2, dovecot.append, args=(*account, make_raw())).start()
        responses: list[tuple[object, ...]] = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(r[1:2] == (b"EXISTS",) for r in responses):
            responses += imap.idle_check(timeout=1)
        imap.idle_done()
        assert (1, b"EXISTS") in responses
    finally:
        imap.logout()


def test_kill_connections_drops_sessions(dovecot: Dovecot, account: Account) -> None:
    imap = dovecot.client(*account)
    imap.select_folder("INBOX")
    assert dovecot.kill_connections() >= 1
    with pytest.raises((IMAPClient.AbortError, OSError)):
        imap.noop()
    imap.shutdown()
    dovecot.client(*account).logout()


def test_restart_keeps_mail_uids_and_uidvalidity() -> None:
    if not _dovecot_available():
        pytest.skip("dovecot-imapd is not installed and we cannot install it (not root)")
    server = Dovecot()
    try:
        server.start()
        port, directory = server.port, server.dir
        user = server.new_account()
        raw = make_raw()
        uid = server.append(*user, raw)
        imap = server.client(*user)
        uidvalidity = imap.select_folder("INBOX")[b"UIDVALIDITY"]
        imap.logout()
        old_pid = server.pid

        server.restart()

        assert (server.port, server.dir) == (port, directory)
        assert server.pid != old_pid and old_pid is not None and not Path(f"/proc/{old_pid}").exists()
        imap = server.client(*user)
        try:
            assert imap.select_folder("INBOX")[b"UIDVALIDITY"] == uidvalidity
            assert uid is not None
            assert imap.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"] == raw
        finally:
            imap.logout()
        server.new_account()
        pid = server.pid
    finally:
        server.stop()
    assert pid is not None and not Path(f"/proc/{pid}").exists()
    assert not directory.exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


# -- SMTP sink -------------------------------------------------------------------------------------


def test_smtp_delivery_lands_with_exact_bytes(sink: SmtpSink) -> None:
    raw = make_raw()
    send(sink, raw)
    [received] = sink.wait_for(1)
    assert received.raw == raw
    assert (received.mail_from, received.rcpt_tos) == (SENDER, [RECIPIENT])
    assert received.message["Subject"] == "Báo cáo sĩ số đầu năm học 2024-2025"
    assert ".dòng bắt đầu bằng dấu chấm" in received.message.get_content()
    assert received.path.read_bytes() == raw
    assert sorted(p.name for p in sink.directory.glob("*.eml")) == [received.path.name]
    assert not any((sink.directory / "tmp").iterdir())


def test_fail_next_451_then_next_send_succeeds(sink: SmtpSink) -> None:
    sink.fail_next(1, 451)
    with pytest.raises(smtplib.SMTPResponseException) as err:
        send(sink, make_raw())
    assert isinstance(err.value, smtplib.SMTPDataError) and err.value.smtp_code == 451
    assert sink.messages() == []
    send(sink, make_raw())
    assert len(sink.wait_for(1)) == 1


@pytest.mark.parametrize(
    ("stage", "error"),
    [
        ("mail", smtplib.SMTPSenderRefused),
        ("rcpt", smtplib.SMTPRecipientsRefused),
        ("data", smtplib.SMTPDataError),
    ],
)
def test_fail_next_550_at_each_stage(sink: SmtpSink, stage: str, error: type[Exception]) -> None:
    sink.fail_next(2, 550, stage)  # type: ignore[arg-type]
    for _ in range(2):
        with pytest.raises(error) as err:
            send(sink, make_raw())
        if isinstance(err.value, smtplib.SMTPRecipientsRefused):
            assert err.value.recipients[RECIPIENT][0] == 550
        else:
            assert isinstance(err.value, smtplib.SMTPResponseException)
            assert err.value.smtp_code == 550
    send(sink, make_raw())
    assert len(sink.wait_for(1)) == 1


def test_go_down_refuses_and_go_up_restores(sink: SmtpSink) -> None:
    port = sink.port
    idle = smtplib.SMTP(sink.host, sink.port, timeout=5)
    sink.go_down()
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP(sink.host, port, timeout=5)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        idle.noop()
    sink.go_up()
    assert sink.port == port
    send(sink, make_raw())
    assert len(sink.wait_for(1)) == 1


def test_close_after_data_drops_connection_without_reply(sink: SmtpSink) -> None:
    sink.close_after_data_next(1)
    sink.close_after_data_next(1, deliver=True)
    for _ in range(2):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            send(sink, make_raw())
    assert len(sink.messages()) == 1  # only the deliver=True one
    send(sink, make_raw())
    assert len(sink.wait_for(2)) == 2


def test_auth_plain_and_login_without_tls(tmp_path: Path) -> None:
    with SmtpSink(tmp_path, auth=("vanthu", "matkhau")) as sink:
        with (
            smtplib.SMTP(sink.host, sink.port, timeout=5) as smtp,
            pytest.raises(smtplib.SMTPSenderRefused),
        ):
            smtp.sendmail(SENDER, [RECIPIENT], make_raw())
        for mechanism in ("PLAIN", "LOGIN"):
            with smtplib.SMTP(sink.host, sink.port, timeout=5) as smtp:
                smtp.ehlo()
                with pytest.raises(smtplib.SMTPAuthenticationError):
                    smtp.login("vanthu", "sai")
                smtp.user, smtp.password = "vanthu", "matkhau"
                smtp.auth(mechanism, getattr(smtp, f"auth_{mechanism.lower()}"))
                smtp.sendmail(SENDER, [RECIPIENT], make_raw())
        assert [r.auth_user for r in sink.wait_for(2)] == ["vanthu", "vanthu"]


def test_wait_for_times_out_and_clear_forgets(sink: SmtpSink) -> None:
    with pytest.raises(TimeoutError):
        sink.wait_for(1, timeout=0.2)
    send(sink, make_raw())
    [received] = sink.wait_for(1)
    sink.clear()
    assert sink.messages() == [] and not received.path.exists()
