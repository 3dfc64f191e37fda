"""The MAILBOT_* environment that points the real `mailbot` command at throwaway test servers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
UNITS_EXAMPLE = ROOT / "config" / "units.example.csv"


def mailbot_env(dovecot: Any, smtp: Any, user: str, password: str, db_url: str, workdir: Path) -> dict[str, str]:
    """The caller's environment without its MAILBOT_* variables, wired to these servers and this
    database; data and a copy of the units file under workdir."""
    units = workdir / "units.csv"
    units.write_bytes(UNITS_EXAMPLE.read_bytes())
    return {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")} | {
        "MAILBOT_DATABASE_URL": db_url,
        "MAILBOT_DATA_DIR": str(workdir / "data"),
        "MAILBOT_UNITS_FILE": str(units),
        "MAILBOT_ANSWER_SINCE": "2000-01-01T00:00:00+00:00",
        "MAILBOT_POLL_INTERVAL": "1",
        "MAILBOT_IMAP__HOST": dovecot.host,
        "MAILBOT_IMAP__PORT": str(dovecot.port),
        "MAILBOT_IMAP__SECURITY": "none",
        "MAILBOT_IMAP__USERNAME": user,
        "MAILBOT_IMAP__PASSWORD": password,
        "MAILBOT_SMTP__HOST": smtp.host,
        "MAILBOT_SMTP__PORT": str(smtp.port),
        "MAILBOT_SMTP__SECURITY": "none",
        "MAILBOT_SMTP__TIMEOUT": "10",
        "MAILBOT_SMTP__RETRY_BASE_SECONDS": "0.01",
        # the loop guard (10 answers an hour per address) is tested on its own; elsewhere one
        # school sends many messages
        "MAILBOT_RULES__MAX_REPLIES_PER_SENDER_PER_HOUR": "1000000",
        "MAILBOT_RULES__MAX_REPLIES_PER_HOUR": "1000000",
        "PYTHONPATH": str(ROOT),
    }
