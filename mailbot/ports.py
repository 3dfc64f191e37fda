"""The roles the services talk to; adapters implement them (ImapInbox, FolderInbox, SmtpTransport, …)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class MailboxState:
    account: str
    folder: str
    uidvalidity: int
    uidnext: int


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    raw: bytes
    internal_date: datetime | None
    size: int


class Inbox(Protocol):
    """An open, selected mailbox. IDLE can be added as a `wait_for_new(timeout)` method later."""

    def state(self) -> MailboxState: ...

    def uids_after(self, uid: int) -> list[int]: ...

    def fetch(self, uids: Sequence[int]) -> list[FetchedMessage]: ...

    def mark_done(self, uids: Sequence[int]) -> None: ...

    def close(self) -> None: ...


class ReplyTransport(Protocol):
    """Hands one finished reply to the mail system; raises Temporary/PermanentDeliveryError."""

    def send(self, sender: str, recipient: str, raw: bytes) -> None: ...
