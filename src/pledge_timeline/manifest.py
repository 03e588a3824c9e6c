"""The manifest: which files of the output folder the last build wrote, one relative POSIX path a
line. Only the writer writes it, but it lies in a folder anyone can edit, so reading it trusts
nothing: each line is normalised to a plain relative path inside the folder (``./a``, ``a/`` and
``tags//b`` are ``a`` and ``tags/b``), and a line that is no such path is ignored and reported,
never acted on. A file the manifest lists is at most removed as a stale output: what it cannot
name (the folder, a folder, something outside) nothing can make the writer remove.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LINE_BYTES = 1024
"""Far over any path the build writes (a tag id is a slug); a name over 255 bytes is no file name."""
MAX_NAME_BYTES = 255
SHOWN_CHARS = 60


@dataclass(frozen=True, slots=True)
class Manifest:
    paths: frozenset[str]
    """Plain relative POSIX paths: no empty, ``.`` or ``..`` segment, printable, each a file."""
    problems: tuple[str, ...] = ()
    """One line each, escaped: ``NAME:LINE: ignored 'VALUE': REASON``."""


def parse_manifest(data: bytes, name: str) -> Manifest:
    """The manifest's text (``name`` is how problems name it)."""
    lines: dict[str, int] = {}
    problems: list[tuple[int, str]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw:
            continue
        path, reason = _normalised(raw)
        if path is None:
            problems.append((number, f"{name}:{number}: ignored '{escaped(raw)}': {reason}"))
        else:
            lines.setdefault(path, number)
    folders = {path.rsplit("/", depth)[0] for path in lines for depth in range(1, path.count("/") + 1)}
    for path in sorted(folders & lines.keys()):
        number = lines.pop(path)
        problems.append((number, f"{name}:{number}: ignored '{escaped(path.encode())}': names a folder"))
    return Manifest(frozenset(lines), tuple(problem for _, problem in sorted(problems)))


def _normalised(raw: bytes) -> tuple[str | None, str]:
    if len(raw) > MAX_LINE_BYTES:
        return None, "is longer than any path the build writes"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "is not UTF-8"
    if not text.isprintable():
        return None, "has a control character"
    if text.startswith("/"):
        return None, "is an absolute path"
    segments = [segment for segment in text.split("/") if segment not in ("", ".")]
    if ".." in segments:
        return None, "leaves the output folder"
    if not segments:
        return None, "names the output folder itself"
    if any(len(segment.encode()) > MAX_NAME_BYTES for segment in segments):
        return None, "is longer than any path the build writes"
    return "/".join(segments), ""


def escaped(raw: bytes) -> str:
    """``raw`` as one printable line: bytes that are not UTF-8 and control characters escaped
    (``\\xff``, ``\\x1b``, ``\\n``), cut at ``SHOWN_CHARS`` characters."""
    text = raw.decode("utf-8", "backslashreplace")
    shown = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text[:SHOWN_CHARS]
    )
    return shown + ("..." if len(text) > SHOWN_CHARS else "")
