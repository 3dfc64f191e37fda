"""The read queries of the staff log ("Sổ theo dõi"): filtered pages, one message in full, the export.

Pages are keyset-paged on (internal_date DESC, id DESC) — the indexes ix_messages_*_received serve
every usual filter — and never use OFFSET. A cursor is an opaque "<iso time>_<id>" string; one that
does not parse gives the first page. Attachments, replies and unit names of a page are fetched in one
query each (no query per row).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, load_only

from mailbot.adapters.db_tables import AttachmentRow, MessageRow, ReplyRow, SubmissionRow, UnitRow
from mailbot.adapters.db import ANSWER_KINDS
from mailbot.core.text import fold

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
EXPORT_LIMIT = 50_000
_LIKE_ESCAPE = "\\"


# --- filter and cursor ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LogFilter:
    """What the staff chose. Dates are days in `timezone` (both ends included); an aware datetime is
    taken as is (date_from inclusive, date_to inclusive)."""

    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    unit_id: str | None = None
    status: str | None = None
    report_id: str | None = None
    period: str | None = None
    text: str | None = None
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True)
class Cursor:
    received: datetime
    id: int

    def encode(self) -> str:
        return f"{self.received.astimezone(timezone.utc).isoformat()}_{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> "Cursor | None":
        """The cursor in a page link, or None when it is missing or not one of ours."""
        if not text or len(text) > 80:
            return None
        stamp, sep, ident = text.rpartition("_")
        if not sep or not ident.isascii() or not ident.isdigit() or len(ident) > 18:
            return None
        try:
            received = datetime.fromisoformat(stamp)
            if received.tzinfo is None or not 0 <= int(ident) < 2**62 or not 1900 < received.year < 9000:
                return None
            return cls(received.astimezone(timezone.utc), int(ident))
        except (ValueError, OverflowError):
            return None


# --- rows -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogRow:
    id: int
    received: datetime | None
    unit_id: str | None
    unit_name: str | None
    from_address: str | None
    from_name: str | None
    subject: str
    status: str
    report_id: str | None
    period: str | None
    revision: bool
    attachment_names: list[str]
    reply_kind: str | None
    reply_status: str | None  # pending | sent | failed; "backlog" when recorded without an answer

    @property
    def attachment_count(self) -> int:
        return len(self.attachment_names)


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    next_cursor: str | None  # older rows: pass as `after`
    prev_cursor: str | None  # newer rows: pass as `before`


@dataclass(frozen=True)
class AttachmentInfo:
    position: int
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ReplyInfo:
    id: int
    kind: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    recipient: str
    sender: str
    reference: str
    message_id_header: str
    size: int


@dataclass(frozen=True)
class RevisionInfo:
    id: int
    received: datetime | None
    subject: str
    status: str
    revision: bool


@dataclass(frozen=True)
class SubmissionInfo:
    id: int
    unit_id: str
    report_id: str
    period: str
    first_message_id: int
    latest_message_id: int
    first_received_at: datetime
    latest_received_at: datetime
    deadline: datetime | None
    late_seconds: int | None
    revisions: int


@dataclass(frozen=True)
class MessageDetail:
    id: int
    message_id_header: str | None
    from_address: str | None
    from_name: str | None
    date_header: datetime | None
    received: datetime | None
    recorded_at: datetime
    raw_size: int
    raw_sha256: str
    subject: str
    status: str
    reasons: list[dict[str, Any]]
    error: str | None
    answered: bool
    unit_id: str | None
    unit_name: str | None
    subject_unit: str | None
    subject_content: str | None
    report_id: str | None
    period: str | None
    revision: bool
    attachments: list[AttachmentInfo] = field(default_factory=list)
    replies: list[ReplyInfo] = field(default_factory=list)
    submission: SubmissionInfo | None = None
    others: list[RevisionInfo] = field(default_factory=list)  # the other messages of the submission


# --- queries --------------------------------------------------------------------------------------
def _bound(value: date | datetime, tz: ZoneInfo, end: bool) -> tuple[datetime, bool]:
    """(instant, inclusive) for one end of the date range."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        return value.astimezone(timezone.utc), True
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time(), tz).astimezone(timezone.utc), not end


