"""Serve the output folder over HTTP, as calendar apps and feed readers subscribe to URLs.

Only the files the last build wrote (those listed in the writer's manifest) are served, and
only when they really lie inside the folder: a request target is split into segments before
it is percent-decoded, and any segment that is empty, starts with a dot, or decodes to
something containing ``/``, ``\\``, ``%`` or a control character is refused. Each response
is one whole file read into memory from one open file descriptor; since the writer replaces
files atomically, a reader never sees half a build's version of a file.

``Rebuilder`` rebuilds when the events file changes (``--watch``). An invalid edit is
reported and the last good build stays in place and keeps being served.

``StopSignals`` turns Ctrl-C (SIGINT) and SIGTERM into a clean stop of ``serve_forever()``.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import hashlib
import ipaddress
import os
import signal
import socket
import socketserver
import stat
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, Final
from urllib.parse import unquote_to_bytes

from pledge_timeline import __version__, outputs
from pledge_timeline.build import BuildReport, build
from pledge_timeline.errors import InvalidTimeline
from pledge_timeline.loader import MAX_FILE_BYTES
from pledge_timeline.render.labels import webcal_url
from pledge_timeline.writer import read_manifest

CONTENT_TYPES: Final = {
    ".ics": "text/calendar; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".avif": "image/avif",
}
BINARY_TYPE: Final = "application/octet-stream"
INDEX_PAGE: Final = outputs.PAGE
"""``/`` redirects here, so the address bar shows the same path as the published permalinks."""

SUBSCRIPTIONS: Final = (
    ("calendar", outputs.CALENDAR),
    ("Atom feed", outputs.ATOM_FEED),
    ("RSS feed", outputs.RSS_FEED),
    ("JSON Feed", outputs.JSON_FEED),
    ("page", INDEX_PAGE),
)
GZIP_SUFFIX: Final = "-gzip"
WATCH_POLL_MS: Final = 300
"""How often the watcher also compares the file itself, catching edits notify missed."""
STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
"""Ctrl-C, and what ``kill``, service managers and ``docker stop`` send."""
_WAKE_ONLY: Final = 0
"""Written to the stop pipe when serving ends: no signal's number, it only lets the stopper return."""


@dataclass(frozen=True, slots=True)
class Resource:
    """One whole served file, as read from one open file descriptor."""

    path: str
    data: bytes
    mtime: float
    digest: str
    """Of the bytes: the strong ETag, and the key of the gzip cache."""

    @classmethod
    def of(cls, path: str, data: bytes, mtime: float) -> Resource:
        return cls(path, data, mtime, hashlib.sha256(data).hexdigest()[:32])

    @property
    def content_type(self) -> str:
        return content_type_of(self.path)

    @property
    def compressible(self) -> bool:
        return "charset" in self.content_type  # text; pictures are compressed already


def content_type_of(path: str) -> str:
    return CONTENT_TYPES.get(Path(path).suffix, BINARY_TYPE)


def target_to_relative_path(target: str) -> str | None:
    """The folder-relative path a request target names; ``""`` for ``/``; None if refused."""
    if not target.startswith("/"):
        return None  # absolute-form ("http://...") and "*" name nothing we serve
    path = target.split("?", 1)[0].split("#", 1)[0]
    if path == "/":
        return ""
    segments = [_decode_segment(raw) for raw in path[1:].split("/")]
    if any(segment is None for segment in segments):
        return None
    return "/".join(segment for segment in segments if segment is not None)


def _decode_segment(raw: str) -> str | None:
    try:
        # http.server hands the request line over decoded as Latin-1: undo that, then decode once.
        segment = unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if not segment or segment.startswith(".") or not segment.isprintable():
        return None
    if any(char in segment for char in "/\\%"):
        return None  # an encoded slash or backslash, or a second layer of percent-encoding
    return segment


