"""`mailbot poll --once` against real Dovecot, a real SMTP server, SQLite and PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import unicodedata

import pytest

pytestmark = pytest.mark.servers

DONE = b"$MailbotDone"


def _replies(smtp):
    return [(r, r.message) for r in smtp.messages()]


def test_mixed_batch_is_recorded_judged_and_answered_once(mailbot, smtp, samples):
    mailbot.append(*(raw for _, raw in samples))

    first = mailbot.run("poll", "--once")
    assert "ghi sổ 16 thư mới" in first.stdout

    log = {entry["message_id"]: entry for entry in mailbot.log()}
    assert len(mailbot.log()) == len(samples), "every message is recorded exactly once"
    by_status: dict[str, int] = {}
    for expected, raw in samples:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        if expected["expect_status"] == "quarantined":
            [entry] = [e for e in mailbot.log() if e["verdict"] == "quarantined"]
            assert entry["reasons"][0]["code"] == "unparseable"
            assert entry["error"]
        else:
            entry = log[str(msg["Message-ID"]).strip()]
            assert entry["verdict"] == expected["expect_status"], expected["file"]
            codes = [r["code"] for r in entry["reasons"]]
            for code in expected["expect_reasons"]:
                assert code in codes, (expected["file"], codes)
            if expected["expect_status"] == "accepted":
                assert codes == []
                assert entry["unit"] == expected["unit_id"]
        by_status[expected["expect_status"]] = by_status.get(expected["expect_status"], 0) + 1

    answered = by_status["accepted"] + by_status["rejected"]
    received = smtp.wait_for(answered)
    assert len(received) == answered, "exactly one reply per accepted or rejected message"

    originals = {
        str(email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]).strip(): (expected, raw)
        for expected, raw in samples
        if expected["expect_status"] in ("accepted", "rejected")
    }
    for r in received:
        msg = r.message
        original_id = str(msg["In-Reply-To"]).strip()
        expected, raw = originals.pop(original_id)
        original = email.message_from_bytes(raw, policy=email.policy.default)
        sender = original["From"].addresses[0].addr_spec.lower()
        assert r.rcpt_tos == [sender]
        assert str(msg["To"]) == sender
        assert msg["Auto-Submitted"] == "auto-replied"
        assert original_id in str(msg["References"])
        body = msg.get_content()
        assert body == unicodedata.normalize("NFC", body)
        assert "Kính gửi" in body and "Trân trọng" in body
        if expected["expect_status"] == "accepted":
            assert str(msg["Subject"]).startswith("[Đã nhận] ")
            assert "Số tiếp nhận: PGD-2026-" in body
        else:
            assert str(msg["Subject"]).startswith("[Chưa hợp lệ] ")
            assert "Lý do:" in body and "Cách khắc phục:" in body and "Ví dụ tiêu đề đúng:" in body
    assert not originals, "no reply is missing"

    # the server agrees with the register: every message marked, none marked \Seen by us
    with mailbot.imap() as imap:
        imap.select_folder("INBOX", readonly=True)
        flags = imap.get_flags(imap.search(["ALL"]))
    assert len(flags) == len(samples)
    assert all(DONE in f for f in flags.values())
    assert not any(b"\\Seen" in f for f in flags.values())

    second = mailbot.run("poll", "--once")
    assert "ghi sổ 0 thư mới" in second.stdout
    assert len(mailbot.log()) == len(samples)
    assert len(smtp.messages()) == answered, "a second poll sends nothing"


def test_receipt_lists_attachments_with_sizes_and_vietnamese_names(mailbot, smtp, samples):
    [(expected, raw)] = [s for s in samples if s[0]["file"].startswith("13-")]  # NFD name inside a zip
    mailbot.append(raw)
    mailbot.run("poll", "--once")
    [entry] = mailbot.log()
    assert entry["verdict"] == "accepted"
    names = [a["filename"] for a in entry["attachments"]]
    assert names and all(n == unicodedata.normalize("NFC", n) for n in names)
    [reply] = smtp.wait_for(1)
    body = reply.message.get_content()
    for attachment in entry["attachments"]:
        assert attachment["filename"] in body
    assert " KB)" in body or " byte)" in body


def test_first_start_records_old_mail_without_answering(mailbot, smtp, samples):
    accepted = [raw for e, raw in samples if e["expect_status"] == "accepted"]
    mailbot.append(*accepted[:3])
    env = {"MAILBOT_ANSWER_SINCE": None}  # default policy: "start from now"
    mailbot.run("poll", "--once", extra_env=env)
    entries = mailbot.log()
    assert len(entries) == 3
    assert all(e["reply"]["state"] == "backlog" for e in entries)
    assert smtp.messages() == []

    mailbot.append(accepted[3])
    mailbot.run("poll", "--once", extra_env=env)
    assert len(mailbot.log()) == 4
    [reply] = smtp.wait_for(1)
    assert str(reply.message["Subject"]).startswith("[Đã nhận]")


def test_temporary_smtp_failure_is_retried_and_sent_once(mailbot, smtp, samples):
    raw = samples[0][1]
    mailbot.append(raw)
    smtp.fail_next(1, code=451)
    out = mailbot.run("poll", "--once").stdout
    assert "chờ gửi lại 1" in out
    assert smtp.messages() == []
    [entry] = mailbot.log()
    assert entry["reply"]["state"] == "pending" and entry["reply"]["attempts"] == 1

    mailbot.run("poll", "--once")
    [reply] = smtp.wait_for(1)
    [entry] = mailbot.log()
    assert entry["reply"]["state"] == "sent"
    mailbot.run("poll", "--once")
    assert len(smtp.messages()) == 1


def test_permanent_smtp_failure_is_visible_and_not_retried(mailbot, smtp, samples):
    mailbot.append(samples[0][1])
    smtp.fail_next(1, code=550)
    out = mailbot.run("poll", "--once").stdout
    assert "thất bại 1" in out
    mailbot.run("poll", "--once")
    assert smtp.messages() == []
    [entry] = mailbot.log()
    assert entry["reply"]["state"] == "failed"


def test_smtp_down_keeps_replies_until_it_returns(mailbot, smtp, samples):
    raws = [raw for e, raw in samples if e["expect_status"] == "accepted"][:3]
    mailbot.append(*raws)
    smtp.go_down()
    mailbot.run("poll", "--once")
    mailbot.run("poll", "--once")
    assert all(e["reply"]["state"] == "pending" and e["reply"]["attempts"] == 0 for e in mailbot.log())
    smtp.go_up()
    mailbot.run("poll", "--once")
    assert len(smtp.wait_for(3)) == 3
    assert all(e["reply"]["state"] == "sent" for e in mailbot.log())


def test_wrong_imap_password_is_a_clear_error(mailbot):
    result = mailbot.run("poll", "--once", extra_env={"MAILBOT_IMAP__PASSWORD": "wrong"}, check=False)
    assert result.returncode == 2
    assert "từ chối đăng nhập" in result.stderr
    assert "wrong" not in result.stderr + result.stdout, "the password never appears in output"


def test_log_filters_by_status_unit_and_date(mailbot, samples):
    mailbot.append(*(raw for _, raw in samples))
    mailbot.run("poll", "--once")

    def count(*args: str) -> int:
        return len([line for line in mailbot.run("log", "--json", *args).stdout.splitlines() if line.strip()])

    expected = {s: sum(1 for e, _ in samples if e["expect_status"] == s) for s in ("accepted", "rejected", "ignored", "quarantined")}
    for status, n in expected.items():
        assert count("--status", status) == n, status
    assert count("--unit", "THCS-thoilai") == 1
    assert count("--since", "2000-01-01") == len(samples)
    assert count("--since", "2999-01-01") == 0
    assert count("--until", "01/01/2000") == 0
    text = mailbot.run("log").stdout
    assert "đã tiếp nhận" in text and f"({len(samples)} thư)" in text
    bad = mailbot.run("log", "--status", "nope", check=False)
    assert bad.returncode != 0 and "accepted" in bad.stderr


def test_a_message_the_database_refuses_is_quarantined_and_blocks_nothing(mailbot, smtp, samples, db_url):
    # A 400-character address: PostgreSQL refuses it for a 320-character column, SQLite stores it.
    # Either way it is recorded exactly once, and the report behind it is recorded and answered.
    long_sender = "a" * 390 + "@bentre.edu.vn"
    poison = (
        f"From: {long_sender}\r\nTo: pgdbinhdai@bentre.edu.vn\r\nSubject: THCS Thới Lai - Báo cáo\r\n"
        "Message-ID: <poison@bentre.edu.vn>\r\nDate: Mon, 2 Nov 2026 08:00:00 +0700\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n"
    ).encode()
    good = samples[0][1]
    mailbot.append(poison, good)
    mailbot.run("poll", "--once")
    entries = {e["message_id"]: e for e in mailbot.log()}
    assert len(entries) == 2
    poisoned = next(e for e in mailbot.log() if e["message_id"] != samples_message_id(good))
    if db_url.startswith("postgresql"):
        assert poisoned["verdict"] == "quarantined" and "lỗi ghi sổ" in poisoned["error"]
    else:
        assert poisoned["verdict"] == "rejected"
    assert entries[samples_message_id(good)]["verdict"] == "accepted"
    assert any(str(r.message["Subject"]).startswith("[Đã nhận]") for r in smtp.messages())


def samples_message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]).strip()
