"""mailbot.core.calendar: the letter's deadlines, the two readings of "trước ngày", periods and lateness."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot.core.calendar import (
    Calendar,
    CalendarError,
    Period,
    ReportType,
    days_text,
    deadline,
    due_text,
    lateness,
    load_calendar,
    owes,
    period_for,
    periods_in_school_year,
    school_year_of,
)

ROOT = Path(__file__).resolve().parents[3]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime.combine(date(y, m, d), time.max, tzinfo=VN)


@pytest.fixture(scope="module")
def strict() -> Calendar:
    """The shipped config/reports.toml: strict reading, "trước ngày 10" = by the end of the 9th."""
    return load_calendar((ROOT / "config" / "reports.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lenient(strict: Calendar) -> Calendar:
    return dataclasses.replace(strict, exclusive=False)


def with_reports(*blocks: str, head: str = "") -> str:
    """A minimal calendar text: the given report tables, after optional top-level lines."""
    return head + "\n" + "\n".join(blocks)


MONTHLY = '[reports.monthly]\nname = "Báo cáo tháng"\nschedule = "monthly"\ndeadline_day = 10\n'


# --- the shipped file ---------------------------------------------------------------------------
def test_shipped_calendar_has_the_letters_reports(strict: Calendar) -> None:
    assert strict.timezone == "Asia/Ho_Chi_Minh" and strict.exclusive is True
    assert {"monthly", "q1", "six_month", "nine_month", "year_prep", "opening", "urgent",
            "review_hk1", "review_hk2", "review_year", "other", "csvc_2026"} <= set(strict.reports)
    csvc = strict.reports["csvc_2026"]
    assert (csvc.schedule, csvc.due, csvc.owed_by) == ("once", date(2026, 11, 15), ("thcs", "th_thcs"))
    assert csvc.keywords == ("csvc", "co so vat chat")
    assert strict.reports["monthly"].months == (9, 10, 11, 12, 1, 2, 3, 4, 5)
    assert strict.review_deadlines["review_hk1:2026-2027"] == date(2027, 1, 15)


@pytest.mark.parametrize(
    ("report_id", "schedule", "day", "month"),
    [
        ("monthly", "monthly", 10, None),
        ("q1", "yearly", 2, 3),
        ("six_month", "yearly", 2, 5),
        ("nine_month", "yearly", 2, 9),
        ("year_prep", "yearly", 17, 8),
        ("opening", "yearly", 6, 9),
        ("urgent", "urgent", None, None),
        ("review_hk1", "directed", None, None),
        ("other", "none", None, None),
    ],
)
def test_shipped_deadlines_follow_the_letter(strict: Calendar, report_id: str, schedule: str,
                                             day: int | None, month: int | None) -> None:
    report = strict.reports[report_id]
    assert (report.schedule, report.deadline_day, report.deadline_month) == (schedule, day, month)


# --- school years -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "school_year"),
    [
        (date(2026, 7, 31), "2025-2026"),
        (date(2026, 8, 1), "2026-2027"),
        (date(2026, 9, 5), "2026-2027"),
        (date(2026, 12, 31), "2026-2027"),
        (date(2027, 1, 1), "2026-2027"),
        (date(2027, 7, 31), "2026-2027"),
        (date(2027, 8, 1), "2027-2028"),
        (date(2028, 2, 29), "2027-2028"),
        (datetime(2026, 8, 1, 0, 30, tzinfo=VN), "2026-2027"),
    ],
)
def test_school_year_of_turns_on_the_first_of_august(day: date, school_year: str) -> None:
    assert school_year_of(day) == school_year


# --- deadlines: monthly, the readings, the year boundary, leap years -----------------------------
@pytest.mark.parametrize(
    ("key", "strict_last", "lenient_last"),
    [
        ("2026-09", date(2026, 10, 9), date(2026, 10, 10)),
        ("2026-10", date(2026, 11, 9), date(2026, 11, 10)),
        ("2026-12", date(2027, 1, 9), date(2027, 1, 10)),  # December report: due in January of the next year
        ("2027-05", date(2027, 6, 9), date(2027, 6, 10)),
        ("2028-01", date(2028, 2, 9), date(2028, 2, 10)),  # leap year: before 10/2/2028
        ("2028-02", date(2028, 3, 9), date(2028, 3, 10)),  # 29 days in February change nothing
        ("2027-06", date(2027, 7, 9), date(2027, 7, 10)),  # June is not owed, but still has a deadline
    ],
)
def test_monthly_deadline_is_the_tenth_of_the_following_month(
    strict: Calendar, lenient: Calendar, key: str, strict_last: date, lenient_last: date
) -> None:
    assert deadline(strict, period_for(strict, "monthly", key)) == datetime.combine(strict_last, time.max, tzinfo=VN)
    assert deadline(lenient, period_for(lenient, "monthly", key)) == datetime.combine(lenient_last, time.max, tzinfo=VN)


@pytest.mark.parametrize(
    ("report_id", "key", "strict_last", "lenient_last"),
    [
        ("q1", "2027-Q1", date(2027, 3, 1), date(2027, 3, 2)),
        ("q1", "2028-Q1", date(2028, 3, 1), date(2028, 3, 2)),
        ("six_month", "2027-H1", date(2027, 5, 1), date(2027, 5, 2)),
        ("nine_month", "2027-9M", date(2027, 9, 1), date(2027, 9, 2)),
        ("year_prep", "2026-2027", date(2026, 8, 16), date(2026, 8, 17)),
        ("opening", "2026-2027", date(2026, 9, 5), date(2026, 9, 6)),
    ],
)
def test_yearly_deadlines_under_both_readings(
    strict: Calendar, lenient: Calendar, report_id: str, key: str, strict_last: date, lenient_last: date
) -> None:
    assert deadline(strict, period_for(strict, report_id, key)) == datetime.combine(strict_last, time.max, tzinfo=VN)
    assert deadline(lenient, period_for(lenient, report_id, key)) == datetime.combine(lenient_last, time.max, tzinfo=VN)


@pytest.mark.parametrize(
    ("year", "last_day"),
    [(2027, date(2027, 2, 28)), (2028, date(2028, 2, 29)), (2100, date(2100, 2, 28))],  # 2100 is not leap
)
def test_before_the_first_of_march_ends_on_the_last_day_of_february(year: int, last_day: date) -> None:
    cal = load_calendar(with_reports('[reports.q1]\nname = "Báo cáo quý I"\nschedule = "yearly"\n'
                                     "deadline_day = 1\ndeadline_month = 3\n"))
    assert deadline(cal, period_for(cal, "q1", f"{year}-Q1")) == datetime.combine(last_day, time.max, tzinfo=VN)


def test_monthly_before_the_first_ends_with_the_covered_month() -> None:
    cal = load_calendar(MONTHLY.replace("deadline_day = 10", "deadline_day = 1"))
    assert deadline(cal, period_for(cal, "monthly", "2028-02")) == end_of(2028, 2, 29)
    assert deadline(cal, period_for(cal, "monthly", "2026-12")) == end_of(2026, 12, 31)


def test_deadline_is_an_aware_end_of_day_in_vietnam(strict: Calendar) -> None:
    last = deadline(strict, period_for(strict, "monthly", "2026-10"))
    assert last is not None and last.tzinfo is not None
    assert last.astimezone(UTC) == datetime(2026, 11, 9, 16, 59, 59, 999999, tzinfo=UTC)


def test_a_report_can_override_the_calendar_reading() -> None:
    text = with_reports(MONTHLY + "exclusive = false\n", head="exclusive = true")
    cal = load_calendar(text)
    assert deadline(cal, period_for(cal, "monthly", "2026-10")) == end_of(2026, 11, 10)


@pytest.mark.parametrize(
    ("report_id", "key", "last"),
    [
        ("csvc_2026", "once", end_of(2026, 11, 15)),  # "hạn 15/11/2026": the 15th is still on time
        ("review_hk1", "2026-2027-HK1", end_of(2027, 1, 15)),
        ("review_hk2", "2026-2027-HK2", end_of(2027, 5, 25)),
        ("review_year", "2026-2027", end_of(2027, 6, 5)),
        ("review_hk1", "2027-2028-HK1", None),  # the office has not set it yet
        ("urgent", "2026-11-05", end_of(2026, 11, 5)),  # same day
        ("other", "2026-11-05", None),
    ],
)
def test_office_dates_and_special_schedules(strict: Calendar, report_id: str, key: str, last: datetime | None) -> None:
    assert deadline(strict, period_for(strict, report_id, key)) == last


def test_office_dates_ignore_the_calendar_reading_but_not_a_report_override(lenient: Calendar) -> None:
    assert deadline(lenient, period_for(lenient, "csvc_2026", "once")) == end_of(2026, 11, 15)
    text = (ROOT / "config" / "reports.toml").read_text(encoding="utf-8").replace(
        'due = 2026-11-15', 'due = 2026-11-15\nexclusive = true')
    cal = load_calendar(text)
    assert deadline(cal, period_for(cal, "csvc_2026", "once")) == end_of(2026, 11, 14)


# --- lateness: readings and time zones -----------------------------------------------------------
@pytest.mark.parametrize(
    ("submitted", "late_strict", "late_lenient"),
    [
        (vn(2026, 11, 9, 23, 59), None, None),
        (vn(2026, 11, 10, 8, 0), timedelta(hours=8, microseconds=1), None),
        (datetime(2026, 11, 9, 17, 30, tzinfo=UTC), timedelta(minutes=30, microseconds=1), None),  # 10/11 00:30 VN
        (datetime(2026, 11, 9, 16, 59, tzinfo=UTC), None, None),  # 23:59 VN: on time although "the 9th" in UTC
        (datetime(2026, 11, 10, 16, 59, tzinfo=UTC), timedelta(hours=23, minutes=59, microseconds=1), None),
        (datetime(2026, 11, 10, 17, 0, tzinfo=UTC), timedelta(days=1, microseconds=1), timedelta(microseconds=1)),
        (vn(2026, 10, 15), None, None),  # early is on time
    ],
)
def test_lateness_of_the_october_report(
    strict: Calendar, lenient: Calendar, submitted: datetime, late_strict: timedelta | None,
    late_lenient: timedelta | None
) -> None:
    assert lateness(strict, period_for(strict, "monthly", "2026-10"), submitted) == late_strict
    assert lateness(lenient, period_for(lenient, "monthly", "2026-10"), submitted) == late_lenient


def test_lateness_without_a_deadline_is_none(strict: Calendar) -> None:
    assert lateness(strict, period_for(strict, "other", "2026-11-05"), vn(2030, 1, 1)) is None
    assert lateness(strict, period_for(strict, "review_hk1", "2030-2031-HK1"), vn(2031, 6, 1)) is None


def test_urgent_is_late_the_next_day(strict: Calendar) -> None:
    period = period_for(strict, "urgent", "2026-11-05")
    assert lateness(strict, period, vn(2026, 11, 5, 23, 0)) is None
    assert lateness(strict, period, vn(2026, 11, 6, 7, 0)) == timedelta(hours=7, microseconds=1)


def test_lateness_refuses_a_naive_datetime(strict: Calendar) -> None:
    with pytest.raises(ValueError):
        lateness(strict, period_for(strict, "monthly", "2026-10"), datetime(2026, 11, 10, 8, 0))


# --- periods in a school year ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("report_id", "school_year", "keys"),
    [
        ("monthly", "2026-2027", ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02",
                                  "2027-03", "2027-04", "2027-05"]),
        ("q1", "2026-2027", ["2027-Q1"]),
        ("six_month", "2026-2027", ["2027-H1"]),
        ("nine_month", "2026-2027", ["2026-9M"]),  # due 02/9/2026: chased in the school year it falls in
        ("nine_month", "2027-2028", ["2027-9M"]),
        ("year_prep", "2026-2027", ["2026-2027"]),
        ("opening", "2026-2027", ["2026-2027"]),
        ("review_hk1", "2026-2027", ["2026-2027-HK1"]),
        ("review_hk2", "2026-2027", ["2026-2027-HK2"]),
        ("review_year", "2026-2027", ["2026-2027"]),
        ("review_hk1", "2027-2028", []),  # no date set yet
        ("csvc_2026", "2026-2027", ["once"]),
        ("csvc_2026", "2025-2026", []),
        ("urgent", "2026-2027", []),
        ("other", "2026-2027", []),
    ],
)
def test_periods_in_school_year(strict: Calendar, report_id: str, school_year: str, keys: list[str]) -> None:
    periods = periods_in_school_year(strict, strict.reports[report_id], school_year)
    assert [p.key for p in periods] == keys
    assert all(p.report_id == report_id for p in periods)


def test_periods_are_in_deadline_order_and_inside_the_school_year(strict: Calendar) -> None:
    for report in strict.reports.values():
        for school_year in ("2026-2027", "2027-2028", "2028-2029"):
            lasts = [deadline(strict, p) for p in periods_in_school_year(strict, report, school_year)]
            assert lasts == sorted(lasts)
            assert all(last is not None and school_year_of(last) == school_year for last in lasts)


@pytest.mark.parametrize(
    ("months", "keys"),
    [
        # a July report is due in August: July 2026 belongs to 2026-2027, July 2027 to 2027-2028
        ([6, 7, 8], ["2026-07", "2026-08", "2027-06"]),
        ([12, 1], ["2026-12", "2027-01"]),
    ],
)
def test_configured_months_follow_their_deadline_into_the_school_year(months: list[int], keys: list[str]) -> None:
    cal = load_calendar(MONTHLY + f"months = {months}\n")
    assert [p.key for p in periods_in_school_year(cal, cal.reports["monthly"], "2026-2027")] == keys


def test_periods_in_school_year_refuses_a_bad_school_year(strict: Calendar) -> None:
    with pytest.raises(CalendarError, match="monthly"):
        periods_in_school_year(strict, strict.reports["monthly"], "2026-2028")


# --- period_for --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("report_id", "key", "normal", "label"),
    [
        ("monthly", "2026-10", "2026-10", "tháng 10/2026"),
        ("monthly", " 2027-1 ", "2027-01", "tháng 1/2027"),
        ("q1", "2027-Q1", "2027-Q1", "quý I/2027"),
        ("q1", "2027-q1", "2027-Q1", "quý I/2027"),
        ("six_month", "2027-H1", "2027-H1", "6 tháng đầu năm 2027"),
        ("nine_month", "2027-9m", "2027-9M", "9 tháng đầu năm 2027"),
        ("year_prep", "2026-2027", "2026-2027", "năm học 2026-2027"),
        ("opening", "2026-2027", "2026-2027", "năm học 2026-2027"),
        ("review_hk1", "2026-2027-HK1", "2026-2027-HK1", "học kỳ I năm học 2026-2027"),
        ("review_hk1", "2026-2027-hki", "2026-2027-HK1", "học kỳ I năm học 2026-2027"),
        ("review_hk2", "2026-2027-HKII", "2026-2027-HK2", "học kỳ II năm học 2026-2027"),
        ("review_year", "2026-2027", "2026-2027", "năm học 2026-2027"),
        ("urgent", "2026-11-05", "2026-11-05", "ngày 05/11/2026"),
        ("other", "2026-11-05", "2026-11-05", "ngày 05/11/2026"),
        ("csvc_2026", "once", "once", "hạn 15/11/2026"),
    ],
)
def test_period_for_normalises_keys(strict: Calendar, report_id: str, key: str, normal: str, label: str) -> None:
    assert period_for(strict, report_id, key) == Period(report_id, normal, label)


@pytest.mark.parametrize(
    ("report_id", "key"),
    [
        ("monthly", "2026-13"),
        ("monthly", "2026-00"),
        ("monthly", "10/2026"),
        ("monthly", "2026-2027"),
        ("q1", "2027-Q2"),
        ("q1", "2027"),
        ("six_month", "2027-Q1"),
        ("year_prep", "2026-2028"),
        ("year_prep", "2026"),
        ("review_hk1", "2026-2027"),
        ("review_hk1", "2026-2027-HK2"),
        ("review_year", "2026-2027-HK1"),
        ("urgent", "2026-02-30"),
        ("urgent", "05/11/2026"),
        ("csvc_2026", "2026-11-15"),
        ("nonexistent", "2026-10"),
    ],
)
def test_period_for_refuses_malformed_keys(strict: Calendar, report_id: str, key: str) -> None:
    with pytest.raises(CalendarError, match=report_id):
        period_for(strict, report_id, key)


def test_deadline_of_a_forged_period_is_refused(strict: Calendar) -> None:
    with pytest.raises(CalendarError):
        deadline(strict, Period("monthly", "2026-13", "?"))


# --- owes --------------------------------------------------------------------------------------------
def report(*owed_by: str) -> ReportType:
    return ReportType("x", "Báo cáo X", "once", None, None, (), date(2026, 11, 15), owed_by, (), None)


@pytest.mark.parametrize(
    ("owed_by", "unit_id", "kind", "expected"),
    [
        (("all",), "MN-thoilai", "mam_non", True),
        (("all",), "TH-chauhunga", "tieu_hoc", True),
        (("all",), "PGD", "office", False),  # the office does not report to itself
        (("thcs", "th_thcs"), "THCS-thoilai", "thcs", True),
        (("thcs", "th_thcs"), "TH-THCS-phuvang", "th_thcs", True),
        (("thcs", "th_thcs"), "TH-chauhunga", "tieu_hoc", False),
        (("THCS-thoilai",), "THCS-thoilai", "thcs", True),
        (("THCS-thoilai",), "thcs-THOILAI", "thcs", True),  # ids compared without case
        (("THCS-thoilai",), "THCS-binhdai", "thcs", False),
        (("tieu_hoc", "THCS-thoilai"), "THCS-thoilai", "thcs", True),
    ],
)
def test_owes(owed_by: tuple[str, ...], unit_id: str, kind: str, expected: bool) -> None:
    assert owes(report(*owed_by), unit_id, kind) is expected


def test_shipped_csvc_is_owed_by_lower_secondary_only(strict: Calendar) -> None:
    csvc = strict.reports["csvc_2026"]
    assert owes(csvc, "THCS-thoilai", "thcs") and not owes(csvc, "MG-x", "mau_giao")


# --- wording -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(days=3), "trễ hạn 3 ngày"),
        (timedelta(days=3, microseconds=1), "trễ hạn 3 ngày"),
        (timedelta(days=2, hours=8, minutes=15), "trễ hạn 2 ngày 8 giờ"),
        (timedelta(hours=5), "trễ hạn 5 giờ"),
        (timedelta(hours=8, microseconds=1), "trễ hạn 8 giờ"),
        (timedelta(hours=5, minutes=30), "trễ hạn 5 giờ 30 phút"),
        (timedelta(minutes=30, microseconds=1), "trễ hạn 30 phút"),
        (timedelta(seconds=20), "trễ hạn dưới 1 phút"),
        (timedelta(microseconds=1), "trễ hạn dưới 1 phút"),
        (timedelta(0), "đúng hạn"),
        (timedelta(hours=-2), "đúng hạn"),
    ],
)
def test_days_text(delta: timedelta, text: str) -> None:
    assert days_text(delta) == text


@pytest.mark.parametrize(
    ("now", "text"),
    [
        (vn(2026, 11, 7, 9, 0), "còn 2 ngày"),
        (vn(2026, 11, 8, 23, 59), "còn 1 ngày"),
        (vn(2026, 11, 9, 0, 1), "hạn chót hôm nay"),
        (vn(2026, 11, 9, 23, 59), "hạn chót hôm nay"),
        (vn(2026, 11, 10, 0, 30), "quá hạn 1 ngày"),
        (vn(2026, 11, 13, 10, 0), "quá hạn 4 ngày"),
        (datetime(2026, 11, 8, 18, 0, tzinfo=UTC), "hạn chót hôm nay"),  # 01:00 on the 9th in Vietnam
        (datetime(2026, 11, 9, 17, 30, tzinfo=UTC), "quá hạn 1 ngày"),  # 00:30 on the 10th in Vietnam
    ],
)
def test_due_text_counts_days_on_the_vietnamese_calendar(now: datetime, text: str) -> None:
    assert due_text(end_of(2026, 11, 9), now) == text
    assert due_text(end_of(2026, 11, 9).astimezone(UTC), now) == text  # as the register stores it


def test_due_text_for_a_mid_day_deadline_passed_today() -> None:
    assert due_text(vn(2026, 11, 9, 12, 0), vn(2026, 11, 9, 15, 0)) == "quá hạn 3 giờ"


# --- load_calendar errors ------------------------------------------------------------------------------
YEARLY = '[reports.q1]\nname = "Báo cáo quý I"\nschedule = "yearly"\n'


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (MONTHLY.replace('"monthly"\n', '"weekly"\n'), ("monthly", "schedule", "weekly")),
        (MONTHLY.replace('schedule = "monthly"\n', ""), ("monthly", "schedule", "thiếu")),
        (MONTHLY.replace("deadline_day = 10\n", ""), ("monthly", "deadline_day", "thiếu")),
        (MONTHLY.replace("deadline_day = 10", "deadline_day = 31"), ("monthly", "deadline_day", "28")),
        (MONTHLY.replace("deadline_day = 10", 'deadline_day = "10"'), ("monthly", "deadline_day", "số nguyên")),
        (MONTHLY + "months = [9, 13]\n", ("monthly", "months", "13")),
        (MONTHLY + "months = [0]\n", ("monthly", "months")),
        (MONTHLY + "months = [9, 9]\n", ("monthly", "months", "hai lần")),
        (MONTHLY + "months = []\n", ("monthly", "months")),
        (MONTHLY + "deadline_month = 3\n", ("monthly", "deadline_month", "không dùng")),
        (MONTHLY + "deadine_day = 3\n", ("monthly", "deadine_day", "không hợp lệ")),
        (MONTHLY.replace('name = "Báo cáo tháng"\n', ""), ("monthly", "name")),
        (YEARLY + "deadline_day = 2\n", ("q1", "deadline_month", "thiếu")),
        (YEARLY + "deadline_month = 3\n", ("q1", "deadline_day", "thiếu")),
        (YEARLY + "deadline_day = 31\ndeadline_month = 2\n", ("q1", "deadline_day", "31/2")),
        (YEARLY + "deadline_day = 29\ndeadline_month = 2\n", ("q1", "deadline_day", "năm nhuận")),
        (YEARLY + "deadline_day = 31\ndeadline_month = 4\n", ("q1", "deadline_day", "31/4")),
        (YEARLY + "deadline_day = 2\ndeadline_month = 13\n", ("q1", "deadline_month", "13")),
        (YEARLY + "deadline_day = 0\ndeadline_month = 3\n", ("q1", "deadline_day")),
        ('[reports.csvc]\nname = "CSVC"\nschedule = "once"\n', ("csvc", "due", "thiếu")),
        ('[reports.csvc]\nname = "CSVC"\nschedule = "once"\ndue = "15/11/2026"\n', ("csvc", "due")),
        ('[reports.csvc]\nname = "CSVC"\nschedule = "once"\ndue = 2026-11-15T08:00:00\n', ("csvc", "due")),
        ('[reports.u]\nname = "Khẩn"\nschedule = "urgent"\nexclusive = true\n', ('"u"', "exclusive")),
        ('[reports."Báo cáo CSVC"]\nname = "CSVC"\nschedule = "none"\n', ("Báo cáo CSVC", "id")),
        ('[reports.CSVC]\nname = "CSVC"\nschedule = "none"\n', ("CSVC", "id")),
        ('[reports.csvc-2026]\nname = "CSVC"\nschedule = "none"\n', ("csvc-2026", "id")),
        (MONTHLY + 'owed_by = ["all", "thcs"]\n', ("monthly", "owed_by", "all")),
        (MONTHLY + "owed_by = []\n", ("monthly", "owed_by")),
        (MONTHLY + 'owed_by = "all"\n', ("monthly", "owed_by")),
        (MONTHLY + 'exclusive = "yes"\n', ("monthly", "exclusive")),
        (MONTHLY + 'keywords = ["!!"]\n', ("monthly", "keywords")),
        (MONTHLY + 'keywords = ["CSVC"]\n[reports.csvc]\nname = "CSVC"\nschedule = "none"\nkeywords = ["csvc"]\n',
         ("csvc", "keywords", "monthly")),
        (MONTHLY + 'keywords = ["cơ sở vật chất"]\n[reports.csvc]\nname = "CSVC"\nschedule = "none"\n'
                   'keywords = ["co so vat chat"]\n', ("csvc", "keywords", "co so vat chat")),
        ('[reports.review_hk1]\nname = "Sơ kết HK I"\nschedule = "directed"\n'
         '[review_deadlines]\n"review_hk1:2026-2027" = 2026-01-15\n', ("review_hk1", "review_deadlines", "2026-2027")),
        ('[reports.review_hk1]\nname = "Sơ kết HK I"\nschedule = "directed"\n'
         '[review_deadlines]\n"review_hk1:2026" = 2027-01-15\n', ("review_hk1", "review_deadlines")),
        ('[reports.review_hk1]\nname = "Sơ kết HK I"\nschedule = "directed"\n'
         '[review_deadlines]\n"review_hk1:2026-2027" = "15/01/2027"\n', ("review_hk1", "review_deadlines")),
        (MONTHLY + '[review_deadlines]\n"review_hk3:2026-2027" = 2027-01-15\n', ("review_hk3",)),
        (MONTHLY + '[review_deadlines]\n"monthly:2026-2027" = 2027-01-15\n', ("monthly", "directed")),
        (MONTHLY.replace('"monthly"\n', '"monthly"'), ("TOML",)),
        ("exclusive = true\n", ("reports",)),
        ('exclusive = "yes"\n' + MONTHLY, ("exclusive",)),
        ('timezone = "Asia/Saigon_"\n' + MONTHLY, ("timezone", "Asia/Saigon_")),
        ("deadline = 10\n" + MONTHLY, ("deadline",)),
    ],
)
def test_load_calendar_refuses_mistakes_naming_the_report_and_field(text: str, names: tuple[str, ...]) -> None:
    with pytest.raises(CalendarError) as caught:
        load_calendar(text)
    for name in names:
        assert name in str(caught.value)


def test_load_calendar_defaults() -> None:
    cal = load_calendar(MONTHLY + '[reports.other]\nname = "Khác"\nschedule = "none"\n')
    assert (cal.timezone, cal.exclusive, cal.review_deadlines) == ("Asia/Ho_Chi_Minh", True, {})
    monthly = cal.reports["monthly"]
    assert monthly.months == (9, 10, 11, 12, 1, 2, 3, 4, 5)
    assert (monthly.owed_by, monthly.keywords, monthly.exclusive) == (("all",), (), None)
    assert cal.reports["other"].months == ()


def test_months_are_kept_in_school_year_order() -> None:
    cal = load_calendar(MONTHLY + "months = [1, 12, 8, 7]\n")
    assert cal.reports["monthly"].months == (8, 12, 1, 7)


def test_keywords_are_folded_for_subject_matching() -> None:
    cal = load_calendar(MONTHLY + 'keywords = ["Cơ Sở Vật Chất", "co so vat chat", "CSVC"]\n')
    assert cal.reports["monthly"].keywords == ("co so vat chat", "csvc")


def test_calendar_error_is_a_value_error() -> None:
    assert issubclass(CalendarError, ValueError)
