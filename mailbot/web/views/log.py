"""The staff log ("Sổ theo dõi"): every recorded message, filtered and keyset-paged, one message in
full, and the downloads (the original .eml, its attachments, our reply). Viewers read all of it.

Mail text is shown escaped (Jinja autoescape, never |safe). Files are read by the SHA-256 the register
holds, never by a name from mail, and always sent as attachments (attachment_response)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from mailbot.adapters.log_queries import (
    EXPORT_LIMIT,
    LogFilter,
    attachment_at,
    log_export,
    log_page,
    message_detail,
    raw_location,
    reply_raw,
    unit_choices,
)
from mailbot.labels import REPLY_VI, STATUS_VI
from mailbot.service.accounts import Role
from mailbot.service.replies import describe_reasons
from mailbot.web.auth import audit, mailbot, requires
from mailbot.web.export import attachment_response, xlsx_response
from mailbot.web.format import REPLY_STATUS_VI

bp = Blueprint("log", __name__)

MAX_PAGE = 200
MAX_ID = 2**31 - 1  # larger ids are no row of ours (and PostgreSQL would refuse them)
FILTER_ARGS = ("from", "to", "unit", "status", "report", "period", "q")
KIND_VI = {**REPLY_VI, "urgent": "báo khẩn cho văn thư", "reminder": "thư nhắc", "overdue": "thư nhắc quá hạn", "digest": "thư tổng hợp"}
EML = "message/rfc822"
OCTET = "application/octet-stream"


def _day(text: str | None, label: str, errors: list[str]) -> date | None:
    if not text:
        return None
    try:
        if len(text) == 10:  # <input type="date"> sends yyyy-mm-dd
            return date.fromisoformat(text)
    except ValueError:
        pass
    errors.append(f"{label} không hợp lệ: hãy chọn ngày theo lịch.")
    return None


def _filter() -> tuple[LogFilter, dict[str, str], list[str]]:
    """The filter in the query string, the arguments to keep in links, and what could not be read."""
    args = {name: request.args.get(name, "").strip()[:200] for name in FILTER_ARGS}
    errors: list[str] = []
    status = args["status"] if args["status"] in STATUS_VI else ""
    args["status"] = status
    flt = LogFilter(
        date_from=_day(args["from"], "Từ ngày", errors),
        date_to=_day(args["to"], "Đến ngày", errors),
        unit_id=args["unit"][:64] or None,
        status=status or None,
        report_id=args["report"][:64] or None,
        period=args["period"][:32] or None,
        text=args["q"] or None,
        timezone=mailbot().settings.timezone,
    )
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        errors.append("Từ ngày đứng sau Đến ngày: không có thư nào trong khoảng này.")
    return flt, {k: v for k, v in args.items() if v}, errors


def _page_size() -> int:
    default = mailbot().settings.web.page_size
    try:
        wanted = int(request.args.get("n", default))
    except ValueError:
        return default
    return min(max(wanted, 1), MAX_PAGE)


def _report_names() -> dict[str, str]:
    return {r.id: r.name for r in mailbot().calendar().reports.values()}


@bp.route("/")
@requires(Role.VIEWER)
def index() -> ResponseReturnValue:
    app = mailbot()
    flt, kept, errors = _filter()
    size = _page_size()
    if size != app.settings.web.page_size:
        kept["n"] = str(size)
    with app.db.transaction() as reg:
        page = log_page(reg.session, flt, size, after=request.args.get("after"), before=request.args.get("before"))
        units = unit_choices(reg.session)
    return render_template(
        "log_index.html",
        page=page,
        rows=page.rows,
        args=kept,
        errors=errors,
        units=units,
        statuses=STATUS_VI,
        reports=_report_names(),
        next_url=url_for("log.index", **kept, after=page.next_cursor) if page.next_cursor else None,
        prev_url=url_for("log.index", **kept, before=page.prev_cursor) if page.prev_cursor else None,
        export_url=url_for("log.export", **{k: v for k, v in kept.items() if k != "n"}),
        filtered=any(k != "n" for k in kept),
    )


EXPORT_HEADINGS = (
    "Mã thư",
    "Thời điểm nhận",
    "Mã đơn vị",
    "Đơn vị",
    "Tên người gửi",
    "Địa chỉ người gửi",
    "Tiêu đề",
    "Kết quả",
    "Loại báo cáo",
    "Kỳ",
    "Gửi lại",
    "Số tệp",
    "Tệp đính kèm",
    "Trả lời",
    "Trạng thái trả lời",
)


@bp.route("/log.xlsx")
@requires(Role.VIEWER)
def export() -> ResponseReturnValue:
    app = mailbot()
    flt, _, _ = _filter()
    reports = _report_names()
    with app.db.transaction() as reg:
        rows: list[list[Any]] = [
            [
                r.id,
                r.received,
                r.unit_id or "",
                r.unit_name or "",
                r.from_name or "",
                r.from_address or "",
                r.subject,
                STATUS_VI.get(r.status, r.status),
                reports.get(r.report_id, r.report_id) if r.report_id else "",
                r.period or "",
                "có" if r.revision else "",
                r.attachment_count,
                "; ".join(r.attachment_names),
                KIND_VI.get(r.reply_kind, r.reply_kind) if r.reply_kind else "",
                _reply_state(r.reply_status),
            ]
            for r in log_export(reg.session, flt, EXPORT_LIMIT)
        ]
    title = "Sổ theo dõi thư báo cáo"
    if len(rows) >= EXPORT_LIMIT:
        title += f" (chỉ {EXPORT_LIMIT:,} thư mới nhất; hãy lọc hẹp hơn)".replace(",", ".")
    return xlsx_response("so-theo-doi.xlsx", title, EXPORT_HEADINGS, rows)


def _reply_state(status: str | None) -> str:
    if status == "backlog":
        return "không trả lời"
    return REPLY_STATUS_VI.get(status, status) if status else ""


def _id_or_404(value: int) -> int:
    if not 0 < value <= MAX_ID:
        abort(404)
    return value


@bp.route("/log/<int:message_id>")
@requires(Role.VIEWER)
def detail(message_id: int) -> ResponseReturnValue:
    app = mailbot()
    with app.db.transaction() as reg:
        found = message_detail(reg.session, _id_or_404(message_id))
    if found is None:
        abort(404)
    reasons = describe_reasons(found.reasons)
    reports = _report_names()
    return render_template(
        "log_detail.html",
        m=found,
        reasons=reasons,
        report_name=reports.get(found.report_id, found.report_id) if found.report_id else None,
        kind_vi=KIND_VI,
        backlog=not found.answered and not found.replies,
    )


@bp.route("/log/<int:message_id>/raw")
@requires(Role.VIEWER)
def raw(message_id: int) -> ResponseReturnValue:
    app = mailbot()
    with app.db.transaction() as reg:
        found = raw_location(reg.session, _id_or_404(message_id))
    if found is None:
        abort(404)
    data = _blob("raw", found)
    audit("download", f"message {message_id}", {"file": "raw", "sha256": found, "size": len(data)})
    return attachment_response(data, f"thu-{message_id}.eml", EML)


@bp.route("/log/<int:message_id>/attachments/<int:position>")
@requires(Role.VIEWER)
def attachment(message_id: int, position: int) -> ResponseReturnValue:
    app = mailbot()
    if position > MAX_ID:
        abort(404)
    with app.db.transaction() as reg:
        found = attachment_at(reg.session, _id_or_404(message_id), position)
    if found is None:
        abort(404)
    data = _blob("attachments", found.sha256)
    audit(
        "download", f"message {message_id}",
        {"file": "attachment", "position": position, "filename": found.filename[:300], "sha256": found.sha256},
    )
    # the type a sender declared is not trusted: the browser only ever saves the file
    return attachment_response(data, found.filename or f"tep-{position}", OCTET)


@bp.route("/log/<int:message_id>/replies/<int:reply_id>.eml")
@requires(Role.VIEWER)
def reply(message_id: int, reply_id: int) -> ResponseReturnValue:
    app = mailbot()
    if reply_id > MAX_ID:
        abort(404)
    with app.db.transaction() as reg:
        found = reply_raw(reg.session, _id_or_404(message_id), reply_id)
    if found is None:
        abort(404)
    kind, data = found
    audit("download", f"message {message_id}", {"file": "reply", "reply": reply_id, "kind": kind})
    return attachment_response(data, f"tra-loi-{message_id}-{kind}.eml", EML)


def _blob(kind: str, sha256: str) -> bytes:
    try:
        return mailbot().blobs.read(kind, sha256)  # type: ignore[arg-type]
    except (FileNotFoundError, ValueError):
        abort(404, description="Tệp đã lưu không còn trong kho dữ liệu.")

