"""The report calendar: which reports are owed, for which periods, and by when (letter of 01/2022).

The calendar is data (``config/reports.toml``); this module parses it and answers date questions.
It does no I/O: the caller reads the file and hands the text to ``load_calendar``.

How a written deadline becomes a last moment
    ``deadline()`` returns the LAST moment that is still on time: the end (23:59:59.999999, local
    time in ``Calendar.timezone``) of the last day on time. Submissions are compared as aware
    datetimes, so a ``Date:`` in UTC is judged against Vietnamese time.

    * The letter's own deadlines ("trước ngày 10", "trước ngày 02 tháng 3") — schedules ``monthly``
      and ``yearly`` — have two readings (notes §7, open question §9.5). ``exclusive = true`` (the
      default, the strict reading): "trước ngày 10" means by the end of the 9th. ``exclusive =
      false``: by the end of the 10th. A report may override the calendar default.
    * Dates the office writes itself — a one-off's ``due`` and the ``[review_deadlines]`` — are the
      last day on time ("hạn 15/11/2026" = the 15th is still on time). A report sets
      ``exclusive = true`` when its directive says "trước ngày 15/11" instead.
    * Urgent reports are due the day the event happened (key = that day, "trong ngày").
    * Deadlines do NOT move for weekends and holidays (notes §7: whether they do is not known).

Period keys
    ========================  ======================  ===========================================
    report                    key                     deadline (letter)
    ========================  ======================  ===========================================
    monthly                   ``2026-10`` (covered)   before the 10th of the FOLLOWING month
    q1                        ``2027-Q1``             before 02/3/2027
    six_month                 ``2027-H1``             before 02/5/2027
    nine_month                ``2027-9M``             before 02/9/2027
    year_prep, opening, any   ``2026-2027``           17/8/2026, 06/9/2026: inside school year
    other yearly report                               Y-(Y+1), month >= 8 in Y, else in Y+1
    review_hk1 / review_hk2   ``2026-2027-HK1``/HK2   ``[review_deadlines]`` "review_hk1:2026-2027"
    review_year, other        ``2026-2027``           ``[review_deadlines]`` "review_year:2026-2027"
    "directed" report
    one-off (``once``)        ``once``                ``due``
    urgent / none             ``2026-11-05`` (day)    end of that day / no deadline
    ========================  ======================  ===========================================

School years
    A school year runs 1 August Y .. 31 July Y+1 (``school_year_of``): year-prep reports arrive
    in August. ``periods_in_school_year`` lists the periods whose DEADLINE falls in the school
    year. So the monthly reports of "2026-2027" are Sep 2026 .. May 2027 (due Oct .. Jun), and the
    nine-month report "2027-9M", due 02/9/2027, belongs to school year 2027-2028 — the one in which
    the office chases it — not to 2026-2027, although it covers Jan..Sep 2027.

Schedules
    ``monthly``, ``yearly``, ``once``, ``urgent``, ``none`` and ``directed``: "gửi đúng theo thời gian
    qui định" (sơ kết, tổng kết) — no fixed date in the letter; the office sets one per school year
    in ``[review_deadlines]``. Until it does, such a period has no deadline and is not listed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailbot.core.text import fold, nfc

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
SCHEDULES = ("monthly", "yearly", "once", "directed", "urgent", "none")
# September to May: the school months (notes §6); June/July/August are unknown and configurable
DEFAULT_MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5)
UNIT_KINDS = frozenset(
    {"mam_non", "mau_giao", "mam_non_tu_thuc", "tieu_hoc", "thcs", "th_thcs", "thpt", "trung_tam", "office"}
)

_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")  # stored in String(64) columns
_TOP_FIELDS = ("timezone", "exclusive", "reports", "review_deadlines")
_COMMON_FIELDS = frozenset({"name", "schedule", "owed_by", "keywords", "exclusive"})
_SCHEDULE_FIELDS: dict[str, frozenset[str]] = {
    "monthly": frozenset({"deadline_day", "months"}),
    "yearly": frozenset({"deadline_day", "deadline_month"}),
    "once": frozenset({"due"}),
    "directed": frozenset(),
    "urgent": frozenset(),
    "none": frozenset(),
}
_NO_READING = frozenset({"urgent", "none"})  # "exclusive" means nothing without a deadline date
# yearly reports keyed by calendar year rather than school year (the letter's Q1, 6- and 9-month)
_CALENDAR_YEAR = {"q1": ("Q1", "quý I/{year}"), "six_month": ("H1", "6 tháng đầu năm {year}"),
                  "nine_month": ("9M", "9 tháng đầu năm {year}")}
# directed reports keyed by semester rather than school year
_SEMESTER = {"review_hk1": ("HK1", "học kỳ I"), "review_hk2": ("HK2", "học kỳ II")}
_SEMESTER_SPELLINGS = {"HK1": "HK1", "HKI": "HK1", "HK2": "HK2", "HKII": "HK2"}
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a common year: 29/2 is refused


class CalendarError(ValueError):
    """The report calendar, a period key or a school year is unusable; the message (Vietnamese) names
    the report and the field."""


@dataclass(frozen=True)
class ReportType:
    id: str  # ASCII slug: "monthly", "q1", "csvc_2026"
    name: str  # Vietnamese: "Báo cáo tháng"
    schedule: str  # one of SCHEDULES
    deadline_day: int | None  # monthly: day of the following month; yearly: day
    deadline_month: int | None  # yearly: month
    months: tuple[int, ...]  # monthly: covered months that are owed, in school-year order; else ()
    due: date | None  # once: the last day on time
    owed_by: tuple[str, ...]  # ("all",) or unit kinds and/or unit ids
    keywords: tuple[str, ...]  # folded (mailbot.core.text.fold) phrases that name it in a subject
    exclusive: bool | None  # None: the calendar's reading


@dataclass(frozen=True)
class Period:
    report_id: str
    key: str  # "2026-10", "2027-Q1", "2026-2027", "2026-2027-HK1", "2026-11-05", "once"
    label: str  # Vietnamese: "tháng 10/2026", "quý I/2027", "năm học 2026-2027"


@dataclass(frozen=True)
class Calendar:
    reports: dict[str, ReportType]
    timezone: str
    exclusive: bool  # True: "trước ngày 10" = by the end of the 9th; False: by the end of the 10th
    review_deadlines: dict[str, date]  # "review_hk1:2026-2027" -> last day on time


# --- loading -------------------------------------------------------------------------------------
def load_calendar(text: str) -> Calendar:
    """Parse and validate the text of a reports.toml; every mistake is a CalendarError naming the report."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError(f"lịch báo cáo: tệp TOML không đọc được ({exc})") from exc
    unknown = sorted(set(data) - set(_TOP_FIELDS))
    if unknown:
        raise CalendarError(f"lịch báo cáo: trường không hợp lệ {', '.join(unknown)} "
                            f"(chỉ dùng: {', '.join(_TOP_FIELDS)})")

    timezone = data.get("timezone", DEFAULT_TIMEZONE)
    if not isinstance(timezone, str):
        raise CalendarError(f"lịch báo cáo: trường timezone phải là tên múi giờ, ví dụ \"{DEFAULT_TIMEZONE}\"")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(f"lịch báo cáo: trường timezone: không biết múi giờ {timezone!r}") from exc
    exclusive = data.get("exclusive", True)
    if not isinstance(exclusive, bool):
        raise CalendarError("lịch báo cáo: trường exclusive phải là true hoặc false")

    tables = data.get("reports")
    if not isinstance(tables, dict) or not tables:
        raise CalendarError("lịch báo cáo: thiếu bảng [reports.<mã báo cáo>] (chưa khai báo báo cáo nào)")
    reports: dict[str, ReportType] = {}
    keyword_owner: dict[str, str] = {}
    for report_id, table in tables.items():
        report = _report_from_table(report_id, table)
        for keyword in report.keywords:
            owner = keyword_owner.setdefault(keyword, report.id)
            if owner != report.id:
                raise CalendarError(f"báo cáo \"{report.id}\", trường keywords: từ khóa \"{keyword}\" "
                                    f"đã dùng cho báo cáo \"{owner}\" (mỗi từ khóa chỉ dùng cho một báo cáo)")
        reports[report.id] = report

    review_deadlines = _review_deadlines(data.get("review_deadlines", {}), reports)
    return Calendar(reports=reports, timezone=timezone, exclusive=exclusive, review_deadlines=review_deadlines)