class OutputFolder:
    """The files of the last build, read whole and only from inside the folder."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def built_paths(self) -> frozenset[str]:
        return read_manifest(self.root).paths

    def read(self, relative: str) -> Resource | None:
        if relative not in self.built_paths():
            return None
        try:
            real = (self.root / relative).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self.root):
            return None  # a symlink pointing out of the folder
        return _read_regular_file(relative, real)


def _read_regular_file(relative: str, real: Path) -> Resource | None:
    # O_NONBLOCK: opening a FIFO planted under a served name must not hang a request thread.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(real, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            return None
        return Resource.of(relative, file.read(), status.st_mtime)


class _GzipCache:
    """Compressed bodies by content digest, so a popular file is compressed once per build."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def compress(self, resource: Resource) -> bytes:
        key = resource.digest
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        compressed = gzip.compress(resource.data, compresslevel=6, mtime=0)
        with self._lock:
            self._entries[key] = compressed
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return compressed


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``q=0`` refuses it)."""
    weights: dict[str, float] = {}
    for item in (accept_encoding or "").split(","):
        name, _, params = item.partition(";")
        weights[name.strip().lower()] = _quality(params)
    for coding in ("gzip", "x-gzip", "*"):
        if coding in weights:
            return weights[coding] > 0
    return False


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def etag_matches(if_none_match: str, digest: str) -> bool:
    """Weak comparison, as If-None-Match asks; either encoding's tag matches the content."""
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*":
            return True
        opaque = tag.removeprefix("W/").strip('"').removesuffix(GZIP_SUFFIX)
        if opaque == digest:
            return True
    return False


def unmodified_since(if_modified_since: str, mtime: float) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    return int(mtime) <= since.timestamp()


class _Handler(BaseHTTPRequestHandler):
    server: TimelineServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: don't let the body wait
    timeout = 30
    """Seconds an idle keep-alive connection may hold a thread."""

    def version_string(self) -> str:
        return f"pledge-timeline/{__version__}"

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, *, with_body: bool) -> None:
        folder = self.server.folder
        relative = target_to_relative_path(self.path)
        if relative == "" and INDEX_PAGE in folder.built_paths():
            self._redirect("/" + INDEX_PAGE)
            return
        resource = folder.read(relative) if relative else None
        if resource is None:
            self._not_found(with_body)
            return
        gzipped = resource.compressible and accepts_gzip(self.headers.get("Accept-Encoding"))
        etag = f'"{resource.digest}{GZIP_SUFFIX if gzipped else ""}"'
        if self._not_modified(resource):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._send_validators(etag, resource)
            self.end_headers()
            return
        body = self.server.gzip_cache.compress(resource) if gzipped else resource.data
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self._send_validators(etag, resource)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _not_modified(self, resource: Resource) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # it takes precedence over If-Modified-Since
            return etag_matches(if_none_match, resource.digest)
        if_modified_since = self.headers.get("If-Modified-Since")
        return if_modified_since is not None and unmodified_since(if_modified_since, resource.mtime)

    def _send_validators(self, etag: str, resource: Resource) -> None:
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(resource.mtime, usegmt=True))
        self.send_header("Cache-Control", "no-cache")  # store, but ask again: edits show up at once
        self.send_header("Vary", "Accept-Encoding")

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_found(self, with_body: bool) -> None:
        body = b"not found\n"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.log_requests:
            super().log_message(format, *args)


class TimelineServer(ThreadingHTTPServer):
    """Serves one output folder; ``serve_forever()`` until ``shutdown()`` or Ctrl-C."""

    daemon_threads = True
    request_queue_size = 128  # 50 clients connecting at once must not wait for SYN retries

    def __init__(
        self, out_dir: Path, host: str = "127.0.0.1", port: int = 8000, *, log_requests: bool = False
    ) -> None:
        self.folder = OutputFolder(out_dir)
        self.log_requests = log_requests
        self.gzip_cache = _GzipCache()
        self.address_family = _address_family(host, port)
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host name up in DNS (getfqdn); nothing needs it.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # a client hung up mid-response: its business, not a server error
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def base_url(self, host: str | None = None) -> str:
        """``http://HOST:PORT/`` to paste into an app; the wildcard address becomes loopback."""
        host = host or str(self.server_address[0])
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    @property
    def is_loopback_only(self) -> bool:
        try:
            return ipaddress.ip_address(str(self.server_address[0])).is_loopback
        except ValueError:
            return False


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


