"""In-process loopback SMTP sink (aiosmtpd) that stores what it receives, with fault injection."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = ["Received", "SmtpSink", "Stage"]

Stage = Literal["mail", "rcpt", "data"]
_T = TypeVar("_T")


@dataclass(frozen=True)
class Received:
    """One accepted message: the envelope, the exact DATA bytes and their parsed form."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage = field(repr=False)
    path: Path
    auth_user: str | None = None


@dataclass(frozen=True)
class _Fault:
    code: int
    stage: Stage

    def reply(self) -> str:
        if self.code < 500:
            return f"{self.code} 4.3.0 Temporary failure injected by SmtpSink"
        return f"{self.code} 5.7.1 Permanent failure injected by SmtpSink"


class _Handler:
    """aiosmtpd hooks; runs on the sink's event loop thread."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        if self.sink.auth is not None and not session.authenticated:
            # enforced here: aiosmtpd's own auth_required=True warns on every connection without TLS
            return "530 5.7.0 Authentication required"
        fault = self.sink._take_fault()
        envelope.sink_fault = fault  # type: ignore[attr-defined]
        if fault is not None and fault.stage == "mail":
            return fault.reply()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        fault: _Fault | None = getattr(envelope, "sink_fault", None)
        if fault is not None and fault.stage == "rcpt":
            return fault.reply()
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        fault: _Fault | None = getattr(envelope, "sink_fault", None)
        if fault is not None and fault.stage == "data":
            return fault.reply()
        raw = envelope.original_content or b""
        auth_user = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        drop, deliver = self.sink._take_drop()
        if drop:
            if deliver:
                self.sink._store(envelope.mail_from or "", list(envelope.rcpt_tos), raw, auth_user)
            assert server.transport is not None
            server.transport.close()
            # connection_lost() cancels this session's task; never return, so no reply is written.
            await asyncio.Event().wait()
        received = self.sink._store(envelope.mail_from or "", list(envelope.rcpt_tos), raw, auth_user)
        return f"250 2.0.0 OK queued as {received.path.stem}"


class _Session(SMTP):
    """An SMTP session the sink can cut off when it goes down."""

    def __init__(self, sink: SmtpSink, **kwargs: Any) -> None:
        super().__init__(sink._handler, **kwargs)
        self._sink = sink
        self._own_transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Without TCP_NODELAY the multi-line EHLO answer waits ~40 ms for Nagle on every connection.
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        self._own_transport = transport
        self._sink._transports.add(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self._sink._transports.discard(self._own_transport)
        super().connection_lost(error)


class SmtpSink:
    """aiosmtpd server on 127.0.0.1 in a background thread; every accepted message is kept in memory
    and written atomically to ``directory/<seq>-<ns>.eml``.

    ``auth=("user", "pass")`` offers AUTH PLAIN/LOGIN without TLS and requires it before MAIL.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        port: int = 0,
        auth: tuple[str, str] | None = None,
        data_size_limit: int = 32 * 1024 * 1024,
    ) -> None:
        self.directory = Path(directory)
        self.port = port
        self.auth = auth
        self.data_size_limit = data_size_limit
        self._handler = _Handler(self)
        self._lock = threading.Condition()
        self._received: list[Received] = []
        self._faults: deque[_Fault] = deque()
        self._drops: deque[bool] = deque()
        self._seq = 0
        self._transports: set[asyncio.BaseTransport] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def is_up(self) -> bool:
        return self._server is not None

    def start(self) -> SmtpSink:
        if self._loop is not None:
            return self
        (self.directory / "tmp").mkdir(parents=True, exist_ok=True)
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name=f"SmtpSink-{id(self):x}", daemon=True)
        self._thread.start()
        try:
            self._call(self._listen())
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            self._call(self._shutdown())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()
            self._loop = self._thread = None

    def go_down(self) -> None:
        """Stop listening and cut open sessions: new connections are refused until go_up()."""
        self._call(self._close_listener())

    def go_up(self) -> None:
        """Listen again on the same port."""
        self._call(self._listen())

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(self, n: int = 1, code: int = 451, stage: Stage = "data") -> None:
        """Answer the next ``n`` transactions (MAIL FROM onwards) with ``code`` at ``stage``."""
        if stage not in ("mail", "rcpt", "data"):
            raise ValueError(f"stage must be mail, rcpt or data, not {stage!r}")
        if not 400 <= code <= 599:
            raise ValueError(f"code must be 4xx or 5xx, not {code}")
        with self._lock:
            self._faults.extend(_Fault(code, stage) for _ in range(n))

    def close_after_data_next(self, n: int = 1, *, deliver: bool = False) -> None:
        """Read the next ``n`` messages' DATA, then drop the connection without replying.

        ``deliver=True`` also stores them (the "lost 250" case a retrying client turns into duplicates).
        """
        with self._lock:
            self._drops.extend(deliver for _ in range(n))

    # -- what arrived ----------------------------------------------------------------------------

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def wait_for(self, n: int, timeout: float = 10) -> list[Received]:
        """Block until at least ``n`` messages were accepted; return all of them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._received) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = len(self._received)
                    raise TimeoutError(f"expected {n} message(s) within {timeout}s, got {got}")
                self._lock.wait(left)
            return list(self._received)

    def clear(self) -> None:
        """Forget the received messages and delete their .eml files (pending faults stay armed)."""
        with self._lock:
            for received in self._received:
                received.path.unlink(missing_ok=True)
            self._received.clear()

    # -- internals (the _take/_store helpers run on the loop thread) ------------------------------

    def _call(self, coro: Coroutine[Any, Any, _T], timeout: float = 10) -> _T:
        assert self._loop is not None, "SmtpSink is not started"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _take_fault(self) -> _Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _take_drop(self) -> tuple[bool, bool]:
        with self._lock:
            return (True, self._drops.popleft()) if self._drops else (False, False)

    def _store(self, mail_from: str, rcpt_tos: list[str], raw: bytes, auth_user: str | None) -> Received:
        with self._lock:
            self._seq += 1
            name = f"{self._seq:06d}-{time.time_ns()}.eml"
            tmp = self.directory / "tmp" / name
            tmp.write_bytes(raw)
            # consumers polling directory/*.eml never see a partial file
            path = self.directory / name
            os.replace(tmp, path)
            message = email.message_from_bytes(raw, policy=email.policy.default)
            received = Received(mail_from, rcpt_tos, raw, message, path, auth_user)
            self._received.append(received)
            self._lock.notify_all()
        return received

    def _session_factory(self) -> _Session:
        kwargs: dict[str, Any] = {
            "data_size_limit": self.data_size_limit,
            "enable_SMTPUTF8": True,
            "decode_data": False,
            # the default hostname is socket.getfqdn(), which can block on DNS for seconds
            "hostname": "smtp-sink.localhost",
            "ident": "mailbot SmtpSink (aiosmtpd)",
        }
        if self.auth is not None:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        return _Session(self, **kwargs)

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self.auth is not None
        user, password = self.auth
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    async def _listen(self) -> None:
        if self._server is not None:
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
        except BaseException:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        self._server = await asyncio.get_running_loop().create_server(self._session_factory, sock=sock)

    async def _close_listener(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()
        for transport in list(self._transports):
            transport.close()
        self._transports.clear()

    async def _shutdown(self) -> None:
        await self._close_listener()
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
