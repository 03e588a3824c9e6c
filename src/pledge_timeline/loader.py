"""Read an events file into plain data, remembering where every key and value stood.

Scalars are kept exactly as typed (always ``str``, or ``None`` for an empty or ``null``
value): YAML 1.1's implicit typing would turn ``no`` into ``False``, ``9:30`` into ``570``
and ``2015-09-16`` into a date object. The validator decides what each field means.

Only the safe subset of YAML is accepted: one document, no aliases, no tags other than
``!!str``, no duplicate keys. The file size is checked before anything is read, so a huge
file or an alias bomb is refused quickly in bounded memory.

One walker over libyaml's events builds the data and reports what it refuses, each refusal at
the event where it is found. Where every other key and value starts is needed only to report a
problem that validation finds, so it is not recorded on the way (every valid file would pay for
the rare invalid one; see benchmarks/README.md): the first ``LoadedYaml.where`` walks the text
again, recording one integer per key and value in the order they come, and works out each
path's ``Location`` from those.
"""

from __future__ import annotations

import codecs
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
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
    SequenceStartEvent,
)

from pledge_timeline.errors import DocPath, Location, TimelineError

MAX_FILE_BYTES = 32 * 2**20
"""The default input limit (``load_yaml``'s ``max_bytes``)."""
MAX_DEPTH = 32
BYTES_PER_EVENT = 32
MIN_EVENTS = 1 << 16
"""A file may hold ``max(limit // BYTES_PER_EVENT, MIN_EVENTS)`` parser events (a scalar, an
alias, a collection's start or end; 1,048,576 at the default limit). What reading costs grows
with the events, not the bytes: one-letter list items are an event per 2 bytes, a story-like
file one per 26 at most, so the limit on events keeps the cost of any file its byte limit lets
in within that of a story-like file of that size."""
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
STR_TAGS = frozenset({"!!str", "tag:yaml.org,2002:str", "!"})
_COLUMN_BITS = 32
"""A start is ``line << _COLUMN_BITS | column``: a file within any limit has shorter lines."""

try:  # libyaml's parser is several times faster and reports the same marks
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing from the PyYAML wheel
    from yaml import BaseLoader as _Loader  # type: ignore[assignment]

Value = dict[str, Any] | list[Any] | str | None