def _address_family(host: str, port: int) -> socket.AddressFamily:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return socket.AF_INET  # let bind() report the bad address
    return infos[0][0] if infos else socket.AF_INET


def subscription_lines(base_url: str, built_paths: Iterable[str]) -> list[str]:
    """The URLs to paste, for the files this build wrote; the calendar also as ``webcal://``."""
    built = set(built_paths)
    lines = []
    for label, path in SUBSCRIPTIONS:
        if path not in built:
            continue
        lines.append(f"  {label + ':':<11}{base_url}{path}")
        if path.endswith(".ics"):
            lines.append(f"  {'':<11}{webcal_url(base_url + path)}")
    if any(path.startswith("tags/") for path in built):
        lines.append(f"  {'per tag:':<11}{base_url}tags/<tag>.ics, .atom, .rss")
    return lines


RebuildProblem = InvalidTimeline | OSError


class Rebuilder:
    """Builds the events file into the output folder, and rebuilds it whenever it changes.

    A failed rebuild writes nothing (``build`` validates before writing), so the folder keeps
    the last good build; the same content is not rebuilt twice, so one bad edit is reported once.
    """

    def __init__(
        self,
        events_file: Path,
        out_dir: Path,
        *,
        base_url: str | None = None,
        source_date_epoch: int | None = None,
        max_input_bytes: int = MAX_FILE_BYTES,
        on_rebuilt: Callable[[BuildReport], None] = lambda report: None,
        on_failed: Callable[[RebuildProblem], None] = lambda problem: None,
    ) -> None:
        self.events_file = events_file
        self.out_dir = out_dir
        self.base_url = base_url
        self.source_date_epoch = source_date_epoch
        self.max_input_bytes = max_input_bytes
        self.on_rebuilt = on_rebuilt
        self.on_failed = on_failed
        self.watching = threading.Event()
        """Set once the file watcher is armed: edits from then on are seen."""
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._last_source: bytes | None = None
        self._thread: threading.Thread | None = None

    def build(self) -> BuildReport:
        """Build now; raise InvalidTimeline (writing nothing) when the file is invalid."""
        with self._lock:
            # Read before building: if the file changes meanwhile, the watcher sees a difference.
            self._last_source = _read_or_none(self.events_file)
            return build(
                self.events_file,
                self.out_dir,
                base_url=self.base_url,
                source_date_epoch=self.source_date_epoch,
                max_input_bytes=self.max_input_bytes,
            )

    def rebuild_if_changed(self) -> None:
        if _read_or_none(self.events_file) == self._last_source:
            return
        try:
            report = self.build()
        except (InvalidTimeline, OSError) as problem:
            self.on_failed(problem)
        else:
            self.on_rebuilt(report)

    def start(self) -> None:
        """Watch the events file in a background thread until ``stop()``."""
        self._thread = threading.Thread(target=self._watch, name="pledge-timeline-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _watch(self) -> None:
        import watchfiles  # only --watch needs it

        folder = self.events_file.resolve().parent
        name = self.events_file.name
        for _changes in watchfiles.watch(
            folder,
            # The folder, not the file: editors that save by renaming replace the file's inode.
            watch_filter=lambda _change, path: Path(path).name == name,
            recursive=False,
            stop_event=self._stop,  # checked every 50 ms (watch's step), and between rebuilds
            rust_timeout=WATCH_POLL_MS,
            yield_on_timeout=True,
            # Moot here: only the main thread handles signals, so watchfiles never sees one in this
            # thread (its check is a no-op); Ctrl-C stops the server, and the server stops this.
            raise_interrupt=False,
        ):
            self.watching.set()
            self.rebuild_if_changed()


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
