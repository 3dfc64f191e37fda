"""The SQL register: engine, one transaction per use, and the queries the services need."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import create_engine, delete, event, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, aliased, sessionmaker

from mailbot.adapters.db_tables import (
    AttachmentRow,
    MailboxRow,
    MessageRow,
    ReplyRow,
    SubmissionRow,
    UnitAddressRow,
    UnitRow,
)
from mailbot.core.text import fold
from mailbot.core.units import Unit

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers (staff) never block the daemon
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    return engine


ANSWER_KINDS = ("receipt", "rejection")  # the answer to the school; "urgent" etc. are notices to staff
SEARCHED_FIELDS = ("subject", "subject_content", "from_address", "from_name")


def search_text(fields: dict[str, Any]) -> str:
    """What the staff log's search matches: the searched fields folded (no accents, lower case)."""
    return fold(" ".join(str(fields.get(name) or "") for name in SEARCHED_FIELDS))


class Outgoing(Protocol):
    """A finished message of ours (service.replies.Reply has this shape)."""

    kind: str
    recipient: str
    message_id_header: str
    raw: bytes


@dataclass(frozen=True)
class PendingReply:
    id: int
    recipient: str
    sender: str
    raw: bytes
    attempts: int


@dataclass(frozen=True)
class LogEntry:
    id: int
    message_id_header: str | None
    internal_date: datetime | None
    date_header: datetime | None
    recorded_at: datetime
    from_address: str | None
    subject: str
    status: str
    reasons: list[dict[str, Any]]
    unit_id: str | None
    error: str | None
    attachments: list[dict[str, Any]]
    reply_kind: str | None
    reply_status: str | None
    reply_reference: str | None
    reply_attempts: int
    report_id: str | None = None
    period: str | None = None
    revision: bool = False


