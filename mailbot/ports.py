"""The roles the services talk to; adapters implement them (ImapInbox, FolderInbox, SmtpTransport, …)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
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
    size: int  # RFC822.SIZE: the whole message, even when only its header was fetched
    header_only: bool = False  # over the size limit: recorded from its header, never fetched whole


class Inbox(Protocol):
    """An open, selected mailbox. IDLE can be added as a `wait_for_new(timeout)` method later."""

    def state(self) -> MailboxState: ...

    def uids_after(self, uid: int) -> list[int]: ...

    def fetch(self, uids: Sequence[int]) -> list[FetchedMessage]: ...

    def mark_done(self, uids: Sequence[int]) -> None: ...

    def close(self) -> None: ...


class ReplyChannel(Protocol):
    """An open connection to the mail system; send raises Temporary/PermanentDeliveryError."""

    def send(self, sender: str, recipient: str, raw: bytes) -> None: ...


class ReplyTransport(Protocol):
    """Opens a channel for one delivery run (one SMTP connection for all due replies)."""

    def open(self) -> AbstractContextManager[ReplyChannel]: ...
