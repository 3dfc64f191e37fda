"""Shared fixtures: both databases, the real servers (Dovecot, SMTP), and a `mailbot` runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers.wiring import mailbot_env

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "mailbot" / "demo" / "mailbox"
PG_ADMIN_URL = os.environ.get("MAILBOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_SERVERS = os.environ.get("MAILBOT_REQUIRE_SERVERS") == "1"


def _unavailable(why: str) -> None:
    """Locally a missing server skips; in CI (MAILBOT_REQUIRE_SERVERS=1) it fails the test."""
    if REQUIRE_SERVERS:
        pytest.fail(f"required test server unavailable: {why}")
    pytest.skip(why)


# --- databases --------------------------------------------------------------------------------
@contextmanager
def new_database(kind: str, directory: Path) -> Iterator[str]:
    """A fresh, empty database of this kind ("sqlite" in `directory`, or "postgresql"), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'mailbot.db'}"
        return
    import psycopg

    name = f"mailbot_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        _unavailable(f"PostgreSQL at {PG_ADMIN_URL}: {exc}")
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind; every DB test runs twice."""
    with new_database(request.param, tmp_path) as url:
        yield url


# --- mail servers -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator["object"]:
    from tests.servers.dovecot import Dovecot, DovecotError

    server = Dovecot()
    try:
        server.start()
    except DovecotError as exc:
        _unavailable(f"Dovecot: {exc}")
    yield server
    server.stop()


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator["object"]:
    from tests.servers.smtp import SmtpSink

    with SmtpSink(tmp_path / "smtp") as sink:
        yield sink


@dataclass
class Mailbot:
    """Runs the real `mailbot` command against the test servers, as staff or the daemon would."""

    env: dict[str, str]
    cwd: Path
    dovecot: object
    user: str
    password: str

    def _env(self, extra_env: dict[str, str | None] | None) -> dict[str, str]:
        """The fixture's environment with overrides; a None value removes the variable."""
        env = {**self.env, **(extra_env or {})}
        return {k: v for k, v in env.items() if v is not None}

    def run(self, *args: str, extra_env: dict[str, str | None] | None = None, check: bool = True, timeout: float = 120):
        env = self._env(extra_env)
        result = subprocess.run(
            [sys.executable, "-m", "mailbot", *args], cwd=self.cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(f"mailbot {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def popen(self, *args: str, extra_env: dict[str, str | None] | None = None) -> subprocess.Popen:
        """A daemon whose output goes to files (a pipe nobody reads would block it after 64 KiB);
        `proc.log()` returns what it wrote to stderr so far."""
        env = self._env(extra_env)
        self._daemons = getattr(self, "_daemons", 0) + 1
        out = self.cwd / f"daemon-{self._daemons}.out"
        err = self.cwd / f"daemon-{self._daemons}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            proc = subprocess.Popen([sys.executable, "-m", "mailbot", *args], cwd=self.cwd, env=env, stdout=stdout, stderr=stderr, text=True)
        proc.log = lambda: err.read_text(encoding="utf-8", errors="replace")  # type: ignore[attr-defined]
        return proc

    def append(self, *raws: bytes) -> list[int]:
        return self.dovecot.append_many(self.user, self.password, list(raws))  # type: ignore[attr-defined]

    def imap(self):
        return self.dovecot.client(self.user, self.password)  # type: ignore[attr-defined]

    def log(self) -> list[dict]:
        out = self.run("log", "--json", "--limit", "100000").stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def mailbot(dovecot, smtp, db_url: str, tmp_path: Path) -> Mailbot:
    """A fresh mailbox account, SMTP sink and database, wired through MAILBOT_* variables."""
    user, password = dovecot.new_account()
    env = mailbot_env(dovecot, smtp, user, password, db_url, tmp_path)
    return Mailbot(env=env, cwd=tmp_path, dovecot=dovecot, user=user, password=password)


@pytest.fixture(scope="session")
def samples() -> list[tuple[dict, bytes]]:
    """The bundled sample mailbox with its expected verdicts (mailbot/demo/mailbox/manifest.json)."""
    manifest = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    return [(entry, (SAMPLES / entry["file"]).read_bytes()) for entry in manifest]
