"""The staff log ("Sổ theo dõi"): list, filters, keyset paging, detail, downloads, escaping, Excel export
(in-process, both databases)."""

from __future__ import annotations

import base64
import email
import email.policy
import io
import re
from datetime import datetime, timezone
from email.header import Header
from email.utils import format_datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import event, select

from mailbot.adapters.db_tables import AttachmentRow, AuditRow, MessageRow, ReplyRow
from mailbot.adapters.log_queries import Cursor, LogFilter, like_escape, log_export, log_page
from mailbot.web.views.log import EXPORT_HEADINGS
from tests.web.conftest import SAMPLES, SignedClient, Staff

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_ROW_LINK = re.compile(r'<td class="num"><a href="/log/(\d+)">')
_NEXT = re.compile(r'<a href="([^"]+)">Cũ hơn »</a>')
_PREV = re.compile(r'<a href="([^"]+)">« Mới hơn</a>')


def _ids(html: str) -> list[int]:
    return [int(i) for i in _ROW_LINK.findall(html)]


def _href(pattern: re.Pattern[str], html: str) -> str | None:
    found = pattern.search(html)
    return found.group(1).replace("&amp;", "&") if found else None


def _messages(staff: Staff) -> list[MessageRow]:
    with staff.mailbot.db.transaction() as reg:
        return list(reg.session.scalars(select(MessageRow).order_by(MessageRow.internal_date.desc(), MessageRow.id.desc())))


def _sample_attachment() -> bytes:
    parsed = email.message_from_bytes((SAMPLES / "01-thcs-thoi-lai-bao-cao-thang-10.eml").read_bytes(), policy=email.policy.default)
    part = next(parsed.iter_attachments())  # type: ignore[attr-defined]
    return part.get_payload(decode=True)


def _mail(
    subject: str, filename: str, data: bytes, body: str = "Kính gửi Phòng GD&ĐT.", n: int = 1,
    sender: str = "thcsthitran.binhdai@bentre.edu.vn", name: str = "THCS Thị trấn",
) -> bytes:
    """A plain school message with one attachment; the filename goes in RFC 2231 form, as sent."""
    now = datetime.now(timezone.utc)
    lines = [
        f"From: {Header(name, 'utf-8').encode()} <{sender}>",
        "To: pgdbinhdai@bentre.edu.vn",
        f"Subject: {Header(subject, 'utf-8').encode()}",
        f"Date: {format_datetime(now)}",
        f"Message-ID: <test-log-{n}-{now.timestamp()}@bentre.edu.vn>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b-log"',
        "",
        "--b-log",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "",
        base64.encodebytes(body.encode()).decode().strip(),
        "--b-log",
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"Content-Disposition: attachment; filename*=utf-8''{quote(filename, safe='')}",
        "Content-Transfer-Encoding: base64",
        "",
        base64.encodebytes(data).decode().strip(),
        "--b-log--",
        "",
    ]
    return "\r\n".join(lines).encode()


@pytest.fixture(scope="module")
def viewer(staff_ro: Staff) -> SignedClient:
    """One signed-in viewer per module and database (signing in hashes a password: slow on purpose)."""
    return staff_ro.sign_in("viewer")


# --- the list and its filters ------------------------------------------------------------------------
def test_the_log_lists_every_sample_newest_first(staff_ro: Staff, viewer: SignedClient) -> None:
    client = viewer
    page = client.get("/?n=200")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    expected = [m.id for m in _messages(staff_ro)]
    assert len(expected) == 16
    assert _ids(html) == expected
    newest = _messages(staff_ro)[0]
    assert newest.internal_date is not None
    assert newest.internal_date.astimezone(VN).strftime("%d/%m/%Y %H:%M") in html
    assert "Sổ theo dõi thư báo cáo" in html and "Xuất Excel" in html
    assert "đã tiếp nhận" in html and "từ chối" in html and "cách ly" in html


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("unit=THCS-thoilai", lambda m: m.unit_id == "THCS-thoilai"),
        ("status=quarantined", lambda m: m.status == "quarantined"),
        ("status=accepted", lambda m: m.status == "accepted"),
        ("report=q1", lambda m: m.report_id == "q1"),
        ("report=monthly&period=2026-10", lambda m: m.report_id == "monthly" and m.period == "2026-10"),
        (
            "from=2026-11-03&to=2026-11-03",
            lambda m: m.internal_date.astimezone(VN).date().isoformat() == "2026-11-03",
        ),
        (
            "from=2026-11-04",
            lambda m: m.internal_date.astimezone(VN).date().isoformat() >= "2026-11-04",
        ),
        ("q=Th%E1%BB%9Bi+Lai", lambda m: "thoi lai" in m.search_text),  # "Thới Lai"
        ("q=thoi+lai", lambda m: "thoi lai" in m.search_text),
        ("status=rejected&q=thang+10", lambda m: m.status == "rejected" and "thang 10" in m.search_text),
    ],
)
def test_each_filter_keeps_exactly_its_messages(staff_ro: Staff, viewer: SignedClient, query: str, wanted) -> None:  # type: ignore[no-untyped-def]
    html = viewer.get(f"/?n=200&{query}").get_data(as_text=True)
    expected = [m.id for m in _messages(staff_ro) if wanted(m)]
    assert expected, query  # every filter here keeps something
    assert _ids(html) == expected


