#!/usr/bin/env python3
"""Throughput of the real `mailbot poll --once` against a throwaway Dovecot, an SMTP sink and SQL.

Not a test: it prints numbers. See benchmarks/README.md for what each column means.

    .venv/bin/python benchmarks/poll_throughput.py                      # 1000 messages, sqlite + postgresql
    .venv/bin/python benchmarks/poll_throughput.py --messages 200 --db sqlite --repeat 3

Everything it starts (Dovecot, the SMTP sink, mailbot children, temporary PostgreSQL databases,
temporary directories) is torn down when it ends, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for tests.servers.*

from benchmarks._common import (  # noqa: E402
    create_pg_database, drop_pg, log, pg_admin, pg_conninfo, pg_databases, pg_sqlalchemy_url, raise_interrupt,
)

SAMPLES = ROOT / "mailbot" / "demo" / "mailbox"
DATABASES = ("sqlite", "postgresql")
CLI_TIMEOUT = 1800.0  # seconds for one `mailbot` child before it is killed

# --- cleanup registry -------------------------------------------------------------------------
# Everything that must not outlive the script is registered here and released in main()'s finally,
# with SIGINT/SIGTERM ignored so a second Ctrl-C cannot interrupt the cleanup itself.
_children: set[subprocess.Popen[bytes]] = set()




# --- the mailbox ------------------------------------------------------------------------------
_MESSAGE_ID = re.compile(rb"(?im)^message-id:[ \t]*(?:\r?\n[ \t]+)?<([^<>\r\n]*)>")


def _split_head(raw: bytes) -> int:
    """Offset where the top-level header block ends (the first empty line), or len(raw)."""
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return min(ends) if ends else len(raw)


def unique_copy(raw: bytes, serial: int, token: str) -> bytes:
    """The same message with a new top-level Message-ID; every other byte is kept (attachments too).

    Only the header block is touched: a bounce's embedded message/rfc822 keeps its own Message-ID,
    and the NULs and garbage of the broken-MIME sample stay where they are.
    """
    head_end = _split_head(raw)
    head = raw[:head_end]
    match = _MESSAGE_ID.search(head)
    if match is None:
        eol = b"\r\n" if b"\r\n" in head else b"\n"
        return b"Message-ID: <bench.%s.%06d@bentre.edu.vn>%s" % (token.encode(), serial, eol) + raw
    local, _, domain = match.group(1).rpartition(b"@")
    new_id = b"%s.b%s%06d@%s" % (local or b"bench", token.encode(), serial, domain or b"bentre.edu.vn")
    return raw[: match.start(1)] + new_id + raw[match.end(1) :]


def build_mailbox(n: int) -> list[bytes]:
    samples = [p.read_bytes() for p in sorted(SAMPLES.glob("*.eml"))]
    if not samples:
        raise SystemExit(f"no sample messages in {SAMPLES}")
    token = uuid.uuid4().hex[:8]
    raws = [unique_copy(samples[i % len(samples)], i, token) for i in range(n)]
    if len({hashlib.sha256(r).digest() for r in raws}) != n:
        raise SystemExit("internal error: the generated messages are not all different")
    return raws


# --- running the CLI --------------------------------------------------------------------------
@dataclass
class ChildRun:
    args: tuple[str, ...]
    wall_s: float
    returncode: int
    maxrss_kib: int  # ru_maxrss of this one child, from wait4()
    user_s: float
    sys_s: float
    stdout: str
    stderr: str


def run_cli(
    args: list[str], env: dict[str, str], cwd: Path, *, wrap: list[str] | None = None, timeout: float = CLI_TIMEOUT
) -> ChildRun:
    """Run `python -m mailbot ARGS` and reap it with os.wait4(), which returns that child's own rusage.

    Wall time covers the whole command: interpreter start, imports, migrations check, poll, delivery.
    """
    argv = [sys.executable, *(wrap or []), "-m", "mailbot", *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _children.add(proc)
        timed_out = threading.Event()

        def _kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                proc.kill()

        timer = threading.Timer(timeout, _kill)
        timer.daemon = True
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; Popen must not wait again
        _children.discard(proc)
        out.seek(0)
        err.seek(0)
        run = ChildRun(
            tuple(args), wall, proc.returncode, usage.ru_maxrss, usage.ru_utime, usage.ru_stime,
            out.read().decode(errors="replace"), err.read().decode(errors="replace"),
        )
    if timed_out.is_set():
        raise RuntimeError(f"mailbot {' '.join(args)} killed after {timeout:.0f} s")
    if run.returncode != 0:
        raise RuntimeError(f"mailbot {' '.join(args)} failed ({run.returncode}):\n{run.stdout}\n{run.stderr[-4000:]}")
    return run


def _kill_children() -> None:
    for proc in list(_children):
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            with contextlib.suppress(Exception):
                proc.wait(10)
        _children.discard(proc)


# --- databases --------------------------------------------------------------------------------
@dataclass
class Db:
    kind: str
    url: str  # for MAILBOT_DATABASE_URL
    size: Callable[[], int]
    counts: Callable[[str], dict[str, int]]  # table -> {status: count}
    wal: Callable[[], int] = lambda: 0  # SQLite: bytes of db_bytes that are in the -wal file
    path: Path | None = None
    name: str | None = None


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[Db]:
    """A fresh, empty database of ``kind``; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        import sqlite3

        path = workdir / "mailbot.db"

        def sqlite_size() -> int:
            # the main file plus a WAL the last connection may have left un-checkpointed
            return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())

        def sqlite_wal() -> int:
            wal = Path(f"{path}-wal")
            return wal.stat().st_size if wal.exists() else 0

        def sqlite_counts(table: str) -> dict[str, int]:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
                return dict(conn.execute(f"SELECT status, count(*) FROM {table} GROUP BY status").fetchall())

        yield Db(kind, f"sqlite:///{path}", sqlite_size, sqlite_counts, wal=sqlite_wal, path=path)
        return
    if kind != "postgresql":
        raise ValueError(kind)
    import psycopg

    name = create_pg_database()

    def pg_size() -> int:
        with pg_admin() as conn:
            return int(conn.execute("SELECT pg_database_size(%s)", (name,)).fetchone()[0])

    def pg_counts(table: str) -> dict[str, int]:
        with psycopg.connect(pg_conninfo(name), connect_timeout=5) as conn:
            return dict(conn.execute(f"SELECT status, count(*) FROM {table} GROUP BY status").fetchall())

    try:
        yield Db(kind, pg_sqlalchemy_url(name), pg_size, pg_counts, name=name)
    finally:
        drop_pg(name)