def like_escape(text: str) -> str:
    return text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", _LIKE_ESCAPE + "%").replace("_", _LIKE_ESCAPE + "_")


def _conditions(flt: LogFilter) -> list[ColumnElement[bool]]:
    tz = ZoneInfo(flt.timezone)
    where: list[ColumnElement[bool]] = []
    if flt.date_from is not None:
        start, _ = _bound(flt.date_from, tz, end=False)
        where.append(MessageRow.internal_date >= start)
    if flt.date_to is not None:
        stop, inclusive = _bound(flt.date_to, tz, end=True)
        where.append(MessageRow.internal_date <= stop if inclusive else MessageRow.internal_date < stop)
    if flt.unit_id:
        where.append(MessageRow.unit_id == flt.unit_id)
    if flt.status:
        where.append(MessageRow.status == flt.status)
    if flt.report_id:
        where.append(MessageRow.report_id == flt.report_id)
    if flt.period:
        where.append(MessageRow.period == flt.period.strip())
    if flt.text and flt.text.strip():
        words = fold(flt.text).split()
        if not words:  # only punctuation: the folded search text holds none, so nothing matches
            where.append(false())
        for word in words[:10]:
            where.append(MessageRow.search_text.like(f"%{like_escape(word)}%", escape=_LIKE_ESCAPE))
    return where


def _older(cursor: Cursor) -> ColumnElement[bool]:
    # The leading `<=` is redundant logically but lets both databases seek the (internal_date, id)
    # index instead of scanning from the newest row (benchmarks/staff_pages.py: 482 ms -> 0.1 ms deep).
    return and_(
        MessageRow.internal_date <= cursor.received,
        or_(MessageRow.internal_date < cursor.received, MessageRow.id < cursor.id),
    )


def _newer(cursor: Cursor) -> ColumnElement[bool]:
    return and_(
        MessageRow.internal_date >= cursor.received,
        or_(MessageRow.internal_date > cursor.received, MessageRow.id > cursor.id),
    )


_LIST_COLUMNS = (
    MessageRow.id,
    MessageRow.internal_date,
    MessageRow.unit_id,
    MessageRow.from_address,
    MessageRow.from_name,
    MessageRow.subject,
    MessageRow.status,
    MessageRow.report_id,
    MessageRow.period,
    MessageRow.revision,
    MessageRow.answered,
)


def _base(flt: LogFilter) -> Select[Any]:
    return select(MessageRow).options(load_only(*_LIST_COLUMNS)).where(*_conditions(flt))


def _newest_first(query: Select[Any]) -> Select[Any]:
    return query.order_by(MessageRow.internal_date.desc(), MessageRow.id.desc())


def _exists(session: Session, flt: LogFilter, extra: ColumnElement[bool]) -> bool:
    return session.scalar(select(MessageRow.id).where(*_conditions(flt), extra).limit(1)) is not None


def log_page(
    session: Session, flt: LogFilter, limit: int = 50, after: str | Cursor | None = None, before: str | Cursor | None = None
) -> LogPage:
    """One page, newest first. `after`: the rows older than that cursor (the "Cũ hơn" link);
    `before`: the rows newer than it ("Mới hơn"). Neither, or a cursor that is not ours: the first page."""
    limit = max(1, limit)
    after_c = after if isinstance(after, Cursor) else Cursor.parse(after)
    before_c = before if isinstance(before, Cursor) else Cursor.parse(before)
    if before_c is not None and after_c is None:
        found = list(
            session.scalars(
                _base(flt).where(_newer(before_c)).order_by(MessageRow.internal_date.asc(), MessageRow.id.asc()).limit(limit + 1)
            )
        )
        if len(found) <= limit:  # reached the newest rows: show a full first page
            return log_page(session, flt, limit)
        messages = list(reversed(found[:limit]))
        has_newer = True
        has_older = _exists(session, flt, _older(_cursor_of(messages[-1])))
    else:
        query = _base(flt)
        if after_c is not None:
            query = query.where(_older(after_c))
        found = list(session.scalars(_newest_first(query).limit(limit + 1)))
        messages = found[:limit]
        has_older = len(found) > limit
        has_newer = False
        if after_c is not None:
            # past the last row, "Mới hơn" must still reach the cursor's own row: step just below it
            top = _cursor_of(messages[0]) if messages else Cursor(after_c.received, after_c.id - 1)
            has_newer = _exists(session, flt, _newer(top))
    rows = _rows(session, messages)
    next_cursor = _cursor_of(messages[-1]).encode() if messages and has_older else None
    prev_cursor = None
    if has_newer:
        prev_cursor = _cursor_of(messages[0]).encode() if messages else Cursor(after_c.received, after_c.id - 1).encode()  # type: ignore[union-attr]
    return LogPage(rows, next_cursor, prev_cursor)


