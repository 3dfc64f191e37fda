#!/usr/bin/env python3
"""How long the staff web pages take to render on a large register (default 1,000,000 messages).

Not a test: it prints numbers. For each database it

1. creates a fresh register (a SQLite file in a temp dir, or a new PostgreSQL database
   ``mailbot_bench_<random>`` on the server of ``MAILBOT_TEST_PG_URL``), brings it to the newest
   migration and imports the 60 units of config/units.example.csv (``App.prepare()``);
2. fills it fast with synthetic but realistic rows: one mailbox, N messages from 2024-09 to 2027-06
   (Vietnamese subjects "Trường THCS Thới Lai - Báo cáo tháng 10/2026", ~80 % accepted, the rest
   rejected / held / ignored / quarantined), ~1 attachment each, a receipt or rejection in the outbox
   for the answered ones, one submission per unit/report/period (later messages are revisions).
   SQLite: plain executemany in one transaction with ``PRAGMA synchronous=OFF``; PostgreSQL: COPY.
   Then ANALYZE (PostgreSQL: VACUUM ANALYZE, the state autovacuum leaves). Prints fill time and size;
3. builds the Flask app on it (``create_web_app``), adds an admin, signs in through /login with the
   test client, and times each page: one warm-up GET, then ``--repeat`` timed GETs (median, p95),
   with the number of SQL statements and the time spent in them. Pages that answer non-200 are
   reported with their status. The slowest statement of the log's first page (and of every page
   slower than 1 s) is shown with EXPLAIN QUERY PLAN (SQLite) / EXPLAIN ANALYZE (PostgreSQL).

    .venv/bin/python benchmarks/staff_pages.py                              # 1M messages, both DBs
    .venv/bin/python benchmarks/staff_pages.py --messages 20000 --db sqlite --repeat 3
    .venv/bin/python benchmarks/staff_pages.py --db postgresql --keep       # keep the DB afterwards

Peak RSS of the process is printed at the end. Everything it creates is removed at the end (also on
Ctrl-C / SIGTERM) unless --keep is given.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import html
import json
import os
import random
import re
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import (  # noqa: E402
    create_pg_database, drop_pg, log, pg_conninfo, pg_databases, pg_sqlalchemy_url, raise_interrupt,
)

UNITS_CSV = ROOT / "config" / "units.example.csv"
DATABASES = ("sqlite", "postgresql")
BATCH = 10_000
START = datetime(2024, 9, 3, 0, 0, tzinfo=timezone.utc)
END = datetime(2027, 6, 30, 0, 0, tzinfo=timezone.utc)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = "pgdbinhdai@bentre.edu.vn"
ADMIN = ("bench.admin", "quan-tri-bench-2026!")
MIB = 1024 * 1024





def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- synthetic register ------------------------------------------------------------------------
STATUSES = (("accepted", 0.80), ("rejected", 0.12), ("held", 0.04), ("ignored", 0.03), ("quarantined", 0.01))
PEOPLE = (
    "Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường", "Phạm Thị Dung", "Huỳnh Văn Đức", "Võ Thị Hạnh",
    "Đặng Minh Khoa", "Bùi Thị Lan", "Đỗ Văn Long", "Ngô Thị Mai", "Dương Văn Nam", "Lý Thị Oanh",
)
OUTSIDERS = (
    "thaygiao.nguyen@gmail.com", "cohieutruong.tran@gmail.com", "ketoan.truong@yahoo.com",
    "no-reply@thongbao.bentre.gov.vn", "vanthu.thptbinhdai@gmail.com", "mailer-daemon@bentre.edu.vn",
)
OTHER_SUBJECTS = (
    "Kế hoạch tổ chức hội thi giáo viên dạy giỏi cấp trường",
    "Danh sách học sinh tham gia Hội khỏe Phù Đổng",
    "Tờ trình xin kinh phí sửa chữa phòng học",
    "Công văn phúc đáp về việc tuyển sinh đầu cấp",
    "Biên bản kiểm tra nội bộ trường học",
)
REJECT_REASONS = (
    ("subject-format", {"subject": ""}),
    ("sender-unknown", {"address": ""}),
    ("subject-unit-unknown", {"name": ""}),
    ("attachment-missing", {}),
    ("subject-unit-mismatch", {"unit": ""}),
)
ATTACHMENT_TYPES = (
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("pdf", "application/pdf"),
)


def _ascii(text: str) -> str:
    from mailbot.core.text import fold

    return fold(text).replace(" ", "_")


def report_content(rng: random.Random, local: datetime) -> tuple[str, str, str | None]:
    """(subject content, report_id, period key) a school would send on that local day."""
    y, m, d = local.year, local.month, local.day
    sy = y if m >= 8 else y - 1  # school year start
    r = rng.random()
    if r < 0.04 and m in (2, 3):
        return f"Báo cáo quý I năm {y}", "q1", f"{y}-Q1"
    if r < 0.04 and m in (4, 5):
        return f"Báo cáo 6 tháng đầu năm {y}", "six_month", f"{y}-H1"
    if r < 0.04 and m in (8, 9):
        if d < 20 and m == 8:
            return f"Báo cáo tình hình chuẩn bị năm học mới {sy}-{sy + 1}", "year_prep", f"{sy}-{sy + 1}"
        if m == 9 and d < 10:
            return f"Báo cáo tổ chức khai giảng năm học {sy}-{sy + 1}", "opening", f"{sy}-{sy + 1}"
        return f"Báo cáo 9 tháng năm {y}", "nine_month", f"{y}-9M"
    if r < 0.04 and m in (12, 1):
        return f"Báo cáo sơ kết học kỳ I năm học {sy}-{sy + 1}", "review_hk1", f"{sy}-{sy + 1}-HK1"
    if r < 0.04 and m in (5, 6):
        if m == 6:
            return f"Báo cáo tổng kết năm học {sy}-{sy + 1}", "review_year", f"{sy}-{sy + 1}"
        return f"Báo cáo sơ kết học kỳ II năm học {sy}-{sy + 1}", "review_hk2", f"{sy}-{sy + 1}-HK2"
    if r < 0.04 and y == 2026 and m in (10, 11):
        return "Báo cáo CSVC năm 2026", "csvc_2026", "once"
    if r < 0.055:
        return f"Báo cáo đột xuất về sự cố mưa bão ngày {d:02d}/{m:02d}/{y}", "urgent", local.date().isoformat()
    if r < 0.20:
        return rng.choice(OTHER_SUBJECTS), "other", None
    pm, py = (m - 1, y) if d <= 15 else (m, y)  # early in the month: last month's report
    if pm == 0:
        pm, py = 12, y - 1
    suffix = " (bổ sung)" if rng.random() < 0.05 else ""
    return f"Báo cáo tháng {pm}/{py}{suffix}", "monthly", f"{py}-{pm:02d}"


@dataclass
class Fill:
    """Rows for one batch, as plain Python values in table column order."""

    messages: list[tuple[Any, ...]] = field(default_factory=list)
    attachments: list[tuple[Any, ...]] = field(default_factory=list)
    replies: list[tuple[Any, ...]] = field(default_factory=list)
    submissions: list[tuple[Any, ...]] = field(default_factory=list)


MESSAGE_COLUMNS = (
    "id", "mailbox_id", "uid", "raw_sha256", "raw_size", "message_id_header", "subject", "from_address",
    "from_name", "date_header", "internal_date", "recorded_at", "status", "reasons", "unit_id", "subject_unit",
    "subject_content", "error", "answered", "marked_at", "report_id", "period", "submission_id", "revision",
    "search_text",
)
ATTACHMENT_COLUMNS = ("id", "message_id", "position", "filename", "content_type", "size", "sha256")
REPLY_COLUMNS = (
    "id", "message_id", "kind", "notice_key", "reference", "recipient", "sender", "message_id_header", "raw",
    "status", "attempts", "next_attempt_at", "last_error", "created_at", "sent_at",
)
SUBMISSION_COLUMNS = (
    "id", "unit_id", "report_id", "period", "first_message_id", "latest_message_id", "first_received_at",
    "latest_received_at", "deadline", "late_seconds", "revisions",
)
DATETIME_COLUMNS = {
    "messages": {"date_header", "internal_date", "recorded_at", "marked_at"},
    "attachments": set(),
    "replies": {"next_attempt_at", "created_at", "sent_at"},
    "submissions": {"first_received_at", "latest_received_at", "deadline"},
}
JSON_COLUMNS = {"messages": {"reasons"}}


class Generator:
    """Streams the register's rows in batches; ids are assigned here (1..N) in arrival order."""

    def __init__(self, n: int, units: list[Any], calendar: Any, seed: int = 2026):
        from mailbot.core.text import fold

        self.n = n
        self.rng = random.Random(seed)
        self.senders = [u for u in units if u.reports and u.addresses]
        self.calendar = calendar
        self.fold = fold
        self._folded: dict[str, str] = {}
        self.submissions: dict[tuple[str, str, str], list[Any]] = {}  # key -> [id, latest_id, latest_at, revisions]
        self._periods: dict[tuple[str, str], Any] = {}
        self.attachment_id = 0
        self.reply_id = 0
        self.span = (END - START).total_seconds()
        self.counts: dict[str, int] = {}

    def folded(self, text: str | None) -> str:
        if not text:
            return ""
        value = self._folded.get(text)
        if value is None:
            if len(self._folded) > 500_000:
                self._folded.clear()
            value = self._folded[text] = self.fold(text)
        return value

    def fast_search_text(self, subject: str, content: str | None, address: str | None, name: str | None) -> str:
        """Equals mailbot.adapters.db.search_text() of these fields (checked on a sample by verify())."""
        return " ".join(p for p in map(self.folded, (subject, content, address, name)) if p)

    def period(self, report_id: str, key: str) -> Any:
        from mailbot.core.calendar import CalendarError, period_for

        cached = self._periods.get((report_id, key), False)
        if cached is False:
            try:
                cached = period_for(self.calendar, report_id, key)
            except (CalendarError, ValueError):
                cached = None
            self._periods[(report_id, key)] = cached
        return cached

    def batches(self) -> Iterator[Fill]:
        fill = Fill()
        for i in range(1, self.n + 1):
            self.one(i, fill)
            if len(fill.messages) >= BATCH:
                yield fill
                fill = Fill()
        if fill.messages:
            yield fill

    def one(self, i: int, fill: Fill) -> None:
        from mailbot.core.calendar import deadline, lateness

        rng = self.rng
        # arrival: evenly through the three school years, office hours local time, in id order
        day_offset = (i - 1) / self.n * self.span
        base = START + timedelta(seconds=day_offset)
        received = base + timedelta(seconds=rng.randrange(0, max(1, int(self.span / self.n))))
        local = received.astimezone(TZ)
        status = self._status(rng.random())
        unit = rng.choice(self.senders)
        content, report_id, key = report_content(rng, local)
        outsider = status in ("rejected", "ignored") and rng.random() < 0.5
        if outsider:
            address = rng.choice(OUTSIDERS)
            name = rng.choice(PEOPLE) if rng.random() < 0.7 else None
            unit_id = None
        else:
            address = unit.addresses[0]
            name = unit.name if rng.random() < 0.6 else rng.choice(PEOPLE)
            unit_id = unit.unit_id
        shown = rng.choice((unit.name, unit.subject_name, unit.subject_name, *unit.aliases[:2]))
        if status == "rejected" and rng.random() < 0.4:
            subject, subject_unit, subject_content = content, None, None  # no unit in the subject
        elif status == "ignored":
            subject = f"Tự động trả lời: {content}" if rng.random() < 0.5 else f"Re: {shown} - {content}"
            subject_unit, subject_content = None, None
        else:
            subject = f"{shown} - {content}"
            subject_unit, subject_content = unit.unit_id, content
        if rng.random() < 0.1:
            subject = "Fwd: " + subject
        reasons: list[dict[str, Any]] = []
        error = None
        if status == "rejected":
            code, details = rng.choice(REJECT_REASONS)
            reasons = [{"code": code, "details": {k: (subject if k == "subject" else address) for k in details}}]
        elif status == "held":
            reasons = [{"code": "sender-unverified", "details": {"address": address}}]
        elif status == "ignored":
            reasons = [{"code": "automatic-mail", "details": {"header": "Auto-Submitted"}}]
        elif status == "quarantined":
            error = "lỗi đọc thư: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xd0"
            reasons = [{"code": "internal-error", "details": {"error": error}}]
        answered = received >= datetime(2024, 10, 1, tzinfo=timezone.utc) and status != "quarantined"
        rid, period, submission_id, revision = None, None, None, False
        if status == "accepted" and unit_id is not None:
            rid = report_id
            found = self.period(report_id, key) if key is not None else None
            period = found.key if found is not None else key
            if found is not None and report_id != "other":
                skey = (unit_id, report_id, found.key)
                sub = self.submissions.get(skey)
                if sub is None:
                    due = deadline(self.calendar, found)
                    late = lateness(self.calendar, found, received)
                    sid = len(self.submissions) + 1
                    self.submissions[skey] = [sid, i, received, 0]
                    fill.submissions.append(
                        (sid, unit_id, report_id, found.key, i, i, received, received,
                         due.astimezone(timezone.utc) if due else None,
                         int(late.total_seconds()) if late is not None else None, 0)
                    )
                    submission_id = sid
                else:
                    sub[1], sub[2], sub[3] = i, received, sub[3] + 1
                    submission_id, revision = sub[0], True
        self.counts[status] = self.counts.get(status, 0) + 1
        recorded = received + timedelta(seconds=rng.randrange(5, 120))
        fill.messages.append(
            (
                i, 1, i, hashlib.sha256(b"raw%d" % i).hexdigest(), rng.randrange(15_000, 3_000_000),
                f"<{uuid.UUID(int=rng.getrandbits(128)).hex}@{address.rpartition('@')[2]}>",
                subject, address, name, received - timedelta(seconds=rng.randrange(0, 600)), received, recorded,
                status, json.dumps(reasons, ensure_ascii=False), unit_id, subject_unit, subject_content, error,
                answered, recorded + timedelta(seconds=1), rid, period, submission_id, revision,
                self.fast_search_text(subject, subject_content, address, name),
            )
        )
        if status != "ignored":
            for position in range(2 if rng.random() < 0.1 else (0 if rng.random() < 0.1 else 1)):
                ext, ctype = rng.choice(ATTACHMENT_TYPES)
                self.attachment_id += 1
                fill.attachments.append(
                    (self.attachment_id, i, position,
                     f"{_ascii(content)[:60]}_{unit.unit_id}{'_pl' if position else ''}.{ext}", ctype,
                     rng.randrange(8_000, 2_500_000), hashlib.sha256(b"att%d" % self.attachment_id).hexdigest())
                )
        if answered and status in ("accepted", "rejected"):
            self.reply_id += 1
            kind = "receipt" if status == "accepted" else "rejection"
            reference = f"PGD-{local.year}-{i:06d}"
            raw = (
                f"From: {OFFICE}\r\nTo: {address}\r\nSubject: [{reference}] Đã nhận: {subject}\r\n\r\n"
                f"Phòng GD&ĐT đã nhận thư của đơn vị. Mã số {reference}.\r\n"
            ).encode()
            fate = rng.random()
            state = "sent" if fate < 0.99 else ("failed" if fate < 0.995 else "pending")
            fill.replies.append(
                (self.reply_id, i, kind, None, reference, address, OFFICE, f"<{reference}.{i}@bentre.edu.vn>", raw,
                 state, 1 if state == "sent" else 5, recorded, None if state == "sent" else "421 try again later",
                 recorded, recorded + timedelta(seconds=3) if state == "sent" else None)
            )

    @staticmethod
    def _status(x: float) -> str:
        for status, share in STATUSES:
            if x < share:
                return status
            x -= share
        return "accepted"

    def submission_updates(self) -> list[tuple[int, int, datetime]]:
        """(revisions, latest_message_id, latest_received_at, id) for submissions that were revised."""
        return [(s[3], s[1], s[2], s[0]) for s in self.submissions.values() if s[3]]