def _safe_counts(db: Db, table: str) -> dict[str, int]:
    try:
        return db.counts(table)
    except Exception as exc:  # the schema belongs to the app; a rename must not kill the benchmark
        log(f"  (could not count {table}: {type(exc).__name__}: {exc})")
        return {}


# --- sizes ------------------------------------------------------------------------------------
def tree_size(path: Path) -> tuple[int, int, int]:
    """(apparent bytes, allocated bytes, file count) of every regular file under ``path``."""
    apparent = allocated = files = 0
    if not path.exists():
        return 0, 0, 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            st = os.lstat(os.path.join(root, name))
            apparent += st.st_size
            allocated += st.st_blocks * 512
            files += 1
    return apparent, allocated, files


# --- one run ----------------------------------------------------------------------------------
@dataclass
class RunResult:
    db: str
    messages: int
    append_s: float
    poll1: ChildRun
    recorded: int
    replies_queued: int
    replies_poll1: int
    poll2: ChildRun
    replies_poll2: int
    db_bytes: int
    db_bytes_empty: int
    data_bytes: int
    data_alloc_bytes: int
    data_files: int
    raw_bytes: int
    attachment_bytes: int
    drain_polls: int = 0
    drain_s: float = 0.0
    replies_total: int = 0
    idle: ChildRun | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def one_run(
    kind: str, raws: list[bytes], dovecot: Any, smtp: Any, scratch: Path, *, drain: bool, profile: Path | None
) -> RunResult:
    workdir = Path(tempfile.mkdtemp(prefix=f"run-{kind}-", dir=scratch))
    try:
        user, password = dovecot.new_account(prefix="bench")
        start = time.perf_counter()
        uids = dovecot.append_many(user, password, raws)
        append_s = time.perf_counter() - start
        if len(uids) != len(raws):
            raise RuntimeError(f"APPEND gave {len(uids)} UIDs for {len(raws)} messages")
        smtp.clear()
        with database(kind, workdir) as db:
            db_empty = db.size() if kind == "postgresql" else 0
            from tests.servers.wiring import mailbot_env  # after main() put the repository on sys.path

            env = mailbot_env(dovecot, smtp, user, password, db.url, workdir)
            wrap = ["-m", "cProfile", "-o", str(profile)] if profile is not None else None

            poll1 = run_cli(["poll", "--once"], env, workdir, wrap=wrap)
            replies1 = len(smtp.messages())
            messages = _safe_counts(db, "messages")
            replies = _safe_counts(db, "replies")
            db_bytes = db.size()
            db_wal = db.wal()
            data = workdir / "data"
            data_bytes, data_alloc, data_files = tree_size(data)
            raw_bytes = tree_size(data / "raw")[0]
            att_bytes = tree_size(data / "attachments")[0]

            poll2 = run_cli(["poll", "--once"], env, workdir)
            replies2 = len(smtp.messages()) - replies1

            result = RunResult(
                db=kind, messages=len(raws), append_s=append_s,
                poll1=poll1, recorded=sum(messages.values()), replies_queued=sum(replies.values()),
                replies_poll1=replies1, poll2=poll2, replies_poll2=replies2,
                db_bytes=db_bytes, db_bytes_empty=db_empty,
                data_bytes=data_bytes, data_alloc_bytes=data_alloc, data_files=data_files,
                raw_bytes=raw_bytes, attachment_bytes=att_bytes,
                extra={"messages_by_status": messages, "poll1_stdout": poll1.stdout.strip(), "db_wal_bytes": db_wal},
            )
            if drain:
                # Keep polling until the outbox stops shrinking, then time one poll with truly nothing to do.
                limit = math.ceil(max(result.replies_queued, 1) / 50) + 5
                before = len(smtp.messages())
                start = time.perf_counter()
                while result.drain_polls < limit and _safe_counts(db, "replies").get("pending", 0) > 0:
                    run_cli(["poll", "--once"], env, workdir)
                    result.drain_polls += 1
                    now = len(smtp.messages())
                    if now == before:
                        log("  warning: a drain poll sent nothing although replies are pending")
                        break
                    before = now
                result.drain_s = time.perf_counter() - start
                result.idle = run_cli(["poll", "--once"], env, workdir)
                if len(smtp.messages()) != before:
                    log("  warning: the 'idle' poll still sent replies")
                result.extra["replies_by_status_end"] = _safe_counts(db, "replies")
            result.replies_total = len(smtp.messages())
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- reporting --------------------------------------------------------------------------------
MIB = 1024 * 1024


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarise(kind: str, runs: list[RunResult]) -> dict[str, Any]:
    def med(get: Callable[[RunResult], float]) -> float:
        return _median([get(r) for r in runs])

    n = runs[0].messages
    poll1_s = med(lambda r: r.poll1.wall_s)
    summary: dict[str, Any] = {
        "db": kind,
        "messages": n,
        "repeat": len(runs),
        "append_s": round(med(lambda r: r.append_s), 3),
        "poll1_s": round(poll1_s, 3),
        "msgs_per_s": round(n / poll1_s, 1) if poll1_s else None,
        "ms_per_msg": round(1000 * poll1_s / n, 2) if n else None,
        "poll1_cpu_s": round(med(lambda r: r.poll1.user_s + r.poll1.sys_s), 3),
        "poll1_peak_rss_mib": round(med(lambda r: r.poll1.maxrss_kib) / 1024, 1),
        "rss_method": "os.wait4() ru_maxrss of the child (per-child getrusage)",
        "recorded": int(med(lambda r: r.recorded)),
        "replies_queued": int(med(lambda r: r.replies_queued)),
        "replies_poll1": int(med(lambda r: r.replies_poll1)),
        "poll2_s": round(med(lambda r: r.poll2.wall_s), 3),
        "replies_poll2": int(med(lambda r: r.replies_poll2)),
        "poll2_peak_rss_mib": round(med(lambda r: r.poll2.maxrss_kib) / 1024, 1),
        "db_bytes": int(med(lambda r: r.db_bytes)),
        "db_bytes_empty": int(med(lambda r: r.db_bytes_empty)),
        "data_bytes": int(med(lambda r: r.data_bytes)),
        "data_alloc_bytes": int(med(lambda r: r.data_alloc_bytes)),
        "data_files": int(med(lambda r: r.data_files)),
        "raw_bytes": int(med(lambda r: r.raw_bytes)),
        "attachment_bytes": int(med(lambda r: r.attachment_bytes)),
        "runs_poll1_s": [round(r.poll1.wall_s, 3) for r in runs],
        "runs_poll2_s": [round(r.poll2.wall_s, 3) for r in runs],
    }
    if all(r.idle is not None for r in runs):
        # Estimates: poll2 = start-up (~ idle poll) + sending replies_poll2 replies; poll1 = start-up +
        # recording N messages + sending replies_poll1 replies.
        reply_ms = med(lambda r: 1000 * (r.poll2.wall_s - r.idle.wall_s) / r.replies_poll2 if r.replies_poll2 else float("nan"))  # type: ignore[union-attr]
        record_ms = med(
            lambda r: 1000 * (r.poll1.wall_s - r.idle.wall_s - r.replies_poll1 * (r.poll2.wall_s - r.idle.wall_s) / r.replies_poll2) / r.messages  # type: ignore[union-attr]
            if r.replies_poll2 else float("nan")
        )
        summary |= {
            "est_reply_ms": None if math.isnan(reply_ms) else round(reply_ms, 1),
            "est_record_ms_per_msg": None if math.isnan(record_ms) else round(record_ms, 2),
            "drain_polls": int(med(lambda r: r.drain_polls)),
            "drain_s": round(med(lambda r: r.drain_s), 3),
            "idle_s": round(med(lambda r: r.idle.wall_s), 3),  # type: ignore[union-attr]
            "idle_peak_rss_mib": round(med(lambda r: r.idle.maxrss_kib) / 1024, 1),  # type: ignore[union-attr]
        }
    summary["replies_total"] = int(med(lambda r: r.replies_total))
    summary["db_wal_bytes"] = int(med(lambda r: r.extra.get("db_wal_bytes", 0)))
    summary["messages_by_status"] = runs[0].extra.get("messages_by_status")
    return summary