def _cursor_of(message: MessageRow) -> Cursor:
    return Cursor(message.internal_date or datetime.min.replace(tzinfo=timezone.utc), message.id)


def _rows(session: Session, messages: Sequence[MessageRow]) -> list[LogRow]:
    ids = [m.id for m in messages]
    names: dict[int, list[str]] = {}
    answers: dict[int, ReplyRow] = {}
    units: dict[str, str] = {}
    if ids:
        for message_id, filename in session.execute(
            select(AttachmentRow.message_id, AttachmentRow.filename)
            .where(AttachmentRow.message_id.in_(ids))
            .order_by(AttachmentRow.message_id, AttachmentRow.position)
        ):
            names.setdefault(message_id, []).append(filename)
        for reply in session.scalars(
            select(ReplyRow)
            .options(load_only(ReplyRow.id, ReplyRow.message_id, ReplyRow.kind, ReplyRow.status))
            .where(ReplyRow.message_id.in_(ids), ReplyRow.kind.in_(ANSWER_KINDS))
            .order_by(ReplyRow.id.desc())
        ):
            # the newest answer: a message reprocessed by staff can have a receipt after its rejection
            answers.setdefault(reply.message_id, reply)  # type: ignore[arg-type]
        unit_ids = sorted({m.unit_id for m in messages if m.unit_id})
        if unit_ids:
            units = {u: n for u, n in session.execute(select(UnitRow.unit_id, UnitRow.name).where(UnitRow.unit_id.in_(unit_ids)))}
    rows = []
    for m in messages:
        reply = answers.get(m.id)
        rows.append(
            LogRow(
                id=m.id,
                received=m.internal_date,
                unit_id=m.unit_id,
                unit_name=units.get(m.unit_id) if m.unit_id else None,
                from_address=m.from_address,
                from_name=m.from_name,
                subject=m.subject or "",
                status=m.status,
                report_id=m.report_id,
                period=m.period,
                revision=bool(m.revision),
                attachment_names=names.get(m.id, []),
                reply_kind=reply.kind if reply else None,
                reply_status=reply.status if reply else ("backlog" if not m.answered else None),
            )
        )
    return rows


def log_export(session: Session, flt: LogFilter, max_rows: int = EXPORT_LIMIT, batch: int = 1000) -> Iterator[LogRow]:
    """Every row of the filtered log, newest first, at most `max_rows`, read in keyset batches."""
    cursor: Cursor | None = None
    given = 0
    while given < max_rows:
        query = _base(flt)
        if cursor is not None:
            query = query.where(_older(cursor))
        messages = list(session.scalars(_newest_first(query).limit(min(batch, max_rows - given))))
        if not messages:
            return
        for row in _rows(session, messages):
            yield row
        given += len(messages)
        cursor = _cursor_of(messages[-1])
        session.expunge_all()  # a long export keeps no rows in the identity map


