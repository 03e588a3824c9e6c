"""The only module that writes to disk: atomic files and a manifest of what was written.

Each file is written to a temporary file in its own folder and moved into place with
``os.replace``, so a reader (or a build killed part-way) never sees a truncated file. An
``OutputWriter`` stages each output as soon as it is rendered, and moves them all into place
only when every one has been rendered and flushed to disk: a build that fails part-way leaves
the folder as it was. Writing an output to its temp file (the kernel copying it, a second of
CPU for a gigabyte) and flushing it (``fsync``, waiting on the disk) run in two threads while
the next output is rendered; ``add`` waits for the last output's write before it starts the
next, so at most one rendered output waits in memory. The manifest lists the files the last
build wrote; files listed there that the current build does not write are removed, and
nothing else in the folder is ever touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

MANIFEST = ".pledge-timeline-manifest"
_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp")  # what tempfile.mkstemp makes below


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.replace(_write_temp_file(path, data), path)


def _write_temp_file(path: Path, data: bytes) -> str:
    """``data`` in a new ``.NAME.XXXXXXXX.tmp`` beside ``path``, flushed to disk; its name."""
    tmp_name, fd = _write_unflushed_temp_file(path, data)
    try:
        _flush_and_close(fd)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return tmp_name


def _write_unflushed_temp_file(path: Path, data: bytes) -> tuple[str, int]:
    """``data`` in a new ``.NAME.XXXXXXXX.tmp`` beside ``path``; its name and still open descriptor,
    for ``_flush_and_close``."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb", closefd=False) as tmp:
            tmp.write(data)
        os.chmod(tmp_name, 0o644)  # not fchmod: Windows has no fchmod before Python 3.13
    except BaseException:
        os.close(fd)
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return tmp_name, fd


def _flush_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


