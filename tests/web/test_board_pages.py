"""The deadline pages (/board, /months, /year) and their Excel downloads, in-process on both databases,
over report mail delivered through the real pipeline at chosen arrival times.

The situation, "now" fixed at 12/11/2026 10:00 Vietnam time; the monthly report of October 2026 is due
before 10/11/2026 (strict reading: the 9th is the last day on time):
  * THCS Thới Lai sent September on 05/10 and October on 05/11 (on time), revised October on 07/11;
  * TH Long Định sent October on 11/11 09:30 (1 day 9 hours late), never September;
  * MG Thừa Đức sent September on 10/10 08:00 (1 day late);
  * every other reporting unit sent nothing.
"""

from __future__ import annotations

import email.policy
import io
import itertools
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from tests.conftest import new_database
from tests.web.conftest import Staff, make_staff

VN = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 12, 10, 0, tzinfo=VN)
_ids = itertools.count(1)

ON_TIME, LATE, LATE_SEPT = "Trường Trung học cơ sở Thới Lai", "Trường Tiểu học Long Định", "Trường Mẫu giáo Thừa Đức"


def _mail(sender: str, subject: str, when: datetime) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "pgdbinhdai@bentre.edu.vn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<board-{next(_ids)}@bentre.edu.vn>"
    msg.set_content("Kính gửi Phòng GD&ĐT Bình Đại.")
    return msg.as_bytes(policy=email.policy.SMTP.clone(max_line_length=998))


MAIL = [
    ("thcsthoilai.binhdai@bentre.edu.vn", "THCS Thới Lai - Báo cáo tháng 9/2026", datetime(2026, 10, 5, 8, 0, tzinfo=VN)),
    ("mgthuaduc.binhdai@bentre.edu.vn", "MG Thừa Đức - Báo cáo tháng 9/2026", datetime(2026, 10, 10, 8, 0, tzinfo=VN)),
    ("thcsthoilai.binhdai@bentre.edu.vn", "THCS Thới Lai - Báo cáo tháng 10/2026", datetime(2026, 11, 5, 8, 0, tzinfo=VN)),
    ("thcsthoilai.binhdai@bentre.edu.vn", "THCS Thới Lai - Báo cáo tháng 10/2026 (bổ sung)",
     datetime(2026, 11, 7, 15, 20, tzinfo=VN)),
    ("thlongdinh.binhdai@bentre.edu.vn", "TH Long Định - Báo cáo tháng 10/2026", datetime(2026, 11, 11, 9, 30, tzinfo=VN)),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def board(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staff]:
    """An empty register (no sample mail), then the situation above; built once per database, read-only."""
    workdir = tmp_path_factory.mktemp("board")
    with new_database(request.param, workdir) as url:
        built = make_staff(url, workdir, samples=False)
        built.mailbot.clock = lambda: NOW
        for index, (sender, subject, when) in enumerate(MAIL):
            built.deliver_mail(f"{index:02d}.eml", _mail(sender, subject, when), when)
        yield built
        built.mailbot.db.dispose()


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def _count(page: str, label: str) -> int:
    return int(re.search(rf"<div>{label}<b>(\d+)</b></div>", page).group(1))  # type: ignore[union-attr]


def _reporting_units(staff: Staff) -> int:
    with staff.mailbot.db.transaction() as reg:
        return sum(1 for u in reg.units() if u.reports and u.kind != "office")


def _sheet(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data)).active


