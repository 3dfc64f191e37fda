"""The two remaining tables as Excel: mail to review (any signed-in role) and the audit log (admins)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.web.conftest import Staff


def _sheet(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return load_workbook(io.BytesIO(response.data)).active


def test_review_list_exports_with_vietnamese_headings_and_dates(staff_ro: Staff) -> None:
    ws = _sheet(staff_ro.sign_in("viewer").get("/quarantine.xlsx"))
    assert ws["A1"].value == "Thư cần xem lại"
    assert [c.value for c in ws[3]] == ["Số", "Nhận lúc", "Người gửi", "Tiêu đề", "Trạng thái", "Lý do"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    by_status = {r[4] for r in rows}
    assert "cách ly" in by_status and "từ chối" in by_status  # the broken sample, and the unregistered sender
    assert ws.cell(row=4, column=2).number_format == "dd/mm/yyyy hh:mm"
    assert any("byte NUL" in (r[5] or "") for r in rows)


def test_audit_log_exports_for_admins(staff_ro: Staff) -> None:
    admin = staff_ro.sign_in("admin")
    admin.get("/quarantine.xlsx")  # an export is itself audited
    ws = _sheet(admin.get("/users/audit.xlsx"))
    assert [c.value for c in ws[3]] == ["Thời điểm", "Người thực hiện", "Thao tác", "Đối tượng", "Chi tiết", "Địa chỉ IP"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    # newest first: the admin's export of the review list (this export is audited once it is built)
    assert rows[0][1] == "admin" and rows[0][3] == "thu-can-xem-lai.xlsx"
    assert any(r[1] == "viewer" and r[3] == "thu-can-xem-lai.xlsx" for r in rows)
    assert staff_ro.sign_in("staff").get("/users/audit.xlsx").status_code == 403