class OutputWriter:
    """Stages outputs (relative POSIX paths) one by one, then ``commit()`` puts them in place.

    Used as a context manager, it discards whatever it staged if the block raises, folders it
    created included. From the first output on it holds an exclusive ``flock`` on the output
    folder, so two builds into one folder (``serve --watch`` and ``build``) take turns instead
    of sweeping away each other's staged files.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._paths: list[str] = []
        self._writes: list[tuple[str, Future[str]]] = []  # each gives its temp file's name
        self._unchanged: list[str] = []
        self._created: list[Path] = []
        self._lock: int | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pledge-timeline-write")
        self._flusher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pledge-timeline-fsync")
        self._flushes: list[Future[None]] = []  # appended by the writer's thread; read once it is idle

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self.discard()

    def add(self, relative: str, data: bytes) -> None:
        """Stage one output; one whose bytes are already there is left untouched, mtime and all."""
        if relative in self._paths:
            raise ValueError(f"{relative} is staged twice")
        self._lock_folder()
        self._raise_failure_so_far()
        target = self.out_dir / relative
        self._paths.append(relative)
        if _holds(target, data):
            self._unchanged.append(relative)
        else:
            self._make_folders(target.parent)
            self._writes.append((relative, self._writer.submit(self._stage, target, data)))

    def _stage(self, target: Path, data: bytes) -> str:
        """In the writer's thread: ``data`` in a temp file beside ``target``, handed on to the
        flusher's thread; the temp file's name. Only these two threads hold its descriptor."""
        tmp_name, fd = _write_unflushed_temp_file(target, data)
        try:
            self._flushes.append(self._flusher.submit(_flush_and_close, fd))
        except BaseException:  # the interpreter is shutting down
            os.close(fd)
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return tmp_name

    def _raise_failure_so_far(self) -> None:
        """Wait for every write so far (at most one output then waits in memory); raise the first
        write, or finished flush, that failed. A failure stays in its future: ``commit`` raises
        it again even if a caller caught it here."""
        for _, write in self._writes:
            write.result()
        for flush in self._flushes:
            if flush.done():
                flush.result()

    def commit(self) -> WriteResult:
        """Move every staged output into place; drop stale outputs and orphaned temp files."""
        try:
            self._lock_folder()
            staged = [(relative, write.result()) for relative, write in self._writes]
            for flush in self._flushes:
                flush.result()
            previous = read_manifest(self.out_dir)
            for relative, tmp_name in staged:
                os.replace(tmp_name, self.out_dir / relative)
            written = tuple(relative for relative, _ in staged)
            self._writes.clear()
            outputs = set(self._paths)
            stale = sorted(previous - outputs)
            for relative in stale:
                (self.out_dir / relative).unlink(missing_ok=True)
                _remove_empty_parents(self.out_dir, self.out_dir / relative)
            manifest = "".join(f"{name}\n" for name in sorted(outputs)).encode()
            write_atomically(self.out_dir / MANIFEST, manifest)
            _remove_orphaned_temp_files(self.out_dir, outputs | {MANIFEST})
            return WriteResult(written, tuple(self._unchanged), tuple(stale))
        finally:
            self._finish_flushes()
            self._unlock_folder()

    def _finish_flushes(self) -> None:
        """Wait for every write and flush (each closes its file, whether it succeeds or not)."""
        self._writer.shutdown()  # waits for every write; each may still queue a flush
        wait(self._flushes)
        self._flushes.clear()
        self._flusher.shutdown()

    def discard(self) -> None:
        """Remove what was staged and the folders made for it; the folder is as it was."""
        self._finish_flushes()
        for _, write in self._writes:
            # A failed write removed its own temp file; one not done never started (its thread was
            # interrupted while starting): the next build sweeps up anything it left.
            if write.done() and not write.cancelled() and write.exception() is None:
                Path(write.result()).unlink(missing_ok=True)
        self._writes.clear()
        self._unlock_folder()
        for folder in reversed(self._created):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty
        self._created.clear()

    def _make_folders(self, folder: Path) -> None:
        missing = []
        while not folder.is_dir():
            missing.append(folder)
            folder = folder.parent
        for new in reversed(missing):
            new.mkdir(exist_ok=True)
            self._created.append(new)

    def _lock_folder(self) -> None:
        if self._lock is not None:
            return
        self._make_folders(self.out_dir)
        if fcntl is None:  # Windows: no flock; concurrent builds there are not serialised
            return
        self._lock = os.open(self.out_dir, os.O_RDONLY)
        fcntl.flock(self._lock, fcntl.LOCK_EX)

    def _unlock_folder(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the flock
            self._lock = None


def write_outputs(out_dir: Path, files: Mapping[str, bytes]) -> WriteResult:
    """Write every file (relative POSIX paths) that changed; drop stale outputs and temp files."""
    with OutputWriter(out_dir) as writer:
        for relative, data in files.items():
            writer.add(relative, data)
        return writer.commit()


def _holds(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _remove_orphaned_temp_files(out_dir: Path, outputs: set[str]) -> None:
    """Temp files a killed build left (``.NAME.XXXXXXXX.tmp`` beside an output); nothing else."""
    for folder in {(out_dir / name).parent for name in outputs}:
        names = {Path(name).name for name in outputs if (out_dir / name).parent == folder}
        for candidate in folder.glob(".*.tmp"):
            match = _TEMP_NAME.fullmatch(candidate.name)
            if match and match["name"] in names:
                candidate.unlink(missing_ok=True)


def read_manifest(out_dir: Path) -> set[str]:
    try:
        text = (out_dir / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    return {line for line in text.splitlines() if line and _is_inside(out_dir, line)}


def _is_inside(out_dir: Path, relative: str) -> bool:
    root = out_dir.resolve()
    return (root / relative).resolve().is_relative_to(root) and not Path(relative).is_absolute()


def _remove_empty_parents(out_dir: Path, path: Path) -> None:
    parent = path.parent
    while parent != out_dir and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
