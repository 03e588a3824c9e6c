"""The only module that writes to disk: a build's outputs and its manifest, in place all at once.

``OutputWriter`` writes each output, as soon as it is rendered, into a staging folder beside the
output folder (``.NAME.pledge-timeline-staging``, in the same parent folder). A large output is
written by a thread while the next one renders, and ``add`` waits for that write before it starts
the next, so at most one rendered output waits in memory; a small one (an archive page) is
written by the caller at once (see ``THREADED_BYTES``). An output whose bytes are already in the
folder is hard-linked instead, mtime and all. Each time ``FLUSH_AHEAD_BYTES`` more have been
staged, a third thread flushes the staging folder's file system (``syncfs``), so that the disk
writes while the next outputs render.
``commit`` writes the manifest there too, puts the whole staging folder on the disk (a last
``syncfs``; where there is none, each file was flushed as it was written), moves the folder's
other entries (whatever is not an output) into the staging folder, and swaps the two folders in
one step (``renameat2(RENAME_EXCHANGE)``). The old folder, now under the staging name, is then
emptied: its outputs are removed; anything else that appeared there meanwhile is moved back.
A kill at any moment leaves the output folder holding one build's outputs, whole, and the
manifest that lists them; what the staging folder still holds, the next build puts right before
it stages anything (``folders.recover``).

Where the swap cannot be made (not Linux, a file system without RENAME_EXCHANGE, an output folder
that is a mount point or whose parent folder is not writable), the staging folder is inside the
output folder and the outputs are moved into place one by one, the manifest last: each file is
whole, but a kill during those moves leaves two builds' files side by side until the next build.

Nothing is written through a symbolic link inside the output folder: a link where an output or
its folder goes is refused. Outputs the old manifest lists and the current build does not write
are removed with the old folder; nothing else is ever deleted. Every OS error is an
``OutputError`` naming the path in the output folder it concerns.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pledge_timeline.writer import files, folders
from pledge_timeline.writer.files import (
    LINK,
    MANIFEST,
    PARTIAL,
    OutputError,
    flush_and_close,
    holds,
    is_file,
    locked,
    read_manifest,
    reason,
    remove_empty_parents,
)
from pledge_timeline.writer.folders import (
    carry_over,
    copy_modes,
    exchange,
    flush_file_system,
    folders_of,
    make_staging,
    merge,
    recover,
    refuse_manifest_folder,
    remove_emptied,
    require_writable,
)

try:
    import fcntl
except ImportError:  # Windows: no flock; concurrent builds there are not serialised
    fcntl = None  # type: ignore[assignment]

__all__ = ["MANIFEST", "OutputError", "OutputWriter", "WriteResult", "read_manifest"]

THREADED_BYTES = 1 << 20
"""Outputs at least this large are written in the writer's thread, while the next one renders;
smaller ones in the caller's. A thread waits for the interpreter lock after each system call,
up to the switch interval while the caller renders: worth it for a few large writes, not for
an archive page's."""

