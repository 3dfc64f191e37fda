"""ImapInbox: the office mailbox over IMAP (imapclient). Reads with BODY.PEEK[], marks with a keyword."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Sequence
from datetime import timezone
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailbot.errors import MailboxError
from mailbot.ports import FetchedMessage, MailboxState
from mailbot.settings import ImapSettings

_FETCH_ITEMS = [b"BODY.PEEK[]", b"INTERNALDATE", b"RFC822.SIZE"]
_HEADER_ITEMS = [b"BODY.PEEK[HEADER]", b"INTERNALDATE", b"RFC822.SIZE"]
_NETWORK_ERRORS = (IMAPClientError, OSError, socket.timeout, ssl.SSLError)

ClientFactory = Callable[..., IMAPClient]


class ImapInbox:
    """Connects, logs in and selects the folder on construction; one instance per poll."""

    def __init__(self, settings: ImapSettings, client_factory: ClientFactory = IMAPClient, max_bytes: int | None = None):
        self.settings = settings
        self.max_bytes = max_bytes
        try:
            context = ssl.create_default_context()
            self.client = client_factory(
                settings.host,
                port=settings.port,
                ssl=settings.security == "ssl",
                ssl_context=context if settings.security == "ssl" else None,
                timeout=settings.timeout,
            )
            self.client.normalise_times = False  # keep INTERNALDATE timezone-aware
            if settings.security == "starttls":
                self.client.starttls(context)
            self.client.login(settings.username, settings.password.get_secret_value())
            selected = self.client.select_folder(settings.folder)
        except _NETWORK_ERRORS as exc:
            raise MailboxError(_describe(exc, settings)) from exc
        self._state = MailboxState(
            account=f"{settings.username}@{settings.host}:{settings.port}",
            folder=settings.folder,
            uidvalidity=int(selected[b"UIDVALIDITY"]),
            uidnext=int(selected.get(b"UIDNEXT", 1)),
        )

    def state(self) -> MailboxState:
        return self._state

    def uids_after(self, uid: int) -> list[int]:
        # "UID n:*" always matches the newest message, even when its UID is below n
        uids = self._call(self.client.search, ["UID", f"{uid + 1}:*"])
        return sorted(u for u in uids if u > uid)

    def fetch(self, uids: Sequence[int]) -> list[FetchedMessage]:
        if not uids:
            return []
        whole, header_only = list(uids), []
        if self.max_bytes is not None:
            # sizes first: a message over the limit is recorded from its header, never downloaded
            sizes = self._call(self.client.fetch, list(uids), [b"RFC822.SIZE"])
            header_only = [u for u, item in sizes.items() if int(item.get(b"RFC822.SIZE", 0)) > self.max_bytes]
            whole = [u for u in uids if u not in set(header_only)]
        data = self._call(self.client.fetch, whole, _FETCH_ITEMS) if whole else {}
        if header_only:
            data |= {
                uid: {**item, b"BODY[]": item.get(b"BODY[HEADER]"), b"HEADER_ONLY": True}
                for uid, item in self._call(self.client.fetch, header_only, _HEADER_ITEMS).items()
            }
        found = []
        for uid in sorted(data):  # a UID expunged by another client since SEARCH is simply absent
            item = data[uid]
            raw = item.get(b"BODY[]")
            if raw is None:
                continue
            when = item.get(b"INTERNALDATE")
            if when is not None and when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            found.append(
                FetchedMessage(
                    uid=uid,
                    raw=bytes(raw),
                    internal_date=when,
                    size=int(item.get(b"RFC822.SIZE", len(raw))),
                    header_only=bool(item.get(b"HEADER_ONLY")),
                )
            )
        return found

    def mark_done(self, uids: Sequence[int]) -> None:
        if uids:
            self._call(self.client.add_flags, list(uids), [self.settings.done_keyword.encode("ascii")], silent=True)

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:  # the connection may already be gone; nothing to save
            try:
                self.client.shutdown()
            except Exception:
                pass

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except _NETWORK_ERRORS as exc:
            raise MailboxError(f"lỗi IMAP: {type(exc).__name__}: {exc}") from exc


def _describe(exc: BaseException, settings: ImapSettings) -> str:
    where = f"{settings.host}:{settings.port} ({settings.security})"
    if "LoginError" in type(exc).__name__ or "AUTHENTICATIONFAILED" in str(exc).upper():
        return f"máy chủ IMAP {where} từ chối đăng nhập tài khoản {settings.username!r}: kiểm tra MAILBOT_IMAP__PASSWORD"
    return f"không kết nối được máy chủ IMAP {where}: {type(exc).__name__}: {exc}"