class Register:
    """Queries and writes inside one transaction; the caller commits (never the register)."""

    def __init__(self, session: Session):
        self.session = session

    # --- units ---------------------------------------------------------------------------
    def units(self) -> list[Unit]:
        rows = self.session.scalars(select(UnitRow).order_by(UnitRow.unit_id)).all()
        addresses: dict[str, list[str]] = {}
        for a in self.session.scalars(select(UnitAddressRow).order_by(UnitAddressRow.address)):
            addresses.setdefault(a.unit_id, []).append(a.address)
        return [
            Unit(r.unit_id, r.name, r.subject_name, r.kind, tuple(r.aliases), tuple(addresses.get(r.unit_id, ())), r.reports)
            for r in rows
        ]

    def count_units(self) -> int:
        return self.session.scalar(select(func.count()).select_from(UnitRow)) or 0

    def upsert_units(self, units: Sequence[Unit], now: datetime) -> tuple[int, int]:
        """Insert or update units by id; their addresses are replaced. Returns (added, updated)."""
        added = updated = 0
        for unit in units:
            row = self.session.get(UnitRow, unit.unit_id)
            if row is None:
                row = UnitRow(unit_id=unit.unit_id)
                self.session.add(row)
                added += 1
            else:
                updated += 1
            row.name, row.subject_name, row.kind = unit.name, unit.subject_name, unit.kind
            row.aliases, row.reports, row.updated_at = list(unit.aliases), unit.reports, now
            self.session.flush()
            self.session.execute(delete(UnitAddressRow).where(UnitAddressRow.unit_id == unit.unit_id))
            self.session.execute(
                delete(UnitAddressRow).where(UnitAddressRow.address.in_(unit.addresses))
            )  # an address moves to the unit that now claims it
            for address in unit.addresses:
                self.session.add(UnitAddressRow(address=address, unit_id=unit.unit_id))
            self.session.flush()
        return added, updated

    # --- mailboxes -----------------------------------------------------------------------
    def mailbox(self, account: str, folder: str, uidvalidity: int) -> MailboxRow | None:
        return self.session.scalar(
            select(MailboxRow).where(
                MailboxRow.account == account, MailboxRow.folder == folder, MailboxRow.uidvalidity == uidvalidity
            )
        )

    def has_history(self, account: str, folder: str) -> bool:
        return self.session.scalar(
            select(func.count()).select_from(MailboxRow).where(MailboxRow.account == account, MailboxRow.folder == folder)
        ) > 0

    def add_mailbox(self, account: str, folder: str, uidvalidity: int, answer_from_uid: int, now: datetime) -> MailboxRow:
        row = MailboxRow(
            account=account, folder=folder, uidvalidity=uidvalidity, last_uid=0, answer_from_uid=answer_from_uid, created_at=now
        )
        self.session.add(row)
        self.session.flush()
        return row

    def advance(self, mailbox_id: int, uid: int) -> None:
        self.session.execute(
            update(MailboxRow).where(MailboxRow.id == mailbox_id, MailboxRow.last_uid < uid).values(last_uid=uid)
        )

    # --- messages --------------------------------------------------------------------------
    def message_at(self, mailbox_id: int, uid: int) -> int | None:
        return self.session.scalar(select(MessageRow.id).where(MessageRow.mailbox_id == mailbox_id, MessageRow.uid == uid))

    def relocate(self, account: str, folder: str, raw_sha256: str, mailbox_id: int, uid: int) -> int | None:
        """A message already recorded in this folder under another UID — after a UIDVALIDITY reset, or
        moved out and back by a person — is the same message (same bytes): it moves to its new UID."""
        row = self.session.scalar(
            select(MessageRow)
            .join(MailboxRow, MailboxRow.id == MessageRow.mailbox_id)
            .where(
                MessageRow.raw_sha256 == raw_sha256,
                MailboxRow.account == account,
                MailboxRow.folder == folder,
            )
            .limit(1)
        )
        if row is None:
            return None
        row.mailbox_id, row.uid, row.marked_at = mailbox_id, uid, None
        self.session.flush()
        return row.id

    def add_message(self, attachments: Sequence[dict[str, Any]] = (), **fields: Any) -> int:
        row = MessageRow(search_text=search_text(fields), **fields)
        self.session.add(row)
        self.session.flush()
        for position, att in enumerate(attachments):
            self.session.add(AttachmentRow(message_id=row.id, position=position, **att))
        return row.id

    # --- reprocessing (staff pages) ------------------------------------------------------------
    # What a message row says about its judging; reset when the message is judged again.
    JUDGED_DEFAULTS: dict[str, Any] = dict(
        status="quarantined", reasons=[], error=None, message_id_header=None, subject="", from_address=None,
        from_name=None, date_header=None, unit_id=None, subject_unit=None, subject_content=None, answered=False,
        report_id=None, period=None, submission_id=None, revision=False,
    )

    def message_for_update(self, message_pk: int) -> MessageRow | None:
        """The message row, locked until the transaction ends (PostgreSQL): two staff reprocessing the
        same message one after the other, never both at once."""
        return self.session.scalar(select(MessageRow).where(MessageRow.id == message_pk).with_for_update())

    def mailbox_row(self, mailbox_id: int) -> MailboxRow | None:
        return self.session.get(MailboxRow, mailbox_id)

    def rewrite_message(self, message_pk: int, attachments: Sequence[dict[str, Any]] = (), **fields: Any) -> int:
        """Judge a recorded message again in place: same row, judged fields and attachments replaced."""
        row = self.session.get(MessageRow, message_pk)
        assert row is not None
        values = {**self.JUDGED_DEFAULTS, **fields}
        for name, value in values.items():
            setattr(row, name, value)
        row.search_text = search_text(values)
        self.session.execute(delete(AttachmentRow).where(AttachmentRow.message_id == message_pk))
        for position, att in enumerate(attachments):
            self.session.add(AttachmentRow(message_id=message_pk, position=position, **att))
        self.session.flush()
        return message_pk

    def replies_of(self, message_pk: int) -> list[tuple[str, str]]:
        """(kind, reference) of every outbox row of this message."""
        return [
            (r.kind, r.reference)
            for r in self.session.execute(select(ReplyRow.kind, ReplyRow.reference).where(ReplyRow.message_id == message_pk))
        ]

    def reference_taken(self, reference: str) -> bool:
        return self.session.scalar(select(func.count()).select_from(ReplyRow).where(ReplyRow.reference == reference)) > 0

    def drop_submission_of(self, message_pk: int) -> None:
        """Before a message is judged again: a submission that only this message made is removed (the
        new verdict records it again); one that other messages also made stays, only this message is
        unlinked from it."""
        row = self.session.get(MessageRow, message_pk)
        if row is None or row.submission_id is None:
            return
        sub = self.session.get(SubmissionRow, row.submission_id)
        row.submission_id = None
        self.session.flush()
        if sub is not None and sub.first_message_id == message_pk and sub.latest_message_id == message_pk:
            self.session.delete(sub)
            self.session.flush()

    def review_queue(self, statuses: Sequence[str], limit: int) -> list[MessageRow]:
        """Messages in these statuses, newest first (bounded)."""
        return list(
            self.session.scalars(
                select(MessageRow)
                .where(MessageRow.status.in_(list(statuses)))
                .order_by(MessageRow.internal_date.desc(), MessageRow.id.desc())
                .limit(limit)
            )
        )

    # --- submissions ---------------------------------------------------------------------------
    def submission(self, unit_id: str, report_id: str, period: str) -> SubmissionRow | None:
        return self.session.scalar(
            select(SubmissionRow).where(
                SubmissionRow.unit_id == unit_id, SubmissionRow.report_id == report_id, SubmissionRow.period == period
            )
        )

    def add_submission(self, **fields: Any) -> SubmissionRow:
        row = SubmissionRow(**fields)
        self.session.add(row)
        self.session.flush()
        return row

    def revise_submission(self, row: SubmissionRow, message_pk: int, received: datetime) -> None:
        row.latest_message_id, row.latest_received_at, row.revisions = message_pk, received, row.revisions + 1
        self.session.flush()

    def classify_message(self, message_pk: int, report_id: str, period: str | None, submission_id: int | None, revision: bool) -> None:
        self.session.execute(
            update(MessageRow)
            .where(MessageRow.id == message_pk)
            .values(report_id=report_id, period=period, submission_id=submission_id, revision=revision)
        )

    def submissions(self, report_id: str | None = None, period: str | None = None) -> list[SubmissionRow]:
        query = select(SubmissionRow).order_by(SubmissionRow.unit_id, SubmissionRow.report_id, SubmissionRow.period)
        if report_id is not None:
            query = query.where(SubmissionRow.report_id == report_id)
        if period is not None:
            query = query.where(SubmissionRow.period == period)
        return list(self.session.scalars(query))

    def has_notice(self, notice_key: str) -> bool:
        return self.session.scalar(select(func.count()).select_from(ReplyRow).where(ReplyRow.notice_key == notice_key)) > 0

    def quarantine(self, message_pk: int, error: str) -> None:
        row = self.session.get(MessageRow, message_pk)
        assert row is not None
        row.status, row.error, row.answered = "quarantined", error, False
        row.reasons = [*row.reasons, {"code": "internal-error", "details": {"error": error}}]
        self.session.flush()

    def unmarked_uids(self, mailbox_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(MessageRow.uid)
                .where(MessageRow.mailbox_id == mailbox_id, MessageRow.marked_at.is_(None))
                .order_by(MessageRow.uid)
            )
        )

    def set_marked(self, mailbox_id: int, uids: Sequence[int], when: datetime) -> None:
        if uids:
            self.session.execute(
                update(MessageRow)
                .where(MessageRow.mailbox_id == mailbox_id, MessageRow.uid.in_(list(uids)))
                .values(marked_at=when)
            )

    # --- replies ---------------------------------------------------------------------------
    def queue_reply(
        self,
        outgoing: Outgoing,
        reference: str,
        sender: str,
        now: datetime,
        message_pk: int | None = None,
        notice_key: str | None = None,
    ) -> None:
        """Put a finished message in the outbox, due now; it keeps its bytes and Message-ID for life."""
        self.session.add(
            ReplyRow(
                message_id=message_pk,
                kind=outgoing.kind,
                reference=reference,
                notice_key=notice_key,
                recipient=outgoing.recipient,
                sender=sender,
                message_id_header=outgoing.message_id_header,
                raw=outgoing.raw,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        self.session.flush()

    def replies_since(self, since: datetime, recipient: str | None = None) -> int:
        """Answers to schools (receipts and rejections) queued since then, to one recipient or to all."""
        query = select(func.count()).select_from(ReplyRow).where(
            ReplyRow.created_at >= since, ReplyRow.kind.in_(("receipt", "rejection"))
        )
        if recipient is not None:
            query = query.where(ReplyRow.recipient == recipient)
        return self.session.scalar(query) or 0

    def add_reason(self, message_pk: int, code: str, details: dict[str, str]) -> None:
        row = self.session.get(MessageRow, message_pk)
        assert row is not None
        row.reasons = [*row.reasons, {"code": code, "details": details}]
        self.session.flush()

    def due_replies(self, now: datetime, limit: int) -> list[PendingReply]:
        rows = self.session.scalars(
            select(ReplyRow)
            .where(ReplyRow.status == "pending", ReplyRow.next_attempt_at <= now)
            .order_by(ReplyRow.next_attempt_at, ReplyRow.id)
            .limit(limit)
        )
        return [PendingReply(r.id, r.recipient, r.sender, r.raw, r.attempts) for r in rows]

    def claim_reply(self, reply_id: int, now: datetime) -> bool:
        """Lock one due reply for this transaction; False when another process has sent it meanwhile.
        The no-op UPDATE takes the row's write lock (PostgreSQL) or the database's (SQLite), so a second
        daemon waits here and then finds the reply no longer pending."""
        result = self.session.execute(
            update(ReplyRow)
            .where(ReplyRow.id == reply_id, ReplyRow.status == "pending", ReplyRow.next_attempt_at <= now)
            .values(attempts=ReplyRow.attempts)
        )
        return result.rowcount == 1

    def reply_sent(self, reply_id: int, now: datetime) -> None:
        self.session.execute(
            update(ReplyRow)
            .where(ReplyRow.id == reply_id)
            .values(status="sent", sent_at=now, attempts=ReplyRow.attempts + 1, last_error=None)
        )

    def reply_retry(self, reply_id: int, next_at: datetime, error: str) -> None:
        self.session.execute(
            update(ReplyRow)
            .where(ReplyRow.id == reply_id)
            .values(attempts=ReplyRow.attempts + 1, next_attempt_at=next_at, last_error=error[:2000])
        )

    def reply_failed(self, reply_id: int, error: str) -> None:
        self.session.execute(
            update(ReplyRow)
            .where(ReplyRow.id == reply_id)
            .values(status="failed", attempts=ReplyRow.attempts + 1, last_error=error[:2000])
        )

    # --- staff queries -----------------------------------------------------------------------
    def log(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        unit_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[LogEntry]:
        query = (
            select(MessageRow, ReplyRow)
            # the answer to the school; an urgent alert to staff is a second outbox row of the same message.
            # The latest one: a message reprocessed by staff can have a receipt after its rejection.
            .outerjoin(ReplyRow, ReplyRow.id == _latest_answer_id())
            .order_by(MessageRow.internal_date.desc(), MessageRow.id.desc())
        )
        if since is not None:
            query = query.where(MessageRow.internal_date >= since)
        if until is not None:
            query = query.where(MessageRow.internal_date < until)
        if unit_id is not None:
            query = query.where(MessageRow.unit_id == unit_id)
        if status is not None:
            query = query.where(MessageRow.status == status)
        if limit is not None:
            query = query.limit(limit)
        results = self.session.execute(query).all()
        ids = [m.id for m, _ in results]
        attachments: dict[int, list[dict[str, Any]]] = {}
        if ids:
            for a in self.session.scalars(
                select(AttachmentRow).where(AttachmentRow.message_id.in_(ids)).order_by(AttachmentRow.position)
            ):
                attachments.setdefault(a.message_id, []).append(
                    {"filename": a.filename, "size": a.size, "content_type": a.content_type, "sha256": a.sha256}
                )
        return [
            LogEntry(
                id=m.id,
                message_id_header=m.message_id_header,
                internal_date=m.internal_date,
                date_header=m.date_header,
                recorded_at=m.recorded_at,
                from_address=m.from_address,
                subject=m.subject,
                status=m.status,
                reasons=m.reasons,
                unit_id=m.unit_id,
                error=m.error,
                attachments=attachments.get(m.id, []),
                reply_kind=r.kind if r else None,
                reply_status=r.status if r else ("backlog" if not m.answered else None),
                reply_reference=r.reference if r else None,
                reply_attempts=r.attempts if r else 0,
                report_id=m.report_id,
                period=m.period,
                revision=m.revision,
            )
            for m, r in results
        ]


def _latest_answer_id() -> Any:
    answer = aliased(ReplyRow)
    return (
        select(func.max(answer.id))
        .where(answer.message_id == MessageRow.id, answer.kind.in_(ANSWER_KINDS))
        .correlate(MessageRow)
        .scalar_subquery()
    )


class Database:
    """The engine and the transaction boundary; built once by bootstrap."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Register]:
        with self._sessions() as session, session.begin():
            yield Register(session)

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (alembic upgrade head)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection_url"] = self.url
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @staticmethod
    def is_outage(exc: BaseException) -> bool:
        """The database went away (connection refused, dropped, server shutting down), as opposed to
        refusing one statement: the caller stops and retries later instead of blaming the message."""
        return isinstance(exc, (OperationalError, InterfaceError)) or bool(getattr(exc, "connection_invalidated", False))

    def is_available(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()


