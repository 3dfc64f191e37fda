"""Polling a condition in end-to-end tests, with a bound."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], object], timeout: float = 45.0, every: float = 0.2) -> bool:
    """True as soon as the predicate holds; False when the timeout runs out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())
