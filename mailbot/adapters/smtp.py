"""SmtpTransport (aiosmtplib) and FolderTransport (replies as .eml files, for the demo)."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiosmtplib

from mailbot.errors import PermanentDeliveryError, SmtpUnavailable, TemporaryDeliveryError
from mailbot.settings import SmtpSettings


class SmtpTransport:
    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    @contextmanager
    def open(self) -> Iterator["SmtpChannel"]:
        channel = SmtpChannel(self.settings)
        try:
            yield channel
        finally:
            channel.close()


class SmtpChannel:
    """One SMTP connection, opened lazily and reused for every reply of a delivery run.

    aiosmtplib is asynchronous; the daemon is not, so the channel owns a private event loop.
    After any failed transaction the connection is dropped and the next reply opens a new one.
    """

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._loop = asyncio.new_event_loop()
        self._client: aiosmtplib.SMTP | None = None

    def send(self, sender: str, recipient: str, raw: bytes) -> None:
        if self._client is None or not self._client.is_connected:
            self._client = self._loop.run_until_complete(self._connect())
        try:
            self._loop.run_until_complete(self._client.sendmail(sender, [recipient], raw))
        except aiosmtplib.SMTPRecipientsRefused as exc:
            self._drop()
            refused = exc.recipients[0]
            raise _by_code(refused.code, f"{refused.code} {refused.message}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            self._drop()
            raise _by_code(exc.code, f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            # e.g. the connection dropped after the final dot: we cannot know, so send again later
            # (with the same Message-ID, so the school's mail program shows one reply)
            self._drop()
            raise TemporaryDeliveryError(f"{type(exc).__name__}: {exc}") from exc

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.security == "ssl",
            start_tls=True if s.security == "starttls" else False,
            timeout=s.timeout,
        )
        try:
            await client.connect()
            if s.username:
                await client.login(s.username, s.password.get_secret_value())
        except (aiosmtplib.SMTPException, OSError) as exc:
            client.close()
            raise SmtpUnavailable(f"không kết nối được máy chủ SMTP {s.host}:{s.port}: {exc}") from exc
        return client

    def _drop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def close(self) -> None:
        if self._client is not None and self._client.is_connected:
            try:
                self._loop.run_until_complete(self._client.quit())
            except Exception:  # the server may already have gone; nothing is lost
                pass
        self._drop()
        self._loop.close()


def _by_code(code: int, text: str) -> TemporaryDeliveryError | PermanentDeliveryError:
    return PermanentDeliveryError(text) if 500 <= code < 600 else TemporaryDeliveryError(text)


class FolderTransport:
    """Writes each reply as <n>-<recipient>.eml; the name holds only characters we allow."""

    def __init__(self, path: Path):
        self.path = path
        self.path.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def open(self) -> Iterator["FolderTransport"]:
        yield self

    def send(self, sender: str, recipient: str, raw: bytes) -> None:
        safe = re.sub(r"[^a-z0-9.@_-]", "_", recipient.lower())[:80]
        count = len(list(self.path.glob("*.eml"))) + 1
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.replace(tmp, self.path / f"{count:03d}-{safe}.eml")
