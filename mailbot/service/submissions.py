"""Turn an accepted message into a submission of a known report for a known period: first one or a
revision, on time or late. What the receipt says about it comes back as a SubmissionNote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mailbot.adapters.db import Register
from mailbot.core.calendar import Calendar, Period, days_text, deadline, lateness, period_for
from mailbot.core.reports import Classification, classify
from mailbot.core.units import Unit


@dataclass(frozen=True)
class SubmissionNote:
    report_name: str
    period_label: str | None  # None: the period could not be read from the subject
    deadline_text: str | None  # "23:59 ngày 09/11/2026"
    timeliness_text: str | None  # "đúng hạn" | "trễ hạn 3 ngày"
    revision: bool
    urgent: bool
    known: bool  # False: report type "other" or period unknown — the receipt asks the school to check
    confident: bool = True  # False: the period was guessed (e.g. "BC tháng" with no month) — the receipt says so


def keywords_of(calendar: Calendar) -> dict[str, tuple[str, ...]]:
    return {r.id: r.keywords for r in calendar.reports.values() if r.keywords and r.schedule == "once"}


def record_submission(
    reg: Register, calendar: Calendar, content: str, unit: Unit, message_pk: int, received: datetime
) -> SubmissionNote:
    local_day = received.astimezone(ZoneInfo(calendar.timezone)).date()
    found = classify(content, local_day, keywords_of(calendar))
    report = calendar.reports.get(found.report_id) or calendar.reports.get("other")
    name = report.name if report else "Báo cáo khác"
    period = _period(calendar, found)
    if found.report_id == "other" or period is None:
        reg.classify_message(message_pk, found.report_id, found.period, None, False)
        return SubmissionNote(name, None, None, None, found.revision, found.urgent, known=False)

    existing = reg.submission(unit.unit_id, found.report_id, period.key)
    due = deadline(calendar, period)
    if existing is not None:
        reg.revise_submission(existing, message_pk, received)
        reg.classify_message(message_pk, found.report_id, period.key, existing.id, True)
        late_seconds = existing.late_seconds
        revision = True
    else:
        late = lateness(calendar, period, received)
        late_seconds = int(late.total_seconds()) if late is not None else None
        row = reg.add_submission(
            unit_id=unit.unit_id,
            report_id=found.report_id,
            period=period.key,
            first_message_id=message_pk,
            latest_message_id=message_pk,
            first_received_at=received,
            latest_received_at=received,
            deadline=due,
            late_seconds=late_seconds,
            revisions=0,
        )
        reg.classify_message(message_pk, found.report_id, period.key, row.id, False)
        revision = False
    deadline_text = _when(due, calendar.timezone) if due is not None else None
    timely = None
    if due is not None:
        timely = "đúng hạn" if late_seconds is None else days_text(timedelta(seconds=late_seconds))
    return SubmissionNote(name, period.label, deadline_text, timely, revision, found.urgent, True, found.confident)


def _period(calendar: Calendar, found: Classification) -> Period | None:
    if found.period is None or found.report_id not in calendar.reports:
        return None
    try:
        return period_for(calendar, found.report_id, found.period)
    except ValueError:
        return None


def _when(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M ngày %d/%m/%Y")