def print_table(rows: list[dict[str, Any]]) -> None:
    columns = [
        ("db", "db", "{}"),
        ("msgs", "messages", "{}"),
        ("append s", "append_s", "{:.2f}"),
        ("poll1 s", "poll1_s", "{:.2f}"),
        ("msg/s", "msgs_per_s", "{:.1f}"),
        ("ms/msg", "ms_per_msg", "{:.2f}"),
        ("cpu s", "poll1_cpu_s", "{:.2f}"),
        ("rss MiB", "poll1_peak_rss_mib", "{:.1f}"),
        ("queued", "replies_queued", "{}"),
        ("sent1", "replies_poll1", "{}"),
        ("poll2 s", "poll2_s", "{:.2f}"),
        ("sent2", "replies_poll2", "{}"),
        ("drain", "drain_polls", "{}"),
        ("drain s", "drain_s", "{:.2f}"),
        ("sent", "replies_total", "{}"),
        ("idle s", "idle_s", "{:.2f}"),
        ("rec ms", "est_record_ms_per_msg", "{:.1f}"),
        ("reply ms", "est_reply_ms", "{:.1f}"),
        ("db MiB", "db_bytes", "mib"),
        ("data MiB", "data_bytes", "mib"),
        ("files", "data_files", "{}"),
    ]
    cells = []
    for row in rows:
        line = []
        for _title, key, fmt in columns:
            value = row.get(key)
            if value is None:
                line.append("-")
            elif fmt == "mib":
                line.append(f"{value / MIB:.2f}")
            else:
                line.append(fmt.format(value))
        cells.append(line)
    widths = [max(len(c[0]), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    print("  ".join(title.rjust(w) for (title, _, _), w in zip(columns, widths)))
    for line in cells:
        print("  ".join(v.rjust(w) for v, w in zip(line, widths)))


def print_profile(path: Path, top: int = 15) -> None:
    import pstats

    stats = pstats.Stats(str(path), stream=sys.stdout)
    print(f"\n--- cProfile of the first poll ({path}), top {top} by cumulative time ---")
    stats.sort_stats("cumulative").print_stats(top)
    # The plain list is mostly runpy/typer wrappers; these two views show where the time goes.
    print("--- same, mailbot's own functions only (below the CLI wrappers) ---")
    stats.sort_stats("cumulative").print_stats(r"/mailbot/(?!__main__|entrypoints/)", top)
    print(f"--- same, top {top} by own (internal) time ---")
    stats.sort_stats("tottime").print_stats(top)


def code_version() -> str:
    """The commit the measured code came from, with '+dirty' when mailbot/ has local changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "mailbot", "migrations"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if head.returncode != 0:
        return "unknown"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


# --- main -------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=1000, metavar="N", help="messages in the mailbox (default 1000)")
    p.add_argument("--db", default=",".join(DATABASES), help="comma-separated: sqlite,postgresql (default both)")
    p.add_argument("--repeat", type=int, default=1, metavar="K", help="fresh runs per database; medians are printed")
    p.add_argument(
        "--no-drain", dest="drain", action="store_false",
        help="skip draining the outbox with further polls and the final truly idle poll",
    )
    p.add_argument(
        "--profile", type=Path, metavar="DIR",
        help="afterwards, one extra run per database with the first poll under cProfile; "
        "writes DIR/poll1-<db>.prof and prints the top 15 cumulative entries (not part of the timings)",
    )
    args = p.parse_args(argv)
    args.dbs = [d.strip() for d in args.db.split(",") if d.strip()]
    bad = [d for d in args.dbs if d not in DATABASES]
    if bad or not args.dbs:
        p.error(f"--db: choose from {', '.join(DATABASES)}")
    if args.messages < 1 or args.repeat < 1:
        p.error("--messages and --repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, raise_interrupt)
    signal.signal(signal.SIGHUP, raise_interrupt)

    from tests.servers.dovecot import Dovecot
    from tests.servers.smtp import SmtpSink

    scratch = Path(tempfile.mkdtemp(prefix="mailbot-bench-"))
    dovecot = Dovecot()
    smtp = SmtpSink(scratch / "smtp")
    summaries: list[dict[str, Any]] = []
    version = code_version()
    try:
        raws = build_mailbox(args.messages)
        mailbox_bytes = sum(len(r) for r in raws)
        log(f"code: {version}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}")
        log(f"mailbox: {len(raws)} messages, {mailbox_bytes / MIB:.2f} MiB (16 samples, unique Message-IDs)")
        dovecot.start()
        smtp.start()
        log(
            f"dovecot on {dovecot.host}:{dovecot.port} (pid {dovecot.pid}), SMTP sink on {smtp.host}:{smtp.port}"
        )
        for kind in args.dbs:
            runs = []
            for k in range(args.repeat):
                log(f"[{kind} {k + 1}/{args.repeat}] appending {len(raws)} messages, then poll --once ...")
                result = one_run(kind, raws, dovecot, smtp, scratch, drain=args.drain, profile=None)
                log(
                    f"  poll1 {result.poll1.wall_s:.2f} s, recorded {result.recorded}, replies queued "
                    f"{result.replies_queued} / sent {result.replies_poll1}; poll2 {result.poll2.wall_s:.2f} s "
                    f"(sent {result.replies_poll2})"
                    + (f"; drained in {result.drain_polls} more polls, idle {result.idle.wall_s:.2f} s" if result.idle else "")
                )
                runs.append(result)
            summary = summarise(kind, runs)
            summary["mailbox_bytes"] = mailbox_bytes
            summary["code"] = version
            summaries.append(summary)
        profiles: list[Path] = []
        if args.profile is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
            for kind in args.dbs:
                target = args.profile.resolve() / f"poll1-{kind}.prof"
                log(f"[{kind} profile] extra run with the first poll under cProfile -> {target}")
                one_run(kind, raws, dovecot, smtp, scratch, drain=False, profile=target)
                profiles.append(target)

        print()
        print_table(summaries)
        print()
        for summary in summaries:
            print(json.dumps({"benchmark": "poll_throughput", **summary}, ensure_ascii=False))
        for target in profiles:
            print_profile(target)
        return 0
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    finally:
        previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            _kill_children()
            for name in list(pg_databases):
                try:
                    drop_pg(name)
                except Exception as exc:
                    log(f"could not drop PostgreSQL database {name}: {exc}")
            with contextlib.suppress(Exception):
                smtp.stop()
            dovecot.stop()
            shutil.rmtree(scratch, ignore_errors=True)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
