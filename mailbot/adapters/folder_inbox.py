"""FolderInbox: a folder of .eml files read like a mailbox (the demo, and offline imports)."""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from mailbot.ports import FetchedMessage, MailboxState

_DONE_FILE = ".mailbot-done.json"


class FolderInbox:
    """UIDs are positions in name order (new files must sort last); done-markers live in a side file."""

    def __init__(self, path: Path):
        self.path = path.resolve()
        self.path.mkdir(parents=True, exist_ok=True)
        self._files = sorted(p for p in self.path.glob("*.eml") if p.is_file())

    def state(self) -> MailboxState:
        uidvalidity = zlib.crc32(str(self.path).encode()) or 1
        return MailboxState(f"folder:{self.path}", "INBOX", uidvalidity, len(self._files) + 1)

    def uids_after(self, uid: int) -> list[int]:
        return list(range(uid + 1, len(self._files) + 1))

    def fetch(self, uids: Sequence[int]) -> list[FetchedMessage]:
        found = []
        for uid in uids:
            file = self._files[uid - 1]
            raw = file.read_bytes()
            when = datetime.fromtimestamp(file.stat().st_mtime, tz=timezone.utc)
            found.append(FetchedMessage(uid=uid, raw=raw, internal_date=when, size=len(raw)))
        return found

    def mark_done(self, uids: Sequence[int]) -> None:
        done_file = self.path / _DONE_FILE
        done = set(json.loads(done_file.read_text())) if done_file.exists() else set()
        done |= {self._files[uid - 1].name for uid in uids}
        tmp = done_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(sorted(done), ensure_ascii=False))
        os.replace(tmp, done_file)

    def close(self) -> None:
        pass
