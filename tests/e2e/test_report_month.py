"""A month of report mail for a dozen units through the real servers: submissions, revisions,
lateness, `missing` and `timeliness`, the urgent alert to staff, and reminders to exactly the units
that owe."""

from __future__ import annotations

import email
import email.policy
import itertools
import json
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.servers

VN = timezone(timedelta(hours=7))
STAFF = "vanthu.pgd@bentre.edu.vn"
_ids = itertools.count(1)


def _mail(sender: str, subject: str, when: datetime) -> tuple[bytes, datetime]:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "pgdbinhdai@bentre.edu.vn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<month-{next(_ids)}@bentre.edu.vn>"
    msg.set_content("Kính gửi Phòng GD&ĐT Bình Đại.")
    # unfolded headers: Python 3.11 drops the space between two folded encoded-words
    return msg.as_bytes(policy=email.policy.SMTP.clone(max_line_length=998)), when


def at(day: int, hour: int = 9, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=VN)


# October 2026 monthly report, due before 10/11/2026 (strict reading: the 9th is the last day).
MONTH = [
    _mail("thcsthoilai.binhdai@bentre.edu.vn", "THCS Thới Lai - Báo cáo tháng 10/2026", at(3)),
    _mail("ththoilai.binhdai@bentre.edu.vn", "TH Thới Lai - Báo cáo tháng 10", at(5)),
    _mail("mnphulong.binhdai@bentre.edu.vn", "MN Phú Long - BC T10/2026", at(6)),
    _mail("mgthuaduc.binhdai@bentre.edu.vn", "MG Thừa Đức: báo cáo tháng 10 năm 2026", at(9, 23)),
    _mail("thchauhunga.binhdai@bentre.edu.vn", "TH Châu Hưng A - Báo cáo tháng 10", at(8)),
    # late: on the 10th (strict reading) and ten days late
    _mail("thlongdinh.binhdai@bentre.edu.vn", "TH Long Định - Báo cáo tháng 10/2026", at(10, 8)),
    _mail("thcsphulong.binhdai@bentre.edu.vn", "THCS Phú Long - Báo cáo tháng 10", at(19)),
    # on time, then revised: one submission, one revision
    _mail("thcsthitran.binhdai@bentre.edu.vn", "THCS Thị Trấn - Báo cáo tháng 10", at(4)),
    _mail("thcsthitran.binhdai@bentre.edu.vn", "THCS Thị Trấn - Báo cáo tháng 10 (bổ sung)", at(12)),
    # rejected (no unit in the subject), then corrected in time
    _mail("mnthitran.binhdai@bentre.edu.vn", "Báo cáo tháng 10", at(6)),
    _mail("mnthitran.binhdai@bentre.edu.vn", "MN Thị trấn Bình Đại - Báo cáo tháng 10", at(7)),
    # urgent
    _mail("thphuvang.binhdai@bentre.edu.vn", "KHẨN: TH Phú Vang - Báo cáo đột xuất sự cố sập mái hiên", at(16, 14)),
]
ON_TIME = {"THCS-thoilai", "TH-thoilai", "MN-phulong", "MG-thuaduc", "TH-chauhunga", "THCS-thitran", "MN-thitran"}
LATE = {"TH-longdinh", "THCS-phulong"}