def _fail(report_id: str, field: str, message: str) -> CalendarError:
    return CalendarError(f"báo cáo \"{report_id}\", trường {field}: {message}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _report_from_table(report_id: str, table: object) -> ReportType:
    if not _ID.fullmatch(report_id):
        raise _fail(report_id, "id (tên bảng [reports.…])",
                    "mã báo cáo chỉ gồm chữ thường không dấu, chữ số và \"_\", bắt đầu bằng chữ, "
                    "tối đa 64 ký tự, ví dụ \"csvc_2026\"")
    if not isinstance(table, dict):
        raise _fail(report_id, "id", "phải là một bảng [reports." + report_id + "]")

    schedule = table.get("schedule")
    if schedule not in SCHEDULES:
        raise _fail(report_id, "schedule",
                    f"{'thiếu' if schedule is None else f'không biết lịch {schedule!r}'} "
                    f"(chọn một trong: {', '.join(SCHEDULES)})")
    allowed = _COMMON_FIELDS | _SCHEDULE_FIELDS[schedule]
    if schedule in _NO_READING:
        allowed = allowed - {"exclusive"}
    for field in table:
        if field not in allowed:
            known = field in _COMMON_FIELDS or any(field in f for f in _SCHEDULE_FIELDS.values())
            raise _fail(report_id, field, f"không dùng cho lịch \"{schedule}\"" if known else "trường không hợp lệ")

    name = table.get("name")
    if not isinstance(name, str) or not nfc(name):
        raise _fail(report_id, "name", "thiếu tên báo cáo tiếng Việt, ví dụ \"Báo cáo tháng\"")

    deadline_day = deadline_month = due = None
    months: tuple[int, ...] = ()
    if schedule == "monthly":
        deadline_day = _required_int(report_id, table, "deadline_day", "ngày hạn nộp của tháng sau")
        if not 1 <= deadline_day <= 28:
            raise _fail(report_id, "deadline_day",
                        f"phải từ 1 đến 28 (ngày 29–31 không có trong mọi tháng), nhận {deadline_day}")
        months = _months(report_id, table.get("months", list(DEFAULT_MONTHS)))
    elif schedule == "yearly":
        deadline_day = _required_int(report_id, table, "deadline_day", "ngày hạn nộp")
        deadline_month = _required_int(report_id, table, "deadline_month", "tháng hạn nộp")
        if not 1 <= deadline_month <= 12:
            raise _fail(report_id, "deadline_month", f"phải từ 1 đến 12, nhận {deadline_month}")
        if deadline_month == 2 and deadline_day == 29:
            raise _fail(report_id, "deadline_day",
                        "ngày 29/2 chỉ có trong năm nhuận: một hạn hằng năm phải có mỗi năm (dùng 28/2 hoặc 1/3)")
        if not 1 <= deadline_day <= _MONTH_DAYS[deadline_month - 1]:
            raise _fail(report_id, "deadline_day",
                        f"ngày {deadline_day}/{deadline_month} không có (tháng {deadline_month} "
                        f"có {_MONTH_DAYS[deadline_month - 1]} ngày)")
    elif schedule == "once":
        due = table.get("due")
        if due is None:
            raise _fail(report_id, "due", "thiếu hạn nộp (ngày cuối còn đúng hạn), ví dụ due = 2026-11-15")
        if not isinstance(due, date) or isinstance(due, datetime):
            raise _fail(report_id, "due", f"phải là một ngày dạng 2026-11-15 (không ngoặc kép), nhận {due!r}")

    owed_by = _strings(report_id, table, "owed_by", ["all"])
    if not owed_by:
        raise _fail(report_id, "owed_by", "không được để trống (dùng [\"all\"] cho mọi trường)")
    if "all" in owed_by and len(owed_by) > 1:
        raise _fail(report_id, "owed_by", "\"all\" đã gồm mọi trường, không ghi thêm loại hay mã đơn vị")

    keywords: list[str] = []
    for keyword in _strings(report_id, table, "keywords", []):
        folded = fold(keyword)
        if not folded:
            raise _fail(report_id, "keywords", f"từ khóa {keyword!r} không có chữ hay số")
        if folded not in keywords:
            keywords.append(folded)

    exclusive = table.get("exclusive")
    if exclusive is not None and not isinstance(exclusive, bool):
        raise _fail(report_id, "exclusive", "phải là true hoặc false (bỏ trống: theo mặc định của lịch)")

    return ReportType(
        id=report_id,
        name=nfc(name),
        schedule=schedule,
        deadline_day=deadline_day,
        deadline_month=deadline_month,
        months=months,
        due=due,
        owed_by=tuple(owed_by),
        keywords=tuple(keywords),
        exclusive=exclusive,
    )


def _required_int(report_id: str, table: dict, field: str, what: str) -> int:
    value = table.get(field)
    if value is None:
        raise _fail(report_id, field, f"thiếu {what} (lịch \"{table['schedule']}\" cần trường này)")
    if not _is_int(value):
        raise _fail(report_id, field, f"phải là số nguyên, nhận {value!r}")
    return value


def _months(report_id: str, value: object) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(report_id, "months", "phải là danh sách tháng, ví dụ [9, 10, 11, 12, 1, 2, 3, 4, 5]")
    for month in value:
        if not _is_int(month) or not 1 <= month <= 12:
            raise _fail(report_id, "months", f"tháng phải từ 1 đến 12, nhận {month!r}")
    if len(set(value)) != len(value):
        raise _fail(report_id, "months", "có tháng ghi hai lần")
    return tuple(sorted(value, key=lambda m: (m - 8) % 12))  # school-year order: Aug first


def _strings(report_id: str, table: dict, field: str, default: list[str]) -> list[str]:
    value = table.get(field, default)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(report_id, field, "phải là danh sách chuỗi không rỗng, ví dụ [\"thcs\", \"th_thcs\"]")
    return [nfc(v) for v in value]


def _review_deadlines(table: object, reports: dict[str, ReportType]) -> dict[str, date]:
    if not isinstance(table, dict):
        raise CalendarError("lịch báo cáo: review_deadlines phải là một bảng [review_deadlines]")
    found: dict[str, date] = {}
    for entry, value in table.items():
        report_id, _, school_year = entry.partition(":")
        report = reports.get(report_id)
        if report is None:
            raise CalendarError(f"lịch báo cáo, [review_deadlines] \"{entry}\": không có báo cáo \"{report_id}\" "
                                "(ghi \"<mã báo cáo>:<năm học>\", ví dụ \"review_hk1:2026-2027\")")
        field = f"[review_deadlines] \"{entry}\""
        if report.schedule != "directed":
            raise _fail(report_id, field,
                        f"chỉ báo cáo lịch \"directed\" mới có hạn ở đây (lịch: \"{report.schedule}\")")
        start = _school_year_start(school_year)
        if start is None:
            raise _fail(report_id, field, f"năm học {school_year!r} không hợp lệ (ví dụ \"2026-2027\")")
        if not isinstance(value, date) or isinstance(value, datetime):
            raise _fail(report_id, field, f"phải là một ngày dạng 2027-01-15 (không ngoặc kép), nhận {value!r}")
        if not date(start, 8, 1) <= value <= date(start + 1, 7, 31):
            raise _fail(report_id, field,
                        f"ngày {_dmy(value)} không thuộc năm học {school_year} (01/08/{start} – 31/07/{start + 1})")
        found[entry] = value
    return found


# --- school years --------------------------------------------------------------------------------
def school_year_of(day: date) -> str:
    """The school year a (local) day belongs to: August Y .. July Y+1 -> "Y-(Y+1)"."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


def _school_year_start(text: str) -> int | None:
    match = re.fullmatch(r"(\d{4})-(\d{4})", text.strip())
    if not match:
        return None
    start, end = int(match[1]), int(match[2])
    return start if end == start + 1 and _sane_year(start) else None


def _sane_year(year: int) -> bool:
    return 1900 <= year <= 2998  # keeps date arithmetic (year + 1) safe


# --- periods and deadlines -----------------------------------------------------------------------
def period_for(cal: Calendar, report_id: str, key: str) -> Period:
    """The period a key names for a report ("2026-10", "2027-q1", "2026-2027"), normalised.

    CalendarError when the key is malformed for that report. A month that is not owed (June) is accepted:
    a school may still send it.
    """
    return _resolve(cal, _report(cal, report_id), key)[0]


def deadline(cal: Calendar, period: Period) -> datetime | None:
    """The last moment still on time (end of the last day on time, local time), or None when there is none."""
    last_day = _resolve(cal, _report(cal, period.report_id), period.key)[1]
    if last_day is None:
        return None
    return datetime.combine(last_day, time.max, tzinfo=ZoneInfo(cal.timezone))


def periods_in_school_year(cal: Calendar, report: ReportType, school_year: str) -> list[Period]:
    """Every owed period of the report whose deadline falls in the school year, earliest deadline first."""
    start = _school_year_start(school_year)
    if start is None:
        raise _fail(report.id, "năm học", f"{school_year!r} không hợp lệ (ví dụ \"2026-2027\")")
    candidates: list[str]
    if report.schedule == "monthly":
        # covered months May Y .. Aug Y+1: wider than needed, the deadline filter decides
        candidates = [f"{y}-{m:02d}" for y, m in _months_between((start, 5), (start + 1, 8)) if m in report.months]
    elif report.schedule == "yearly" and report.id in _CALENDAR_YEAR:
        candidates = [f"{y}-{_CALENDAR_YEAR[report.id][0]}" for y in (start, start + 1)]
    elif report.schedule in ("yearly", "directed"):
        suffix = f"-{_SEMESTER[report.id][0]}" if report.schedule == "directed" and report.id in _SEMESTER else ""
        candidates = [f"{y}-{y + 1}{suffix}" for y in (start - 1, start, start + 1)]
    elif report.schedule == "once":
        candidates = ["once"]
    else:  # urgent, none: nothing is owed in advance
        return []

    first, last = date(start, 8, 1), date(start + 1, 7, 31)
    dated: list[tuple[date, str, Period]] = []
    for key in candidates:
        period, last_day = _resolve(cal, report, key)
        if last_day is not None and first <= last_day <= last:
            dated.append((last_day, period.key, period))
    return [period for _, _, period in sorted(dated, key=lambda item: item[:2])]


def _months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    year, month = first
    found = []
    while (year, month) <= last:
        found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _report(cal: Calendar, report_id: str) -> ReportType:
    report = cal.reports.get(report_id)
    if report is None:
        raise CalendarError(f"không có báo cáo \"{report_id}\" trong lịch báo cáo "
                            f"(có: {', '.join(cal.reports)})")
    return report


def _bad_key(report: ReportType, key: str, example: str) -> CalendarError:
    return _fail(report.id, "kỳ báo cáo", f"{key!r} không hợp lệ cho \"{report.name}\" (ví dụ \"{example}\")")


def _before(written: date, strict: bool) -> date:
    """Last day on time for "trước ngày <written>": the day before under the strict reading."""
    return written - timedelta(days=1) if strict else written


def _resolve(cal: Calendar, report: ReportType, key: str) -> tuple[Period, date | None]:
    """Normalised period for a key, and its last day on time (None: no deadline)."""
    text = key.strip()
    strict = cal.exclusive if report.exclusive is None else report.exclusive  # for "trước ngày …"

    if report.schedule == "monthly":
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not match or not _sane_year(int(match[1])) or not 1 <= int(match[2]) <= 12:
            raise _bad_key(report, key, "2026-10")
        year, month = int(match[1]), int(match[2])
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        assert report.deadline_day is not None
        last_day = _before(date(next_year, next_month, report.deadline_day), strict)
        return Period(report.id, f"{year}-{month:02d}", f"tháng {month}/{year}"), last_day

    if report.schedule == "yearly" and report.id in _CALENDAR_YEAR:
        code, label = _CALENDAR_YEAR[report.id]
        match = re.fullmatch(rf"(\d{{4}})-{code}", text, re.IGNORECASE)
        if not match or not _sane_year(int(match[1])):
            raise _bad_key(report, key, f"2027-{code}")
        year = int(match[1])
        assert report.deadline_day is not None and report.deadline_month is not None
        last_day = _before(date(year, report.deadline_month, report.deadline_day), strict)
        return Period(report.id, f"{year}-{code}", label.format(year=year)), last_day

    if report.schedule == "yearly":
        start = _school_year_start(text)
        if start is None:
            raise _bad_key(report, key, "2026-2027")
        assert report.deadline_day is not None and report.deadline_month is not None
        year = start if report.deadline_month >= 8 else start + 1
        last_day = _before(date(year, report.deadline_month, report.deadline_day), strict)
        return Period(report.id, f"{start}-{start + 1}", f"năm học {start}-{start + 1}"), last_day

    if report.schedule == "directed":
        semester = _SEMESTER.get(report.id)
        school_year, code = text, ""
        if semester:
            school_year, _, spelled = text.rpartition("-")
            code = _SEMESTER_SPELLINGS.get(spelled.upper(), "")
        start = _school_year_start(school_year)
        if start is None or (semester and code != semester[0]):
            raise _bad_key(report, key, f"2026-2027-{semester[0]}" if semester else "2026-2027")
        school_year = f"{start}-{start + 1}"
        written = cal.review_deadlines.get(f"{report.id}:{school_year}")
        last_day = None if written is None else _before(written, report.exclusive is True)
        if semester:
            return Period(report.id, f"{school_year}-{code}", f"{semester[1]} năm học {school_year}"), last_day
        return Period(report.id, school_year, f"năm học {school_year}"), last_day

    if report.schedule == "once":
        if text.lower() != "once":
            raise _bad_key(report, key, "once")
        assert report.due is not None
        return Period(report.id, "once", f"hạn {_dmy(report.due)}"), _before(report.due, report.exclusive is True)

    # urgent and none: the key is the day of the event (urgent: due that same day)
    try:
        day = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        day = None
    if day is None or not _sane_year(day.year):
        raise _bad_key(report, key, "2026-11-05")
    period = Period(report.id, day.isoformat(), f"ngày {_dmy(day)}")
    return period, (day if report.schedule == "urgent" else None)


def _dmy(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


# --- who owes what, and how late ------------------------------------------------------------------
def owes(report: ReportType, unit_id: str, unit_kind: str) -> bool:
    """Whether a unit owes the report: "all" (every unit but the office itself), its kind, or its id.

    It does not know Unit.reports: callers skip units that do not report to the office (THPT, centres).
    """
    wanted = {entry.casefold() for entry in report.owed_by}
    if "all" in wanted:
        return unit_kind != "office"
    return unit_kind.casefold() in wanted or unit_id.casefold() in wanted


def lateness(cal: Calendar, period: Period, submitted: datetime) -> timedelta | None:
    """How late a submission is (submitted - deadline); None when on time or when there is no deadline."""
    if submitted.tzinfo is None or submitted.utcoffset() is None:
        raise ValueError("submitted must be a timezone-aware datetime")
    last_moment = deadline(cal, period)
    if last_moment is None or submitted <= last_moment:
        return None
    return submitted - last_moment


def _span(delta: timedelta) -> str:
    """A positive span in Vietnamese, two largest units, rounded down: "2 ngày 8 giờ", "5 giờ", "12 phút"."""
    minutes = delta // timedelta(minutes=1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} ngày" + (f" {hours} giờ" if hours else "")
    if hours:
        return f"{hours} giờ" + (f" {minutes} phút" if minutes else "")
    return f"{minutes} phút" if minutes else "dưới 1 phút"


def days_text(delta: timedelta) -> str:
    """A lateness in words: "trễ hạn 3 ngày", "trễ hạn 5 giờ"; "đúng hạn" for zero or less."""
    if delta <= timedelta(0):
        return "đúng hạn"
    return f"trễ hạn {_span(delta)}"


def due_text(deadline: datetime, now: datetime, tz: str = DEFAULT_TIMEZONE) -> str:
    """Time left or overdue in calendar days of the office's time zone: "còn 2 ngày", "hạn chót hôm nay",
    "quá hạn 4 ngày"; within the deadline's own day after it has passed, "quá hạn 3 giờ"."""
    if deadline.tzinfo is None or now.tzinfo is None:
        raise ValueError("deadline and now must be timezone-aware datetimes")
    zone = ZoneInfo(tz)
    # the register stores deadlines in UTC: count days on the office's calendar, not UTC's
    due_day, today = deadline.astimezone(zone).date(), now.astimezone(zone).date()
    if now <= deadline:
        days = (due_day - today).days
        return f"còn {days} ngày" if days > 0 else "hạn chót hôm nay"
    days = (today - due_day).days
    return f"quá hạn {days} ngày" if days > 0 else f"quá hạn {_span(now - deadline)}"
