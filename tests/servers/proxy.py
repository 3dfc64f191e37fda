"""Loopback TCP proxy for fault injection: forwards 127.0.0.1:<port> to a real server and can cut
every connection, at once or after a given number of bytes from the server to the client.

Bounded: at most ``max_connections`` open at a time, and the proxy stops itself after
``max_seconds`` even when a test forgets to stop it. Threads are daemon threads.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType

from .ports import free_port

__all__ = ["TcpProxy"]

_CHUNK = 64 * 1024


class _Pair:
    """One client connection and its upstream connection."""

    def __init__(self, client: socket.socket, upstream: socket.socket):
        self.client = client
        self.upstream = upstream
        self._closed = False
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for sock in (self.client, self.upstream):
            # shutdown wakes the pump threads blocked in recv(); the peer sees EOF mid-response
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


class TcpProxy:
    """``TcpProxy(target_host, target_port)``; point the client at ``proxy.host:proxy.port``.

    - ``cut_after(n)``: once ``n`` more bytes went from the server to the clients (all connections
      together, counted from this call), forward exactly those ``n`` and then cut every connection.
      Fires once; connections made afterwards are forwarded normally.
    - ``cut_now()``: cut every open connection now.
    - ``cuts``: how many times connections were cut; ``wait_cut(timeout)`` waits for the next one.
    """

    host = "127.0.0.1"

    def __init__(
        self, target_host: str, target_port: int, *, max_seconds: float = 300.0, max_connections: int = 32
    ) -> None:
        self.target = (target_host, target_port)
        self.max_seconds = max_seconds
        self.max_connections = max_connections
        self.port = 0
        self.connections = 0  # accepted in all
        self.cuts = 0
        self.bytes_to_client = 0
        self._cut_at: int | None = None  # value of bytes_to_client at which to cut
        self._pairs: set[_Pair] = set()
        self._lock = threading.Condition()
        self._listener: socket.socket | None = None
        self._accepter: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> TcpProxy:
        if self._listener is not None:
            return self
        for attempt in range(5):
            port = free_port(self.host)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.host, port))
            except OSError:
                sock.close()
                if attempt == 4:
                    raise
                continue
            break
        sock.listen(16)
        sock.settimeout(0.2)  # the accept loop checks for stop() and the deadline
        self._listener, self.port = sock, port
        self._stopping.clear()
        self._accepter = threading.Thread(target=self._accept_loop, name=f"TcpProxy-{port}", daemon=True)
        self._accepter.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._accepter is not None:
            self._accepter.join(5)
            self._accepter = None
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
            self._listener = None
        self._close_all()

    # -- faults ------------------------------------------------------------------------------------

    def cut_after(self, n_bytes: int) -> None:
        if n_bytes < 0:
            raise ValueError("n_bytes must be >= 0")
        with self._lock:
            self._cut_at = self.bytes_to_client + n_bytes

    def cut_now(self) -> int:
        """Cut every open connection; return how many there were."""
        return self._cut()

    def wait_cut(self, timeout: float = 30.0, *, at_least: int = 1) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.cuts < at_least:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
            return True

    @property
    def armed(self) -> bool:
        return self._cut_at is not None

    # -- internals ---------------------------------------------------------------------------------

    def _cut(self) -> int:
        with self._lock:
            self._cut_at = None
            pairs = list(self._pairs)
            self._pairs.clear()
            self.cuts += 1
            self._lock.notify_all()
        for pair in pairs:
            pair.close()
        return len(pairs)

    def _close_all(self) -> None:
        with self._lock:
            pairs = list(self._pairs)
            self._pairs.clear()
        for pair in pairs:
            pair.close()

    def _accept_loop(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        listener = self._listener
        assert listener is not None
        while not self._stopping.is_set():
            if time.monotonic() >= deadline:
                # bounded: a forgotten proxy does not outlive its test for long
                self._stopping.set()
                with contextlib.suppress(OSError):
                    listener.close()
                self._close_all()
                return
            try:
                client, _ = listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            with self._lock:
                full = len(self._pairs) >= self.max_connections
            if full:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()  # the server is down: the client sees the connection close at once
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pair = _Pair(client, upstream)
            with self._lock:
                self._pairs.add(pair)
                self.connections += 1
            threading.Thread(target=self._pump, args=(pair, client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(pair, upstream, client, True), daemon=True).start()

    def _pump(self, pair: _Pair, source: socket.socket, sink: socket.socket, to_client: bool) -> None:
        try:
            while True:
                data = source.recv(_CHUNK)
                if not data:
                    break
                cut = False
                if to_client:
                    with self._lock:
                        if self._cut_at is not None and self.bytes_to_client + len(data) >= self._cut_at:
                            data = data[: self._cut_at - self.bytes_to_client]
                            cut = True
                        self.bytes_to_client += len(data)
                if data:
                    sink.sendall(data)
                if cut:
                    self._cut()
                    return
        except OSError:
            pass
        finally:
            with self._lock:
                self._pairs.discard(pair)
            pair.close()