def message_detail(session: Session, message_id: int) -> MessageDetail | None:
    """Everything the detail page shows about one message, or None when there is no such message."""
    m = session.get(MessageRow, message_id)
    if m is None:
        return None
    unit_name = session.scalar(select(UnitRow.name).where(UnitRow.unit_id == m.unit_id)) if m.unit_id else None
    attachments = [
        AttachmentInfo(a.position, a.filename, a.content_type, a.size, a.sha256)
        for a in session.scalars(
            select(AttachmentRow).where(AttachmentRow.message_id == message_id).order_by(AttachmentRow.position)
        )
    ]
    replies = [
        ReplyInfo(
            id=r.id, kind=r.kind, status=r.status, attempts=r.attempts, last_error=r.last_error, created_at=r.created_at,
            sent_at=r.sent_at, recipient=r.recipient, sender=r.sender, reference=r.reference,
            message_id_header=r.message_id_header, size=size or 0,
        )
        for r, size in session.execute(
            select(ReplyRow, _length(session, ReplyRow.raw))
            .options(load_only(*_REPLY_COLUMNS))
            .where(ReplyRow.message_id == message_id)
            .order_by(ReplyRow.id)
        )
    ]
    submission = None
    others: list[RevisionInfo] = []
    if m.submission_id is not None:
        s = session.get(SubmissionRow, m.submission_id)
        if s is not None:
            submission = SubmissionInfo(
                s.id, s.unit_id, s.report_id, s.period, s.first_message_id, s.latest_message_id, s.first_received_at,
                s.latest_received_at, s.deadline, s.late_seconds, s.revisions,
            )
            others = [
                RevisionInfo(o.id, o.internal_date, o.subject or "", o.status, bool(o.revision))
                for o in session.scalars(
                    select(MessageRow)
                    .options(load_only(MessageRow.id, MessageRow.internal_date, MessageRow.subject, MessageRow.status, MessageRow.revision))
                    .where(MessageRow.submission_id == s.id, MessageRow.id != m.id)
                    .order_by(MessageRow.internal_date.desc(), MessageRow.id.desc())
                    .limit(200)
                )
            ]
    return MessageDetail(
        id=m.id, message_id_header=m.message_id_header, from_address=m.from_address, from_name=m.from_name,
        date_header=m.date_header, received=m.internal_date, recorded_at=m.recorded_at, raw_size=m.raw_size,
        raw_sha256=m.raw_sha256, subject=m.subject or "", status=m.status, reasons=list(m.reasons or []), error=m.error,
        answered=bool(m.answered), unit_id=m.unit_id, unit_name=unit_name, subject_unit=m.subject_unit,
        subject_content=m.subject_content, report_id=m.report_id, period=m.period, revision=bool(m.revision),
        attachments=attachments, replies=replies, submission=submission, others=others,
    )


_REPLY_COLUMNS = (
    ReplyRow.id, ReplyRow.message_id, ReplyRow.kind, ReplyRow.status, ReplyRow.attempts, ReplyRow.last_error,
    ReplyRow.created_at, ReplyRow.sent_at, ReplyRow.recipient, ReplyRow.sender, ReplyRow.reference,
    ReplyRow.message_id_header,
)


def _length(session: Session, column: Any) -> Any:
    return func.length(column) if session.get_bind().dialect.name == "sqlite" else func.octet_length(column)


def raw_location(session: Session, message_id: int) -> str | None:
    """The sha256 of a message's stored original, or None."""
    return session.scalar(select(MessageRow.raw_sha256).where(MessageRow.id == message_id))


def attachment_at(session: Session, message_id: int, position: int) -> AttachmentInfo | None:
    a = session.scalar(
        select(AttachmentRow).where(AttachmentRow.message_id == message_id, AttachmentRow.position == position)
    )
    return AttachmentInfo(a.position, a.filename, a.content_type, a.size, a.sha256) if a else None


def reply_raw(session: Session, message_id: int, reply_id: int) -> tuple[str, bytes] | None:
    """(kind, bytes) of one of this message's outgoing mails, or None (also for another message's reply)."""
    found = session.execute(
        select(ReplyRow.kind, ReplyRow.raw).where(ReplyRow.id == reply_id, ReplyRow.message_id == message_id)
    ).first()
    return (found[0], bytes(found[1])) if found else None


def unit_choices(session: Session) -> list[tuple[str, str]]:
    """(unit id, name) of every unit, by name, for the filter's select."""
    return [(u, n) for u, n in session.execute(select(UnitRow.unit_id, UnitRow.name).order_by(UnitRow.name, UnitRow.unit_id))]
