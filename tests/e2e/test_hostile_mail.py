"""Hostile MIME and a failing attachment store, through the real servers: every message is
recorded once, nothing is written outside the data directory, and the daemon's work goes on."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

pytestmark = pytest.mark.servers

THCS = "thcsthoilai.binhdai@bentre.edu.vn"


def _with_attachment(filename: str, data: bytes, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = THCS
    msg["To"] = "pgdbinhdai@bentre.edu.vn"
    msg["Subject"] = "THCS Thoi Lai - Bao cao thang 10"
    msg["Message-ID"] = f"<hostile-{n}@bentre.edu.vn>"
    msg.set_content("Kính gửi Phòng.")
    msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return msg.as_bytes()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bao-cao.xlsx", b"\0" * 20_000_000)  # 20 MB of zeros in ~20 KB
    return buffer.getvalue()


def _hostile() -> list[bytes]:
    head = f"From: {THCS}\r\nTo: pgdbinhdai@bentre.edu.vn\r\nSubject: THCS Thoi Lai - Bao cao\r\n"
    deep = head + "Message-ID: <deep@bentre.edu.vn>\r\n" + "".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n" for i in range(300)
    ) + "\r\nx\r\n"
    many = head + "Message-ID: <many@bentre.edu.vn>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + "".join(
        "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(20_000)
    ) + "--b--\r\n"
    huge_header = head + "Message-ID: <huge@bentre.edu.vn>\r\nX-Padding: " + "a" * 1_200_000 + "\r\n\r\nx\r\n"
    bad_base64 = head + (
        "Message-ID: <b64@bentre.edu.vn>\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n"
        "Content-Type: application/octet-stream; name=\"a.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"a.xlsx\"\r\n\r\n!!!not base64 at all%%%\r\n--q--\r\n"
    )
    charset = head.replace("Subject: THCS Thoi Lai - Bao cao", "Subject: =?x-unknown-vn?B?VEhDUyBUaG9pIExhaQ==?=") + (
        "Message-ID: <charset@bentre.edu.vn>\r\nContent-Type: text/plain; charset=x-unknown-vn\r\n\r\nx\r\n"
    )
    names = ["../../../../etc/cron.d/evil.xlsx", "..\\..\\windows\\system32\\evil.doc", "CON.xlsx",
             "bao cao\u202egpj.exe", "b" * 300 + ".xlsx"]
    attachments = [_with_attachment(name, b"MZ" + b"\0" * 64, i) for i, name in enumerate(names)]
    return [deep.encode(), many.encode(), huge_header.encode(), bad_base64.encode(), charset.encode(),
            _with_attachment("bao-cao.zip", _zip_bomb(), 99), *attachments]


def test_hostile_mime_is_recorded_and_nothing_escapes_the_data_directory(mailbot, smtp, tmp_path):
    raws = _hostile()
    mailbot.append(*raws)
    mailbot.run("poll", "--once")
    entries = mailbot.log()
    assert len(entries) == len(raws), "every hostile message recorded exactly once"
    quarantined = [e for e in entries if e["verdict"] == "quarantined"]
    assert len(quarantined) >= 2  # the 20,000 parts and the 1.2 MB header, at least
    assert all(e["error"] for e in quarantined)
    # files only under the data directory, named by their SHA-256
    data = tmp_path / "data"
    written = [p for p in tmp_path.rglob("*") if p.is_file() and data not in p.parents]
    assert all(p.suffix in {".db", ".db-wal", ".db-shm", ".csv", ".out", ".err", ".eml", ".lock"} or p.name.startswith("mailbot")
               for p in written), written
    for p in (data / "attachments").rglob("*"):
        if p.is_file():
            assert len(p.name) == 64 and all(c in "0123456789abcdef" for c in p.name)
    assert not Path("/etc/cron.d/evil.xlsx").exists()
    # executables under any name were refused, the zip bomb was listed, not extracted
    disguised = [e for e in entries if "attachment-disguised" in [r["code"] for r in e["reasons"]]]
    assert len(disguised) == 5
    assert len(mailbot.run("poll", "--once").stdout) > 0 and len(mailbot.log()) == len(raws)


def test_a_failing_attachment_store_is_retried_with_no_partial_rows(mailbot, smtp, tmp_path, samples):
    [(expected, raw)] = [s for s in samples if s[0]["file"].startswith("01-")]  # carries an .xlsx
    mailbot.append(raw)
    store = tmp_path / "data" / "attachments"
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text("not a directory")  # the attachment store cannot be written, as on a full disk
    failed = mailbot.run("poll", "--once", check=False)
    assert failed.returncode != 0
    assert mailbot.log() == [], "rolled back: no message row without its attachments"
    assert smtp.messages() == []
    with mailbot.imap() as imap:
        imap.select_folder("INBOX", readonly=True)
        assert not any(b"$MailbotDone" in f for f in imap.get_flags(imap.search(["ALL"])).values())
    store.unlink()
    mailbot.run("poll", "--once")
    [entry] = mailbot.log()
    assert entry["verdict"] == "accepted" and entry["attachments"]
    assert len(smtp.wait_for(1)) == 1
