"""Opt-in reminders: before a deadline, one polite reminder to each unit that still owes the report;
after it, one notice; every morning, one digest to staff. Each is queued in the outbox under a
notice key, so it is sent once however often this runs, and never to a unit that has sent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mailbot.adapters.db import Database
from mailbot.core.calendar import Calendar
from mailbot.service.deadlines import MissingRow, missing
from mailbot.service.replies import ReplyContext, compose_digest, compose_notice

_OVERDUE_WINDOW = timedelta(days=7)  # enabling reminders mid-year must not send notices for old deadlines


@dataclass(frozen=True)
class ReminderPolicy:
    days_before: int
    overdue_notice: bool
    digest_hour: int
    staff_address: str | None


@dataclass
class ReminderReport:
    reminders: int = 0
    overdue: int = 0
    digests: int = 0


def queue_reminders(
    db: Database, calendar: Calendar, ctx: ReplyContext, policy: ReminderPolicy, now: datetime
) -> ReminderReport:
    report = ReminderReport()
    with db.transaction() as reg:
        units = {u.unit_id: u for u in reg.units()}
        rows = missing(reg, calendar, units.values(), now)
        for row in rows:
            kind = _kind(row, policy, now)
            unit = units[row.unit_id]
            if kind is None or not unit.addresses:
                continue
            key = f"{kind}:{row.unit_id}:{row.report_id}:{row.period}"
            if reg.has_notice(key):
                continue
            reference = notice_reference(key)
            notice = compose_notice(ctx, kind, unit.addresses[0], unit.name, row, now, reference)
            reg.queue_reply(notice, reference, ctx.from_address, now, notice_key=key)
            if kind == "reminder":
                report.reminders += 1
            else:
                report.overdue += 1
        local = now.astimezone(ZoneInfo(calendar.timezone))
        key = f"digest:{local.date().isoformat()}"
        if policy.staff_address and local.hour >= policy.digest_hour and not reg.has_notice(key):
            reference = notice_reference(key)
            digest = compose_digest(ctx, policy.staff_address, rows, now, reference)
            reg.queue_reply(digest, reference, ctx.from_address, now, notice_key=key)
            report.digests += 1
    return report


def _kind(row: MissingRow, policy: ReminderPolicy, now: datetime) -> str | None:
    if row.deadline is None:
        return None
    if not row.overdue and row.deadline - now <= timedelta(days=policy.days_before):
        return "reminder"
    if row.overdue and policy.overdue_notice and now - row.deadline <= _OVERDUE_WINDOW:
        return "overdue"
    return None


def notice_reference(key: str, prefix: str = "TB") -> str:
    """The outbox reference of a notice of ours (reminder, digest, staff alert), fixed by its key."""
    return f"{prefix}-" + hashlib.sha256(key.encode()).hexdigest()[:16].upper()