def test_the_filters_show_in_vietnamese_and_stay_selected(staff_ro: Staff, viewer: SignedClient) -> None:
    html = viewer.get("/?status=rejected&report=monthly&unit=TH-thoilai").get_data(as_text=True)
    assert '<input type="date" name="from"' in html and '<input type="date" name="to"' in html
    assert '<option value="rejected" selected>từ chối</option>' in html
    assert '<option value="monthly" selected>Báo cáo tháng</option>' in html
    assert '<option value="TH-thoilai" selected>Trường Tiểu học Thới Lai</option>' in html
    assert "Báo cáo quý I" in html


def test_a_search_of_only_wildcards_matches_nothing_literally(staff_ro: Staff, viewer: SignedClient) -> None:
    client = viewer
    for query in ("%25", "_", "%25%25", "%5C"):
        html = client.get(f"/?q={query}").get_data(as_text=True)
        assert _ids(html) == [], query
        assert "Không có thư nào khớp bộ lọc." in html
    assert like_escape("50%_a\\b") == "50\\%\\_a\\\\b"


def test_a_bad_date_is_said_not_obeyed(staff_ro: Staff, viewer: SignedClient) -> None:
    html = viewer.get("/?from=2026-02-30&n=200").get_data(as_text=True)
    assert "Từ ngày không hợp lệ" in html
    assert len(_ids(html)) == 16


# --- keyset paging -----------------------------------------------------------------------------------
def test_pages_cover_every_row_once_forward_and_back(staff_ro: Staff, viewer: SignedClient) -> None:
    client = viewer
    expected = [m.id for m in _messages(staff_ro)]
    pages: list[list[int]] = []
    url: str | None = "/?n=3"
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(_ids(html))
        assert "n=3" in (url or "")
        url = _href(_NEXT, html)
        assert len(pages) < 20
    assert [i for p in pages for i in p] == expected
    assert all(len(p) == 3 for p in pages[:-1]) and len(pages) == 6
    assert "Mới hơn" not in client.get("/?n=3").get_data(as_text=True)
    # and back from the last page, one page at a time
    back: list[list[int]] = [pages[-1]]
    last_html = client.get(_last_page_url(client)).get_data(as_text=True)
    prev = _href(_PREV, last_html)
    while prev:
        html = client.get(prev).get_data(as_text=True)
        back.append(_ids(html))
        prev = _href(_PREV, html)
    assert [i for p in reversed(back) for i in p] == expected


def _last_page_url(client) -> str:  # type: ignore[no-untyped-def]
    url = "/?n=3"
    while True:
        nxt = _href(_NEXT, client.get(url).get_data(as_text=True))
        if nxt is None:
            return url
        url = nxt