FLUSH_AHEAD_BYTES = 16 << 20
"""Once this much has been staged since the last flush began, and none is running, the staging
folder's file system is flushed in the flusher's thread while the caller renders on: the flush
before the swap then waits only for the last outputs. A failed flush fails the commit."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    """What was wrong with the folder and was ignored (a damaged manifest's lines)."""


class OutputWriter:
    """Stages outputs (relative POSIX paths) one by one, then ``commit()`` puts them in place.

    Used as a context manager, it discards whatever it staged if the block raises, folders it
    created included. From the first output on it holds an exclusive ``flock`` on the output
    folder (the folder itself: no lock file), so two builds into one folder (``serve --watch``
    and ``build``) take turns; a build that finds the folder swapped while it waited locks the
    new one.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._staged: set[str] = set()
        self._written: list[str] = []
        self._writes: list[Future[None]] = []  # the writer thread's
        self._writes_passed = 0  # so many of the first writes are known to have succeeded
        self._flush_each = folders.syncfs is None  # else the staging folder is flushed at once
        self._flushes: list[Future[None]] = []  # the flusher thread's
        self._unflushed = 0  # bytes staged since the last flush began
        self._unchanged: list[str] = []
        self._root: Path | None = None  # the output folder's real path, once locked
        self._staging: Path | None = None
        self._swap = False
        self._swapped = False
        self._made_out_dir: list[Path] = []
        self._folders: set[str] = set()  # made in the staging folder
        self._locks: list[int] = []
        self._ended = False  # by commit or discard
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pledge-timeline-write")
        self._flusher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pledge-timeline-flush")

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self.discard()

    def add(self, relative: str, data: bytes) -> None:
        """Stage one output; one whose bytes are already there is kept as it is, mtime and all."""
        if relative in self._staged:
            raise ValueError(f"{relative} is staged twice")
        if self._ended:
            raise RuntimeError("an output cannot be added after commit or discard")
        with self._located():
            root, staging = self._start()
            self._raise_failure_so_far()
            self._staged.add(relative)
            self._refuse_links(root, relative)
            self._make_folders(staging, relative)
            if self._keep_unchanged(root, staging, relative, data):
                self._unchanged.append(relative)
                return
            self._written.append(relative)
            if len(data) >= THREADED_BYTES:
                self._writes.append(self._writer.submit(self._stage, relative, data))
            else:
                self._stage_here(relative, data)
            self._unflushed += len(data)
            self._flush_ahead(staging)

    def commit(self) -> WriteResult:
        """Put every staged output in place with the manifest; drop stale outputs."""
        try:
            with self._located():
                root, staging = self._start()
                for write in self._writes:
                    write.result()
                for flush in self._flushes:
                    flush.result()  # the kernel reports a write-back error once: to that flush
                previous = read_manifest(root, self.out_dir / MANIFEST)
                outputs = frozenset(self._staged)
                stale = tuple(sorted(p for p in previous.paths - outputs if is_file(root, p)))
                self._write_manifest(staging / MANIFEST, outputs)
                if not self._flush_each:
                    flush_file_system(staging)
                if self._swap:
                    self._swap_in(root, staging, outputs | previous.paths)
                else:
                    self._move_in(root, staging, stale)
        except BaseException:
            self._finish_writes()
            self._put_back()  # while still holding the lock
            raise
        finally:
            self._finish_writes()
            self._unlock()
        return WriteResult(tuple(self._written), tuple(self._unchanged), stale, previous.problems)

    def discard(self) -> None:
        """Remove what was staged and the folders made for it; the folder is as it was."""
        self._finish_writes()
        try:
            self._put_back()
        finally:
            self._unlock()
            if not self._swapped:
                for folder in reversed(self._made_out_dir):
                    with contextlib.suppress(OSError):
                        folder.rmdir()  # only if still empty

    def _put_back(self) -> None:
        """Before the swap: the staging folder goes, the folder's entries carried into it go back."""
        if self._staging is not None and self._root is not None and not self._swapped:
            staging, self._staging = self._staging, None
            recover(self._root, staging)

    # --- staging ---------------------------------------------------------------------------------

    def _start(self) -> tuple[Path, Path]:
        """Lock the output folder, put right what a killed build left, make the staging folder."""
        if self._root is None:
            self._lock_output_folder()
        assert self._root is not None
        if self._staging is None:
            self._staging, self._swap = make_staging(self._root)
            if self._swap and fcntl is not None:
                # Swapped in, it becomes the output folder: builds that open the folder from then
                # on must wait for this one to finish emptying the old folder.
                self._locks.append(locked(self._staging))
        return self._root, self._staging

    def _lock_output_folder(self) -> None:
        missing = []
        folder = self.out_dir
        while not folder.is_dir():
            missing.append(folder)
            folder = folder.parent
        for new in reversed(missing):
            new.mkdir(exist_ok=True)
            self._made_out_dir.append(new)
        if fcntl is not None:
            while True:
                fd = locked(self.out_dir)
                held, now = os.fstat(fd), os.stat(self.out_dir)
                if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                    break
                os.close(fd)  # swapped in by the build we waited for: lock the folder it put there
            self._locks.append(fd)
        self._root = Path(os.path.realpath(self.out_dir))
        require_writable(self._root, self.out_dir)
        refuse_manifest_folder(self._root, self.out_dir)

    def _refuse_links(self, root: Path, relative: str) -> None:
        """A link or a file where an output or its folder goes is refused (never followed)."""
        parts = relative.split("/")
        for depth in range(1, len(parts) + 1):
            shown = "/".join(parts[:depth])
            try:
                mode = os.lstat(root / shown).st_mode
            except FileNotFoundError:
                return
            if stat.S_ISLNK(mode):
                raise OutputError(self.out_dir / shown, LINK)
            if depth < len(parts):
                if not stat.S_ISDIR(mode):
                    raise OutputError(self.out_dir / shown, "it is not a folder")
                require_writable(root / shown, self.out_dir / shown)
            elif stat.S_ISDIR(mode):
                raise OutputError(self.out_dir / shown, "it is a folder")

    def _make_folders(self, staging: Path, relative: str) -> None:
        parts = relative.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if folder not in self._folders:
                os.mkdir(staging / folder)
                self._folders.add(folder)

    def _keep_unchanged(self, root: Path, staging: Path, relative: str, data: bytes) -> bool:
        """Whether the folder already holds ``data`` there; swapping, it is linked into staging."""
        if not self._swap:
            return holds(root / relative, data)
        try:
            os.link(root / relative, staging / relative, follow_symlinks=False)
        except OSError:
            return False  # none there, or a file system without hard links: write it
        if holds(staging / relative, data):
            return True
        os.unlink(staging / relative)
        return False

    def _stage(self, relative: str, data: bytes) -> None:
        """``data`` in the staging folder (in the writer's thread if it is large)."""
        assert self._staging is not None
        try:
            self._write_file(self._staging / relative, data)
        except OSError as error:
            raise OutputError(self.out_dir / relative, reason(error), error.errno) from None

    def _stage_here(self, relative: str, data: bytes) -> None:
        """``_stage`` in the caller's thread; a failure is kept, as the writer thread's are."""
        try:
            self._stage(relative, data)
        except OutputError as error:
            failed: Future[None] = Future()
            failed.set_exception(error)
            self._writes.append(failed)
            raise

    def _write_file(self, path: Path, data: bytes) -> None:
        fd = files.write_unflushed(path, data)
        if self._flush_each:
            flush_and_close(fd)
        else:
            os.close(fd)  # flushed with the whole staging folder before the swap

    def _flush_ahead(self, staging: Path) -> None:
        """Start flushing the staging folder in the flusher's thread (``FLUSH_AHEAD_BYTES``)."""
        if self._flush_each or self._unflushed < FLUSH_AHEAD_BYTES:
            return
        if self._flushes and not self._flushes[-1].done():
            return
        self._flushes.append(self._flusher.submit(flush_file_system, staging))
        self._unflushed = 0

    def _raise_failure_so_far(self) -> None:
        """Wait for the writes so far (at most one output then waits in memory); raise the first
        that failed. A failure stays in its future: ``commit`` raises it again
        even if a caller caught it here."""
        for write in self._writes[self._writes_passed :]:
            write.result()
        self._writes_passed = len(self._writes)

    def _write_manifest(self, path: Path, outputs: frozenset[str]) -> None:
        try:
            self._write_file(path, "".join(f"{name}\n" for name in sorted(outputs)).encode())
        except OSError as error:
            raise OutputError(self.out_dir / MANIFEST, reason(error), error.errno) from None

    # --- putting it in place ---------------------------------------------------------------------

    def _swap_in(self, root: Path, staging: Path, ours: frozenset[str]) -> None:
        """Carry the folder's other entries over, swap the folders, empty the old one."""
        os.unlink(staging / PARTIAL)  # from here on it may hold the user's entries
        carry_over(root, staging, "", ours, folders_of(ours))
        copy_modes(root, staging, self._folders)
        exchange(staging, root)
        self._swapped = True
        merge(staging, root, "", ours, folders_of(ours))
        remove_emptied(staging, self.out_dir)

    def _move_in(self, root: Path, staging: Path, stale: tuple[str, ...]) -> None:
        """One by one, the manifest last (no swap here: see the module's docstring)."""
        for folder in sorted(self._folders):
            with contextlib.suppress(FileExistsError):
                os.mkdir(root / folder)
        for relative in self._written:
            os.replace(staging / relative, root / relative)
        for relative in stale:
            parent = (root / relative).parent
            if Path(os.path.realpath(parent)) == parent:  # not through a link
                os.unlink(root / relative)
                remove_empty_parents(root, root / relative)
        os.replace(staging / MANIFEST, root / MANIFEST)
        shutil.rmtree(staging)

    def _finish_writes(self) -> None:
        """Wait for the writer's and the flusher's threads (each write closes its file, and each
        flush its folder, whether it succeeds or not)."""
        self._ended = True
        self._writer.shutdown()
        self._flusher.shutdown()

    def _unlock(self) -> None:
        while self._locks:
            os.close(self._locks.pop())  # closing the descriptor releases the flock

    @contextlib.contextmanager
    def _located(self) -> Iterator[None]:
        """Any OS error, as an ``OutputError`` naming the path in the output folder."""
        try:
            yield
        except OutputError:
            raise
        except OSError as error:
            raise OutputError(self._shown(error.filename), reason(error), error.errno) from None

    def _shown(self, filename: object) -> Path:
        """The path the user knows (``out/tags/x.ics``) for one in the folder or the staging."""
        if not isinstance(filename, str | Path):
            return self.out_dir
        path = Path(os.fsdecode(filename))
        for base in (self._staging, self._root):
            if base is not None and path.is_relative_to(base):
                return self.out_dir / path.relative_to(base)
        return path