@dataclass
class LoadedYaml:
    """The file's data, what the loader refused in it, and where every value and key starts."""

    file: str
    data: Value
    errors: list[TimelineError] = field(default_factory=list)
    placeholders: set[DocPath] = field(default_factory=set)
    """Values the loader refused (an alias, a tag) and left empty; already reported."""
    unreadable: bool = False
    """True when the file could not be read or parsed at all: nothing more to check."""
    source: bytes = field(default=b"", repr=False)
    """The text as read (UTF-8, without a byte order mark): walked again to find positions."""
    max_events: int = field(default=0, repr=False)
    _index: tuple[dict[DocPath, Location], dict[DocPath, Location]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def values(self) -> dict[DocPath, Location]:
        """The location of every value, by path."""
        return self._located()[0]

    @property
    def keys(self) -> dict[DocPath, Location]:
        """The location of every mapping key, by the path of its value."""
        return self._located()[1]

    def where(self, path: DocPath) -> Location:
        """The value at ``path``, or the nearest enclosing value that exists."""
        values = self.values
        for end in range(len(path), -1, -1):
            location = values.get(path[:end])
            if location is not None:
                return location
        return Location(self.file, 1, 1)

    def where_key(self, path: DocPath) -> Location:
        return self.keys.get(path) or self.where(path)

    def error(self, location: Location, path: DocPath, message: str, value: object = None) -> None:
        self.errors.append(TimelineError(location, path, message, value))

    def _located(self) -> tuple[dict[DocPath, Location], dict[DocPath, Location]]:
        if self._index is None:
            starts: array[int] = array("q")
            if self.source and not self.unreadable:  # the same walk, recording each start
                _parse(self.source, LoadedYaml(self.file, None), self.max_events, starts.append)
            self._index = _index_starts(self.file, self.data, starts)
        return self._index


def _index_starts(
    file: str, data: Value, starts: array[int]
) -> tuple[dict[DocPath, Location], dict[DocPath, Location]]:
    """``LoadedYaml.values`` and ``keys``: ``data`` walked in the order its ``starts`` were recorded
    (0-based, packed): a value, then, if it is a mapping, each key followed by its value, or each
    item of a list."""
    values: dict[DocPath, Location] = {}
    keys: dict[DocPath, Location] = {}
    order = iter(starts)
    mask = (1 << _COLUMN_BITS) - 1

    def location() -> Location:
        start = next(order)
        return Location(file, (start >> _COLUMN_BITS) + 1, (start & mask) + 1)

    def visit(value: Value, path: DocPath) -> None:
        values[path] = location()
        if type(value) is dict:
            for key, item in value.items():
                keys[(*path, key)] = location()
                visit(item, (*path, key))
        elif type(value) is list:
            for index, item in enumerate(value):
                visit(item, (*path, index))

    if starts:
        visit(data, ())
    return values, keys


def load_yaml(file: Path, display_name: str | None = None, *, max_bytes: int = MAX_FILE_BYTES) -> LoadedYaml:
    """Read ``file`` (refused unread when it is over ``max_bytes``) and walk its events once (again
    only if a problem is to be located: ``LoadedYaml.where``)."""
    name = display_name or str(file)
    doc = LoadedYaml(name, None)
    raw = _read_bytes(file, doc, max_bytes)
    text = None if raw is None else _decode(raw, doc)
    if raw is None or text is None:
        doc.unreadable = True
        return doc
    if _is_empty(text):
        doc.error(Location(name, 1, 1), (), "the file is empty; it needs timeline, tags, sources and events")
        doc.unreadable = True
        return doc
    del text  # parsed from UTF-8: as a str, text with an emoji takes 4 bytes a character
    doc.source = raw.removeprefix(codecs.BOM_UTF8)
    doc.max_events = max(max_bytes // BYTES_PER_EVENT, MIN_EVENTS)
    _parse(doc.source, doc, doc.max_events)
    return doc


def _parse(
    utf8: bytes, doc: LoadedYaml, max_events: int, record: Callable[[int], None] | None = None
) -> None:
    """Walk the text into ``doc``; ``record`` is given where each key and value starts."""
    name = doc.file
    loader = _Loader(utf8)
    # get_event gives None at the end; islice stops a file with too many events where they start
    walker = _Walker(islice(iter(loader.get_event, None), max_events), doc, record)
    try:
        try:
            ended = walker.stream()
        except StopIteration:  # the events ran out inside a collection: the limit was reached
            ended = True
        if ended and loader.check_event():
            doc.errors = [
                TimelineError(
                    Location(name, 1, 1),
                    (),
                    f"the file holds more than {max_events:,} YAML values, keys and collections; "
                    "--max-input-size raises the limit (one per 32 bytes of it)",
                )
            ]
            doc.data, doc.unreadable = None, True
            return
    except yaml.reader.ReaderError as exc:
        line = utf8.count(b"\n", 0, exc.position) + 1
        line_start = utf8.rfind(b"\n", 0, exc.position) + 1
        column = len(utf8[line_start : exc.position].decode("utf-8", errors="replace")) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        doc.errors = [
            TimelineError(
                Location(name, line, column),
                (),
                f"the control character U+{ord(char):04X} is not allowed in YAML; remove it",
            )
        ]
        doc.data, doc.unreadable = None, True
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem:
            opened = exc.context_mark
            problem = f"{exc.context} (line {opened.line + 1}, column {opened.column + 1}): {problem}"
        doc.errors = [TimelineError(Location(name, line, column), (), f"YAML syntax error: {problem}")]
        doc.data, doc.unreadable = None, True
    except yaml.YAMLError as exc:
        doc.errors = [TimelineError(Location(name, 1, 1), (), f"YAML syntax error: {exc}")]
        doc.data, doc.unreadable = None, True
    else:
        if not doc.unreadable:
            walker.report_duplicates()
    finally:
        loader.dispose()  # as yaml.parse does: frees the pure-Python parser's states


def _read_bytes(file: Path, doc: LoadedYaml, max_bytes: int) -> bytes | None:
    start = Location(doc.file, 1, 1)
    try:
        size = file.stat().st_size
        if size > max_bytes:
            doc.error(
                start,
                (),
                f"the file is {_size(size)}; the limit is {_size(max_bytes)} (--max-input-size raises it)",
            )
            return None
        return file.read_bytes()
    except OSError as exc:
        doc.error(start, (), f"cannot read the file: {exc.strerror or exc}")
        return None


def _size(count: int) -> str:
    """``33554432`` -> ``32 MiB``; exact when it can be, else to a tenth."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            whole, rest = divmod(count, scale)
            return f"{whole} {unit}" if not rest else f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def _decode(raw: bytes, doc: LoadedYaml) -> str | None:
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


def _start(event: Any) -> int:
    mark = event.start_mark
    return mark.line << _COLUMN_BITS | mark.column  # type: ignore[no-any-return]


class _Walker:
    """Builds the data from parser events by recursive descent: one call per collection, whose
    own loop knows whether a key or a value comes next. A collection nested deeper than
    ``MAX_DEPTH``, or refused, is skipped by counting, so the recursion stays shallow.

    A path is made only for a collection (its values' paths are made when one is refused). With
    ``record``, each value's start is given to it before anything else about the value, and each
    key's before its value's, so the starts follow the data exactly (``_index_starts``)."""

    def __init__(self, events: Iterator[Any], doc: LoadedYaml, record: Callable[[int], None] | None) -> None:
        self.events = events
        self.doc = doc
        self.record = record
        self.keys: dict[str, str] = {}  # one copy of each key: every event repeats "id", "title"...
        self.duplicates: list[tuple[Location, DocPath]] = []

    def stream(self) -> bool:
        """Read the file's document; False if it stopped at a second one (reported)."""
        documents = 0
        for event in self.events:
            if type(event) is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.refuse(event, (), "the file holds more than one YAML document; keep one")
                    return False
                self.doc.data = self.value(next(self.events), ())
        return True

    def value(self, event: Any, path: DocPath) -> Value:
        """The value that ``event`` starts, at ``path``; None (reported) if it is refused."""
        if self.record is not None:
            self.record(_start(event))
        kind = type(event)
        if kind is ScalarEvent:
            tag = event.tag
            if tag is None:
                return None if not event.style and event.value in NULLS else event.value
            if tag in STR_TAGS:
                return event.value  # type: ignore[no-any-return]
            self.placeholder(event, path, f"YAML tag {tag} is not allowed; remove it")
            return None
        if kind is AliasEvent:
            self.placeholder(event, path, "YAML aliases (*name) are not allowed; write the value out")
            return None
        if event.tag is not None and event.tag != "!":
            self.placeholder(event, path, f"YAML tag {event.tag} is not allowed; remove it")
        elif len(path) > MAX_DEPTH:
            self.placeholder(event, path, f"nested deeper than {MAX_DEPTH} levels")
        else:
            return self.mapping(path) if kind is MappingStartEvent else self.sequence(path)
        self.skip_collection()
        return None

    def mapping(self, path: DocPath) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        events, keys, record = self.events, self.keys, self.record
        value: Value
        for event in events:
            kind = type(event)
            if kind is ScalarEvent and (event.tag is None or event.tag in STR_TAGS):
                key = None if event.tag is None and not event.style and event.value in NULLS else event.value
                if key is None:
                    self.refuse(event, path, "a key cannot be empty")
                elif key in mapping:
                    self.duplicates.append((_location(self.doc, event), (*path, key)))
                else:
                    if record is not None:
                        record(_start(event))
                    start: Any = next(events)
                    if type(start) is ScalarEvent and start.tag is None:  # most values: plain text
                        if record is not None:
                            record(_start(start))
                        value = None if not start.style and start.value in NULLS else start.value
                    else:
                        value = self.value(start, (*path, key))
                    mapping[keys.setdefault(key, key)] = value
                    continue
            elif kind is MappingEndEvent:
                return mapping
            elif kind is ScalarEvent:
                self.refuse(event, path, "YAML tags are not allowed on keys")
            elif kind is AliasEvent:
                self.refuse(event, path, "a YAML alias cannot be a key")
            else:
                self.refuse(event, path, "a key must be plain text, not a list or mapping")
                self.skip_collection()
            self.skip_value(path)
        return mapping

    def sequence(self, path: DocPath) -> list[Any]:
        sequence: list[Any] = []
        record = self.record
        for event in self.events:
            kind = type(event)
            if kind is ScalarEvent and event.tag is None:
                if record is not None:
                    record(_start(event))
                sequence.append(None if not event.style and event.value in NULLS else event.value)
            elif kind is SequenceEndEvent:
                return sequence
            else:
                sequence.append(self.value(event, (*path, len(sequence))))
        return sequence

    def skip_value(self, parent: DocPath) -> None:
        """Read past the value of a refused key. It is not kept, but an alias or a tag in it is
        still reported (at the parent's path and an empty key)."""
        event = next(self.events)
        kind = type(event)
        if kind is ScalarEvent:
            if event.tag is not None and event.tag not in STR_TAGS:
                self.placeholder(event, (*parent, ""), f"YAML tag {event.tag} is not allowed; remove it")
        elif kind is AliasEvent:
            self.placeholder(
                event, (*parent, ""), "YAML aliases (*name) are not allowed; write the value out"
            )
        else:
            self.skip_collection()

    def skip_collection(self) -> None:
        """Read past the rest of a collection whose start was just read."""
        depth = 1
        for event in self.events:
            kind = type(event)
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                depth += 1
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                depth -= 1
                if depth == 0:
                    return

    def refuse(self, event: Any, path: DocPath, message: str) -> None:
        self.doc.error(_location(self.doc, event), path, message)

    def placeholder(self, event: Any, path: DocPath, message: str) -> None:
        """Refuse the value ``event`` starts; validation says nothing more about ``path``."""
        self.refuse(event, path, message)
        self.doc.placeholders.add(path)

    def report_duplicates(self) -> None:
        """Each repeated key, with the line of its first use (known once the data is whole)."""
        for location, path in self.duplicates:
            first = self.doc.where_key(path)
            self.doc.error(
                location, path, f"duplicate key '{path[-1]}' (first given at line {first.line}); keep one"
            )


def _location(doc: LoadedYaml, event: Any) -> Location:
    mark = event.start_mark
    return Location(doc.file, mark.line + 1, mark.column + 1)
