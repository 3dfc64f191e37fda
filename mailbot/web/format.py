"""Jinja filters: Vietnamese dates (dd/mm/yyyy, Vietnam time), sizes, labels."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from mailbot.labels import REPLY_VI, STATUS_VI
from mailbot.service.accounts import ROLE_VI, Role

REPLY_STATUS_VI = {"pending": "chờ gửi", "sent": "đã gửi", "failed": "gửi thất bại"}


def install_filters(env, timezone: str) -> None:  # type: ignore[no-untyped-def]
    tz = ZoneInfo(timezone)

    def vn_datetime(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%d/%m/%Y %H:%M") if value else "—"

    def vn_date(value: date | datetime | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            value = value.astimezone(tz).date()
        return value.strftime("%d/%m/%Y")

    def size(value: int | None) -> str:
        if value is None:
            return "—"
        for unit in ("B", "KB", "MB"):
            if value < 1024 or unit == "MB":
                return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}".replace(".", ",")
            value /= 1024  # type: ignore[assignment]
        return str(value)

    env.filters["vn_datetime"] = vn_datetime
    env.filters["vn_date"] = vn_date
    env.filters["size"] = size
    env.filters["status_vi"] = lambda s: STATUS_VI.get(s or "", s or "—")
    env.filters["reply_vi"] = lambda s: REPLY_VI.get(s or "", s or "—")
    env.filters["reply_status_vi"] = lambda s: REPLY_STATUS_VI.get(s or "", s or "—")
    env.filters["role_vi"] = lambda s: ROLE_VI.get(Role(s), s) if s in Role._value2member_map_ else s