def test_paging_keeps_the_filters(staff_ro: Staff, viewer: SignedClient) -> None:
    client = viewer
    expected = [m.id for m in _messages(staff_ro) if m.status == "rejected"]
    assert len(expected) > 2, "the samples must fill more than one page of two"
    seen: list[int] = []
    url: str | None = "/?n=2&status=rejected"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += _ids(html)
        url = _href(_NEXT, html)
        assert url is None or "status=rejected" in url
    assert seen == expected


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "2026-13-45T00:00:00+00:00_5", "2026-11-04T00:00:00_5", "2026-11-04T00:00:00+00:00_x",
     "_", "2026-11-04T00:00:00+00:00_99999999999999999999999", "%00", "0001-01-01T00:00:00+14:00_1"],
)
def test_a_bad_cursor_gives_the_first_page(staff_ro: Staff, viewer: SignedClient, cursor: str) -> None:
    client = viewer
    first = _ids(client.get("/?n=4").get_data(as_text=True))
    for arg in ("after", "before"):
        response = client.get(f"/?n=4&{arg}={quote(cursor)}")
        assert response.status_code == 200
        assert _ids(response.get_data(as_text=True)) == first
    assert Cursor.parse(cursor) is None


def test_a_page_costs_the_same_few_queries_whatever_its_size(staff_ro: Staff) -> None:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = staff_ro.mailbot.db.engine
    sizes = {}
    event.listen(engine, "before_cursor_execute", count)
    try:
        for limit in (2, 7):
            statements.clear()
            with staff_ro.mailbot.db.transaction() as reg:
                page = log_page(reg.session, LogFilter(), limit, after=None)
                page = log_page(reg.session, LogFilter(), limit, after=page.next_cursor)
            sizes[limit] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sizes[2] == sizes[7] <= 10  # two pages: messages, attachments, replies, units (+ "newer?")


def test_the_page_size_is_capped(staff_ro: Staff, viewer: SignedClient) -> None:
    client = viewer
    assert len(_ids(client.get("/?n=0").get_data(as_text=True))) == 1
    assert len(_ids(client.get("/?n=abc").get_data(as_text=True))) == 16  # the settings' 50
    assert len(_ids(client.get("/?n=100000").get_data(as_text=True))) == 16


# --- detail and downloads ----------------------------------------------------------------------------
def test_the_detail_page_explains_the_reasons_and_the_reply(staff_ro: Staff, viewer: SignedClient) -> None:
    client = viewer
    rejected = next(m for m in _messages(staff_ro) if m.from_address == "colan.ththoilai@gmail.com")
    html = client.get(f"/log/{rejected.id}").get_data(as_text=True)
    assert "không phải địa chỉ thư chính thức của đơn vị" in html  # reasons.toml: sender-domain
    assert "Cách khắc phục: Đề nghị đơn vị gửi lại báo cáo từ hộp thư chính thức" in html
    assert "thư từ chối" in html and "đã gửi" in html
    with staff_ro.mailbot.db.transaction() as reg:
        reply = reg.session.scalar(select(ReplyRow).where(ReplyRow.message_id == rejected.id))
        assert reply is not None
        reply_id, reference, reply_mid, reply_raw = reply.id, reply.reference, reply.message_id_header, reply.raw
    assert reference in html
    assert reply_mid.replace("<", "&lt;").replace(">", "&gt;") in html
    assert f"/log/{rejected.id}/replies/{reply_id}.eml" in html
    assert f"/log/{rejected.id}/raw" in html and f"/log/{rejected.id}/attachments/0" in html
    assert "Cô Lan - TH Thới Lai" in html and "Báo cáo tháng 10.docx" in html
    download = client.get(f"/log/{rejected.id}/replies/{reply_id}.eml")
    assert download.status_code == 200 and download.data == reply_raw
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_the_quarantined_message_shows_its_reason(staff_ro: Staff, viewer: SignedClient) -> None:
    broken = next(m for m in _messages(staff_ro) if m.status == "quarantined")
    html = viewer.get(f"/log/{broken.id}").get_data(as_text=True)
    assert "cách ly" in html and "(không có tiêu đề)" in html
    assert "[unparseable]" in html


def test_raw_and_attachment_downloads_are_exact_and_never_rendered(staff_ro: Staff, viewer: SignedClient) -> None:
    client = viewer
    first = next(m for m in _messages(staff_ro) if m.unit_id == "THCS-thoilai" and m.status == "accepted")
    raw = client.get(f"/log/{first.id}/raw")
    assert raw.status_code == 200
    assert raw.data == (SAMPLES / "01-thcs-thoi-lai-bao-cao-thang-10.eml").read_bytes()
    att = client.get(f"/log/{first.id}/attachments/0")
    assert att.status_code == 200
    assert att.data == _sample_attachment()
    for response in (raw, att):
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o" in att.headers["Content-Disposition"]
    with staff_ro.mailbot.db.transaction() as reg:
        audits = [(a.action, a.target, a.details) for a in reg.session.scalars(select(AuditRow).where(AuditRow.action == "download"))]
    assert ("download", f"message {first.id}") in [(a, t) for a, t, _ in audits]
    assert {"raw", "attachment"} <= {d.get("file") for _, t, d in audits if t == f"message {first.id}"}


