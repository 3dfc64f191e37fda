"""The SQL schema of the register (SQLAlchemy 2 declarative); migrations/ must match it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware in, timezone-aware (UTC) out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: the register keeps timezone-aware times")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UnitRow(Base):
    __tablename__ = "units"

    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    subject_name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(64), default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    reports: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UnitAddressRow(Base):
    __tablename__ = "unit_addresses"

    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.unit_id", ondelete="CASCADE"), index=True)


class MailboxRow(Base):
    """One IMAP folder under one UIDVALIDITY: UIDs are only meaningful inside it."""

    __tablename__ = "mailboxes"
    __table_args__ = (UniqueConstraint("account", "folder", "uidvalidity", name="uq_mailboxes_location"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(320))
    folder: Mapped[str] = mapped_column(String(300))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    answer_from_uid: Mapped[int] = mapped_column(BigInteger, default=1)  # older UIDs: recorded, not answered
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("mailbox_id", "uid", name="uq_messages_location"),
        Index("ix_messages_received", "internal_date", "id"),
        # keyset paging of the staff log under its usual filters
        Index("ix_messages_unit_received", "unit_id", "internal_date", "id"),
        Index("ix_messages_status_received", "status", "internal_date", "id"),
        Index("ix_messages_report_received", "report_id", "period", "internal_date", "id"),
        # PostgreSQL: trigram index so a search for a rare word does not read every message
        Index(
            "ix_messages_search_trgm", "search_text", postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"}
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id"))
    uid: Mapped[int] = mapped_column(BigInteger)
    raw_sha256: Mapped[str] = mapped_column(String(64), index=True)
    raw_size: Mapped[int] = mapped_column(BigInteger)
    message_id_header: Mapped[str | None] = mapped_column(String(998), index=True)
    subject: Mapped[str] = mapped_column(Text, default="")
    from_address: Mapped[str | None] = mapped_column(String(320), index=True)
    from_name: Mapped[str | None] = mapped_column(String(300))
    date_header: Mapped[datetime | None] = mapped_column(UtcDateTime)
    internal_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    unit_id: Mapped[str | None] = mapped_column(String(64), index=True)
    subject_unit: Mapped[str | None] = mapped_column(String(300))
    subject_content: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    answered: Mapped[bool] = mapped_column(Boolean, default=True)  # False: backlog, recorded without reply
    marked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # done-marker set on the server
    report_id: Mapped[str | None] = mapped_column(String(64), index=True)  # what the classifier read
    period: Mapped[str | None] = mapped_column(String(32))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    revision: Mapped[bool] = mapped_column(Boolean, default=False)  # a later message for a submission
    # subject, sender and content folded (no accents, lower case): the staff log's search
    search_text: Mapped[str] = mapped_column(Text, default="")


class SubmissionRow(Base):
    """One report of one unit for one period; later messages for it are revisions, never a second row."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("unit_id", "report_id", "period", name="uq_submissions_unit_report_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    report_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    first_message_id: Mapped[int] = mapped_column(Integer)
    latest_message_id: Mapped[int] = mapped_column(Integer)
    first_received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    latest_received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    late_seconds: Mapped[int | None] = mapped_column(BigInteger)  # None: on time, or no deadline
    revisions: Mapped[int] = mapped_column(Integer, default=0)


class AttachmentRow(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)


class ReplyRow(Base):
    """The outbox: written with its message (or a notice of ours), sent afterwards, one Message-ID for life."""

    __tablename__ = "replies"
    __table_args__ = (UniqueConstraint("message_id", "kind", name="uq_replies_message_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # receipt | rejection | urgent | reminder | overdue | digest
    notice_key: Mapped[str | None] = mapped_column(String(200), unique=True)  # one reminder per unit and deadline
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    recipient: Mapped[str] = mapped_column(String(320))
    sender: Mapped[str] = mapped_column(String(320))
    message_id_header: Mapped[str] = mapped_column(String(998), unique=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffUserRow(Base):
    """A person of the office who signs in to the staff pages."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))  # admin | staff | viewer
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffSessionRow(Base):
    """A signed-in browser; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "staff_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class AuditRow(Base):
    """What a person did on the staff pages (sign-in, reprocess, unit edits, downloads, exports)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64))


def declared_for(dialect: str):  # type: ignore[no-untyped-def]
    """Alembic's include_object: leave out the indexes the models declare for another database only
    (ddl_if), such as PostgreSQL's trigram index on SQLite; autogenerate and the models-vs-migrations
    test then agree on every database. Alembic compares copies without the condition, so by name."""
    elsewhere = {
        index.name
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if index._ddl_if is not None and index._ddl_if.dialect not in (None, dialect)
    }

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return not (type_ == "index" and name in elsewhere)

    return include_object

