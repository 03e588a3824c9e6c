"""Read an events file into plain data, remembering where every key and value stood.

Scalars are kept exactly as typed (always ``str``, or ``None`` for an empty or ``null``
value): YAML 1.1's implicit typing would turn ``no`` into ``False``, ``9:30`` into ``570``
and ``2015-09-16`` into a date object. The validator decides what each field means.

Only the safe subset of YAML is accepted: one document, no aliases, no tags other than
``!!str``, no duplicate keys. The file size is checked before anything is read, so a huge
file or an alias bomb is refused quickly in bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import yaml
import yaml.reader

from pledge_timeline.errors import Location, Path, TimelineError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 32
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
STR_TAGS = frozenset({"!!str", "tag:yaml.org,2002:str", "!"})

try:  # libyaml's parser is several times faster and reports the same marks
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing from the PyYAML wheel
    from yaml import BaseLoader as _Loader  # type: ignore[assignment]

Value = dict[str, Any] | list[Any] | str | None


@dataclass
class Document:
    """The file's data plus the position of every value and every mapping key."""

    file: str
    data: Value
    values: dict[Path, Location] = field(default_factory=dict)
    keys: dict[Path, Location] = field(default_factory=dict)
    errors: list[TimelineError] = field(default_factory=list)
    placeholders: set[Path] = field(default_factory=set)
    """Values the loader refused (an alias, a tag) and left empty; already reported."""
    unreadable: bool = False
    """True when the file could not be read or parsed at all: nothing more to check."""

    def where(self, path: Path) -> Location:
        """The value at ``path``, or the nearest enclosing value that exists."""
        for end in range(len(path), -1, -1):
            location = self.values.get(path[:end])
            if location is not None:
                return location
        return Location(self.file, 1, 1)

    def where_key(self, path: Path) -> Location:
        return self.keys.get(path) or self.where(path)

    def error(self, location: Location, path: Path, message: str, value: object = None) -> None:
        self.errors.append(TimelineError(location, path, message, value))


def load_document(file: FilePath, display_name: str | None = None) -> Document:
    name = display_name or str(file)
    doc = Document(name, None)
    text = _read_text(file, doc)
    if text is None:
        doc.unreadable = True
        return doc
    if not text.strip() or all(_is_comment_or_blank(line) for line in text.splitlines()):
        doc.error(Location(name, 1, 1), (), "the file is empty; it needs timeline, tags, sources and events")
        doc.unreadable = True
        return doc
    try:
        _Builder(doc).build(yaml.parse(text, Loader=_Loader))
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        doc.errors = [
            TimelineError(
                Location(name, line, column),
                (),
                f"the control character U+{ord(char):04X} is not allowed in YAML; remove it",
            )
        ]
        doc.unreadable = True
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem:
            opened = exc.context_mark
            problem = f"{exc.context} (line {opened.line + 1}, column {opened.column + 1}): {problem}"
        doc.errors = [TimelineError(Location(name, line, column), (), f"YAML syntax error: {problem}")]
        doc.unreadable = True
    except yaml.YAMLError as exc:
        doc.errors = [TimelineError(Location(name, 1, 1), (), f"YAML syntax error: {exc}")]
        doc.unreadable = True
    return doc


def _read_text(file: FilePath, doc: Document) -> str | None:
    start = Location(doc.file, 1, 1)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            doc.error(
                start, (), f"the file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MiB"
            )
            return None
        raw = file.read_bytes()
    except OSError as exc:
        doc.error(start, (), f"cannot read the file: {exc.strerror or exc}")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        doc.error(
            Location(doc.file, line, column),
            (),
            f"the file is not UTF-8: byte 0x{byte:02x} at offset {exc.start} cannot be decoded; "
            "save the file as UTF-8",
        )
        return None


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped in ("---", "...")


def _location(doc: Document, mark: Any) -> Location:
    return Location(doc.file, mark.line + 1, mark.column + 1)


@dataclass
class _Frame:
    path: Path
    container: dict[str, Any] | list[Any]
    pending_key: str | None = None
    key_location: Location | None = None
    skip_value: bool = False


