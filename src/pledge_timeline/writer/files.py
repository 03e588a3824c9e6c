"""The writer's files: the manifest's reader, new files never written through a link, and the
one error every OS failure becomes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pledge_timeline.manifest import Manifest, parse_manifest

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

MANIFEST = ".pledge-timeline-manifest"
STAGING = ".pledge-timeline-staging"
"""Beside the output folder as ``.NAME.pledge-timeline-staging``; inside it where it cannot swap."""
PARTIAL = ".pledge-timeline-partial"
"""In a staging folder until its build is complete: such a folder holds only that build's files."""
PROBE = ".pledge-timeline-swap-probe"
"""An empty folder, for a moment, in the staging folder and in the output folder."""
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
LINK = "it is a symbolic link (the build never writes through a link in the output folder)"


class OutputError(OSError):
    """A path in the output folder that could not be written, and why: one line for the user."""

    def __init__(self, path: Path | str, reason: str, code: int | None = None) -> None:
        super().__init__(code, reason)
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}"


def read_manifest(out_dir: Path, shown: Path | None = None) -> Manifest:
    """What the last build wrote into ``out_dir``: the one reader of the manifest (``shown`` is
    how problems name it). Never follows a link, never blocks on a FIFO, never raises."""
    name = str(shown or out_dir / MANIFEST)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(out_dir / MANIFEST, flags)
    except FileNotFoundError:
        return Manifest(frozenset())
    except OSError as error:
        mode = lstat_mode(out_dir / MANIFEST)
        if stat.S_ISLNK(mode):
            return Manifest(frozenset(), (f"{name}: ignored: it is a symbolic link",))
        if stat.S_ISDIR(mode):
            return Manifest(frozenset(), (f"{name}: ignored: it is a folder, not a file",))
        return Manifest(frozenset(), (f"{name}: ignored: {reason(error)}",))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder, not a file" if stat.S_ISDIR(mode) else "not a regular file"
        return Manifest(frozenset(), (f"{name}: ignored: it is {kind}",))
    with os.fdopen(fd, "rb") as file:
        try:
            data = file.read()
        except OSError as error:
            return Manifest(frozenset(), (f"{name}: ignored: {reason(error)}",))
    return parse_manifest(data, name)


def write_unflushed(path: Path, data: bytes) -> int:
    """``data`` in a new file (never through a link); its still open descriptor, for
    ``flush_and_close``."""
    fd = os.open(path, NEW_FILE, 0o644)
    try:
        with os.fdopen(fd, "wb", closefd=False) as file:
            file.write(data)
        os.chmod(path, 0o644)  # whatever the umask; not fchmod: Windows has none before 3.13
    except BaseException:
        os.close(fd)
        Path(path).unlink(missing_ok=True)
        raise
    return fd


def flush_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def holds(path: Path, data: bytes) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    with os.fdopen(fd, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_size != len(data):
            return False
        return file.read() == data


def is_file(root: Path, relative: str) -> bool:
    """Whether ``relative`` is there and no folder, reached through no link."""
    path = root / relative
    mode = lstat_mode(path)
    return mode != 0 and not stat.S_ISDIR(mode) and Path(os.path.realpath(path.parent)) == path.parent


def lstat_mode(path: Path) -> int:
    try:
        return os.lstat(path).st_mode
    except OSError:
        return 0


def locked(folder: Path) -> int:
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return fd


def reason(error: OSError) -> str:
    return error.strerror or str(error)


def remove_empty_parents(root: Path, path: Path) -> None:
    parent = path.parent
    while parent != root and stat.S_ISDIR(lstat_mode(parent)) and not os.listdir(parent):
        parent.rmdir()
        parent = parent.parent
