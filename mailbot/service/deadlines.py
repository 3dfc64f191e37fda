"""Staff questions about deadlines: who has not sent a report yet, and each unit's timeliness over
a school year (the year-end evaluation)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mailbot.adapters.db import Register
from mailbot.core.calendar import Calendar, Period, ReportType, deadline, due_text, owes, period_for, periods_in_school_year, school_year_of
from mailbot.core.units import Unit

_SCHEDULED = ("monthly", "yearly", "once", "directed")
_SOON = timedelta(days=30)


@dataclass(frozen=True)
class MissingRow:
    unit_id: str
    unit_name: str
    report_id: str
    report_name: str
    period: str
    period_label: str
    deadline: datetime | None
    due_text: str  # "còn 3 ngày" | "quá hạn 5 ngày"
    overdue: bool


@dataclass(frozen=True)
class TimelinessRow:
    unit_id: str
    unit_name: str
    on_time: int
    late: int
    missing: int

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def rate(self) -> float | None:
        """Share of the reports due that arrived on time; None when nothing was due yet."""
        return self.on_time / self.total if self.total else None


def _reporting(units: Iterable[Unit]) -> list[Unit]:
    return sorted((u for u in units if u.reports), key=lambda u: u.unit_id)


def _scheduled(calendar: Calendar, report_id: str | None) -> list[ReportType]:
    if report_id is not None:
        if report_id not in calendar.reports:
            raise ValueError(f"không có loại báo cáo {report_id!r}; có: {', '.join(sorted(calendar.reports))}")
        return [calendar.reports[report_id]]
    return [r for r in calendar.reports.values() if r.schedule in _SCHEDULED]


def _periods(calendar: Calendar, report: ReportType, period_key: str | None, now: datetime) -> list[Period]:
    if period_key is not None:
        return [period_for(calendar, report.id, period_key)]
    # this school year's periods that are already due or due within a month
    year = school_year_of(now.astimezone(ZoneInfo(calendar.timezone)).date())
    return [p for p in periods_in_school_year(calendar, report, year) if (d := deadline(calendar, p)) and d <= now + _SOON]


def missing(
    reg: Register, calendar: Calendar, units: Iterable[Unit], now: datetime, report_id: str | None = None, period_key: str | None = None
) -> list[MissingRow]:
    rows = []
    owing_units = _reporting(units)
    for report in _scheduled(calendar, report_id):
        for period in _periods(calendar, report, period_key, now):
            sent = {s.unit_id for s in reg.submissions(report.id, period.key)}
            due = deadline(calendar, period)
            for unit in owing_units:
                if unit.unit_id in sent or not owes(report, unit.unit_id, unit.kind):
                    continue
                rows.append(
                    MissingRow(
                        unit.unit_id,
                        unit.name,
                        report.id,
                        report.name,
                        period.key,
                        period.label,
                        due,
                        due_text(due, now, calendar.timezone) if due else "",
                        bool(due and due < now),
                    )
                )
    return rows


def timeliness(reg: Register, calendar: Calendar, units: Iterable[Unit], school_year: str, now: datetime) -> list[TimelinessRow]:
    """For every period of the school year whose deadline has passed: on time, late, or missing."""
    submitted = {(s.unit_id, s.report_id, s.period): s for s in reg.submissions()}
    counts: dict[str, list[int]] = {}
    owing_units = _reporting(units)
    for report in _scheduled(calendar, None):
        for period in periods_in_school_year(calendar, report, school_year):
            due = deadline(calendar, period)
            if due is None or due > now:
                continue
            for unit in owing_units:
                if not owes(report, unit.unit_id, unit.kind):
                    continue
                tally = counts.setdefault(unit.unit_id, [0, 0, 0])
                found = submitted.get((unit.unit_id, report.id, period.key))
                tally[0 if found and found.late_seconds is None else 1 if found else 2] += 1
    return [TimelinessRow(u.unit_id, u.name, *counts.get(u.unit_id, [0, 0, 0])) for u in owing_units]
