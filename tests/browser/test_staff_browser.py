"""The staff pages in a real browser (Debian chromium through Playwright, 1366×768, no scripts on the
pages): sign in through the form, read and search the log, open a message, download an attachment,
the accounts pages, sign out; and no page scrolls sideways on an office PC's screen.

Each scenario saves a full-page screenshot in tests/artifacts/screenshots/ (looked at by a person)."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, Live, fits_width, shot, sign_in
from tests.web.conftest import PASSWORDS, SAMPLES

WIDTH = 1366


def _expect_heading(page: Any, text: str) -> None:
    heading = page.locator("h1")
    assert text in heading.inner_text(), heading.inner_text()


def _nav(page: Any, name: str) -> None:
    """Follow a link of the menu at the top of every page."""
    page.locator("header.top nav").get_by_role("link", name=name, exact=True).click()


# --- signing in and out ------------------------------------------------------------------------------
def test_sign_in_through_the_form(page: Any) -> None:
    page.goto("/")
    assert "/login" in page.url  # no page without a session
    _expect_heading(page, "Đăng nhập")
    page.get_by_label("Tên đăng nhập").fill("viewer")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau-123")
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_role("alert").inner_text() == "Sai tên đăng nhập hoặc mật khẩu."
    shot(page, "01-login-wrong-password")

    sign_in(page, "viewer")
    assert urlsplit(page.url).path == "/"  # the log, the home page
    assert "Cán bộ viewer · Xem" in page.locator("header.top").inner_text()
    assert page.locator("header.top nav").get_by_role("link", name="Tài khoản").count() == 0  # only admins see the accounts link
    shot(page, "02-signed-in-viewer")


def test_the_browsers_favicon_request_does_not_spoil_the_sign_in_form(browser: Any, live: Live) -> None:
    # a browser of its own: chromium remembers an icon that failed once and would not ask again
    fresh = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    page = fresh.new_context(viewport=VIEWPORT, base_url=live.url).new_page()
    try:
        seen = live.favicon_requests
        page.goto("/")
        for _ in range(50):  # chromium asks for the icon by itself, shortly after the page loads
            if live.favicon_requests > seen:
                break
            page.wait_for_timeout(100)
        else:
            pytest.skip("this chromium asked for no /favicon.ico")
        page.wait_for_timeout(300)
        page.get_by_label("Tên đăng nhập").fill("viewer")
        page.get_by_label("Mật khẩu").fill(PASSWORDS["viewer"])
        page.get_by_role("button", name="Đăng nhập").click()
        assert "/login" not in page.url, page.get_by_role("alert").inner_text()
    finally:
        fresh.close()


def test_sign_out(page: Any) -> None:
    sign_in(page, "staff")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(re.compile(r"/login"))
    _expect_heading(page, "Đăng nhập")
    shot(page, "90-signed-out")
    page.goto("/")
    assert "/login" in page.url  # the session is gone, not just the cookie


# --- the log ------------------------------------------------------------------------------------------
def test_the_log_page(admin: Any) -> None:
    admin.goto("/")
    _expect_heading(admin, "Sổ theo dõi")
    rows = admin.locator("main table tbody tr")
    assert rows.count() >= 10
    text = admin.locator("main table").inner_text()
    assert "Thới Lai" in text and "đã tiếp nhận" in text and "từ chối" in text
    shot(admin, "10-log")


def test_search_without_accents_finds_the_thi_tran_message(admin: Any) -> None:
    admin.goto("/")
    admin.locator('input[name="q"]').fill("thi tran")
    admin.get_by_role("button", name="Lọc").click()
    admin.wait_for_url(re.compile(r"[?&]q=thi(\+|%20)tran"))
    rows = admin.locator("main table tbody tr")
    assert rows.count() >= 1
    text = admin.locator("main table").inner_text()
    assert "thcs thi tran - bao cao thang 10" in text
    assert "thị trấn" in text.lower()  # the unit's Vietnamese name, with its accents
    assert "Thới Lai" not in text
    shot(admin, "11-log-search-thi-tran")


def _sample_attachment(name: str) -> tuple[str, bytes]:
    message = email.message_from_bytes((SAMPLES / name).read_bytes(), policy=policy.default)
    part = next(iter(message.iter_attachments()))
    return part.get_filename(), part.get_payload(decode=True)  # type: ignore[return-value]


def test_message_detail_and_attachment_download(admin: Any, tmp_path: Path) -> None:
    filename, data = _sample_attachment("01-thcs-thoi-lai-bao-cao-thang-10.eml")
    admin.goto("/")
    admin.get_by_role("link", name="THCS Thới Lai - Báo cáo tháng 10/2026", exact=True).first.click()
    admin.wait_for_url(re.compile(r"/log/\d+$"))
    _expect_heading(admin, "THCS Thới Lai - Báo cáo tháng 10/2026")
    assert "đã tiếp nhận" in admin.locator("main").inner_text()
    assert filename in admin.locator("main").inner_text()
    shot(admin, "12-log-detail")

    with admin.expect_download() as info:
        admin.get_by_role("link", name="Tải về", exact=True).first.click()
    download = info.value
    assert download.suggested_filename == filename  # the Vietnamese name survives Content-Disposition
    saved = tmp_path / "download.bin"
    download.save_as(saved)
    assert saved.read_bytes() == data


# --- the deadline board, the months matrix, the year table ---------------------------------------------
def test_the_deadline_board(admin: Any) -> None:
    _nav(admin, "Hạn nộp")
    admin.wait_for_url(re.compile(r"/board$"))
    _expect_heading(admin, "Bảng theo dõi hạn nộp")
    assert admin.get_by_role("alert").count() == 0
    counts = admin.locator(".counts").inner_text()
    assert "Phải nộp" in counts and "Đúng hạn" in counts and "Chưa nộp" in counts
    assert admin.locator("table.board tbody tr").count() >= 1
    shot(admin, "20-board")


def test_the_board_exports_to_excel(admin: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    admin.goto("/board")
    names = [n.strip() for n in admin.locator("table.board tbody tr td:nth-child(2)").all_inner_texts()]
    states = [s.strip() for s in admin.locator("table.board tbody tr td:nth-child(3)").all_inner_texts()]
    assert names
    with admin.expect_download() as info:
        admin.get_by_role("link", name="Xuất Excel").click()
    download = info.value
    assert re.fullmatch(r"han-nop-[\w.-]+\.xlsx", download.suggested_filename), download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert "Tình trạng" in values[2] and "Tên đơn vị" in values[2]  # row 1 the title, row 3 the headings
    assert admin.locator("h1").inner_text().split(": ", 1)[-1] in str(values[0][0])
    name_col, state_col = values[2].index("Tên đơn vị"), values[2].index("Tình trạng")
    body = [r for r in values[3:] if any(v is not None for v in r)]
    assert [r[name_col] for r in body] == names  # the same units, in the same order, as on screen
    assert [r[state_col] for r in body] == states


def test_the_board_prints_without_navigation_or_forms(admin: Any) -> None:
    """What a printer gets (print media): the title and the table, no menu, filters or buttons."""
    admin.goto("/board")
    admin.emulate_media(media="print")
    try:
        assert not admin.locator("header.top nav").is_visible()
        assert not admin.locator("form.filters").is_visible()
        assert not admin.get_by_role("button", name="Đăng xuất").is_visible()
        assert admin.locator("h1").is_visible() and admin.locator("table.board").is_visible()
        shot(admin, "23-board-print")
        pdf = admin.pdf(format="A4", landscape=True)  # chromium's own print path
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        (shot_dir := Path(__file__).resolve().parents[1] / "artifacts" / "screenshots").mkdir(parents=True, exist_ok=True)
        (shot_dir / "23-board-print.pdf").write_bytes(pdf)
    finally:
        admin.emulate_media(media="screen")


def test_the_months_matrix(admin: Any) -> None:
    _nav(admin, "Báo cáo tháng")
    admin.wait_for_url(re.compile(r"/months$"))
    _expect_heading(admin, "Báo cáo tháng")
    assert admin.get_by_role("alert").count() == 0
    assert admin.locator("table.matrix tbody tr").count() >= 1
    shot(admin, "21-months")


def test_the_year_table(admin: Any) -> None:
    _nav(admin, "Tổng kết năm")
    admin.wait_for_url(re.compile(r"/year$"))
    _expect_heading(admin, "Tổng kết nộp báo cáo")
    assert admin.get_by_role("alert").count() == 0
    assert admin.locator("table.year tbody tr").count() >= 1
    assert "Đúng hạn" in admin.locator("table.year thead").inner_text()
    shot(admin, "22-year")


# --- mail to look at again, units ---------------------------------------------------------------------------
def test_the_quarantine_page(admin: Any) -> None:
    _nav(admin, "Cần xem lại")
    admin.wait_for_url(re.compile(r"/quarantine$"))
    _expect_heading(admin, "Thư cần xem lại")
    main = admin.locator("main").inner_text()
    assert "cách ly" in main  # the broken sample, quarantined by the pipeline
    assert admin.get_by_role("button", name="Xử lý lại").count() >= 1  # staff and admins may reprocess
    shot(admin, "30-quarantine")


def test_the_units_page(admin: Any) -> None:
    _nav(admin, "Đơn vị")
    admin.wait_for_url(re.compile(r"/units$"))
    _expect_heading(admin, "Đơn vị")
    table = admin.locator("main table").inner_text()
    assert "Trường Trung học cơ sở Thị trấn Bình Đại" in table and "thcsthitran.binhdai@bentre.edu.vn" in table
    shot(admin, "40-units")


# --- accounts ------------------------------------------------------------------------------------------
def test_accounts_pages_as_admin(admin: Any, live: Live) -> None:
    _nav(admin, "Tài khoản")
    admin.wait_for_url(re.compile(r"/users$"))
    _expect_heading(admin, "Tài khoản")
    table = admin.locator("main table.users").inner_text()
    for text in ("Cán bộ admin", "Quản trị", "Chuyên viên", "Xem", "Đang hoạt động"):
        assert text in table

    form = admin.locator("form", has=admin.get_by_role("button", name="Tạo tài khoản"))
    form.get_by_label("Tên đăng nhập").fill("vanthu.browser")
    form.get_by_label("Họ tên").fill("Nguyễn Thị Thu Hà")
    form.get_by_label("Vai trò").select_option("staff")
    form.get_by_label("Mật khẩu (ít nhất 10 ký tự)").fill("mat-khau-van-thu")
    form.get_by_label("Nhập lại mật khẩu").fill("mat-khau-khac-1")
    form.get_by_role("button", name="Tạo tài khoản").click()
    assert "không khớp" in admin.get_by_role("alert").inner_text()
    assert form.get_by_label("Họ tên").input_value() == "Nguyễn Thị Thu Hà"  # kept for a second try
    form.get_by_label("Mật khẩu (ít nhất 10 ký tự)").fill("mat-khau-van-thu")
    form.get_by_label("Nhập lại mật khẩu").fill("mat-khau-van-thu")
    form.get_by_role("button", name="Tạo tài khoản").click()
    assert "Đã tạo tài khoản vanthu.browser." in admin.get_by_role("status").inner_text()
    assert "Nguyễn Thị Thu Hà" in admin.locator("main table.users").inner_text()

    # an admin cannot lock themself: a clear message, nothing changes
    admin_row = admin.locator("main table tbody tr", has_text="Cán bộ admin")
    admin_row.get_by_role("button", name="Khoá").click()
    assert "không thể tự khoá" in admin.get_by_role("alert").inner_text()
    shot(admin, "80-users")

    admin.get_by_role("link", name="Nhật ký thao tác »").click()
    admin.wait_for_url(re.compile(r"/users/audit$"))
    _expect_heading(admin, "Nhật ký thao tác")
    log = admin.locator("main table.audit").inner_text()
    assert "Tạo tài khoản" in log and "vanthu.browser" in log and "Đăng nhập" in log
    shot(admin, "81-users-audit")


def test_accounts_page_is_refused_to_staff(page: Any) -> None:
    sign_in(page, "staff")
    response = page.goto("/users")
    assert response is not None and response.status == 403
    _expect_heading(page, "Không đủ quyền")


# --- no sideways scrolling at 1366 px ----------------------------------------------------------------------
PAGES = ["/", "/board", "/months", "/year", "/quarantine", "/units", "/users", "/users/audit"]


def test_no_page_scrolls_sideways_at_1366(admin: Any) -> None:
    wide = {}
    admin.goto("/")
    detail = admin.locator('main table tbody a[href^="/log/"]').first.get_attribute("href")
    for path in [*PAGES, detail]:
        response = admin.goto(path)
        assert response is not None and response.status == 200, path
        scroll, inner = fits_width(admin)
        assert inner == WIDTH
        if scroll > WIDTH:
            wide[path] = scroll
    assert not wide, f"pages wider than {WIDTH} px (horizontal scrollbar): {wide}"
