"""A wall-clock limit on the pure work done for one message (parse + judge).

The daemon polls in an APScheduler worker thread, where SIGALRM cannot be used, and a Python thread
cannot be stopped from outside. So the work runs in one helper process, forked lazily on the first
message of a poll (it inherits the poll's registry, policy and rules; only the message goes in and
the picklable result comes back through a pipe). When a message takes longer than the limit the
helper is killed and the next message gets a fresh one; the poll goes on.

`MAILBOT_SLOW_JUDGE="<seconds>:<marker>"` is a test hook in the manner of MAILBOT_CRASH_AT: judging
a message whose subject contains the marker first sleeps that long.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

SLOW_JUDGE_ENV = "MAILBOT_SLOW_JUDGE"
_A = TypeVar("_A")
_R = TypeVar("_R")


class TimeLimitExceeded(Exception):
    """The work for one message did not finish within the limit; its helper process was killed."""

    def __init__(self, seconds: float):
        super().__init__(f"not finished within {seconds:g} s")
        self.seconds = seconds


class WorkerDied(Exception):
    """The helper process ended while working on a message (killed by the OS, out of memory, ...)."""


def slow_point(subject: str) -> None:
    """Test hook: sleep when MAILBOT_SLOW_JUDGE names a marker this subject contains; a no-op otherwise."""
    spec = os.environ.get(SLOW_JUDGE_ENV)
    if not spec:
        return
    seconds, _, marker = spec.partition(":")
    if marker and marker in subject:
        time.sleep(float(seconds))


def _serve(conn: Connection, other_end: Connection, func: Callable[[Any], Any]) -> None:
    """The helper's loop: one argument in, ("ok", result) or ("raise", exception, traceback) out."""
    other_end.close()  # so the parent's death gives us EOF instead of a wait for ever
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business; it ends us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            arg = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[Any, ...] = ("ok", func(arg))
        except BaseException as exc:  # everything goes back to the parent, which decides
            reply = ("raise", _portable(exc), traceback.format_exc())
        try:
            conn.send(reply)  # pickled whole before anything is written
        except (EOFError, OSError):
            return
        except Exception as exc:  # the result or the exception could not be pickled
            conn.send(("raise", RuntimeError(f"{type(exc).__name__}: {exc}"), traceback.format_exc()))


def _portable(exc: BaseException) -> Exception:
    """The exception itself when the parent can unpickle it as an Exception; else a RuntimeError
    naming it (SystemExit or KeyboardInterrupt from the work must not end the parent)."""
    if isinstance(exc, Exception):
        try:
            pickle.loads(pickle.dumps(exc))
            return exc
        except Exception:
            pass
    return RuntimeError(f"{type(exc).__name__}: {exc}")


class TimeLimited(Generic[_A, _R]):
    """Calls ``func(arg)`` in a forked helper process and waits at most ``seconds`` for the result.

    The helper is started on the first call and reused; on a timeout it is killed and the next call
    starts a new one. Exceptions raised by ``func`` are raised again here, with the helper's
    traceback as a note. ``close()`` ends the helper (also safe when none was started).
    """

    def __init__(self, func: Callable[[_A], _R], seconds: float):
        if seconds <= 0:
            raise ValueError("seconds must be > 0")
        self.func = func
        self.seconds = seconds
        self._context = multiprocessing.get_context("fork")
        self._proc: Any = None
        self._conn: Connection | None = None
        self.started = 0  # helpers started (1 + the number of timeouts and deaths)

    def __call__(self, arg: _A) -> _R:
        conn = self._ensure()
        try:
            conn.send(arg)
            ready = conn.poll(self.seconds)
        except (EOFError, OSError) as exc:
            code = self._kill()
            raise WorkerDied(f"helper process gone (exit code {code}): {exc}") from exc
        if not ready:
            self._kill()
            raise TimeLimitExceeded(self.seconds)
        try:
            reply = conn.recv()
        except (EOFError, OSError) as exc:
            code = self._kill()
            raise WorkerDied(f"helper process ended (exit code {code})") from exc
        if reply[0] == "ok":
            return reply[1]
        _, exc, remote_traceback = reply
        exc.add_note(f"in the helper process:\n{remote_traceback}")
        raise exc

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()  # the helper reads EOF and returns
            self._conn = None
        if self._proc is not None:
            self._proc.join(2)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(5)
            self._proc = None

    def _ensure(self) -> Connection:
        if self._proc is not None and self._conn is not None and self._proc.is_alive():
            return self._conn
        self._kill()
        parent_end, child_end = self._context.Pipe(duplex=True)
        proc = self._context.Process(
            target=_serve, args=(child_end, parent_end, self.func), name="mailbot-judge", daemon=True
        )
        proc.start()
        child_end.close()
        self._proc, self._conn = proc, parent_end
        self.started += 1
        return parent_end

    def _kill(self) -> int | None:
        """Kill the helper (if any) and forget it; return its exit code."""
        code = None
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
            code = self._proc.exitcode
            self._proc = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        return code