def verify_search_text(rows: list[tuple[Any, ...]]) -> None:
    from mailbot.adapters.db import search_text

    idx = {c: MESSAGE_COLUMNS.index(c) for c in ("subject", "subject_content", "from_address", "from_name")}
    for row in rows:
        expected = search_text({c: row[i] for c, i in idx.items()})
        if row[-1] != expected:
            raise SystemExit(f"search_text shortcut differs from search_text(): {row[-1]!r} != {expected!r}")


# --- databases ---------------------------------------------------------------------------------
@dataclass
class Db:
    kind: str
    url: str
    path: Path | None = None
    name: str | None = None

    def size(self) -> int:
        if self.kind == "sqlite":
            assert self.path is not None
            return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
        import psycopg

        with psycopg.connect(pg_conninfo(self.name or "")) as conn:
            return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


@contextlib.contextmanager
def database(kind: str, workdir: Path, keep: bool) -> Iterator[Db]:
    if kind == "sqlite":
        path = workdir / "mailbot.db"
        yield Db("sqlite", f"sqlite:///{path}", path=path)
        return
    name = create_pg_database()
    if keep:
        pg_databases.discard(name)  # past CREATE: nothing to clean up on an interrupt, by request
    try:
        yield Db("postgresql", pg_sqlalchemy_url(name), name=name)
    finally:
        if not keep:
            drop_pg(name)
        else:
            log(f"kept PostgreSQL database {name}")


