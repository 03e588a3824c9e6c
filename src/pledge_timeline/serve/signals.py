"""Ctrl-C (SIGINT) and SIGTERM, turned into a clean stop of ``serve_forever()``."""

from __future__ import annotations

import contextlib
import os
import signal
import socketserver
import threading
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any, Final

STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
"""Ctrl-C, and what ``kill``, service managers and ``docker stop`` send."""
_WAKE_ONLY: Final = 0
"""Written to the stop pipe when serving ends: no signal's number, it only lets the stopper return."""

_SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class StopSignals:
    """For a ``with`` block in the main thread: any of ``signals`` makes :meth:`serve` return.

    The handlers are installed whatever the process inherited. A non-interactive shell starts
    ``command &`` with SIGINT ignored, and Python then leaves it ignored (no KeyboardInterrupt):
    ``kill -INT`` was dropped and the server ran on. A blocked signal is unblocked for the same reason.

    A handler only writes the signal's number to a pipe, which is safe wherever the main thread is,
    even in a handler that interrupts another: no exception lands in the middle of whatever it was
    doing. A helper thread reads the pipe and calls ``server.shutdown()``, which must not run in the
    thread serving. A signal that comes inside the block before :meth:`serve` waits in the pipe and
    stops the server as soon as it starts; one that comes after :meth:`serve` returned is ignored
    until the block ends and the previous handlers (and signal mask) are back.
    """

    def __init__(self, signals: Iterable[signal.Signals] = STOP_SIGNALS) -> None:
        self.signals = tuple(signals)
        self.received: signal.Signals | None = None
        """The signal that stopped :meth:`serve`."""
        self._pipe: tuple[int, int] | None = None
        self._previous: dict[signal.Signals, _SignalHandler] = {}
        self._previous_mask: set[int | signal.Signals] | None = None

    def __enter__(self) -> StopSignals:
        read_fd, write_fd = os.pipe()
        if hasattr(os, "set_blocking"):  # not on Windows before Python 3.12
            os.set_blocking(write_fd, False)  # a handler must never block; a full pipe means "stop" anyway
        self._pipe = (read_fd, write_fd)
        try:
            for number in self.signals:
                self._previous[number] = signal.signal(number, self._on_signal)
            if hasattr(signal, "pthread_sigmask"):  # not on Windows
                self._previous_mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, self.signals)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._previous_mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self._previous_mask)
            self._previous_mask = None
        for number, handler in self._previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        self._previous.clear()
        if self._pipe is not None:
            pipe, self._pipe = self._pipe, None
            for fd in pipe:
                os.close(fd)

    def serve(self, server: socketserver.BaseServer) -> signal.Signals | None:
        """``server.serve_forever()`` in this thread until one of the signals comes; return it.

        None if serving ended otherwise (``server.shutdown()`` called elsewhere). Once per block.
        """
        if self._pipe is None:
            raise RuntimeError("StopSignals.serve() outside its with block")
        stopper = threading.Thread(
            target=self._shutdown_when_signalled,
            args=(server, self._pipe[0]),
            name="pledge-timeline-stop",
            daemon=True,
        )
        stopper.start()
        try:
            server.serve_forever()
        finally:
            # serve_forever() has returned, so a shutdown() in progress returns at once too.
            self._write(_WAKE_ONLY)
            stopper.join()
        return self.received

    def _shutdown_when_signalled(self, server: socketserver.BaseServer, read_fd: int) -> None:
        number = os.read(read_fd, 1)[0]
        if number != _WAKE_ONLY:
            self.received = signal.Signals(number)
            server.shutdown()  # before serve_forever() has started, it makes it return at once

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        self._write(number)

    def _write(self, number: int) -> None:
        if self._pipe is not None:
            with contextlib.suppress(BlockingIOError):  # full: the stopper has plenty to read
                os.write(self._pipe[1], bytes([number]))
