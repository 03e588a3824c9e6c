"""``serve --watch``: the open pages follow the events file, through a server-sent events stream.

The page ``serve --watch`` serves is the build's page rendered once more, in memory, with the
template's live hook filled: a script (``templates/live.js``, allowed by its hash in the page's
Content-Security-Policy, which also gains ``connect-src 'self'`` for the stream and nothing
else) and the address of the stream, which names the build the page shows. ``out/`` only ever
gets what ``build`` writes.

Each open page holds one stream (``text/event-stream``). After a good rebuild every stream gets
``reload`` (the page reloads, keeping its filter and scroll position) or, if the page did not
change, ``ok``; after an invalid save, ``problems``: the located problems, as ``check`` prints
them, which the page shows over the last good timeline until the next good save. A stream that
opens names the build its page shows: if that is not the current one, it gets ``reload`` at once;
while the file is invalid, it gets ``problems`` at once.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Final
from urllib.parse import parse_qs, urlsplit

from pledge_timeline import outputs
from pledge_timeline.build import BuildOptions
from pledge_timeline.model import Timeline
from pledge_timeline.render.html import LiveHook, packaged_script, render_page_with
from pledge_timeline.serve.files import Resource

STREAM_PATH: Final = "/.pledge-timeline/live"
"""Starts with a dot, so no file of a build can ever have this address."""
RETRY_MS: Final = 500
"""How soon a page reconnects when the stream ends (a restarted server: the page then reloads)."""
WRITE_TIMEOUT: Final = 2.0
"""Seconds a page may take to accept an event before its stream is dropped."""


@dataclass(frozen=True, slots=True)
class Problems:
    """An invalid save: what ``check`` would print, one problem a line, and its count line."""

    lines: tuple[str, ...]
    summary: str


class LiveReload:
    """The page of the last good build as served with the live hook, and the streams following it."""

    def __init__(self, options: BuildOptions) -> None:
        self._options = options
        self._lock = threading.Lock()
        self._streams: set[socket.socket] = set()
        self._page: Resource | None = None
        self._page_id = ""
        self._problems: Problems | None = None
        self._previous: tuple[Resource | None, str, Problems | None] = (None, "", None)

    @property
    def page(self) -> Resource | None:
        """The page to serve instead of the built one, once a build has been published."""
        return self._page

    @property
    def streams(self) -> int:
        with self._lock:
            return len(self._streams)

    def publish(self, timeline: Timeline, build_id: str, modified: float) -> None:
        """A good build (``build_id`` names it; ``modified``: its file's mtime): serve its page
        with the hook, and tell every open page."""
        hook = LiveHook(packaged_script("live.js"), f"{STREAM_PATH}?page={build_id}")
        data = render_page_with(timeline, outputs.PAGE, plotlyjs=self._options.plotlyjs, live=hook)
        page = Resource.of(outputs.PAGE, data, modified, gzip=False)
        with self._lock:
            self._previous = (self._page, self._page_id, self._problems)
            self._show(page, build_id, None)

    def withdraw(self) -> None:
        """The build just published could not be written: back to the one before it."""
        with self._lock:
            self._show(*self._previous)

    def _show(self, page: Resource | None, build_id: str, problems: Problems | None) -> None:
        changed = build_id != self._page_id
        self._page, self._page_id, self._problems = page, build_id, problems
        self._send_all(_event("reload" if changed else "ok", build_id))
        if problems is not None:
            self._send_all(_problems_event(problems))

    def fail(self, problems: Problems) -> None:
        """After an invalid save: every open page shows the problems; the last good build stays."""
        with self._lock:
            self._problems = problems
            self._send_all(_problems_event(problems))

    def open_stream(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer a stream request: the headers and what the page must know now; then it is kept."""
        query = parse_qs(urlsplit(handler.path).query)
        shown = query.get("page", [""])[0]
        handler.send_response(HTTPStatus.OK)
        handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("X-Content-Type-Options", "nosniff")
        handler.end_headers()  # no Content-Length: the stream ends when the connection does
        sock: socket.socket = handler.connection
        sock.settimeout(WRITE_TIMEOUT)
        with self._lock:
            first = f"retry: {RETRY_MS}\n\n".encode()
            if shown != self._page_id:
                first += _event("reload", self._page_id)
            if self._problems is not None:
                first += _problems_event(self._problems)
            if self._send(sock, first):
                self._streams.add(sock)

    def leave(self, sock: socket.socket) -> None:
        """The stream's connection is being closed (the page went away, or the server stops)."""
        with self._lock:
            self._streams.discard(sock)

    def _send_all(self, data: bytes) -> None:
        for sock in list(self._streams):
            if not self._send(sock, data):
                self._streams.discard(sock)

    @staticmethod
    def _send(sock: socket.socket, data: bytes) -> bool:
        try:
            sock.sendall(data)
        except OSError:
            # The connection's owner closes it: shutting it down shows it the stream's end.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            return False
        return True


def _event(name: str, data: str) -> bytes:
    return f"event: {name}\ndata: {data}\n\n".encode()


def _problems_event(problems: Problems) -> bytes:
    payload = {"lines": list(problems.lines), "summary": problems.summary}
    return _event("problems", json.dumps(payload, ensure_ascii=True))  # one line: no raw line breaks
