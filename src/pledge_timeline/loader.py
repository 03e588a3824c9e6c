"""Read an events file into plain data, remembering where every key and value stood.

Scalars are kept exactly as typed (always ``str``, or ``None`` for an empty or ``null``
value): YAML 1.1's implicit typing would turn ``no`` into ``False``, ``9:30`` into ``570``
and ``2015-09-16`` into a date object. The validator decides what each field means.

Only the safe subset of YAML is accepted: one document, no aliases, no tags other than
``!!str``, no duplicate keys. The file size is checked before anything is read, so a huge
file or an alias bomb is refused quickly in bounded memory.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import yaml
import yaml.reader
from yaml import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
)

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
    positioned: bool = True
    """False when loaded without positions (``positions=False``): see ``with_positions``."""
    source: bytes | None = field(default=None, repr=False)
    """The file as UTF-8, kept when loaded without positions so they can be added later."""

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


def load_document(file: FilePath, display_name: str | None = None, *, positions: bool = True) -> Document:
    """Read ``file``; with ``positions=False``, skip recording where each value stood.

    Positions are only needed to report problems, and recording them is most of the loader's
    time. Without them, a file that the loader would complain about (an alias, a tag, a
    duplicate key, bad YAML...) is still loaded with positions, so its errors are exact; for
    later problems, ``with_positions`` re-reads the same text with them.
    """
    name = display_name or str(file)
    doc = Document(name, None)
    raw = _read_bytes(file, doc)
    text = None if raw is None else _decode(raw, doc)
    if raw is None or text is None:
        doc.unreadable = True
        return doc
    if _is_empty(text):
        doc.error(Location(name, 1, 1), (), "the file is empty; it needs timeline, tags, sources and events")
        doc.unreadable = True
        return doc
    if not positions:
        utf8 = raw.removeprefix(codecs.BOM_UTF8)
        del text, raw  # parsed from UTF-8: as a str, text with an emoji takes 4 bytes a character
        try:
            return Document(name, _plain_data(utf8), positioned=False, source=utf8)
        except (_NeedsPositions, yaml.YAMLError):
            text = utf8.decode("utf-8")  # the full pass below reports the problem where it is
    _parse_with_positions(text, doc)
    return doc


def with_positions(doc: Document) -> Document:
    """``doc`` with the position of every value: re-read from its text if it was loaded without."""
    if doc.positioned or doc.source is None:
        return doc
    positioned = Document(doc.file, None)
    _parse_with_positions(doc.source.decode("utf-8"), positioned)
    return positioned


def _parse_with_positions(text: str, doc: Document) -> None:
    name = doc.file
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


def _read_bytes(file: FilePath, doc: Document) -> bytes | None:
    start = Location(doc.file, 1, 1)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            doc.error(
                start, (), f"the file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MiB"
            )
            return None
        return file.read_bytes()
    except OSError as exc:
        doc.error(start, (), f"cannot read the file: {exc.strerror or exc}")
        return None


def _decode(raw: bytes, doc: Document) -> str | None:
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


def _is_empty(text: str) -> bool:
    """Only blank lines, comments and document markers (without copying a large text)."""
    if not text or text.isspace():
        return True
    head_end = text.find("\n", 1 << 16)  # a file with content shows it early: split a head first
    if head_end != -1 and not all(_is_comment_or_blank(line) for line in text[: head_end + 1].splitlines()):
        return False
    return all(_is_comment_or_blank(line) for line in text.splitlines())


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped in ("---", "...")


class _NeedsPositions(Exception):
    """The fast pass met something to report; the positioned pass will say where."""


def _plain_data(text: str | bytes) -> Value:
    """The file's data as ``_Builder`` builds it, without positions; a few times faster.

    Raises ``_NeedsPositions`` at anything ``_Builder`` would report (more than one document,
    an alias, a tag, an empty, duplicate or non-text key, too deep a nesting).
    """
    loader = _Loader(text)
    try:
        return _PlainReader(iter(loader.get_event, None)).stream()  # get_event gives None at the end
    finally:
        loader.dispose()  # as yaml.parse does: frees the pure-Python parser's states


class _PlainReader:
    """Builds plain data from parser events by recursive descent: one call per collection, whose
    own loop knows whether a key or a value comes next. Nesting deeper than ``MAX_DEPTH`` is
    refused before it is entered, so the recursion stays shallow."""

    def __init__(self, events: Iterator[Any]) -> None:
        self.events = events
        self.keys: dict[str, str] = {}  # one copy of each key: every event repeats "id", "title"...

    def stream(self) -> Value:
        root: Value = None
        documents = 0
        for event in self.events:
            if type(event) is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _NeedsPositions
                root = self.value(next(self.events), 0)
        return root

    def value(self, event: Any, depth: int) -> Value:
        """The value that ``event`` starts, ``depth`` keys or indexes down from the root."""
        if type(event) is ScalarEvent:
            return _plain_scalar(event)
        if type(event) is AliasEvent or (event.tag is not None and event.tag != "!") or depth > MAX_DEPTH:
            raise _NeedsPositions
        return self.mapping(depth) if type(event) is MappingStartEvent else self.sequence(depth)

    def mapping(self, depth: int) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        events, keys = self.events, self.keys
        for event in events:
            if type(event) is not ScalarEvent:
                if type(event) is MappingEndEvent:
                    return mapping
                raise _NeedsPositions  # a list, a mapping or an alias as a key
            key = _plain_scalar(event)
            if key is None or key in mapping:
                raise _NeedsPositions
            start = next(events)
            value = _plain_scalar(start) if type(start) is ScalarEvent else self.value(start, depth + 1)
            mapping[keys.setdefault(key, key)] = value
        return mapping

    def sequence(self, depth: int) -> list[Any]:
        sequence: list[Any] = []
        for event in self.events:
            if type(event) is ScalarEvent:
                sequence.append(_plain_scalar(event))
            elif type(event) is SequenceEndEvent:
                return sequence
            else:
                sequence.append(self.value(event, depth + 1))
        return sequence


def _plain_scalar(event: Any) -> str | None:
    """``_scalar_value`` for a text scalar; raises ``_NeedsPositions`` at any other tag."""
    tag = event.tag
    value: str = event.value
    if tag is None:
        return None if not event.style and value in NULLS else value
    if tag in STR_TAGS:
        return value
    raise _NeedsPositions


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