@pytest.mark.parametrize(
    "path",
    ["/log/999999", "/log/999999/raw", "/log/999999/attachments/0", "/log/1/attachments/7", "/log/1/attachments/99999999999",
     "/log/99999999999999999999", "/log/0", "/log/1/replies/999999.eml"],
)
def test_an_unknown_id_is_404(staff_ro: Staff, viewer: SignedClient, path: str) -> None:
    response = viewer.get(path)
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_a_reply_of_another_message_is_404(staff_ro: Staff, viewer: SignedClient) -> None:
    with staff_ro.mailbot.db.transaction() as reg:
        reply = reg.session.scalar(select(ReplyRow).where(ReplyRow.message_id.is_not(None)).order_by(ReplyRow.id))
        assert reply is not None
        reply_id, owner = reply.id, reply.message_id
    other = next(m.id for m in _messages(staff_ro) if m.id != owner)
    client = viewer
    assert client.get(f"/log/{other}/replies/{reply_id}.eml").status_code == 404
    assert client.get(f"/log/{owner}/replies/{reply_id}.eml").status_code == 200


def test_the_pages_need_a_session(staff_ro: Staff) -> None:
    for path in ("/", "/log/1", "/log/1/raw", "/log/1/attachments/0", "/log.xlsx"):
        response = staff_ro.client().get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- the Excel export ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "status"), [("", None), ("?status=accepted", "accepted")])
