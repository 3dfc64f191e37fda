"""The composition root: the one place that builds real adapters from settings."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from mailbot.adapters.db import Database
from mailbot.adapters.files import BlobStore, PollLock
from mailbot.adapters.folder_inbox import FolderInbox
from mailbot.adapters.imap import ImapInbox
from mailbot.adapters.smtp import FolderTransport, SmtpTransport
from mailbot.adapters.units_file import read_units_file
from mailbot.core.calendar import Calendar, CalendarError, load_calendar
from mailbot.core.verdict import Action
from mailbot.errors import ConfigError
from mailbot.rules import Policy, active_rules
from mailbot.service.delivery import DeliveryPolicy, DeliveryReport, deliver_replies
from mailbot.service.poll import PollContext, PollReport, poll_once
from mailbot.ports import Inbox, ReplyTransport
from mailbot.service.reminders import ReminderPolicy, ReminderReport, notice_reference, queue_reminders
from mailbot.service.replies import ReplyContext, compose_staff_alert
from mailbot.settings import Settings

log = logging.getLogger(__name__)
BUNDLED_REPORTS = Path(__file__).resolve().parents[1] / "config" / "reports.toml"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class App:
    settings: Settings
    db: Database
    blobs: BlobStore
    clock: Callable[[], datetime] = utc_now
    lock: PollLock = field(init=False)
    _calendar: Calendar | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.lock = PollLock(self.settings.data_dir)

    def prepare(self) -> None:
        """Schema to the newest migration; units imported from units_file when the register has none.
        Two daemons starting together on an empty database race here; the loser finds the work done."""
        try:
            self.db.upgrade()
        except Exception:
            time.sleep(1)
            self.db.upgrade()  # another process was creating the same tables
        self.calendar()  # a broken report calendar stops the start, before the first poll
        path = self.settings.units_file
        if path is None:
            return
        units = read_units_file(path)
        try:
            with self.db.transaction() as reg:
                if reg.count_units() == 0:
                    added, _ = reg.upsert_units(units, self.clock())
                    log.info("imported %d units from %s", added, path)
        except Exception:
            with self.db.transaction() as reg:
                if reg.count_units() == 0:
                    raise
            log.info("units were imported by another process meanwhile")

    def open_inbox(self) -> Inbox:
        imap = self.settings.imap
        max_bytes = int(self.settings.rules.max_message_mb * 1024 * 1024)
        return FolderInbox(imap.path) if imap.mode == "folder" else ImapInbox(imap, max_bytes=max_bytes)

    def transport(self) -> ReplyTransport:
        smtp = self.settings.smtp
        return FolderTransport(smtp.path) if smtp.mode == "folder" else SmtpTransport(smtp)

    def calendar(self) -> Calendar:
        """The report calendar (config/reports.toml or reports_file), validated; loaded once."""
        if self._calendar is None:
            path = self.settings.reports_file or BUNDLED_REPORTS
            try:
                self._calendar = load_calendar(path.read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise ConfigError(f"không tìm thấy lịch báo cáo {path}") from exc
            except CalendarError as exc:
                raise ConfigError(f"lịch báo cáo {path}: {exc}") from exc
        return self._calendar

    def reply_context(self) -> ReplyContext:
        s = self.settings
        return ReplyContext(s.office_name, s.smtp.from_address, s.allowed_domain, s.timezone)

    def poll_context(self) -> PollContext:
        s = self.settings
        return PollContext(
            db=self.db,
            blobs=self.blobs,
            policy=policy_from(s),
            rules=active_rules(s.rules.disabled),
            replies=self.reply_context(),
            batch_size=s.batch_size,
            answer_since=s.answer_since,
            clock=self.clock,
            calendar=self.calendar(),
            staff_address=s.staff_address,
            reply_limits=(s.rules.max_replies_per_sender_per_hour, s.rules.max_replies_per_hour),
            max_seconds_per_message=s.rules.max_seconds_per_message,
        )

    def poll(self, should_stop: Callable[[], bool] = lambda: False) -> PollReport:
        inbox = self.open_inbox()
        try:
            return poll_once(inbox, self.poll_context(), should_stop)
        finally:
            inbox.close()

    def remind(self) -> ReminderReport | None:
        """Queue due reminders, notices and the staff digest (only when reminders are switched on)."""
        s = self.settings
        if not s.reminders.enabled:
            return None
        policy = ReminderPolicy(s.reminders.days_before, s.reminders.overdue_notice, s.reminders.digest_hour, s.staff_address)
        return queue_reminders(self.db, self.calendar(), self.reply_context(), policy, self.clock())

    def alert_staff(self, key: str, subject: str, text: str) -> bool:
        """Queue one alert to staff_address under this key (never twice); False when there is no staff address."""
        to = self.settings.staff_address
        if not to:
            return False
        now = self.clock()
        reference = notice_reference(key, "CB")
        with self.db.transaction() as reg:
            if not reg.has_notice(key):
                alert = compose_staff_alert(self.reply_context(), to, subject, text, reference, now)
                reg.queue_reply(alert, reference, self.settings.smtp.from_address, now, notice_key=key)
        return True

    def deliver(self) -> DeliveryReport:
        smtp = self.settings.smtp
        policy = DeliveryPolicy(max_attempts=smtp.max_attempts, retry_base_seconds=smtp.retry_base_seconds)
        return deliver_replies(self.db, self.transport(), policy, self.clock)


def policy_from(s: Settings) -> Policy:
    return Policy(
        allowed_domain=s.allowed_domain,
        own_addresses=s.own_addresses,
        unit_mismatch=Action(s.rules.unit_mismatch),
        two_units=Action(s.rules.two_units),
        allowed_attachments=frozenset(s.rules.allowed_attachments),
        require_attachment=s.rules.require_attachment,
        max_message_bytes=int(s.rules.max_message_mb * 1024 * 1024),
        authserv_id=s.rules.authserv_id,
    )


def bootstrap(settings: Settings, clock: Callable[[], datetime] = utc_now) -> App:
    data_dir = Path(settings.data_dir)
    return App(settings=settings, db=Database(settings.database_url), blobs=BlobStore(data_dir), clock=clock)
