"""One message of each judging class through the real servers: the reply, or its absence, is right."""

from __future__ import annotations

import email
import email.policy
import io
import itertools
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timezone

import pytest

pytestmark = pytest.mark.servers


_ids = itertools.count(1)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _mail(sender: str, subject: str, *, name: str = "", attachment: tuple[str, bytes] | None = None, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f'"{name}" <{sender}>' if name else sender
    msg["To"] = "pgdbinhdai@bentre.edu.vn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 11, 5, 1, 0, tzinfo=timezone.utc))
    msg["Message-ID"] = f"<{next(_ids)}@bentre.edu.vn>"
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content("Kính gửi Phòng GD&ĐT Bình Đại.")
    if attachment:
        filename, data = attachment
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    # unfolded headers: Python 3.11 drops the space between two folded encoded-words
    return msg.as_bytes(policy=email.policy.SMTP.clone(max_line_length=998))


THCS = "thcsthoilai.binhdai@bentre.edu.vn"
CASES = [
    # (id, raw, status, reason that must be there, reply expected)
    ("accept-docx", _mail(THCS, "THCS Thới Lai - Báo cáo tháng 10", attachment=("Báo cáo.docx", _docx())), "accepted", None, "[Đã nhận]"),
    ("accept-reversed", _mail(THCS, "Báo cáo tháng 10 của Trường THCS Thới Lai"), "accepted", None, "[Đã nhận]"),
    ("accept-tcvn3", _mail(THCS, "THCS Thíi Lai - B¸o c¸o th¸ng 10"), "accepted", None, "[Đã nhận]"),
    ("disguised-exe", _mail(THCS, "THCS Thới Lai - Báo cáo", attachment=("baocao.doc", b"MZ\x90\x00" + b"\x00" * 200)),
     "rejected", "attachment-disguised", "[Chưa hợp lệ]"),
    ("telex", _mail(THCS, "THCS Thowis Lai - Baos caos thangs 10"), "rejected", "subject-unreadable", "[Chưa hợp lệ]"),
    ("cyrillic-address", _mail("thcsthoilai.binhdai@bentr\u0435.edu.vn", "THCS Thới Lai - Báo cáo"), "rejected", "sender-lookalike", None),
    ("display-name-spoof", _mail("thoilai.hieutruong@gmail.com", "THCS Thới Lai - Báo cáo", name="Trường THCS Thới Lai"),
     "rejected", "sender-display-name", "[Chưa hợp lệ]"),
    ("two-units", _mail(THCS, "THCS Thới Lai và TH Thới Lai - Báo cáo liên tịch"), "held", "subject-two-units", None),
    ("name-lookalike", _mail(THCS, "THCS Thới Lai - Báo cáo", name="THCS Thới L\u0430i"), "held", "sender-name-lookalike", None),
    ("reply-to-receipt", _mail(THCS, "Re: [Đã nhận] THCS Thới Lai - Báo cáo tháng 10"), "ignored", "reply-to-receipt", None),
    ("out-of-office-no-headers", _mail(THCS, "Automatic reply: THCS Thới Lai - Báo cáo"), "ignored", "automatic-mail", None),
]


def test_one_message_of_each_class(mailbot, smtp):
    mailbot.append(*(raw for _, raw, *_ in CASES))
    mailbot.run("poll", "--once")
    entries = {e["message_id"]: e for e in mailbot.log()}
    assert len(entries) == len(CASES)
    replies = {str(r.message["In-Reply-To"]).strip(): r for r in smtp.messages()}
    for case_id, raw, status, reason, reply_tag in CASES:
        message_id = str(email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]).strip()
        entry = entries[message_id]
        assert entry["verdict"] == status, (case_id, entry["reasons"])
        if reason:
            assert reason in [r["code"] for r in entry["reasons"]], (case_id, entry["reasons"])
        reply = replies.get(message_id)
        if reply_tag is None:
            assert reply is None, f"{case_id}: no reply expected"
        else:
            assert reply is not None and str(reply.message["Subject"]).startswith(reply_tag), case_id
    assert len(smtp.messages()) == sum(1 for *_, tag in CASES if tag)