class _Builder:
    """Builds plain data from parser events iteratively, so no nesting depth can recurse."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.stack: list[_Frame] = []
        self.documents = 0
        self.root_set = False
        self.skipping = 0  # depth inside a collection that is dropped (bad key, alias...)

    def build(self, events: Any) -> None:
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    self.doc.error(
                        _location(self.doc, event.start_mark),
                        (),
                        "the file holds more than one YAML document; keep one",
                    )
                    return
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event)
            elif isinstance(event, yaml.ScalarEvent):
                self._scalar(event)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                self._start(event)
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                self._end()

    def _alias(self, event: Any) -> None:
        if self.skipping:
            return
        if self._is_key_position():
            self._take_key(None, event, "a YAML alias cannot be a key")
            return
        self._place(
            None, event, allowed=False, message="YAML aliases (*name) are not allowed; write the value out"
        )

    def _scalar(self, event: Any) -> None:
        if self.skipping:
            return
        value = _scalar_value(event)
        tag_ok = event.tag is None or event.tag in STR_TAGS
        if self._is_key_position():
            self._take_key(
                value if tag_ok else None, event, None if tag_ok else "YAML tags are not allowed on keys"
            )
            return
        if not tag_ok:
            self._place(None, event, allowed=False, message=f"YAML tag {event.tag} is not allowed; remove it")
            return
        self._place(value, event)

    def _start(self, event: Any) -> None:
        if self.skipping:
            self.skipping += 1
            return
        if self.stack and self.stack[-1].skip_value:
            self.stack[-1].skip_value = False
            self.skipping = 1
            return
        if self._is_key_position():
            self._take_key(None, event, "a key must be plain text, not a list or mapping")
            self.skipping = 1
            return
        if event.tag is not None and event.tag not in ("!", None):
            self._place(None, event, allowed=False, message=f"YAML tag {event.tag} is not allowed; remove it")
            self.skipping = 1
            return
        path = self._next_path()
        if len(path) > MAX_DEPTH:
            self._place(None, event, allowed=False, message=f"nested deeper than {MAX_DEPTH} levels")
            self.skipping = 1
            return
        container: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
        self._place(container, event)
        self.stack.append(_Frame(path, container))

    def _end(self) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        self.stack.pop()

    def _is_key_position(self) -> bool:
        if not self.stack:
            return False
        top = self.stack[-1]
        return isinstance(top.container, dict) and top.pending_key is None and not top.skip_value

    def _take_key(self, key: str | None, event: Any, problem: str | None) -> None:
        top = self.stack[-1]
        location = _location(self.doc, event.start_mark)
        assert isinstance(top.container, dict)
        if problem is not None or key is None:
            self.doc.error(location, top.path, problem or "a key cannot be empty")
            top.skip_value = True
            return
        if key in top.container:
            first = self.doc.keys[(*top.path, key)]
            self.doc.error(
                location,
                (*top.path, key),
                f"duplicate key '{key}' (first given at line {first.line}); keep one",
            )
            top.skip_value = True
            return
        top.pending_key = key
        top.key_location = location

    def _next_path(self) -> Path:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container))
        return (*top.path, top.pending_key or "")

    def _place(self, value: Any, event: Any, *, allowed: bool = True, message: str = "") -> None:
        location = _location(self.doc, event.start_mark)
        path = self._next_path()
        if not allowed:
            self.doc.error(location, path, message)
            self.doc.placeholders.add(path)
        if not self.stack:
            self.doc.data = value if allowed else None
            self.doc.values[path] = location
            return
        top = self.stack[-1]
        if isinstance(top.container, list):
            top.container.append(value if allowed else None)
        elif top.skip_value:
            top.skip_value = False
            return
        else:
            assert top.pending_key is not None
            assert top.key_location is not None
            top.container[top.pending_key] = value if allowed else None
            self.doc.keys[path] = top.key_location
            top.pending_key = None
        self.doc.values[path] = location


def _scalar_value(event: Any) -> str | None:
    is_plain = not event.style  # None from the pure-Python parser, "" from libyaml
    if is_plain and event.value in NULLS and event.tag is None:
        return None
    return str(event.value)
