"""Staff accounts, signed-in sessions and the audit log, in the register's database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mailbot.adapters.db_tables import AuditRow, StaffSessionRow, StaffUserRow


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    username: str | None
    action: str
    target: str
    details: dict[str, Any]
    remote_addr: str | None


class StaffStore:
    """Reads and writes inside the caller's transaction (the caller commits)."""

    def __init__(self, session: Session):
        self.session = session

    # --- users -------------------------------------------------------------------------------
    def user_named(self, username: str) -> StaffUserRow | None:
        return self.session.scalar(select(StaffUserRow).where(StaffUserRow.username == username))

    def users(self) -> list[StaffUserRow]:
        return list(self.session.scalars(select(StaffUserRow).order_by(StaffUserRow.username)))

    def count_users(self) -> int:
        return self.session.scalar(select(func.count()).select_from(StaffUserRow)) or 0

    def add_user(self, username: str, display_name: str, role: str, password_hash: str, now: datetime) -> StaffUserRow:
        row = StaffUserRow(
            username=username, display_name=display_name, role=role, password_hash=password_hash, active=True,
            failed_logins=0, created_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row

    # --- sessions ------------------------------------------------------------------------------
    def add_session(self, token_sha256: str, user_id: int, csrf_token: str, now: datetime, expires_at: datetime) -> None:
        self.session.add(
            StaffSessionRow(token_sha256=token_sha256, user_id=user_id, csrf_token=csrf_token, created_at=now, expires_at=expires_at)
        )
        self.session.flush()

    def live_session(self, token_sha256: str, now: datetime) -> tuple[StaffSessionRow, StaffUserRow] | None:
        row = self.session.get(StaffSessionRow, token_sha256)
        if row is None or row.expires_at <= now:
            return None
        user = self.session.get(StaffUserRow, row.user_id)
        if user is None or not user.active:
            return None
        return row, user

    def end_session(self, token_sha256: str) -> None:
        self.session.execute(delete(StaffSessionRow).where(StaffSessionRow.token_sha256 == token_sha256))

    def end_sessions_of(self, user_id: int) -> None:
        self.session.execute(delete(StaffSessionRow).where(StaffSessionRow.user_id == user_id))

    def drop_expired_sessions(self, now: datetime) -> None:
        self.session.execute(delete(StaffSessionRow).where(StaffSessionRow.expires_at <= now))

    # --- audit ---------------------------------------------------------------------------------
    def audit(
        self, at: datetime, username: str | None, action: str, target: str = "", details: dict[str, Any] | None = None,
        remote_addr: str | None = None,
    ) -> None:
        self.session.add(
            AuditRow(at=at, username=username, action=action, target=target[:300], details=details or {}, remote_addr=remote_addr)
        )
        self.session.flush()

    def audit_entries(self, limit: int = 200, before_id: int | None = None) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(AuditRow.id < before_id)
        return [
            AuditEntry(r.id, r.at, r.username, r.action, r.target, dict(r.details or {}), r.remote_addr)
            for r in self.session.scalars(query)
        ]

    def audit_entries_after(self, after_id: int, limit: int = 200) -> list[AuditEntry]:
        """The `limit` entries just newer than `after_id`, newest first (a "newer" page of keyset paging)."""
        query = select(AuditRow).where(AuditRow.id > after_id).order_by(AuditRow.id.asc()).limit(limit)
        rows = list(self.session.scalars(query))
        return [
            AuditEntry(r.id, r.at, r.username, r.action, r.target, dict(r.details or {}), r.remote_addr)
            for r in reversed(rows)
        ]
