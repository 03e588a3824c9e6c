"""Checks of an event's rich content that the schema cannot make: the links its Markdown makes
(``summary``, ``note``), and its ``media`` (one of ``file`` and ``url``; the file a picture).

A bad link is reported at its own line and column in the events file, not at the start of the
text: the line of the link within the Markdown (markdown-it's ``map`` of its block, plus the line
breaks before it) says which occurrence of its address to look for in the file, from where the
text starts. Plain, quoted and block scalars alike: YAML folds lines, so a line of the Markdown
is not always a line of the file, but an address never spans lines.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pledge_timeline.document import FieldProblem
from pledge_timeline.errors import DocPath, Location, TimelineError
from pledge_timeline.loader import LoadedYaml

if TYPE_CHECKING:
    from pledge_timeline.markdown import MarkdownLink
    from pledge_timeline.model import MediaFile

MARKDOWN_FIELDS = ("summary", "note")


class ContentChecks:
    """Checks each event's Markdown and media; keeps each picture read, by the path written."""

    def __init__(self, doc: LoadedYaml, events_file: Path) -> None:
        self.doc = doc
        self.events_file = events_file
        self.media: dict[str, MediaFile] = {}
        self._lines: list[str] | None = None

    def check(self, path: DocPath, event: dict[str, Any], over_limit: Collection[DocPath] = ()) -> None:
        """``over_limit``: paths whose values are over their length limit, reported already and
        never echoed or read again."""
        for key in MARKDOWN_FIELDS:
            text = event.get(key)
            if isinstance(text, str) and (*path, key) not in over_limit:
                self.check_links((*path, key), text)
        media = event.get("media")
        if isinstance(media, dict):
            self.check_media((*path, "media"), media, over_limit)

    def check_links(self, path: DocPath, text: str) -> None:
        if "[" not in text and "<" not in text:
            return  # no link syntax; an address written out becomes a link only if it is allowed
        from pledge_timeline.markdown import is_allowed_link, links  # only text with links needs it

        seen: dict[str, int] = {}
        for link in links(text):
            occurrence = seen.get(link.href, 0)
            seen[link.href] = occurrence + 1
            if is_allowed_link(link.href):
                continue
            message = (
                f"the link '{link.href}' is refused: link only to http://, https:// or mailto: addresses"
            )
            location = self.link_location(path, link, occurrence)
            self.doc.errors.append(TimelineError(location, path, message, link.href))

    def link_location(self, path: DocPath, link: MarkdownLink, occurrence: int) -> Location:
        start = self.doc.where(path)
        lines = self.source_lines()
        for needle in dict.fromkeys((link.href, unquote(link.href))):
            found = _nth(lines, start, needle, occurrence)
            if found is not None:
                return Location(start.file, *found)
        first = lines[start.line - 1][start.column - 1 :] if start.line <= len(lines) else ""
        block = first.lstrip()[:1] in ("|", ">")  # the text starts on the next line
        return Location(start.file, start.line + link.line + int(block), 1)

    def source_lines(self) -> list[str]:
        """The events file's lines, read once, when a bad link needs its place."""
        if self._lines is None:
            try:
                self._lines = self.events_file.read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines = []
        return self._lines

    def check_media(self, path: DocPath, media: dict[str, Any], over_limit: Collection[DocPath] = ()) -> None:
        file, url = media.get("file"), media.get("url")
        if file is not None and url is not None:
            self.error((*path, "url"), "give file or url, not both", url)
        elif file is None and url is None:
            self.error(path, "needs a file (a picture beside the events file) or a url", None)
        if not isinstance(file, str) or not file.strip() or "\0" in file or (*path, "file") in over_limit:
            return  # a NUL, which no path can hold, is reported as a control character
        from pledge_timeline.media import read_image  # Pillow: only a file with pictures needs it

        try:
            self.media[file] = read_image(self.events_file, file)
        except FieldProblem as problem:
            self.error((*path, "file"), str(problem), file)

    def error(self, path: DocPath, message: str, value: object) -> None:
        self.doc.errors.append(TimelineError(self.doc.where(path), path, message, value))


def _nth(lines: list[str], start: Location, needle: str, occurrence: int) -> tuple[int, int] | None:
    """The 1-based line and column of the ``occurrence``-th (from 0) ``needle`` from ``start``."""
    count = 0
    for index in range(start.line - 1, len(lines)):
        line = lines[index]
        column = start.column - 1 if index == start.line - 1 else 0
        while (column := line.find(needle, column)) >= 0:
            if count == occurrence:
                return index + 1, column + 1
            count += 1
            column += 1
    return None
