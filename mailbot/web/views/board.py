"""Deadline pages: who owes one report for one period and how each unit stands ("Bảng theo dõi hạn
nộp"), the monthly report over a school year as a units × months matrix ("Báo cáo tháng"), and each
unit's timeliness over a school year ("Tổng kết năm"), each with its Excel download.

The answers come from the submissions table (one row per unit, report and period), never from the
messages: one query for the submissions a page needs and one for the units, however large the
register. Who owes what and how late is the calendar's and mailbot.service.deadlines' business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from mailbot.adapters.db import Register
from mailbot.adapters.db_tables import SubmissionRow, UnitRow
from mailbot.core.calendar import (
    Calendar,
    CalendarError,
    Period,
    ReportType,
    days_text,
    deadline,
    owes,
    period_for,
    periods_in_school_year,
    school_year_of,
)
from mailbot.core.text import fold
from mailbot.core.units import Unit
from mailbot.service.accounts import Role
from mailbot.service.deadlines import MissingRow, missing, timeliness
from mailbot.web.auth import mailbot, requires
from mailbot.web.export import xlsx_response

bp = Blueprint("board", __name__)

# reports with deadlines the office chases (urgent and "none" have no periods to list)
CHASED = ("monthly", "yearly", "once", "directed")
MONTHLY = "monthly"
# the unit-kind filter: a short code in the URL -> (label, the units' kinds)
KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "mn": ("MN/MG", frozenset({"mam_non", "mau_giao", "mam_non_tu_thuc"})),
    "th": ("TH", frozenset({"tieu_hoc"})),
    "thcs": ("THCS", frozenset({"thcs"})),
    "th_thcs": ("TH&THCS", frozenset({"th_thcs"})),
}
STATE_VI = {"ontime": "đúng hạn", "late": "nộp muộn", "missing": "chưa nộp – còn hạn", "overdue": "chưa nộp – quá hạn"}
_STATE_RANK = {"overdue": 0, "missing": 1, "late": 2, "ontime": 3}  # "state" order: the worst first
_SOON = timedelta(days=10)  # a deadline this close is the period being collected now
_YEAR = re.compile(r"(\d{4})-(\d{4})")


class PageError(Exception):
    """A request the page cannot answer (unknown report, period, year, kind): a Vietnamese message, 400.
    `context` keeps what was understood so far, for the form shown above the message."""

    def __init__(self, message: str, **context: Any):
        super().__init__(message)
        self.context = context


class _Loaded(Register):
    """The register, but its submissions() answers from rows the page has already loaded in one query,
    so the service functions (missing, timeliness) reuse them instead of querying again."""

    def __init__(self, reg: Register, rows: Sequence[SubmissionRow]):
        super().__init__(reg.session)
        self._rows = list(rows)

    def submissions(self, report_id: str | None = None, period: str | None = None) -> list[SubmissionRow]:
        return [
            r for r in self._rows if (report_id is None or r.report_id == report_id) and (period is None or r.period == period)
        ]


# --- shared pieces ---------------------------------------------------------------------------------
def _units(reg: Register) -> list[Unit]:
    """The units that report to the office, in one query (the pages need no addresses)."""
    rows = reg.session.scalars(select(UnitRow).where(UnitRow.reports.is_(True)).order_by(UnitRow.unit_id))
    return [Unit(r.unit_id, r.name, r.subject_name, r.kind, tuple(r.aliases), (), r.reports) for r in rows]


def _kind() -> str:
    kind = request.args.get("kind", "").strip()
    if kind and kind not in KINDS:
        raise PageError(f"Không có loại đơn vị “{kind[:40]}”. Chọn một trong: {', '.join(v[0] for v in KINDS.values())}.")
    return kind


def _of_kind(units: Iterable[Unit], kind: str) -> list[Unit]:
    return [u for u in units if not kind or u.kind in KINDS[kind][1]]


def _unit_key(unit: Unit) -> tuple[str, str]:
    return fold(unit.name), unit.unit_id


def _local(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(mailbot().settings.timezone))


def _current_year(calendar: Calendar, now: datetime) -> str:
    return school_year_of(now.astimezone(ZoneInfo(calendar.timezone)).date())


def _school_year(calendar: Calendar, now: datetime) -> str:
    text = request.args.get("year", "").strip()
    if not text:
        return _current_year(calendar, now)
    match = _YEAR.fullmatch(text)
    if not match or int(match[2]) != int(match[1]) + 1 or not 1900 <= int(match[1]) <= 2998:
        raise PageError(f"Năm học “{text[:40]}” không hợp lệ (ghi như “2026-2027”).")
    return text


def _years(reg: Register, calendar: Calendar, now: datetime, chosen: str) -> list[str]:
    """The current school year and the earlier ones since the first submission, newest first."""
    first = reg.session.scalar(select(func.min(SubmissionRow.first_received_at)))
    current = int(_current_year(calendar, now)[:4])
    oldest = int(_current_year(calendar, first)[:4]) if first is not None else current
    years = [f"{y}-{y + 1}" for y in range(current, min(oldest, current) - 1, -1)]
    return years if chosen in years else sorted([*years, chosen], reverse=True)


def _sort(allowed: Sequence[str], default: str, natural_desc: set[str]) -> tuple[str, bool]:
    sort = request.args.get("sort", "").strip() or default
    if sort not in allowed:
        raise PageError(f"Không sắp xếp được theo “{sort[:40]}” (chọn: {', '.join(allowed)}).")
    direction = request.args.get("dir", "").strip()
    if direction not in ("", "asc", "desc"):
        raise PageError(f"Chiều sắp xếp “{direction[:20]}” không hợp lệ (asc hoặc desc).")
    return sort, (direction == "desc") if direction else sort in natural_desc


def _args(**pinned: str) -> dict[str, str]:
    """The page's query string for its links, with the choices the page resolved itself (a default
    period) written out, so a download or a re-sort shows the same table even if the clock moved."""
    args = {k: v for k, v in request.args.to_dict().items() if k != "shown"}
    return {**args, **pinned}


def _sort_links(
    allowed: Sequence[str], sort: str, desc: bool, natural_desc: set[str], base: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """For each sortable column: the link (the other direction when it is the current sort) and an arrow."""
    links = {}
    for key in allowed:
        if key == sort:
            next_dir = "asc" if desc else "desc"
            arrow = " ▼" if desc else " ▲"
        else:
            next_dir, arrow = ("desc" if key in natural_desc else "asc"), ""
        args = {**(base if base is not None else _args()), "sort": key, "dir": next_dir}
        links[key] = {"url": url_for(request.endpoint or "board.deadlines", **args), "arrow": arrow}
    return links


def _xlsx_url(endpoint: str, base: dict[str, str] | None = None) -> str:
    return url_for(endpoint, **(base if base is not None else _args()))


def _refused(template: str, message: str, **context: Any) -> ResponseReturnValue:
    return render_template(template, error=message, kinds=KINDS, kind="", **context), 400


def _submissions(reg: Register, report_ids: Iterable[str], periods: Iterable[str]) -> list[SubmissionRow]:
    """The submissions of these reports and periods, in one query."""
    report_ids, periods = sorted(set(report_ids)), sorted(set(periods))
    if not report_ids or not periods:
        return []
    query = select(SubmissionRow).where(SubmissionRow.report_id.in_(report_ids), SubmissionRow.period.in_(periods))
    return list(reg.session.scalars(query.order_by(SubmissionRow.unit_id, SubmissionRow.report_id, SubmissionRow.period)))


# --- the deadline board ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BoardRow:
    unit: Unit
    state: str  # ontime | late | missing | overdue
    text: str  # "đúng hạn", "muộn 2 ngày 3 giờ", "chưa nộp – còn 4 ngày", "quá hạn 5 ngày"
    late_seconds: int  # for ordering; 0 unless late
    first_at: datetime | None
    latest_at: datetime | None
    first_message_id: int | None
    latest_message_id: int | None
    revisions: int | None

    @property
    def kind_label(self) -> str:
        return next((label for label, kinds in KINDS.values() if self.unit.kind in kinds), "")


def _late_text(seconds: int) -> str:
    return "muộn " + days_text(timedelta(seconds=seconds)).removeprefix("trễ hạn ")


def _missing_text(row: MissingRow) -> str:
    if row.overdue:
        return row.due_text  # "quá hạn 5 ngày"
    return f"chưa nộp – {row.due_text}" if row.due_text else "chưa nộp"


def _chased(calendar: Calendar) -> list[ReportType]:
    return [r for r in calendar.reports.values() if r.schedule in CHASED]


def _default_period(calendar: Calendar, periods: Sequence[Period], now: datetime) -> Period | None:
    """The period being collected now (deadline within the next days), else the latest one already due,
    else the next one."""
    dated = [(d, p) for p in periods if (d := deadline(calendar, p)) is not None]
    soon = [p for d, p in dated if now <= d <= now + _SOON]
    past = [p for d, p in dated if d < now]
    later = [p for d, p in dated if d > now]
    return (soon or past[-1:] or later or [None])[0]


def _board(reg: Register, calendar: Calendar, report: ReportType, period: Period, kind: str, now: datetime) -> list[BoardRow]:
    sent_rows = reg.submissions(report.id, period.key)  # one query
    units = _of_kind(_units(reg), kind)  # one query
    sent = {s.unit_id: s for s in sent_rows}
    by_id = {u.unit_id: u for u in units}
    rows = [
        BoardRow(by_id[m.unit_id], "overdue" if m.overdue else "missing", _missing_text(m), 0, None, None, None, None, None)
        for m in missing(_Loaded(reg, sent_rows), calendar, units, now, report.id, period.key)
    ]
    for unit in units:
        found = sent.get(unit.unit_id)
        if found is None or not owes(report, unit.unit_id, unit.kind):
            continue
        late = found.late_seconds
        text = _late_text(late) if late else "đúng hạn" if found.deadline is not None else "đã nộp"
        rows.append(
            BoardRow(
                unit, "late" if late else "ontime", text, late or 0,
                found.first_received_at, found.latest_received_at, found.first_message_id, found.latest_message_id,
                found.revisions,
            )
        )
    return rows


def _sorted_board(rows: list[BoardRow], sort: str, desc: bool) -> list[BoardRow]:
    rows = sorted(rows, key=lambda r: _unit_key(r.unit))
    if sort == "state":
        ordered = sorted(rows, key=lambda r: (_STATE_RANK[r.state], -r.late_seconds))
        return list(reversed(ordered)) if desc else ordered
    return list(reversed(rows)) if desc else rows


def _board_request() -> dict[str, Any]:
    """Everything the board and its download need, from the query string; PageError when unusable."""
    app = mailbot()
    calendar, now = app.calendar(), app.clock()
    chased = _chased(calendar)
    report_id = request.args.get("report", "").strip() or (MONTHLY if MONTHLY in calendar.reports else chased[0].id)
    report = calendar.reports.get(report_id)
    context: dict[str, Any] = {"reports": chased, "report_id": report_id, "now": now}
    if report is None:
        names = ", ".join(f"{r.id} ({r.name})" for r in chased)
        raise PageError(f"Không có loại báo cáo “{report_id[:64]}” trong lịch báo cáo. Có: {names}.")
    if report not in chased:
        context["reports"] = [*chased, report]
    year = _current_year(calendar, now)
    periods = periods_in_school_year(calendar, report, year)
    context.update(report=report, periods=periods, school_year=year)
    key = request.args.get("period", "").strip()
    shown = request.args.get("shown", "").strip()
    if key and shown and shown != report.id:
        key = ""  # the report was changed in the form: its periods differ, start from its default
    if key:
        try:
            period = period_for(calendar, report.id, key)
        except CalendarError:
            raise PageError(f"Kỳ báo cáo “{key[:32]}” không hợp lệ cho “{report.name}” "
                            f"(ví dụ “{periods[-1].key if periods else '2026-10'}”).", **context) from None
        if period.key not in {p.key for p in periods}:
            context["periods"] = [*periods, period]
    else:
        period = _default_period(calendar, periods, now)
    context.update(period=period, kind=_kind())
    sort, desc = _sort(("unit", "state"), "unit", set())
    context["base"] = base = _args(report=report.id, **({"period": period.key} if period else {}))
    context.update(sort=sort, desc=desc, sort_links=_sort_links(("unit", "state"), sort, desc, set(), base))
    if period is None:
        context.update(rows=[], due=None)
        return context
    with app.db.transaction() as reg:
        rows = _board(reg, calendar, report, period, context["kind"], now)
    context.update(rows=_sorted_board(rows, sort, desc), due=deadline(calendar, period))
    context["counts"] = {"owed": len(rows), **{state: sum(r.state == state for r in rows) for state in _STATE_RANK}}
    return context


def _period_option(calendar: Calendar, period: Period) -> str:
    due = deadline(calendar, period)
    return period.label + (f" — hạn {_local(due):%d/%m/%Y}" if due else " — chưa có hạn")


@bp.route("/board")
@requires(Role.VIEWER)
def deadlines() -> ResponseReturnValue:
    try:
        context = _board_request()
    except PageError as exc:
        calendar = mailbot().calendar()
        context = {"reports": _chased(calendar), "report_id": "", "report": None, "periods": [], **exc.context}
        return _refused("board_deadlines.html", str(exc), period=None, rows=[],
                        option=lambda p: _period_option(calendar, p), **context)
    calendar = mailbot().calendar()
    return render_template(
        "board_deadlines.html", kinds=KINDS, state_vi=STATE_VI, option=lambda p: _period_option(calendar, p),
        xlsx_url=_xlsx_url("board.deadlines_xlsx", context["base"]), error=None, **context,
    )


@bp.route("/board.xlsx")
@requires(Role.VIEWER)
def deadlines_xlsx() -> ResponseReturnValue:
    try:
        context = _board_request()
    except PageError as exc:
        return _refused("error.html", str(exc), code=400, title="Yêu cầu không hợp lệ", detail=str(exc))
    report, period, now = context["report"], context["period"], context["now"]
    if period is None:
        message = f"“{report.name}” chưa có kỳ nào có hạn nộp trong năm học {context['school_year']}."
        return _refused("error.html", message, code=400, title="Yêu cầu không hợp lệ", detail=message)
    due = context["due"]
    title = (f"{report.name}, {period.label}" + (f" (hạn {_local(due):%d/%m/%Y})" if due else "")
             + f" — tình hình ngày {_local(now):%d/%m/%Y %H:%M}")
    if context["kind"]:
        title += f" — {KINDS[context['kind']][0]}"
    headings = ["STT", "Mã đơn vị", "Tên đơn vị", "Tình trạng", "Nhận lần đầu", "Nhận lần cuối", "Số lần bổ sung"]
    rows = [
        [i, r.unit.unit_id, r.unit.name, r.text, r.first_at, r.latest_at, r.revisions]
        for i, r in enumerate(context["rows"], 1)
    ]
    return xlsx_response(f"han-nop-{report.id}-{period.key}.xlsx", title, headings, rows)


# --- the monthly report over a school year ------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    state: str  # ontime | late | missing | pending | open | "" (not owed)
    text: str
    title: str = ""
    message_id: int | None = None
    received: datetime | None = None
    days_late: int = 0


def _month_ended(period: Period, now_local: date) -> bool:
    year, month = (int(part) for part in period.key.split("-"))
    first_after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return now_local >= first_after


def _cell(calendar: Calendar, period: Period, found: SubmissionRow | None, now: datetime) -> Cell:
    due = deadline(calendar, period)
    if found is not None:
        received = _local(found.first_received_at)
        if found.late_seconds and due is not None:
            days = max((received.date() - _local(due).date()).days, 1)
            return Cell("late", f"muộn {days}d", f"{_late_text(found.late_seconds)}, nhận {received:%d/%m/%Y %H:%M}",
                        found.first_message_id, found.first_received_at, days)
        return Cell("ontime", f"✓ {received:%d/%m}", f"đúng hạn, nhận {received:%d/%m/%Y %H:%M}",
                    found.first_message_id, found.first_received_at)
    if due is not None and due < now:
        return Cell("missing", "—", f"chưa nộp, quá hạn (hạn {_local(due):%d/%m/%Y})")
    if _month_ended(period, now.astimezone(ZoneInfo(calendar.timezone)).date()):
        return Cell("pending", "…", f"chưa nộp, còn hạn đến {_local(due):%d/%m/%Y}" if due else "chưa nộp")
    return Cell("open", "", "chưa đến kỳ nộp")


def _months_request() -> dict[str, Any]:
    app = mailbot()
    calendar, now = app.calendar(), app.clock()
    report = calendar.reports.get(MONTHLY)
    year = _school_year(calendar, now)
    kind = _kind()
    if report is None or report.schedule != "monthly":
        raise PageError("Lịch báo cáo không có báo cáo tháng (mã “monthly”).")
    periods = periods_in_school_year(calendar, report, year)
    with app.db.transaction() as reg:
        found = {(s.unit_id, s.period): s for s in _submissions(reg, [report.id], [p.key for p in periods])}
        units = [u for u in _of_kind(_units(reg), kind) if owes(report, u.unit_id, u.kind)]
        years = _years(reg, calendar, now, year)
    units.sort(key=_unit_key)
    matrix = [(u, [_cell(calendar, p, found.get((u.unit_id, p.key)), now) for p in periods]) for u in units]
    totals = {
        state: [sum(cells[i].state == state for _, cells in matrix) for i in range(len(periods))]
        for state in ("ontime", "late", "missing")
    }
    return {"report": report, "school_year": year, "years": years, "kind": kind, "periods": periods,
            "matrix": matrix, "totals": totals, "now": now}


def _month_heading(period: Period) -> str:
    year, month = period.key.split("-")
    return f"T{int(month)}/{year}"


@bp.route("/months")
@requires(Role.VIEWER)
def months() -> ResponseReturnValue:
    try:
        context = _months_request()
    except PageError as exc:
        return _refused("board_months.html", str(exc), school_year="", years=[], periods=[], matrix=[], totals={})
    return render_template("board_months.html", kinds=KINDS, heading=_month_heading,
                           xlsx_url=_xlsx_url("board.months_xlsx"), error=None, **context)


@bp.route("/months.xlsx")
@requires(Role.VIEWER)
def months_xlsx() -> ResponseReturnValue:
    try:
        context = _months_request()
    except PageError as exc:
        return _refused("error.html", str(exc), code=400, title="Yêu cầu không hợp lệ", detail=str(exc))
    periods = context["periods"]
    title = (f"{context['report'].name} năm học {context['school_year']} — ngày: nộp đúng hạn; "
             f"muộn N ngày; —: chưa nộp, quá hạn; …: còn hạn (tình hình ngày {_local(context['now']):%d/%m/%Y %H:%M})")
    if context["kind"]:
        title += f" — {KINDS[context['kind']][0]}"
    headings = ["STT", "Mã đơn vị", "Tên đơn vị", *(_month_heading(p) for p in periods)]

    def value(cell: Cell) -> Any:
        if cell.state == "ontime" and cell.received is not None:
            return _local(cell.received).date()
        if cell.state == "late" and cell.received is not None:
            return f"muộn {cell.days_late} ngày ({_local(cell.received):%d/%m/%Y})"
        return cell.text

    rows: list[list[Any]] = [
        [i, unit.unit_id, unit.name, *(value(c) for c in cells)] for i, (unit, cells) in enumerate(context["matrix"], 1)
    ]
    for state, label in (("ontime", "Tổng đúng hạn"), ("late", "Tổng nộp muộn"), ("missing", "Tổng chưa nộp (quá hạn)")):
        rows.append(["", "", label, *context["totals"][state]])
    return xlsx_response(f"bao-cao-thang-{context['school_year']}.xlsx", title, headings, rows)


# --- the year-end table ------------------------------------------------------------------------------
YEAR_SORTS = ("unit", "on_time", "late", "missing", "rate")
_YEAR_DESC = {"rate", "on_time", "late", "missing"}  # a first click shows the largest first


def _year_request() -> dict[str, Any]:
    app = mailbot()
    calendar, now = app.calendar(), app.clock()
    year = _school_year(calendar, now)
    kind = _kind()
    sort, desc = _sort(YEAR_SORTS, "rate", _YEAR_DESC)
    chased = [r for r in calendar.reports.values() if r.schedule in CHASED]
    pairs = [(r.id, p.key) for r in chased for p in periods_in_school_year(calendar, r, year)]
    with app.db.transaction() as reg:
        loaded = _submissions(reg, {r for r, _ in pairs}, {p for _, p in pairs})  # one query
        units = _of_kind(_units(reg), kind)  # one query
        rows = timeliness(_Loaded(reg, loaded), calendar, units, year, now)
        years = _years(reg, calendar, now, year)
    names = {u.unit_id: u for u in units}
    by_unit = sorted(rows, key=lambda r: _unit_key(names[r.unit_id]))
    if sort == "unit":
        ordered = list(reversed(by_unit)) if desc else by_unit
    else:
        def measure(r: Any) -> float:
            return float(r.rate if sort == "rate" else getattr(r, sort))

        known = [r for r in by_unit if sort != "rate" or r.rate is not None]
        ordered = sorted(known, key=measure, reverse=desc) + [r for r in by_unit if r not in known]
    totals = {"on_time": sum(r.on_time for r in rows), "late": sum(r.late for r in rows),
              "missing": sum(r.missing for r in rows), "total": sum(r.total for r in rows)}
    totals["rate"] = totals["on_time"] / totals["total"] if totals["total"] else None
    return {"school_year": year, "years": years, "kind": kind, "rows": ordered, "units": names, "totals": totals,
            "sort": sort, "desc": desc, "sort_links": _sort_links(YEAR_SORTS, sort, desc, _YEAR_DESC), "now": now}


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}".replace(".", ",") + " %"


@bp.route("/year")
@requires(Role.VIEWER)
def year() -> ResponseReturnValue:
    try:
        context = _year_request()
    except PageError as exc:
        return _refused("board_year.html", str(exc), school_year="", years=[], rows=[], units={}, totals=None,
                        sort_links={})
    return render_template("board_year.html", kinds=KINDS, percent=_percent, xlsx_url=_xlsx_url("board.year_xlsx"),
                           error=None, **context)


@bp.route("/year.xlsx")
@requires(Role.VIEWER)
def year_xlsx() -> ResponseReturnValue:
    try:
        context = _year_request()
    except PageError as exc:
        return _refused("error.html", str(exc), code=400, title="Yêu cầu không hợp lệ", detail=str(exc))
    title = (f"Tổng kết nộp báo cáo năm học {context['school_year']} "
             f"(các kỳ đã đến hạn, tính đến ngày {_local(context['now']):%d/%m/%Y %H:%M})")
    if context["kind"]:
        title += f" — {KINDS[context['kind']][0]}"
    headings = ["STT", "Mã đơn vị", "Tên đơn vị", "Đúng hạn", "Nộp muộn", "Chưa nộp", "Tổng phải nộp", "Tỷ lệ đúng hạn (%)"]
    rows = [
        [i, r.unit_id, r.unit_name, r.on_time, r.late, r.missing, r.total,
         None if r.rate is None else round(r.rate * 100, 1)]
        for i, r in enumerate(context["rows"], 1)
    ]
    return xlsx_response(f"tong-ket-{context['school_year']}.xlsx", title, headings, rows)
