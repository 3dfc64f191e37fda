"""Thư cần xem lại (reprocess) and Đơn vị (edit, import, export) on both databases."""

from __future__ import annotations

import io
import re
import unicodedata

from sqlalchemy import func, select

from mailbot.adapters.log_queries import LogFilter, log_page
from mailbot.adapters.db_tables import AuditRow, MessageRow, ReplyRow, SubmissionRow
from tests.web.conftest import Staff

UNREGISTERED = "nguyenvanan@bentre.edu.vn"  # sample 06: a teacher sending for THCS Châu Hưng


def _message(staff: Staff, **where: object) -> MessageRow:
    with staff.mailbot.db.transaction() as reg:
        query = select(MessageRow)
        for name, value in where.items():
            query = query.where(getattr(MessageRow, name) == value)
        [row] = reg.session.scalars(query).all()
        return row


def _replies(staff: Staff, message_id: int) -> list[tuple[str, str, str]]:
    with staff.mailbot.db.transaction() as reg:
        return [
            (r.kind, r.status, r.reference)
            for r in reg.session.scalars(select(ReplyRow).where(ReplyRow.message_id == message_id).order_by(ReplyRow.id))
        ]


def _count(staff: Staff, table: type) -> int:
    with staff.mailbot.db.transaction() as reg:
        return reg.session.scalar(select(func.count()).select_from(table)) or 0


def _audit(staff: Staff, action: str) -> list[AuditRow]:
    with staff.mailbot.db.transaction() as reg:
        return list(reg.session.scalars(select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.id)))


def _units(staff: Staff) -> dict:
    with staff.mailbot.db.transaction() as reg:
        return {u.unit_id: u for u in reg.units()}


def _outbox(staff: Staff) -> list[str]:
    return sorted(p.name for p in staff.outbox.iterdir()) if staff.outbox.exists() else []


# --- Thư cần xem lại ------------------------------------------------------------------------------
def test_list_shows_quarantined_and_registry_rejections_with_vietnamese_reasons(staff: Staff) -> None:
    broken = _message(staff, status="quarantined")
    unregistered = _message(staff, from_address=UNREGISTERED)
    page = staff.sign_in("staff").get("/quarantine").get_data(as_text=True)
    assert unicodedata.is_normalized("NFC", page)
    assert "Thư cần xem lại" in page
    assert f'id="thu-{broken.id}"' in page and "Không đọc được thư" in page
    assert f'id="thu-{unregistered.id}"' in page
    assert f"Địa chỉ {UNREGISTERED} chưa được đăng ký" in page
    assert page.count(">Xử lý lại</button>") >= 2
    assert f'action="/quarantine/{broken.id}/reprocess"' in page


def test_reprocessing_a_broken_message_keeps_one_row_and_sends_nothing(staff: Staff) -> None:
    broken = _message(staff, status="quarantined")
    messages, replies, outbox = _count(staff, MessageRow), _count(staff, ReplyRow), _outbox(staff)
    client = staff.sign_in("staff")
    for _ in range(2):
        response = client.post(f"/quarantine/{broken.id}/reprocess")
        assert response.status_code == 302
        assert f"done={broken.id}" in response.headers["Location"] and "status=quarantined" in response.headers["Location"]
    again = _message(staff, id=broken.id)
    assert again.status == "quarantined" and again.error and again.reasons[0]["code"] == "unparseable"
    assert (again.mailbox_id, again.uid, again.raw_sha256) == (broken.mailbox_id, broken.uid, broken.raw_sha256)
    assert _count(staff, MessageRow) == messages
    assert _count(staff, ReplyRow) == replies
    staff.mailbot.deliver()
    assert _outbox(staff) == outbox
    page = client.get(f"/quarantine?done={broken.id}&status=quarantined&queued=0").get_data(as_text=True)
    assert f"Đã xử lý lại thư số {broken.id}" in page and "cách ly" in page
    audits = _audit(staff, "reprocess")
    assert len(audits) == 2 and audits[0].target == str(broken.id) and audits[0].username == "staff"
    assert audits[0].details["status"] == "quarantined"