def test_the_export_reads_back_with_vietnamese_headings_and_dates(
    staff_ro: Staff, viewer: SignedClient, query: str, status: str | None
) -> None:
    response = viewer.get(f"/log.xlsx{query}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[3]] == list(EXPORT_HEADINGS)
    assert sheet[3][1].value == "Thời điểm nhận"
    data = list(sheet.iter_rows(min_row=4))
    expected = [m for m in _messages(staff_ro) if status is None or m.status == status]
    assert len(data) == len(expected)
    assert [r[0].value for r in data] == [m.id for m in expected]
    for row, message in zip(data, expected, strict=True):
        assert isinstance(row[1].value, datetime)
        assert row[1].number_format.startswith("dd/mm/yyyy")
        assert row[1].value == message.internal_date.astimezone(VN).replace(tzinfo=None)  # type: ignore[union-attr]
    if status == "accepted":
        assert {r[7].value for r in data} == {"đã tiếp nhận"}
        assert "Báo cáo tháng" in {r[8].value for r in data}


def test_the_export_streams_in_keyset_batches(staff_ro: Staff) -> None:
    with staff_ro.mailbot.db.transaction() as reg:
        rows = list(log_export(reg.session, LogFilter(), max_rows=100, batch=4))
        capped = list(log_export(reg.session, LogFilter(), max_rows=7, batch=3))
    assert [r.id for r in rows] == [m.id for m in _messages(staff_ro)]
    assert [r.id for r in capped] == [r.id for r in rows[:7]]


# --- with mail of our own ------------------------------------------------------------------------------
def test_search_without_accents_and_revisions_and_ties_in_time(staff: Staff) -> None:
    data = _sample_attachment()
    same_time = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    for n in (1, 2, 3):
        staff.deliver_mail(
            f"zz-thi-tran-{n}.eml", _mail("Trường THCS Thị Trấn - Báo cáo tháng 11", f"BC thang 11 lan {n}.xlsx", data, n=n),
            arrived=same_time,
        )
    mine = [m for m in _messages(staff) if m.internal_date == same_time]
    assert len(mine) == 3 and [m.id for m in mine] == sorted((m.id for m in mine), reverse=True)
    client = staff.sign_in("viewer")
    sample_16 = next(m.id for m in _messages(staff) if m.subject == "thcs thi tran - bao cao thang 10")
    for q in ("thi+tran", "Th%E1%BB%8B+Tr%E1%BA%A5n", "THI%20TRAN"):
        found = _ids(client.get(f"/?n=200&q={q}").get_data(as_text=True))
        assert set(found) >= {m.id for m in mine} | {sample_16}, q
    html = client.get("/?n=200&q=thi+tran").get_data(as_text=True)
    assert "Trường THCS Thị Trấn - Báo cáo tháng 11" in html
    everything = _ids(client.get("/?n=200").get_data(as_text=True))
    assert everything == [m.id for m in _messages(staff)] and len(everything) == 19
    # three messages at the same instant: pages of one still cover each once (ties broken by id)
    seen: list[int] = []
    url: str | None = "/?n=1&q=thi+tran"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += _ids(page)
        url = _href(_NEXT, page)
    assert seen == [m.id for m in _messages(staff) if "thi tran" in m.search_text]
    with staff.mailbot.db.transaction() as reg:
        forward = log_page(reg.session, LogFilter(text="thi tran"), 2)
        second = log_page(reg.session, LogFilter(text="thi tran"), 2, after=forward.next_cursor)
        back = log_page(reg.session, LogFilter(text="thi tran"), 2, before=second.prev_cursor)
    assert [r.id for r in forward.rows] == [m.id for m in mine[:2]]
    assert [r.id for r in second.rows][0] == mine[2].id
    assert [r.id for r in back.rows] == [r.id for r in forward.rows] and back.prev_cursor is None
    # the later messages are revisions of the first; each detail page links the others
    accepted = [m for m in mine if m.status == "accepted"]
    assert len(accepted) == 3 and sum(m.revision for m in accepted) == 2
    latest = accepted[0]
    detail = client.get(f"/log/{latest.id}").get_data(as_text=True)
    assert "Các lần gửi của báo cáo này" in detail
    for other in accepted[1:]:
        assert f'href="/log/{other.id}"' in detail
    assert "2 lần gửi lại" in detail and "(gửi lại)" in detail


def test_mail_text_is_escaped_and_a_hostile_filename_gives_a_safe_header(staff: Staff) -> None:
    data = _sample_attachment()
    script = "<script>alert(1)</script>"
    img = "<img src=x onerror=alert(1)>"
    hostile = '..\\..\\../../etc/passwd"\r\nX-Evil: 1\u202e' + "a" * 300 + ".xlsx"
    staff.deliver_mail(
        "zz-01-xss.eml",
        _mail(f"THCS Thị trấn - {script} Báo cáo tháng 11 {img}", f"{img}{script}.xlsx", data, body=f"{script}{img}",
              name=f"{script}", n=7),
    )
    staff.deliver_mail("zz-02-path.eml", _mail("THCS Thị trấn - Báo cáo tháng 12", hostile, data, n=8))
    newest = _messages(staff)
    evil = next(m for m in newest if "script" in m.subject)
    client = staff.sign_in("viewer")
    for url in ("/?n=200", f"/log/{evil.id}", "/?q=script"):
        html = client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;" in html, url
        assert "<script" not in html and "<img" not in html, url
    detail = client.get(f"/log/{evil.id}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in detail
    # the hostile filename: stored as mail gave it (or cleaned by the pipeline), sent only percent-encoded
    path_msg = next(m for m in newest if "tháng 12" in m.subject)
    with staff.mailbot.db.transaction() as reg:
        stored = reg.session.scalar(select(AttachmentRow).where(AttachmentRow.message_id == path_msg.id))
        assert stored is not None
        stored_name = stored.filename
    response = client.get(f"/log/{path_msg.id}/attachments/0")
    assert response.status_code == 200 and response.data == data
    header = response.headers["Content-Disposition"]
    assert header.startswith('attachment; filename="')
    assert "\r" not in header and "\n" not in header and "\u202e" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert "/" not in fallback and "\\" not in fallback and len(fallback) <= 150
    assert header.count('"') == 2 and "X-Evil" not in response.headers
    assert "filename*=UTF-8''" in header and "/" not in header.split("filename*=UTF-8''", 1)[1]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = client.get(f"/log/{path_msg.id}").get_data(as_text=True)
    # the file name is shown as text on the detail page (escaped), whatever characters it kept
    assert str(escape(stored_name)) in html
    assert "X-Evil" not in "".join(f"{k}: {v}" for k, v in response.headers.items() if k != "Content-Disposition")

