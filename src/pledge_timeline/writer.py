"""The only module that writes to disk: atomic files and a manifest of what was written.

Each file is written to a temporary file in its own folder and moved into place with
``os.replace``, so a reader (or a build killed part-way) never sees a truncated file. The
manifest lists the files the last build wrote; files listed there that the current build
does not write are removed, and nothing else in the folder is ever touched.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".pledge-timeline-manifest"
_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp")  # what tempfile.mkstemp makes below


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def write_outputs(out_dir: Path, files: Mapping[str, bytes]) -> WriteResult:
    """Write every file (relative POSIX paths) that changed; drop stale outputs and temp files."""
    previous = read_manifest(out_dir)
    written, unchanged = [], []
    for relative, data in files.items():
        target = out_dir / relative
        if target.is_file() and target.read_bytes() == data:
            unchanged.append(relative)
            continue
        write_atomically(target, data)
        written.append(relative)
    stale = sorted(previous - set(files))
    for relative in stale:
        (out_dir / relative).unlink(missing_ok=True)
        _remove_empty_parents(out_dir, out_dir / relative)
    manifest = "".join(f"{name}\n" for name in sorted(files)).encode()
    write_atomically(out_dir / MANIFEST, manifest)
    _remove_orphaned_temp_files(out_dir, set(files) | {MANIFEST})
    return WriteResult(tuple(written), tuple(unchanged), tuple(stale))


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