def test_unregistered_sender_is_accepted_after_its_address_is_added_and_gets_one_receipt(staff: Staff) -> None:
    message = _message(staff, from_address=UNREGISTERED)
    assert message.status == "rejected"
    assert [k for k, _, _ in _replies(staff, message.id)] == ["rejection"]
    before_messages, before_outbox = _count(staff, MessageRow), _outbox(staff)
    client = staff.sign_in("staff")

    unit = _units(staff)["THCS-chauhung"]
    form = {
        "name": unit.name, "subject_name": unit.subject_name, "kind": unit.kind,
        "aliases": "\n".join(unit.aliases), "addresses": "\n".join([*unit.addresses, "NguyenVanAn@bentre.edu.vn "]),
        "reports": "1",
    }
    response = client.post("/units/THCS-chauhung/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert UNREGISTERED in _units(staff)["THCS-chauhung"].addresses  # lower-cased, trimmed
    [edit] = _audit(staff, "unit-edit")
    assert edit.target == "THCS-chauhung" and "addresses" in edit.details["changes"]

    response = client.post(f"/quarantine/{message.id}/reprocess")
    assert response.status_code == 302 and "status=accepted" in response.headers["Location"]
    again = client.post(f"/quarantine/{message.id}/reprocess")  # a second click: accepted now, refused
    assert "failed=accepted" in again.headers["Location"]
    row = _message(staff, id=message.id)
    assert row.status == "accepted" and row.unit_id == "THCS-chauhung" and row.error is None
    assert row.report_id and row.submission_id is not None
    assert _count(staff, MessageRow) == before_messages
    replies = _replies(staff, message.id)
    assert [k for k, _, _ in replies] == ["rejection", "receipt"]
    assert len({ref for _, _, ref in replies}) == 2
    with staff.mailbot.db.transaction() as reg:
        [submission] = reg.session.scalars(select(SubmissionRow).where(SubmissionRow.unit_id == "THCS-chauhung")).all()
        assert submission.first_message_id == message.id and submission.revisions == 0
        [entry] = reg.log(unit_id="THCS-chauhung")  # the log shows the message once
        assert entry.reply_kind == "receipt"  # with its newest answer
        [listed] = log_page(reg.session, LogFilter(unit_id="THCS-chauhung")).rows  # the staff log, the same
        assert listed.reply_kind == "receipt"
    staff.mailbot.deliver()
    new_files = sorted(set(_outbox(staff)) - set(before_outbox))
    assert len(new_files) == 1
    receipt = (staff.outbox / new_files[0]).read_bytes()
    assert UNREGISTERED.encode() in receipt
    [done] = _audit(staff, "reprocess")
    assert done.details == {"before": "rejected", "status": "accepted", "replies": 1, "error": None}
    assert len(_audit(staff, "reprocess-refused")) == 1


def test_a_message_still_rejected_gets_no_second_rejection(staff: Staff) -> None:
    gmail = _message(staff, status="rejected", from_address="colan.ththoilai@gmail.com")
    assert [k for k, _, _ in _replies(staff, gmail.id)] == ["rejection"]
    client = staff.sign_in("admin")
    for _ in range(2):
        response = client.post(f"/quarantine/{gmail.id}/reprocess")
        assert "status=rejected" in response.headers["Location"] and "queued=0" in response.headers["Location"]
    assert [k for k, _, _ in _replies(staff, gmail.id)] == ["rejection"]
    assert _message(staff, id=gmail.id).reasons == gmail.reasons


def test_accepted_message_is_not_reprocessed(staff: Staff) -> None:
    accepted = _message(staff, unit_id="THCS-thoilai", status="accepted")
    response = staff.sign_in("staff").post(f"/quarantine/{accepted.id}/reprocess")
    assert response.status_code == 302 and "failed=accepted" in response.headers["Location"]
    assert _message(staff, id=accepted.id).status == "accepted"
    assert staff.sign_in("staff").post("/quarantine/999999/reprocess").status_code == 404


def test_viewer_sees_no_buttons_and_cannot_reprocess_or_edit(staff: Staff) -> None:
    broken = _message(staff, status="quarantined")
    viewer = staff.sign_in("viewer")
    page = viewer.get("/quarantine").get_data(as_text=True)
    assert f'id="thu-{broken.id}"' in page and "Xử lý lại</button>" not in page
    units_page = viewer.get("/units").get_data(as_text=True)
    assert "THCS-chauhung" in units_page and "/edit" not in units_page and "/units/new" not in units_page
    assert viewer.post(f"/quarantine/{broken.id}/reprocess").status_code == 403
    assert viewer.get("/units/THCS-chauhung/edit").status_code == 403
    assert viewer.post("/units/THCS-chauhung/edit", data={"name": "X"}).status_code == 403
    assert viewer.get("/units/import").status_code == 403
    assert _message(staff, id=broken.id).reasons == broken.reasons
    assert _units(staff)["THCS-chauhung"].name == "Trường Trung học cơ sở Châu Hưng"
    assert len(_audit(staff, "forbidden")) == 4 and not _audit(staff, "reprocess")


def test_a_post_without_csrf_is_refused(staff: Staff) -> None:
    broken = _message(staff, status="quarantined")
    signed = staff.sign_in("staff")
    assert signed.client.post(f"/quarantine/{broken.id}/reprocess").status_code == 400
    assert signed.client.post("/units/THCS-chauhung/edit", data={"name": "X"}).status_code == 400
    assert not _audit(staff, "reprocess") and not _audit(staff, "unit-edit")


# --- Đơn vị ------------------------------------------------------------------------------------------
def test_units_list_filter_and_export(staff_ro: Staff) -> None:
    client = staff_ro.sign_in("viewer")
    page = client.get("/units?q=chau hung").get_data(as_text=True)  # no accents, lower case
    assert "Trường Trung học cơ sở Châu Hưng" in page and "Trường Tiểu học Châu Hưng A" in page
    assert "Thới Lai" not in page
    assert unicodedata.is_normalized("NFC", page)
    xlsx = client.get("/units.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "attachment" in xlsx.headers["Content-Disposition"]


def test_edit_errors_keep_the_unit_unchanged(staff: Staff) -> None:
    before = _units(staff)["THCS-chauhung"]
    client = staff.sign_in("staff")
    bad = {
        "name": "", "subject_name": before.subject_name, "kind": before.kind, "aliases": "",
        "addresses": "thcschauhưng.binhdai@bentre.edu.vn\nai@gmail.com\nkhong-phai-dia-chi", "reports": "1",
    }
    response = client.post("/units/THCS-chauhung/edit", data=bad)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Hãy nhập tên đơn vị." in page
    assert "ký tự không phải ASCII “ư”" in page
    assert "không thuộc miền @bentre.edu.vn" in page
    assert "không đúng dạng" in page
    assert "thcschauhưng.binhdai@bentre.edu.vn" in page  # what was typed stays in the form
    taken = dict(bad, name="Trường THCS Châu Hưng", addresses="thcsthoilai.binhdai@bentre.edu.vn")
    page = client.post("/units/THCS-chauhung/edit", data=taken).get_data(as_text=True)
    assert "đang là địa chỉ của" in page
    assert _units(staff)["THCS-chauhung"] == before
    assert not _audit(staff, "unit-edit")


def test_new_unit_and_other_domain_when_intended(staff: Staff) -> None:
    client = staff.sign_in("staff")
    form = {"unit_id": "MN-hoahong", "name": "Trường Mầm non tư thục Hoa Hồng", "subject_name": "", "kind": "mam_non",
            "aliases": "MN Hoa Hồng\nMN Hoa Hồng\n", "addresses": "hoahong@gmail.com", "reports": "1"}
    assert client.post("/units/new", data=form).status_code == 400
    assert "MN-hoahong" not in _units(staff)
    response = client.post("/units/new", data=dict(form, other_domain="1"))
    assert response.status_code == 302
    unit = _units(staff)["MN-hoahong"]
    assert unit.subject_name == unit.name and unit.aliases == ("MN Hoa Hồng",) and unit.addresses == ("hoahong@gmail.com",)
    assert client.post("/units/new", data=dict(form, other_domain="1")).status_code == 400  # the id exists
    [edit] = _audit(staff, "unit-edit")
    assert edit.target == "MN-hoahong" and edit.details["new"] is True


CSV_HEADER = "unit_id,unit_type,official_name,subject_name,aliases,commune,email,source,name_source,reports_to_pgd,note\n"


def _upload(client, text: str, name: str = "don-vi.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        "/units/import", data={"file": (io.BytesIO(text.encode("utf-8")), name)}, content_type="multipart/form-data"
    )


def test_import_preview_shows_row_errors_and_applies_nothing(staff: Staff) -> None:
    before = _units(staff)
    client = staff.sign_in("staff")
    broken = CSV_HEADER + (
        "MN-moi,mam_non,Trường Mầm non Mới,MN Mới,,,mnmoi.binhdai@bentre.edu.vn,,,yes,\n"
        "MN-hong,mam_non,Trường Mầm non Hỏng,MN Hỏng,,,mnhỏng@bentre.edu.vn,,,yes,\n"
    )
    response = _upload(client, broken)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "dòng 3" in page and "địa chỉ thư không hợp lệ" in page and "don-vi.csv" in page
    assert "Áp dụng" not in page
    assert _units(staff) == before
    uploads = staff.mailbot.settings.data_dir / "uploads"
    assert not uploads.exists() or not list(uploads.iterdir())


def test_import_preview_then_confirm(staff: Staff) -> None:
    before = _units(staff)
    client = staff.sign_in("staff")
    good = CSV_HEADER + (
        "MN-moi,mam_non,Trường Mầm non Mới,MN Mới,MN Mới xã Thới Lai,,mnmoi.binhdai@bentre.edu.vn,,,yes,\n"
        "THCS-chauhung,thcs,Trường Trung học cơ sở Châu Hưng,THCS Châu Hưng,C2 Châu Hưng,,"
        "thcschauhung.binhdai@bentre.edu.vn|nguyenvanan@bentre.edu.vn,,,yes,\n"
    )
    response = _upload(client, good, "../../../etc/danh sách.csv")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "chưa có gì được lưu" in page and "MN-moi" in page and "nguyenvanan@bentre.edu.vn" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert _units(staff) == before  # nothing applied yet
    [stored] = list((staff.mailbot.settings.data_dir / "uploads").iterdir())
    assert token in stored.name and "danh" not in stored.name and stored.parent.name == "uploads"

    assert client.post("/units/import/confirm", data={"token": "../" + token}).status_code == 400
    response = client.post("/units/import/confirm", data={"token": token, "filename": "danh sách.csv"})
    assert response.status_code == 302
    after = _units(staff)
    assert after["MN-moi"].addresses == ("mnmoi.binhdai@bentre.edu.vn",)
    assert "nguyenvanan@bentre.edu.vn" in after["THCS-chauhung"].addresses
    assert after["THCS-chauhung"].aliases == ("C2 Châu Hưng",)
    assert after["TH-thoilai"] == before["TH-thoilai"]  # units not in the file stay
    assert len(after) == len(before) + 1
    assert not list((staff.mailbot.settings.data_dir / "uploads").iterdir())
    notice = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "thêm 1, cập nhật 1" in notice
    [applied] = _audit(staff, "unit-import")
    assert applied.details["added"] == ["MN-moi"] and list(applied.details["changed"]) == ["THCS-chauhung"]
    # the token is spent
    assert client.post("/units/import/confirm", data={"token": token}).status_code == 400
