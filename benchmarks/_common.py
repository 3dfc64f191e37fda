"""What both benchmarks need: the PostgreSQL scratch databases they create (and always drop), the
signal that turns SIGTERM/SIGHUP into a clean stop, and a log line on stderr."""

from __future__ import annotations

import os
import sys
import uuid
from typing import Any

PG_ADMIN_URL = os.environ.get("MAILBOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")

# Every database created here until it is dropped; main() drops what is left in its finally.
pg_databases: set[str] = set()


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def raise_interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


def pg_conninfo(name: str) -> str:
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def pg_sqlalchemy_url(name: str) -> str:
    return f"postgresql+psycopg://{PG_ADMIN_URL.rsplit('/', 1)[0].split('://', 1)[1]}/{name}"


def create_pg_database() -> str:
    """A new empty database mailbot_bench_<random>, registered before CREATE so that an interrupt right
    after it still drops it."""
    name = f"mailbot_bench_{uuid.uuid4().hex[:12]}"
    pg_databases.add(name)
    with pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg(name: str) -> None:
    with pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_databases.discard(name)
