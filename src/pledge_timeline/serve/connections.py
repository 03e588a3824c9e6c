"""Open connections: idle ones wait in one selector, and a fixed set of workers answers requests.

A connection costs a thread only while a request of it is being answered. Between requests (and
before its first one) it waits, with every other idle connection, in one ``selectors`` selector
watched by one thread; when bytes arrive it goes to a worker, which answers every request whose
bytes have arrived, then hands it back. So thousands of idle connections cost file descriptors,
not threads, and opening or closing them all at once never keeps a request waiting for a thread.

A connection may also be turned into a stream (``Outcome.STREAM``, the live-reload events): it
then stays registered only to notice when the client goes away, and never times out.

Only the selector thread closes a connection that is registered, or was: a stream's writer asks
for the close by shutting the socket down, which the selector then sees as the end of the stream.
"""

from __future__ import annotations

import contextlib
import enum
import queue
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

WORKERS: Final = 16
"""Requests answered at once; the others' bytes wait in their sockets."""
IDLE_TIMEOUT: Final = 30.0
"""Seconds a keep-alive connection may wait for its next request."""
_SWEEP_EVERY: Final = 1.0
_EVENTS_AT_ONCE: Final = 256


class Outcome(enum.Enum):
    """What a worker's answering left the connection as."""

    KEEP = "keep"  # keep-alive: wait for the next request
    CLOSE = "close"
    STREAM = "stream"  # an open event stream: written to from elsewhere until the client leaves


@dataclass(eq=False)
class Connection:
    sock: socket.socket
    address: object
    state: object = None
    """What the answerer keeps between requests (its handler, with the buffered reader)."""
    idle_since: float = field(default_factory=time.monotonic)
    streaming: bool = False
    on_close: Callable[[], None] | None = None
    """Called, once, when the connection is closed (a stream leaves its hub)."""


Answer = Callable[[Connection], Outcome]
OnError = Callable[[Connection], None]


class ConnectionPool:
    """Waits on idle connections in one thread and answers them in ``workers`` threads."""

    def __init__(
        self, answer: Answer, on_error: OnError, *, workers: int = WORKERS, idle_timeout: float = IDLE_TIMEOUT
    ) -> None:
        self._answer = answer
        self._on_error = on_error
        self._idle_timeout = idle_timeout
        self._selector = selectors.DefaultSelector()
        self._waking, self._wake = socket.socketpair()
        self._waking.setblocking(False)
        self._wake.setblocking(False)
        self._selector.register(self._waking, selectors.EVENT_READ)
        self._returned: queue.SimpleQueue[Connection] = queue.SimpleQueue()
        self._ready: queue.SimpleQueue[Connection | None] = queue.SimpleQueue()
        self._busy: set[Connection] = set()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._threads = [threading.Thread(target=self._wait, name="pledge-timeline-idle", daemon=True)]
        self._threads += [
            threading.Thread(target=self._work, name=f"pledge-timeline-worker-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def open_connections(self) -> int:
        """Connections open now: waiting, being answered or streaming."""
        with self._lock:
            return len(self._selector.get_map()) - 1 + len(self._busy) + self._returned.qsize()

    def add(self, sock: socket.socket, address: object) -> None:
        """A newly accepted connection: it waits for its first request like an idle one."""
        self._hand_back(Connection(sock, address))

    def close(self) -> None:
        """Close every connection; workers still answering close theirs when they finish."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._nudge()
        self._threads[0].join(5.0)
        for _ in self._threads[1:]:
            self._ready.put(None)

    def _hand_back(self, connection: Connection) -> None:
        self._returned.put(connection)
        if self._returned.qsize() == 1:  # otherwise a nudge is on its way: the drain takes all
            self._nudge()

    def _nudge(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):  # full: the selector wakes anyway
            self._wake.send(b"\0")

    # --- the selector thread ---------------------------------------------------------------

    def _wait(self) -> None:
        next_sweep = time.monotonic() + _SWEEP_EVERY
        while not self._closed.is_set():
            # A few hundred at a time: the rest are still ready at the next select, and a
            # connection accepted meanwhile is watched from then on, not after thousands.
            for key, _ in self._selector.select(timeout=_SWEEP_EVERY)[:_EVENTS_AT_ONCE]:
                if key.fileobj is self._waking:
                    continue
                connection: Connection = key.data
                if connection.streaming:
                    self._read_from_stream(connection)
                    continue
                with self._lock:
                    self._selector.unregister(connection.sock)
                if self._has_left(connection):
                    self._close(connection, registered=False)
                    continue
                with self._lock:
                    self._busy.add(connection)
                self._ready.put(connection)
            self._register_returned()
            if time.monotonic() >= next_sweep:
                self._close_idle()
                next_sweep = time.monotonic() + _SWEEP_EVERY
        self._register_returned()
        with self._lock:
            connections = [key.data for key in self._selector.get_map().values() if key.data is not None]
        for connection in connections:
            self._close(connection)
        self._selector.close()
        self._waking.close()
        self._wake.close()

    def _register_returned(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while self._waking.recv(4096):
                pass
        while True:
            try:
                connection = self._returned.get_nowait()
            except queue.Empty:
                return
            connection.idle_since = time.monotonic()
            try:
                with self._lock:
                    self._selector.register(connection.sock, selectors.EVENT_READ, connection)
            except (ValueError, OSError):  # closed meanwhile
                self._close(connection, registered=False)

    @staticmethod
    def _has_left(connection: Connection) -> bool:
        """Whether a readable idle connection was closed by its client: closed here, at the cost of
        one call, a burst of them never queues before the workers ahead of real requests."""
        try:
            return connection.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except (BlockingIOError, TimeoutError):
            return False
        except OSError:
            return True

    def _read_from_stream(self, connection: Connection) -> None:
        """A stream's client sends nothing: readable means it left (or the writer gave up on it)."""
        try:
            data = connection.sock.recv(4096, socket.MSG_DONTWAIT)
        except (BlockingIOError, TimeoutError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(connection)

    def _close_idle(self) -> None:
        limit = time.monotonic() - self._idle_timeout
        with self._lock:
            expired = [
                key.data
                for key in self._selector.get_map().values()
                if isinstance(key.data, Connection) and not key.data.streaming and key.data.idle_since < limit
            ]
        for connection in expired:
            self._close(connection)

    def _close(self, connection: Connection, *, registered: bool = True) -> None:
        if registered:
            with self._lock, contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(connection.sock)
        if connection.on_close is not None:
            on_close, connection.on_close = connection.on_close, None
            on_close()
        with contextlib.suppress(OSError):
            connection.sock.shutdown(socket.SHUT_WR)
        connection.sock.close()

    # --- the workers -----------------------------------------------------------------------

    def _work(self) -> None:
        while (connection := self._ready.get()) is not None:
            try:
                outcome = self._answer(connection)
            except Exception:
                self._on_error(connection)
                outcome = Outcome.CLOSE
            with self._lock:
                self._busy.discard(connection)
            if outcome is Outcome.CLOSE or self._closed.is_set():
                self._close(connection, registered=False)
                continue
            connection.streaming = outcome is Outcome.STREAM
            self._hand_back(connection)
