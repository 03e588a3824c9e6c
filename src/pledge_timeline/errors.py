"""Typed errors that carry where in the events file they were found."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

DocPath = tuple[str | int, ...]
"""Where a value is in the events file's data: its keys and list indexes from the root."""

_SHOWN_ESCAPED = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
"""Controls (line breaks, ESC), format characters (bidi overrides, zero-width), line and
paragraph separators, and what is no character at all: none of them may reach a terminal as is."""
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` with every character that could break the line, move the cursor or reorder what
    is shown written as its escape (``\\n``, ``\\x1b``, ``\\u202e``), so one problem is one line."""
    if text.isprintable():  # no character of those categories: checked in C, not per character
        return text
    return "".join(_escaped(char) if unicodedata.category(char) in _SHOWN_ESCAPED else char for char in text)


def _escaped(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def format_path(path: DocPath) -> str:
    """``('events', 3, 'date')`` -> ``events[3].date``; the root is ``(root)``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(root)"


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int
    column: int
    """1-based, like compilers and editors."""


@dataclass(frozen=True)
class TimelineError(Exception):
    """One problem in the events file, at a line and column, at a path, about a value."""

    location: Location
    path: DocPath
    message: str
    value: object = None

    def __str__(self) -> str:
        loc = self.location
        return one_line(f"{loc.file}:{loc.line}:{loc.column}: {format_path(self.path)}: {self.message}")

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.location.line, self.location.column, self.message)


class InvalidTimeline(Exception):
    """Every problem found in one file, sorted by position."""

    def __init__(self, errors: Iterable[TimelineError]) -> None:
        self.errors = tuple(sorted(errors, key=lambda e: e.sort_key))
        super().__init__("\n".join(str(e) for e in self.errors))