def test_a_month_of_reports(mailbot, smtp):
    for raw, when in MONTH:
        mailbot.dovecot.append(mailbot.user, mailbot.password, raw, msg_time=when)
    out = mailbot.run("poll", "--once", extra_env={"MAILBOT_STAFF_ADDRESS": STAFF}).stdout
    assert "ghi sổ 12 thư mới" in out

    entries = mailbot.log()
    assert sum(e["verdict"] == "accepted" for e in entries) == 11
    assert sum(e["verdict"] == "rejected" for e in entries) == 1

    # receipts say what was recorded and whether it was on time
    receipts = {r.rcpt_tos[0]: r.message for r in smtp.messages() if str(r.message["Subject"]).startswith("[Đã nhận]")}
    on_time_body = receipts["thcsthoilai.binhdai@bentre.edu.vn"].get_content()
    assert "Báo cáo tháng, tháng 10/2026" in on_time_body and "đúng hạn" in on_time_body
    late_body = receipts["thcsphulong.binhdai@bentre.edu.vn"].get_content()
    assert "trễ hạn 9 ngày 9 giờ" in late_body  # 19/11 09:00 against the end of 9/11
    assert "trễ hạn" in receipts["thlongdinh.binhdai@bentre.edu.vn"].get_content()

    # the urgent report reached staff at once, with the original attached
    [alert] = [r for r in smtp.messages() if r.rcpt_tos == [STAFF]]
    assert str(alert.message["Subject"]).startswith("[KHẨN] TH Phú Vang")
    assert any(part.get_content_type() == "message/rfc822" for part in alert.message.iter_attachments())

    # missing: every reporting unit except the ten that sent October's report
    missing = [json.loads(l) for l in mailbot.run("missing", "--report", "monthly", "--period", "2026-10", "--json").stdout.splitlines()]
    missing_units = {m["unit"] for m in missing}
    assert not missing_units & (ON_TIME | LATE)
    assert {"THCS-chauhung", "MG-binhthang", "TH-phuvang"} <= missing_units
    assert len(missing_units) == 57 - len(ON_TIME | LATE)
    assert all(m["overdue"] and m["status"].startswith("quá hạn") for m in missing)

    table = {r["unit"]: r for r in map(json.loads, mailbot.run("timeliness", "--school-year", "2026-2027", "--json").stdout.splitlines())}
    for unit in ON_TIME:
        assert table[unit]["on_time"] == 1 and table[unit]["late"] == 0, unit
    for unit in LATE:
        assert table[unit]["late"] == 1 and table[unit]["on_time"] == 0, unit
    silent = table["THCS-chauhung"]
    assert silent["on_time"] == silent["late"] == 0
    assert silent["missing"] == table["THCS-thoilai"]["missing"] + 1
    assert table["THCS-thoilai"]["rate"] == pytest.approx(1 / table["THCS-thoilai"]["total"])

    # a revision is linked, never a second submission
    revised = sorted((e for e in entries if e["from"] == "thcsthitran.binhdai@bentre.edu.vn"), key=lambda e: e["received"])
    assert [e["report"] for e in revised] == [
        {"id": "monthly", "period": "2026-10", "revision": False},
        {"id": "monthly", "period": "2026-10", "revision": True},
    ]
    assert "bản bổ sung" in receipts["thcsthitran.binhdai@bentre.edu.vn"].get_content() or any(
        "bản bổ sung" in r.message.get_content() for r in smtp.messages() if r.rcpt_tos == ["thcsthitran.binhdai@bentre.edu.vn"]
    )
    urgent = next(e for e in entries if e["from"] == "thphuvang.binhdai@bentre.edu.vn")
    assert urgent["report"] == {"id": "urgent", "period": "2026-11-16", "revision": False}

    xlsx = mailbot.cwd / "chua-nop.xlsx"
    mailbot.run("missing", "--report", "monthly", "--period", "2026-10", "--xlsx", str(xlsx))
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    assert sheet["A3"].value == "STT" and sheet["C3"].value == "Tên đơn vị"
    assert sheet.max_row == 3 + len(missing_units)
    assert sheet["F4"].number_format == "dd/mm/yyyy"

    year_xlsx = mailbot.cwd / "danh-gia.xlsx"
    mailbot.run("timeliness", "--school-year", "2026-2027", "--xlsx", str(year_xlsx))
    year = load_workbook(year_xlsx).active
    assert year["A1"].value == "Tổng hợp việc thực hiện chế độ báo cáo năm học 2026-2027"
    assert [c.value for c in year[3]] == ["STT", "Mã đơn vị", "Tên đơn vị", "Đúng hạn", "Trễ hạn", "Chưa nộp", "Tổng số", "Tỉ lệ đúng hạn (%)"]
    by_unit = {r[1]: r for r in year.iter_rows(min_row=4, values_only=True)}
    assert len(by_unit) == 57
    assert by_unit["THCS-phulong"][4] == 1 and by_unit["THCS-thoilai"][3] == 1


def test_reminders_go_to_exactly_the_units_that_owe(mailbot, smtp, tmp_path):
    today = datetime.now(VN).date()
    reports = (Path(__file__).resolve().parents[2] / "config" / "reports.toml").read_text(encoding="utf-8")
    reports += f"""
[reports.soon_2026]
name = "Báo cáo thử nghiệm sắp đến hạn"
schedule = "once"
due = {(today + timedelta(days=2)).isoformat()}
keywords = ["thu nghiem sap den han"]
owed_by = ["THCS-thoilai", "TH-thoilai", "MG-thuaduc"]

[reports.late_2026]
name = "Báo cáo thử nghiệm quá hạn"
schedule = "once"
due = {(today - timedelta(days=1)).isoformat()}
keywords = ["thu nghiem qua han"]
owed_by = ["THCS-thoilai", "TH-thoilai"]
"""
    path = tmp_path / "reports.toml"
    path.write_text(reports, encoding="utf-8")
    env = {"MAILBOT_REPORTS_FILE": str(path), "MAILBOT_REMINDERS__ENABLED": "true", "MAILBOT_STAFF_ADDRESS": STAFF,
           "MAILBOT_REMINDERS__DIGEST_HOUR": "0"}
    sent, _ = _mail("thcsthoilai.binhdai@bentre.edu.vn", "THCS Thới Lai - Báo cáo thử nghiệm sắp đến hạn", datetime.now(VN))
    late, _ = _mail("ththoilai.binhdai@bentre.edu.vn", "TH Thới Lai - Báo cáo thử nghiệm quá hạn", datetime.now(VN))
    mailbot.append(sent, late)
    mailbot.run("poll", "--once", extra_env=env)
    mailbot.run("poll", "--once", extra_env=env)  # never more than one of each

    def to(kind: str) -> list[str]:
        return sorted(r.rcpt_tos[0] for r in smtp.messages() if str(r.message["Subject"]).startswith(kind))

    assert to("[Nhắc gửi báo cáo]") == ["mgthuaduc.binhdai@bentre.edu.vn", "ththoilai.binhdai@bentre.edu.vn"]
    assert to("[Quá hạn báo cáo]") == ["thcsthoilai.binhdai@bentre.edu.vn"]
    assert to("[Tổng hợp]") == [STAFF]
    notice = next(r.message for r in smtp.messages() if str(r.message["Subject"]).startswith("[Nhắc gửi báo cáo]"))
    assert notice["Auto-Submitted"] == "auto-generated"
    assert "Kính gửi" in notice.get_content()
