"""One new file, such as the events file ``init`` and ``import`` write: whole or not at all,
checked before it appears, and never over an existing file unless asked to."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from pledge_timeline.writer.files import flush_and_close


def write_new_file(
    path: Path, data: bytes, *, overwrite: bool = False, check: Callable[[Path], None] | None = None
) -> None:
    """Write ``data`` to ``path`` atomically; ``check`` judges the written temp file first.

    Without ``overwrite``, an existing ``path`` raises ``FileExistsError`` and is left as it
    was, even one that appears while the file is written (a hard link never replaces). When
    ``check`` raises, the temp file is removed and nothing is written.
    """
    if not overwrite and path.exists():
        raise FileExistsError(errno.EEXIST, "file exists", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            with os.fdopen(fd, "wb", closefd=False) as tmp:
                tmp.write(data)
            os.chmod(tmp_name, 0o644)  # whatever the umask, as the build's outputs
        finally:
            flush_and_close(fd)
        if check is not None:
            check(Path(tmp_name))
        if overwrite:
            os.replace(tmp_name, path)
        else:
            os.link(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
