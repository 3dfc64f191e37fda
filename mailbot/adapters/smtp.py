"""SmtpTransport (aiosmtplib) and FolderTransport (replies as .eml files, for the demo)."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path

import aiosmtplib

from mailbot.errors import PermanentDeliveryError, SmtpUnavailable, TemporaryDeliveryError
from mailbot.settings import SmtpSettings


class SmtpTransport:
    """One connection per reply: a handful of replies an hour does not need pooling."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def send(self, sender: str, recipient: str, raw: bytes) -> None:
        asyncio.run(self._send(sender, recipient, raw))

    async def _send(self, sender: str, recipient: str, raw: bytes) -> None:
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
        try:
            await client.sendmail(sender, [recipient], raw)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            raise _by_code(refused.code, f"{refused.code} {refused.message}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _by_code(exc.code, f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            # e.g. the connection dropped after the final dot: we cannot know, so send again later
            # (with the same Message-ID, so the school's mail program shows one reply)
            raise TemporaryDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            try:
                await client.quit()
            except Exception:
                client.close()


def _by_code(code: int, text: str) -> TemporaryDeliveryError | PermanentDeliveryError:
    return PermanentDeliveryError(text) if 500 <= code < 600 else TemporaryDeliveryError(text)


class FolderTransport:
    """Writes each reply as <n>-<recipient>.eml; the name holds only characters we allow."""

    def __init__(self, path: Path):
        self.path = path
        self.path.mkdir(parents=True, exist_ok=True)

    def send(self, sender: str, recipient: str, raw: bytes) -> None:
        safe = re.sub(r"[^a-z0-9.@_-]", "_", recipient.lower())[:80]
        count = len(list(self.path.glob("*.eml"))) + 1
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.replace(tmp, self.path / f"{count:03d}-{safe}.eml")
