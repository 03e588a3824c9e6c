"""Typed errors that carry where in the events file they were found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
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
    path: Path
    message: str
    value: object = None

    def __str__(self) -> str:
        loc = self.location
        return f"{loc.file}:{loc.line}:{loc.column}: {format_path(self.path)}: {self.message}"

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.location.line, self.location.column, self.message)


class InvalidTimeline(Exception):
    """Every problem found in one file, sorted by position."""

    def __init__(self, errors: Iterable[TimelineError]) -> None:
        self.errors = tuple(sorted(errors, key=lambda e: e.sort_key))
        super().__init__("\n".join(str(e) for e in self.errors))
