"""The file store: raw messages and attachments kept once each, named by SHA-256, never by mail text."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import IO, Literal

from mailbot.errors import AlreadyRunning

Kind = Literal["raw", "attachments"]
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    """Content-addressed files under the data directory; writing the same bytes twice is a no-op."""

    def __init__(self, root: Path):
        self.root = root.resolve()

    def path(self, kind: Kind, sha256: str) -> Path:
        if not _HEX64.match(sha256):  # the only name ever used for a file is a hash we computed
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / kind / sha256[:2] / sha256[2:4] / sha256

    def put(self, kind: Kind, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(kind, sha256)
        if target.exists() and target.stat().st_size == len(data):
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha256

    def read(self, kind: Kind, sha256: str) -> bytes:
        return self.path(kind, sha256).read_bytes()


class PollLock:
    """One poller per data directory: a second daemon on the same mailbox waits its turn or stops."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "mailbot.lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="ascii")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise AlreadyRunning(f"một tiến trình mailbot khác đang xử lý hộp thư (khóa {self.path})") from exc
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> "PollLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