# --- the deadline board ------------------------------------------------------------------------------
def test_board_counts_and_states_for_october(board: Staff) -> None:
    page = _text(board.sign_in("viewer").get("/board?report=monthly&period=2026-10"))
    owed = _reporting_units(board)
    assert "Báo cáo tháng, tháng 10/2026" in page
    assert _count(page, "Phải nộp") == owed
    assert _count(page, "Đúng hạn") == 1
    assert _count(page, "Nộp muộn") == 1
    assert _count(page, "Chưa nộp – còn hạn") == 0
    assert _count(page, "Chưa nộp – quá hạn") == owed - 2
    rows = {cells[1]: cells for cells in map(_cells, _rows(page))}
    assert len(rows) == owed
    assert rows[ON_TIME][2] == "đúng hạn"
    assert rows[ON_TIME][3] == "05/11/2026 08:00" and rows[ON_TIME][4] == "07/11/2026 15:20" and rows[ON_TIME][5] == "1"
    assert rows[LATE][2] == "muộn 1 ngày 9 giờ"
    assert rows[LATE][3] == rows[LATE][4] == "11/11/2026 09:30" and rows[LATE][5] == "0"
    assert rows["Trường Trung học cơ sở Phú Long"][2:] == ["quá hạn 3 ngày", "—", "—", "—"]
    assert "Trường Trung học phổ thông Lê Hoàng Chiếu" not in rows  # does not report to the office


def test_board_rows_link_to_the_messages_in_the_log(board: Staff) -> None:
    page = _text(board.sign_in("viewer").get("/board?report=monthly&period=2026-10"))
    row = next(r for r in _rows(page) if ON_TIME in r)
    first, latest = re.findall(r'href="/log/(\d+)"', row)
    assert int(first) < int(latest)


def test_board_default_is_the_period_just_due(board: Staff) -> None:
    page = _text(board.sign_in("viewer").get("/board"))
    assert "Báo cáo tháng, tháng 10/2026" in page
    assert '<option value="2026-10" selected>' in page
    assert '<option value="monthly" selected>Báo cáo tháng</option>' in page


def test_board_before_the_deadline_says_how_many_days_are_left(board: Staff) -> None:
    page = _text(board.sign_in("viewer").get("/board?report=monthly&period=2026-11"))
    owed = _reporting_units(board)
    assert _count(page, "Chưa nộp – còn hạn") == owed and _count(page, "Chưa nộp – quá hạn") == 0
    states = {_cells(r)[2] for r in _rows(page)}
    assert states == {"chưa nộp – còn 27 ngày"}  # due by the end of 09/12/2026


def test_board_sorted_by_state_puts_the_worst_first(board: Staff) -> None:
    client = board.sign_in("viewer")
    page = _text(client.get("/board?report=monthly&period=2026-10&sort=state"))
    states = [_cells(r)[2] for r in _rows(page)]
    assert states[-2:] == ["muộn 1 ngày 9 giờ", "đúng hạn"]
    assert all(s == "quá hạn 3 ngày" for s in states[:-2])
    reverse = _text(client.get("/board?report=monthly&period=2026-10&sort=state&dir=desc"))
    assert [_cells(r)[2] for r in _rows(reverse)][:2] == ["đúng hạn", "muộn 1 ngày 9 giờ"]
    # the header link flips the direction of the current sort and keeps the other choices
    assert 'href="/board?report=monthly&amp;period=2026-10&amp;sort=state&amp;dir=desc"' in page


def test_board_sorted_by_unit_name(board: Staff) -> None:
    client = board.sign_in("viewer")
    names = [_cells(r)[1] for r in _rows(_text(client.get("/board?report=monthly&period=2026-10&sort=unit")))]
    assert names[0].startswith("Trường Mầm non") and names[-1].startswith("Trường Trung học cơ sở")
    backwards = [_cells(r)[1] for r in _rows(_text(client.get("/board?report=monthly&period=2026-10&sort=unit&dir=desc")))]
    assert backwards == names[::-1]