def _sqlite_values(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Values exactly as SQLAlchemy binds them on SQLite (its DateTime storage format, JSON text, 0/1)."""
    from sqlalchemy import Boolean
    from sqlalchemy.dialects import sqlite

    from mailbot.adapters.db_tables import Base

    dialect = sqlite.dialect()
    processors = []
    for name in columns:
        column = Base.metadata.tables[table].c[name]
        proc = None
        if name in DATETIME_COLUMNS.get(table, set()):
            proc = column.type.dialect_impl(dialect).bind_processor(dialect)
        elif isinstance(column.type, Boolean):
            proc = int
        processors.append(proc)
    todo = [(i, p) for i, p in enumerate(processors) if p is not None]
    out = []
    for row in rows:
        values = list(row)
        for i, p in todo:
            if values[i] is not None:
                values[i] = p(values[i])
        out.append(tuple(values))
    return out


def fill_sqlite(db: Db, gen: Generator) -> None:
    import sqlite3

    assert db.path is not None
    conn = sqlite3.connect(db.path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")  # 1 GB page cache for the fill only (random-key indexes)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("BEGIN")

    def insert(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            conn.executemany(sql, _sqlite_values(table, columns, rows))

    _fill(gen, insert)
    conn.executemany(
        "UPDATE submissions SET revisions=?, latest_message_id=?, latest_received_at=? WHERE id=?",
        _sqlite_values("submissions", ("revisions", "latest_message_id", "latest_received_at", "id"),
                       gen.submission_updates()),
    )
    conn.execute("UPDATE mailboxes SET last_uid=? WHERE id=1", (gen.n,))
    conn.execute("COMMIT")
    t = time.perf_counter()
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log(f"  ANALYZE {time.perf_counter() - t:.1f} s")
    conn.execute("PRAGMA synchronous=FULL")
    conn.close()


def fill_postgresql(db: Db, gen: Generator) -> None:
    import psycopg

    conn = psycopg.connect(pg_conninfo(db.name or ""))

    def insert(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    with conn.transaction():
        _fill(gen, insert)
        with conn.cursor() as cur:
            cur.executemany(
                "UPDATE submissions SET revisions=%s, latest_message_id=%s, latest_received_at=%s WHERE id=%s",
                gen.submission_updates(),
            )
            cur.execute("UPDATE mailboxes SET last_uid=%s WHERE id=1", (gen.n,))
            for table in ("messages", "attachments", "replies", "submissions"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    conn.commit()
    conn.autocommit = True
    t = time.perf_counter()
    conn.execute("VACUUM ANALYZE")
    log(f"  VACUUM ANALYZE {time.perf_counter() - t:.1f} s")
    conn.close()


def _fill(gen: Generator, insert: Any) -> None:
    started = time.perf_counter()
    gen_s = 0.0
    done = 0
    batches = gen.batches()
    while True:
        t = time.perf_counter()
        fill = next(batches, None)
        gen_s += time.perf_counter() - t
        if fill is None:
            break
        if done == 0:
            verify_search_text(fill.messages)  # the whole first batch
        else:
            verify_search_text(random.sample(fill.messages, min(20, len(fill.messages))))
        insert("submissions", SUBMISSION_COLUMNS, fill.submissions)
        insert("messages", MESSAGE_COLUMNS, fill.messages)
        insert("attachments", ATTACHMENT_COLUMNS, fill.attachments)
        insert("replies", REPLY_COLUMNS, fill.replies)
        done += len(fill.messages)
        if done % 100_000 == 0 or done == gen.n:
            log(f"  {done:>9,} messages  {time.perf_counter() - started:6.1f} s (generating {gen_s:.1f} s)")


def build_register(kind: str, db: Db, n: int, data_dir: Path) -> tuple[Any, dict[str, Any]]:
    """Schema and units through the real App, then the bulk fill; returns (app, stats)."""
    from sqlalchemy import func, insert, select

    from mailbot.adapters.db_tables import AttachmentRow, MailboxRow, ReplyRow, SubmissionRow
    from mailbot.bootstrap import bootstrap
    from mailbot.settings import Settings

    settings = Settings(database_url=db.url, data_dir=data_dir, units_file=UNITS_CSV)
    app = bootstrap(settings)
    t0 = time.perf_counter()
    app.prepare()  # alembic upgrade head + the 60 units
    migrate_s = time.perf_counter() - t0
    with app.db.transaction() as reg:
        units = reg.units()
        reg.session.execute(
            insert(MailboxRow).values(
                id=1, account=OFFICE, folder="INBOX", uidvalidity=1_700_000_000, last_uid=0, answer_from_uid=1,
                created_at=START,
            )
        )
    if kind == "postgresql":
        with app.db.engine.begin() as conn:
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('mailboxes', 'id'), 1)")
    app.db.dispose()
    gen = Generator(n, units, app.calendar())
    t0 = time.perf_counter()
    (fill_sqlite if kind == "sqlite" else fill_postgresql)(db, gen)
    fill_s = time.perf_counter() - t0
    with app.db.transaction() as reg:
        s = reg.session
        counts = {
            "messages": s.scalar(select(func.count()).select_from(MailboxRow.metadata.tables["messages"])),
            "attachments": s.scalar(select(func.count()).select_from(AttachmentRow)),
            "replies": s.scalar(select(func.count()).select_from(ReplyRow)),
            "submissions": s.scalar(select(func.count()).select_from(SubmissionRow)),
        }
    stats = {
        "migrate_s": round(migrate_s, 2), "fill_s": round(fill_s, 1), "db_bytes": db.size(),
        "rows": counts, "by_status": dict(sorted(gen.counts.items())), "units": len(units),
    }
    return app, stats


def existing_register(db: Db, data_dir: Path) -> tuple[Any, dict[str, Any]]:
    from sqlalchemy import func, select

    from mailbot.adapters.db_tables import AttachmentRow, MessageRow, ReplyRow, SubmissionRow
    from mailbot.bootstrap import bootstrap
    from mailbot.settings import Settings

    app = bootstrap(Settings(database_url=db.url, data_dir=data_dir, units_file=UNITS_CSV))
    app.prepare()
    with app.db.transaction() as reg:
        s = reg.session
        counts = {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in (MessageRow, AttachmentRow, ReplyRow, SubmissionRow)}
        by_status = dict(s.execute(select(MessageRow.status, func.count()).group_by(MessageRow.status)).all())
    return app, {"migrate_s": 0.0, "fill_s": 0.0, "db_bytes": db.size(), "rows": counts, "by_status": by_status}


# --- the pages ---------------------------------------------------------------------------------
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_OLDER = re.compile(r'<a\b[^>]*href="([^"]*)"[^>]*>(?:(?!</a>).)*?Cũ hơn', re.S | re.I)


@dataclass
class Sql:
    statements: list[tuple[float, str, Any]] = field(default_factory=list)
    on: bool = False


def install_sql_recorder(engine: Any) -> Sql:
    from sqlalchemy import event

    rec = Sql()

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        conn.info.setdefault("bench_t", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        started = conn.info["bench_t"].pop()
        if rec.on:
            rec.statements.append((time.perf_counter() - started, statement, parameters))

    return rec


def explain(app: Any, kind: str, statement: str, parameters: Any) -> str:
    raw = app.db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if kind == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(f"    {row[-1]}" for row in cur.fetchall())
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return "\n".join(f"    {row[0]}" for row in cur.fetchall())
    finally:
        raw.rollback()
        raw.close()


def sign_in(web: Any) -> Any:
    client = web.test_client()
    page = client.get("/login")
    match = _TOKEN.search(page.get_data(as_text=True))
    if match is None:
        raise SystemExit("no csrf_token on /login")
    response = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": match.group(1)})
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed: {response.status_code}")
    return client


def older_link(body: str) -> str | None:
    match = _OLDER.search(body)
    return html.unescape(match.group(1)) if match else None


def search_param(body: str) -> str:
    """The name of the log's search box, read from its form; 'text' when none is found."""
    for match in re.finditer(r"<input\b[^>]*>", body):
        tag = match.group(0)
        name = re.search(r'name="([^"]+)"', tag)
        if name and (re.search(r'type="search"', tag) or name.group(1) in ("text", "q", "search", "query")):
            return name.group(1)
    return "text"


def is_placeholder(path: Path) -> bool:
    return "(being written)" in path.read_text(encoding="utf-8")[:200]


@dataclass
class PageResult:
    name: str
    url: str
    status: int
    times_ms: list[float]
    sql_count: int
    sql_ms: float
    bytes: int
    rows_hint: int
    slowest: tuple[float, str, Any] | None
    note: str = ""
    main: tuple[float, str, Any] | None = None  # the slowest statement that reads the messages table

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def time_page(client: Any, rec: Sql, name: str, url: str, repeat: int, note: str = "") -> PageResult:
    client.get(url)  # warm-up
    times = []
    status = 0
    body = b""
    sql_count, sql_s, slowest, main = 0, 0.0, None, None
    for k in range(repeat):
        rec.statements.clear()
        rec.on = True
        t = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        times.append((time.perf_counter() - t) * 1000)
        rec.on = False
        status = response.status_code
        if k == 0:
            sql_count = len(rec.statements)
            sql_s = sum(s[0] for s in rec.statements)
            slowest = max(rec.statements, key=lambda s: s[0], default=None)
            main = max((s for s in rec.statements if "FROM messages" in s[1]), key=lambda s: s[0], default=None)
    rows = body.count(b"<tr") if status == 200 else 0
    return PageResult(name, url, status, times, sql_count, sql_s * 1000, len(body), rows, slowest, note, main)


def measure_pages(kind: str, app: Any, repeat: int, sample_ids: dict[str, Any]) -> list[PageResult]:
    from mailbot.adapters.staff_db import StaffStore
    from mailbot.service.accounts import add_user
    from mailbot.web.app import create_web_app

    with app.db.transaction() as reg:
        store = StaffStore(reg.session)
        if store.user_named(ADMIN[0]) is None:
            add_user(store, ADMIN[0], ADMIN[1], "admin", app.clock(), display_name="Quản trị (benchmark)")
    web = create_web_app(app)
    web.testing = True
    rec = install_sql_recorder(app.db.engine)
    client = sign_in(web)
    views = ROOT / "mailbot" / "web" / "views"
    log_placeholder = is_placeholder(views / "log.py")
    board_placeholder = is_placeholder(views / "board.py")
    results: list[PageResult] = []

    first = client.get("/")
    first_body = first.get_data(as_text=True)
    q = search_param(first_body)
    ph = " [placeholder: log.py being written]" if log_placeholder else ""
    bph = " [placeholder: board.py being written]" if board_placeholder else ""
    results.append(time_page(client, rec, "log, first page", "/", repeat, ph))
    results.append(time_page(client, rec, f"log, search {q}=thi tran", f"/?{q}=thi+tran", repeat, ph))
    # a word no message has: the search cannot stop early and reads the whole register
    results.append(time_page(client, rec, "log, search (no match)", f"/?{q}=khongcotunay", repeat, ph))
    page2 = older_link(first_body)
    if page2 is None:
        results.append(PageResult("log, page 2", "(no 'Cũ hơn' link on /)", 0, [0.0], 0, 0, 0, 0, None, ph))
        results.append(PageResult("log, page 100", "(no 'Cũ hơn' link on /)", 0, [0.0], 0, 0, 0, 0, None, ph))
    else:
        results.append(time_page(client, rec, "log, page 2", page2, repeat, ph))
        url, page, walk_started = page2, 2, time.perf_counter()
        while page < 100 and url is not None:
            nxt = older_link(client.get(url).get_data(as_text=True))
            if nxt is None:
                break
            url, page = nxt, page + 1
        log(f"  walked to page {page} in {time.perf_counter() - walk_started:.1f} s")
        results.append(time_page(client, rec, f"log, page {page}", url, repeat, ph))
        # the oldest end of the register, as if someone clicked "Cũ hơn" ~20,000 times: a cursor made
        # from an old row, in the page's own format, in place of the 2nd page's cursor
        old_cursor = sample_ids.get("old_cursor")
        if old_cursor and "after=" in page2:
            from urllib.parse import quote

            deep = re.sub(r"after=[^&]*", "after=" + quote(old_cursor), page2)
            results.append(time_page(client, rec, "log, deep page (oldest)", deep, repeat, ph))
    results.append(time_page(client, rec, f"log, unit={sample_ids['unit']}", f"/?unit={sample_ids['unit']}", repeat, ph))
    results.append(time_page(client, rec, "log, status=rejected", "/?status=rejected", repeat, ph))
    results.append(time_page(client, rec, "log detail", f"/log/{sample_ids['message']}", repeat, ph))
    results.append(time_page(client, rec, "board monthly 2026-10", "/board?report=monthly&period=2026-10", repeat, bph))
    results.append(time_page(client, rec, "months 2026-2027", "/months?year=2026-2027", repeat, bph))
    results.append(time_page(client, rec, "year 2026-2027", "/year?year=2026-2027", repeat, bph))
    return results


def print_results(kind: str, stats: dict[str, Any], results: list[PageResult], app: Any, repeat: int) -> None:
    print(f"\n=== {kind}: {stats['rows']['messages']:,} messages ===")
    print(
        f"fill {stats['fill_s']:.1f} s (schema+units {stats['migrate_s']:.1f} s; 0 = existing register), "
        f"DB size {stats['db_bytes'] / MIB:,.0f} MiB; rows {stats['rows']}; by status {stats['by_status']}"
    )
    widths = (26, 6, 10, 10, 5, 9, 9, 6)
    head = ("page", "status", "median ms", "p95 ms", "sql", "sql ms", "KiB", "<tr>")
    print("  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(head, widths))))
    for r in results:
        cells = (
            r.name, str(r.status or "-"), f"{r.median:.1f}", f"{r.p95:.1f}", str(r.sql_count), f"{r.sql_ms:.1f}",
            f"{r.bytes / 1024:.1f}", str(r.rows_hint),
        )
        line = "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
        print(line + f"  {r.url}{r.note}")
    print(f"(median/p95 over {repeat} GETs after one warm-up; sql = statements and their time in the first timed GET)")
    for r in results:
        if r.status != 200 and r.status != 0:
            print(f"!! {r.name}: HTTP {r.status}")
    shown = []
    for r in results:
        if r.main is not None and (r is results[0] or "search" in r.name or "page 1" in r.name or "deep" in r.name):
            shown.append((r, "messages query", r.main))
        if r.slowest is not None and r.median > 1000 and r.slowest is not r.main:
            shown.append((r, "slowest SQL", r.slowest))
        elif r.main is None and r.slowest is not None and r.median > 1000:
            shown.append((r, "slowest SQL", r.slowest))
    for r, what, (seconds, statement, parameters) in shown:
        if True:
            print(f"\n--- {what} of '{r.name}' ({seconds * 1000:.1f} ms in the first timed GET) ---")
            print("    " + " ".join(statement.split())[:1500])
            print(f"    params: {parameters!r}"[:400])
            try:
                print(explain(app, kind, statement, parameters))
            except Exception as exc:  # noqa: BLE001 - a plan we cannot show is not a failure
                print(f"    (EXPLAIN failed: {type(exc).__name__}: {exc})")
    for r in results:
        print(json.dumps({
            "benchmark": "staff_pages", "db": kind, "messages": stats["rows"]["messages"], "page": r.name,
            "url": r.url, "status": r.status, "median_ms": round(r.median, 1), "p95_ms": round(r.p95, 1),
            "sql": r.sql_count, "sql_ms": round(r.sql_ms, 1),
        }, ensure_ascii=False))


def sample_ids(app: Any, n: int) -> dict[str, Any]:
    from sqlalchemy import select

    from mailbot.adapters.db_tables import MessageRow

    with app.db.transaction() as reg:
        unit = reg.session.scalar(
            select(MessageRow.unit_id).where(MessageRow.id == n // 2)
        ) or "THCS-thoilai"
        message = reg.session.scalar(
            select(MessageRow.id).where(MessageRow.id >= n // 2, MessageRow.status == "accepted").order_by(MessageRow.id).limit(1)
        )
        old = reg.session.scalar(select(MessageRow.internal_date).where(MessageRow.id == max(1, n // 10_000)))
    cursor = None
    if old is not None:
        try:
            from mailbot.adapters.log_queries import Cursor

            cursor = Cursor(old, max(1, n // 10_000)).encode()
        except (ImportError, TypeError):
            cursor = None
    return {"unit": unit, "message": message or 1, "old_cursor": cursor}


# --- main ---------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=1_000_000, metavar="N", help="messages in the register (default 1,000,000)")
    p.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--repeat", type=int, default=5, metavar="R", help="timed GETs per page after one warm-up (default 5)")
    p.add_argument("--keep", action="store_true", help="keep the databases (and the SQLite temp dir) afterwards")
    p.add_argument("--fill-only", action="store_true", help="fill and print sizes, do not time the pages")
    p.add_argument(
        "--url", metavar="URL",
        help="time the pages on a register kept by an earlier --keep run (no fill); e.g. "
        "sqlite:////tmp/mailbot-bench-pages-x/sqlite/mailbot.db or postgresql+psycopg://postgres@127.0.0.1:5432/mailbot_bench_x",
    )
    args = p.parse_args(argv)
    if args.messages < 100 or args.repeat < 1:
        p.error("--messages must be at least 100 and --repeat at least 1")
    args.dbs = DATABASES if args.db == "both" else (args.db,)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, raise_interrupt)
    signal.signal(signal.SIGHUP, raise_interrupt)
    scratch = Path(tempfile.mkdtemp(prefix="mailbot-bench-pages-"))
    log(f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}; scratch {scratch}")
    try:
        if args.url:
            kind = "sqlite" if args.url.startswith("sqlite") else "postgresql"
            db = Db(kind, args.url, path=Path(args.url.removeprefix("sqlite:///")) if kind == "sqlite" else None,
                    name=args.url.rsplit("/", 1)[1] if kind == "postgresql" else None)
            app, stats = existing_register(db, scratch / "data")
            results = measure_pages(kind, app, args.repeat, sample_ids(app, stats["rows"]["messages"]))
            print_results(kind, stats, results, app, args.repeat)
            app.db.dispose()
            print(f"\npeak RSS of this process: {peak_rss_mib():,.0f} MiB")
            return 0
        for kind in args.dbs:
            workdir = scratch / kind
            workdir.mkdir()
            with database(kind, workdir, args.keep) as db:
                log(f"[{kind}] filling {args.messages:,} messages into {db.url}")
                app, stats = build_register(kind, db, args.messages, workdir / "data")
                print(
                    f"[{kind}] fill {stats['fill_s']:.1f} s, DB {stats['db_bytes'] / MIB:,.0f} MiB, "
                    f"rows {stats['rows']}, peak RSS so far {peak_rss_mib():,.0f} MiB", flush=True,
                )
                if not args.fill_only:
                    results = measure_pages(kind, app, args.repeat, sample_ids(app, args.messages))
                    print_results(kind, stats, results, app, args.repeat)
                app.db.dispose()
        print(f"\npeak RSS of this process: {peak_rss_mib():,.0f} MiB")
        return 0
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    finally:
        previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            for name in list(pg_databases):
                try:
                    drop_pg(name)
                except Exception as exc:  # noqa: BLE001
                    log(f"could not drop PostgreSQL database {name}: {exc}")
            if args.keep:
                log(f"kept {scratch}")
            else:
                shutil.rmtree(scratch, ignore_errors=True)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
