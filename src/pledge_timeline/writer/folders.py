"""The staging folder: made beside the output folder (or inside it), swapped with it in one step,
and emptied afterwards, or put right after a kill. See the package's docstring."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from pledge_timeline.writer.files import (
    MANIFEST,
    NEW_FILE,
    PARTIAL,
    PROBE,
    STAGING,
    OutputError,
    lstat_mode,
    read_manifest,
)


def make_staging(root: Path) -> tuple[Path, bool]:
    """A new staging folder, and whether it can be swapped in; leftovers of a killed build first."""
    beside = root.parent / f".{root.name}{STAGING}"
    inside = root / STAGING
    for leftover in (beside, inside):
        recover(root, leftover)
    with contextlib.suppress(OSError):
        os.rmdir(root / PROBE)  # a killed build's probe; only if empty, as a probe is
    if renameat2 is not None and root.parent != root:
        try:
            os.mkdir(beside)
        except OSError:
            pass  # a parent folder we may not write to: stage inside
        else:
            if can_exchange(beside, root):
                mark_partial(beside)
                return beside, True
            os.rmdir(beside)  # the output folder is a mount point, or the file system cannot swap
    os.mkdir(inside)
    return inside, False


def mark_partial(staging: Path) -> None:
    os.close(os.open(staging / PARTIAL, NEW_FILE, 0o644))


def recover(root: Path, staging: Path) -> None:
    """Put right a staging folder a killed (or failed) build left: while partial, or inside the
    folder, it holds only its build's files and goes; otherwise its entries are merged back."""
    mode = lstat_mode(staging)
    if mode == 0:
        return
    if not stat.S_ISDIR(mode):
        raise OutputError(staging, "it is in the way of the build's staging folder; remove it")
    if staging.parent == root or os.path.lexists(staging / PARTIAL):
        shutil.rmtree(staging)
        return
    ours = read_manifest(staging).paths | read_manifest(root).paths
    merge(staging, root, "", ours, folders_of(ours))
    remove_emptied(staging, staging)


def carry_over(src: Path, dst: Path, prefix: str, ours: frozenset[str], folders: frozenset[str]) -> None:
    """Move every entry of ``src`` that is not an output file (nor a folder of one) into ``dst``;
    the manifest and the outputs stay, to go with the old folder."""
    for name in sorted(os.listdir(src)):
        relative, mode = prefix + name, lstat_mode(src / name)
        if relative in (MANIFEST, STAGING) or (relative in ours and not stat.S_ISDIR(mode)):
            continue
        if relative in folders and stat.S_ISDIR(mode):
            with contextlib.suppress(FileExistsError):
                os.mkdir(dst / name)
            carry_over(src / name, dst / name, relative + "/", ours, folders)
            with contextlib.suppress(OSError):
                os.rmdir(dst / name)  # only if nothing was carried into it (an old output's folder)
        else:
            os.rename(src / name, dst / name)


def merge(src: Path, dst: Path, prefix: str, ours: frozenset[str], folders: frozenset[str]) -> None:
    """Empty ``src`` into ``dst``: outputs (``ours``) and the manifest are removed, anything else
    is moved into ``dst`` if its name is free there; folders are merged."""
    for name in sorted(os.listdir(src)):
        relative, mode = prefix + name, lstat_mode(src / name)
        if stat.S_ISDIR(mode):
            made = relative in folders and lstat_mode(dst / name) == 0
            if made:
                os.mkdir(dst / name)
            if stat.S_ISDIR(lstat_mode(dst / name)):  # a real folder, never a link to one
                merge(src / name, dst / name, relative + "/", ours, folders)
                with contextlib.suppress(OSError):
                    os.rmdir(src / name)
                if made:
                    with contextlib.suppress(OSError):
                        os.rmdir(dst / name)  # only if nothing was moved into it
                continue
            if prefix == "" and name == MANIFEST:
                with contextlib.suppress(OSError):
                    os.rmdir(src / name)  # an empty folder in the manifest's place
                continue
        elif relative in ours or (prefix == "" and name in (MANIFEST, PARTIAL)):
            os.unlink(src / name)
            continue
        if not os.path.lexists(dst / name):
            os.rename(src / name, dst / name)


def remove_emptied(staging: Path, shown: Path) -> None:
    try:
        os.rmdir(staging)
    except OSError:
        left = sorted(os.listdir(staging))
        raise OutputError(
            shown, f"{staging} still holds {', '.join(left[:3])}: names taken in the output folder"
        ) from None


def folders_of(paths: frozenset[str]) -> frozenset[str]:
    return frozenset(p.rsplit("/", depth)[0] for p in paths for depth in range(1, p.count("/") + 1))


def copy_modes(root: Path, staging: Path, folders: set[str]) -> None:
    """The new folder keeps the old one's permissions (and so do its subfolders)."""
    for folder in ("", *sorted(folders)):
        with contextlib.suppress(FileNotFoundError):
            mode = os.lstat(root / folder).st_mode
            if stat.S_ISDIR(mode):
                os.chmod(staging / folder, stat.S_IMODE(mode))


def require_writable(folder: Path, shown: Path) -> None:
    """Refuse a folder we may not write to (read-only, or on a read-only file system) before
    staging anything: swapping would replace it with a writable one."""
    if not os.access(folder, os.W_OK | os.X_OK):
        code = errno.EROFS if _on_read_only_mount(folder) else errno.EACCES
        raise OutputError(shown, os.strerror(code), code)


def _on_read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def refuse_manifest_folder(root: Path, shown: Path) -> None:
    if stat.S_ISDIR(lstat_mode(root / MANIFEST)) and os.listdir(root / MANIFEST):
        raise OutputError(shown / MANIFEST, "it is a folder, and not empty")


# --- swapping two folders --------------------------------------------------------------------------

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def linux_function(name: str, argtypes: tuple[Any, ...]) -> Callable[..., int] | None:
    """The C library's ``name`` (returning an ``int``, errors in ``errno``), or None off Linux
    or where the C library lacks it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None
    function.argtypes = argtypes
    function.restype = ctypes.c_int
    return cast("Callable[..., int]", function)


renameat2: Callable[[int, bytes, int, bytes, int], int] | None = linux_function(
    "renameat2",  # glibc 2.28+, musl 1.2.2+
    (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint),
)
syncfs: Callable[[int], int] | None = linux_function("syncfs", (ctypes.c_int,))  # glibc 2.14+, musl


def flush_file_system(folder: Path) -> None:
    """Everything written to ``folder``'s file system is on the disk when this returns: one call
    for all the files staged there, where an ``fsync`` each would wait for the disk once per file."""
    assert syncfs is not None
    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(folder))
    finally:
        os.close(fd)


def exchange(a: Path, b: Path) -> None:
    """Swap two names in one step: each is, at every moment, one of the two folders."""
    assert renameat2 is not None
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(b))


def can_exchange(staging: Path, root: Path) -> bool:
    """Whether the two folders can be swapped: on one mount (a bind mount of the output folder
    is not, even on the same file system), of a file system that swaps (tmpfs, ext4, xfs, btrfs
    do; some network ones do not). Two empty folders, one in each, are swapped and removed."""
    made: list[Path] = []
    try:
        for folder in (staging / PROBE, root / PROBE):
            os.mkdir(folder)
            made.append(folder)
        exchange(*made)
    except OSError:
        return False
    else:
        return True
    finally:
        for folder in made:
            with contextlib.suppress(OSError):
                os.rmdir(folder)
