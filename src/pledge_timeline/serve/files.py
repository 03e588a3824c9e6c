"""The files a request may name: only those the last build wrote, read whole from inside the folder.

Only the files listed in the writer's manifest are served, and only when they really lie inside
the folder: a request target is split into segments before it is percent-decoded, and any
segment that is empty, starts with a dot, or decodes to something containing ``/``, ``\\``,
``%`` or a control character is refused. Each response is one whole file read into memory from
one open file descriptor; since the writer replaces files atomically, a reader never sees half a
build's version of a file.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import os
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import unquote_to_bytes

from pledge_timeline import outputs
from pledge_timeline.writer import read_manifest

FILE_TYPES: Final = {outputs.TIMELINEJS: "application/json; charset=utf-8"}
"""Outputs whose type is not their suffix's (``.json`` is the JSON Feed's)."""
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

GZIP_SUFFIX: Final = "-gzip"


@dataclass(frozen=True, slots=True)
class Resource:
    """One whole served file, as read from one open file descriptor."""

    path: str
    data: bytes
    mtime: float
    digest: str
    """Of the bytes: the strong ETag, and the key of the gzip cache."""
    gzip: bool = True
    """False for what is served once and at once (the live page): compressing it costs more."""

    @classmethod
    def of(cls, path: str, data: bytes, mtime: float, *, gzip: bool = True) -> Resource:
        return cls(path, data, mtime, hashlib.sha256(data).hexdigest()[:32], gzip)

    @property
    def content_type(self) -> str:
        return content_type_of(self.path)

    @property
    def compressible(self) -> bool:
        return self.gzip and "charset" in self.content_type  # text; pictures are compressed already


def content_type_of(path: str) -> str:
    return FILE_TYPES.get(path) or CONTENT_TYPES.get(Path(path).suffix, BINARY_TYPE)


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


class GzipCache:
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