def test_board_filtered_by_unit_kind(board: Staff) -> None:
    client = board.sign_in("viewer")
    page = _text(client.get("/board?report=monthly&period=2026-10&kind=thcs"))
    names = [_cells(r)[1] for r in _rows(page)]
    assert names and all(n.startswith("Trường Trung học cơ sở") for n in names)
    assert ON_TIME in names and LATE not in names
    assert _count(page, "Phải nộp") == len(names) and _count(page, "Đúng hạn") == 1 and _count(page, "Nộp muộn") == 0
    primary = [_cells(r)[1] for r in _rows(_text(client.get("/board?report=monthly&period=2026-10&kind=th")))]
    assert LATE in primary and all(n.startswith("Trường Tiểu học") and " và " not in n for n in primary)
    both = [_cells(r)[1] for r in _rows(_text(client.get("/board?report=monthly&period=2026-10&kind=th_thcs")))]
    assert len(both) == 2 and all(n.startswith("Trường Tiểu học và Trung học cơ sở") for n in both)
    preschools = _text(client.get("/board?report=monthly&period=2026-10&kind=mn"))
    assert all(re.match("Trường (Mầm non|Mẫu giáo)", _cells(r)[1]) for r in _rows(preschools))


def test_a_one_off_owed_by_some_kinds_lists_only_those_units(board: Staff) -> None:
    page = _text(board.sign_in("viewer").get("/board?report=csvc_2026&period=once"))
    names = [_cells(r)[1] for r in _rows(page)]
    assert len(names) == 18 and all(n.startswith(("Trường Trung học cơ sở", "Trường Tiểu học và Trung học cơ sở")) for n in names)
    assert {_cells(r)[2] for r in _rows(page)} == {"chưa nộp – còn 3 ngày"}  # due 15/11/2026


def test_changing_the_report_in_the_form_starts_from_its_default_period(board: Staff) -> None:
    page = board.sign_in("viewer").get("/board?report=q1&period=2026-10&shown=monthly")
    assert page.status_code == 200
    assert "Báo cáo quý I" in _text(page)


