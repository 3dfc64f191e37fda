"""A message over the size limit is recorded from its header, never downloaded whole, and refused
with the limit stated."""

from __future__ import annotations

import os
from email.message import EmailMessage

import pytest

pytestmark = pytest.mark.servers


def test_oversized_message_is_recorded_from_its_header(mailbot, smtp, tmp_path):
    msg = EmailMessage()
    msg["From"] = "thcsthoilai.binhdai@bentre.edu.vn"
    msg["To"] = "pgdbinhdai@bentre.edu.vn"
    msg["Subject"] = "THCS Thoi Lai - Bao cao thang 10"
    msg["Message-ID"] = "<big@bentre.edu.vn>"
    msg.set_content("Kính gửi Phòng.")
    msg.add_attachment(os.urandom(300_000), maintype="application", subtype="zip", filename="baocao.zip")
    raw = msg.as_bytes()
    mailbot.append(raw)
    mailbot.run("poll", "--once", extra_env={"MAILBOT_RULES__MAX_MESSAGE_MB": "0.1"})

    [entry] = mailbot.log()
    assert entry["verdict"] == "rejected"
    assert [r["code"] for r in entry["reasons"]] == ["message-too-large"]
    stored = [p for p in (tmp_path / "data" / "raw").rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].stat().st_size < 2_000, "only the header was fetched and kept"
    [reply] = smtp.wait_for(1)
    body = reply.message.get_content()
    assert "giới hạn 0,1 MB" in body
