"""Named points in the pipeline where the crash tests kill the process (MAILBOT_CRASH_AT=name)."""

from __future__ import annotations

import os
import signal

POINTS = ("after-fetch", "after-commit", "after-mark", "after-smtp", "after-sent")


def crash_point(name: str) -> None:
    """SIGKILL ourselves at this point when the environment asks for it; a no-op otherwise."""
    if os.environ.get("MAILBOT_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