@pytest.mark.parametrize(
    "query, message",
    [
        ("report=khong_co&period=2026-10", "Không có loại báo cáo “khong_co”"),
        ("report=monthly&period=2026-13", "Kỳ báo cáo “2026-13” không hợp lệ cho “Báo cáo tháng”"),
        ("report=q1&period=2026-10", "Kỳ báo cáo “2026-10” không hợp lệ cho “Báo cáo quý I”"),
        ("report=monthly&period=2026-10&kind=thpt", "Không có loại đơn vị “thpt”"),
        ("report=monthly&period=2026-10&sort=ngay", "Không sắp xếp được theo “ngay”"),
    ],
)
def test_a_bad_choice_on_the_board_says_so_in_vietnamese(board: Staff, query: str, message: str) -> None:
    client = board.sign_in("viewer")
    for path in ("/board", "/board.xlsx"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert message in _text(response), path


def test_board_export(board: Staff) -> None:
    ws = _sheet(board.sign_in("viewer").get("/board.xlsx?report=monthly&period=2026-10&sort=state"))
    assert "Báo cáo tháng, tháng 10/2026" in ws["A1"].value
    assert [c.value for c in ws[3]] == ["STT", "Mã đơn vị", "Tên đơn vị", "Tình trạng", "Nhận lần đầu", "Nhận lần cuối",
                                        "Số lần bổ sung"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == _reporting_units(board)
    assert rows[-1][1:4] == ("THCS-thoilai", ON_TIME, "đúng hạn")
    assert rows[-1][4] == datetime(2026, 11, 5, 8, 0) and rows[-1][6] == 1  # Vietnam time in the sheet
    assert ws.cell(row=3 + len(rows), column=5).number_format.startswith("dd/mm/yyyy")
    assert rows[-2][1:4] == ("TH-longdinh", LATE, "muộn 1 ngày 9 giờ")
    assert rows[0][3] == "quá hạn 3 ngày" and rows[0][4] is None


# --- the monthly matrix ------------------------------------------------------------------------------
def test_months_matrix_cells(board: Staff) -> None:
    page = _text(board.sign_in("viewer").get("/months?year=2026-2027"))
    heads = _cells(page.split("<thead>", 1)[1].split("</thead>", 1)[0])
    assert heads[2:] == ["T9/2026", "T10/2026", "T11/2026", "T12/2026", "T1/2027", "T2/2027", "T3/2027", "T4/2027", "T5/2027"]
    rows = {cells[1]: cells[2:] for cells in map(_cells, _rows(page))}
    assert len(rows) == _reporting_units(board)
    assert rows[ON_TIME][:3] == ["✓ 05/10", "✓ 05/11", ""]  # November is not over yet
    assert rows[LATE][:2] == ["—", "muộn 2d"]  # arrived on 11/11, the last day on time was 09/11
    assert rows[LATE_SEPT][:2] == ["muộn 1d", "—"]
    assert rows["Trường Trung học cơ sở Phú Long"] == ["—", "—"] + [""] * 7
    on_time_link = re.search(r'<a href="/log/(\d+)"><span class="badge ontime">✓ 05/11</span>', page)
    assert on_time_link is not None
    foot = [_cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", page.split("<tfoot>", 1)[1], re.S)]
    owed = _reporting_units(board)
    assert foot[0][1:4] == ["Đúng hạn", "1", "1"]
    assert foot[1][1:4] == ["Nộp muộn", "1", "1"]
    assert foot[2][1:4] == ["Chưa nộp (quá hạn)", str(owed - 2), str(owed - 2)]


def test_months_a_month_ended_but_not_yet_due_shows_dots(board: Staff) -> None:
    later = datetime(2026, 12, 3, 9, 0, tzinfo=VN)
    board.mailbot.clock = lambda: later
    try:
        page = _text(board.sign_in("viewer").get("/months?year=2026-2027&kind=thcs"))
    finally:
        board.mailbot.clock = lambda: NOW
    rows = {cells[1]: cells[2:] for cells in map(_cells, _rows(page))}
    assert rows[ON_TIME][:4] == ["✓ 05/10", "✓ 05/11", "…", ""]


def test_months_year_choice_and_bad_year(board: Staff) -> None:
    client = board.sign_in("viewer")
    page = _text(client.get("/months"))
    assert '<option value="2026-2027" selected>' in page
    response = client.get("/months?year=2026-2028")
    assert response.status_code == 400 and "Năm học “2026-2028” không hợp lệ" in _text(response)
    earlier = _text(client.get("/months?year=2025-2026"))
    cells = {c for r in _rows(earlier) for c in _cells(r)[2:]}
    assert cells == {"—"}  # every month of that year is overdue and nothing was sent
    assert '<option value="2025-2026" selected>' in earlier


def test_months_export(board: Staff) -> None:
    ws = _sheet(board.sign_in("viewer").get("/months.xlsx?year=2026-2027&kind=thcs"))
    assert "Báo cáo tháng năm học 2026-2027" in ws["A1"].value
    headings = [c.value for c in ws[3]]
    assert headings[:5] == ["STT", "Mã đơn vị", "Tên đơn vị", "T9/2026", "T10/2026"] and len(headings) == 12
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    units = [r for r in rows if r[1]]
    assert len(rows) == len(units) + 3  # the three totals rows
    mine = next(r for r in rows if r[1] == "THCS-thoilai")
    assert mine[3] == datetime(2026, 10, 5) and mine[4] == datetime(2026, 11, 5)
    row_number = 4 + rows.index(mine)
    assert ws.cell(row=row_number, column=4).number_format == "dd/mm/yyyy"
    assert rows[-3][2] == "Tổng đúng hạn" and rows[-3][3:5] == (1, 1)


# --- the year-end table ------------------------------------------------------------------------------
def _year_rows(page: str) -> dict[str, list[str]]:
    return {cells[1]: cells[2:] for cells in map(_cells, _rows(page))}


def test_year_counts_and_rate(board: Staff) -> None:
    page = _text(board.sign_in("viewer").get("/year?year=2026-2027"))
    rows = _year_rows(page)
    assert len(rows) == _reporting_units(board)
    # due by 12/11/2026: year-prep (16/8), nine-month 2026 (01/9), opening (05/9), monthly September and
    # October; the CSVC one-off (15/11) not yet
    assert rows[ON_TIME] == ["2", "0", "3", "5", "40,0 %"]
    assert rows[LATE] == ["0", "1", "4", "5", "0,0 %"]
    assert rows[LATE_SEPT] == ["0", "1", "4", "5", "0,0 %"]
    assert rows["Trường Trung học cơ sở Phú Long"] == ["0", "0", "5", "5", "0,0 %"]


def test_year_sorting(board: Staff) -> None:
    client = board.sign_in("viewer")
    by_rate = list(_year_rows(_text(client.get("/year?year=2026-2027"))))  # default: best rate first
    assert by_rate[0] == ON_TIME
    by_late = list(_year_rows(_text(client.get("/year?year=2026-2027&sort=late&dir=desc"))))
    assert set(by_late[:2]) == {LATE, LATE_SEPT}
    by_missing = list(_year_rows(_text(client.get("/year?year=2026-2027&sort=missing&dir=asc"))))
    assert by_missing[0] == ON_TIME
    by_unit = list(_year_rows(_text(client.get("/year?year=2026-2027&sort=unit&dir=asc"))))
    assert by_unit[0].startswith("Trường Mầm non") and by_unit[-1].startswith("Trường Trung học cơ sở")
    page = _text(client.get("/year?year=2026-2027&sort=rate&dir=desc"))
    assert 'href="/year?year=2026-2027&amp;sort=rate&amp;dir=asc"' in page
    assert 'href="/year?year=2026-2027&amp;sort=late&amp;dir=desc"' in page
    bad = client.get("/year?year=2026-2027&sort=ten")
    assert bad.status_code == 400 and "Không sắp xếp được theo “ten”" in _text(bad)


def test_year_export(board: Staff) -> None:
    ws = _sheet(board.sign_in("viewer").get("/year.xlsx?year=2026-2027&sort=rate&dir=desc"))
    assert "Tổng kết nộp báo cáo năm học 2026-2027" in ws["A1"].value
    assert [c.value for c in ws[3]] == ["STT", "Mã đơn vị", "Tên đơn vị", "Đúng hạn", "Nộp muộn", "Chưa nộp",
                                        "Tổng phải nộp", "Tỷ lệ đúng hạn (%)"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == _reporting_units(board)
    assert rows[0][1:] == ("THCS-thoilai", ON_TIME, 2, 0, 3, 5, 40.0)


# --- the register is asked little ------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/board?report=monthly&period=2026-10", "/board", "/months?year=2026-2027", "/year?year=2026-2027&sort=late"]
)
def test_the_pages_never_read_the_messages_and_query_submissions_once(board: Staff, path: str) -> None:
    client = board.sign_in("viewer")
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.lower().split()))

    engine = board.mailbot.db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert not [s for s in statements if re.search(r"\b(from|join) messages\b", s)]
    assert len([s for s in statements if re.search(r"from submissions\b", s) and "min(" not in s]) == 1
    assert len([s for s in statements if re.search(r"from units\b", s)]) == 1


# --- everyone who reads ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["viewer", "staff", "admin"])
def test_every_role_sees_the_three_pages(board: Staff, role: str) -> None:
    client = board.sign_in(role)
    for path, title in (("/board", "Bảng theo dõi hạn nộp"), ("/months", "Báo cáo tháng"), ("/year", "Tổng kết nộp báo cáo")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f"<h1>{title}" in _text(response)
        assert "<script" not in _text(response)


def test_print_hides_the_forms(board: Staff) -> None:
    css = Path(board.web.static_folder or "", "style.css").read_text(encoding="utf-8")
    assert "form.filters" in css.split("@media print", 1)[1]
    page = _text(board.sign_in("viewer").get("/board"))
    assert '<form class="filters"' in page
    # the download names the period the page chose by default
    assert '<div class="actions"><a href="/board.xlsx?report=monthly&amp;period=2026-10">Xuất Excel</a></div>' in page
