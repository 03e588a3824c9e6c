"""Validate an events file and build the model, reporting every problem at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import time
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any, get_args

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from pledge_timeline.dates import DateSyntaxError, Span, make_span, parse_date, parse_span
from pledge_timeline.document import DOCUMENT, EventDoc, TimelineDoc, as_day
from pledge_timeline.errors import InvalidTimeline, Path, TimelineError
from pledge_timeline.loader import Document, load_document, with_positions
from pledge_timeline.outputs import folder_url

if TYPE_CHECKING:
    from pledge_timeline.model import Event, Source, Tag, Timeline

TOP_LEVEL_KEYS = ("timeline", "tags", "sources", "events")


def load_timeline(file: FilePath, display_name: str | None = None) -> Timeline:
    """Read, validate and build; raise InvalidTimeline listing every problem found."""
    return build_model(validate_timeline(file, display_name))


def validate_timeline(file: FilePath, display_name: str | None = None) -> TimelineDoc:
    """Read and validate; raise InvalidTimeline listing every problem found."""
    doc = load_document(file, display_name, positions=False)
    parsed = None if doc.unreadable else validate_document(doc)
    if (doc.errors or parsed is None) and not doc.positioned:
        doc = with_positions(doc)  # problems are rare: only then find where they are
        parsed = validate_document(doc)
    if doc.errors or parsed is None:
        raise InvalidTimeline(doc.errors)
    return parsed  # the YAML's data goes with ``doc``, before a model is built


def validate_document(doc: Document) -> TimelineDoc | None:
    """Add every problem to ``doc.errors``; return the parsed document when there are none."""
    if not isinstance(doc.data, dict):
        doc.error(
            doc.where(()),
            (),
            "the top level must be a mapping with the keys " + ", ".join(TOP_LEVEL_KEYS),
            doc.data,
        )
        return None
    parsed: TimelineDoc | None = None
    try:
        parsed = DOCUMENT.validate_python(doc.data)
    except ValidationError as exc:
        details = exc.errors(include_url=False)
        misspelled = _misspelled_keys(details)
        for detail in details:
            path = tuple(detail["loc"])
            if path not in doc.placeholders and path not in misspelled:
                doc.errors.append(_located(doc, detail))
    CrossChecks(doc, doc.data).run()
    return parsed if not doc.errors else None


def _misspelled_keys(details: list[ErrorDetails]) -> set[Path]:
    """Missing keys that an unknown key nearby is a typo of: the typo's error says it all."""
    unknown = [tuple(d["loc"]) for d in details if d["type"] == "extra_forbidden"]
    found: set[Path] = set()
    for detail in details:
        path = tuple(detail["loc"])
        if detail["type"] != "missing":
            continue
        typos = [str(u[-1]) for u in unknown if u[:-1] == path[:-1]]
        if _closest(str(path[-1]), typos) is not None:
            found.add(path)
    return found


def _located(doc: Document, detail: ErrorDetails) -> TimelineError:
    path: Path = tuple(detail["loc"])
    kind = detail["type"]
    value = detail.get("input")
    if kind == "missing":
        parent = path[:-1]
        return TimelineError(doc.where(parent), parent, f"missing required key '{path[-1]}'")
    if kind == "extra_forbidden":
        return TimelineError(doc.where_key(path), path, _unknown_key_message(doc, path), value)
    return TimelineError(doc.where(path), path, _message(kind, detail), value)


def _unknown_key_message(doc: Document, path: Path) -> str:
    key = str(path[-1])
    message = f"unknown key '{key}'"
    known = _known_keys(path[:-1])
    close = _closest(key, known)
    if close is not None:
        return f"{message} (did you mean '{close}'?)"
    return f"{message}; expected one of: {', '.join(known)}"


def _closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate that ``word`` is most likely a typo of, if any."""
    import difflib  # only a file with problems needs it: not imported by every valid check

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def _known_keys(parent: Path) -> list[str]:
    model: Any = TimelineDoc
    for part in parent:
        if isinstance(part, str):
            model = _model_in(model.model_fields[part].annotation)
    return list(model.model_fields)


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside ``X``, ``X | None`` or ``list[X]``."""
    if hasattr(annotation, "model_fields"):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def _message(kind: str, detail: ErrorDetails) -> str:
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    if kind == "string_type":
        if value is None:
            return "is empty; write a value"
        return f"expected text, found {_describe(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys, found {_describe(value)}"
    if kind == "list_type":
        return f"expected a list, found {_describe(value)}"
    if kind in ("float_parsing", "float_type"):
        return f"expected a number, found {_describe(value)}"
    if kind == "greater_than_equal":
        return f"{value} is out of range (at least {ctx.get('ge')})"
    if kind == "less_than_equal":
        return f"{value} is out of range (at most {ctx.get('le')})"
    if kind == "too_short":
        return "needs at least one entry"
    return str(detail["msg"])


class CrossChecks:
    """Checks across fields and records, on the raw data so they run even when some fields are bad."""

    def __init__(self, doc: Document, data: dict[str, Any]) -> None:
        self.doc = doc
        self.data = data

    def run(self) -> None:
        tag_ids = self.unique_ids("tags")
        source_ids = self.unique_ids("sources")
        self.unique_ids("events")
        used_tags: set[str] = set()
        for path, event in self.records("events"):
            self.check_tags(path, event, tag_ids, used_tags)
            self.check_sources(path, event, source_ids)
            self.check_when(path, event)
        misspelled = used_tags - set(tag_ids)
        for tag_id, path in tag_ids.items():
            if tag_id not in used_tags and _closest(tag_id, misspelled) is None:
                self.error(
                    (*path, "id"), f"tag '{tag_id}' is not used by any event; remove it or tag an event"
                )

    def records(self, key: str) -> Iterator[tuple[Path, dict[str, Any]]]:
        for index, record in enumerate(_list(self.data.get(key))):
            if isinstance(record, dict):
                yield (key, index), record

    def unique_ids(self, key: str) -> dict[str, Path]:
        seen: dict[str, Path] = {}
        for path, record in self.records(key):
            record_id = record.get("id")
            if not isinstance(record_id, str):
                continue
            if record_id in seen:
                first = self.doc.where((*seen[record_id], "id"))
                self.error(
                    (*path, "id"),
                    f"duplicate id '{record_id}' (first used at line {first.line}); ids must be unique",
                )
            else:
                seen[record_id] = path
        return seen

    def check_tags(
        self, path: Path, event: dict[str, Any], tag_ids: dict[str, Path], used_tags: set[str]
    ) -> None:
        """Every tag of the event is in ``tags``; each one is added to ``used_tags``."""
        for index, tag in enumerate(_list(event.get("tags"))):
            if not isinstance(tag, str):
                continue
            used_tags.add(tag)
            if tag not in tag_ids:
                self.error((*path, "tags", index), _unknown_ref("tag", tag, tag_ids))

    def check_sources(self, path: Path, event: dict[str, Any], source_ids: dict[str, Path]) -> None:
        for key in ("sources", "revisions"):
            for index, item in enumerate(_list(event.get(key))):
                ref = item.get("source") if isinstance(item, dict) else None
                if isinstance(ref, str) and ref not in source_ids:
                    self.error((*path, key, index, "source"), _unknown_ref("source", ref, source_ids))

    def check_when(self, path: Path, event: dict[str, Any]) -> None:
        span = self.span_of(path, event)
        start_time, end_time = event.get("time"), event.get("end_time")
        if span is not None and start_time is not None and not span.is_exact:
            self.error(
                (*path, "time"),
                f"a time needs an exact, certain day, but the date is {span.label}; remove the time",
            )
        if end_time is not None and start_time is None:
            self.error((*path, "end_time"), "end_time needs a time")
        if event.get("timezone") is not None and start_time is None:
            self.error((*path, "timezone"), "timezone is used only with a time; remove it or add a time")
        if (
            isinstance(start_time, str)
            and isinstance(end_time, str)
            and end_time < start_time
            and span is not None
            and span.first_day == span.last_day
        ):
            self.error((*path, "end_time"), f"end_time {end_time} comes before time {start_time}")

    def span_of(self, path: Path, event: dict[str, Any]) -> Span | None:
        date_text, end_text = event.get("date"), event.get("end")
        if not isinstance(date_text, str):
            return None
        try:
            span = parse_span(date_text)
        except DateSyntaxError:
            return None  # reported by the field check
        if not isinstance(end_text, str):
            return span
        if span.end is not None:
            self.error((*path, "end"), "the date is already an interval START/END; remove end")
            return None
        try:
            return make_span(span.start, parse_date(end_text))
        except DateSyntaxError as exc:
            if "comes before" in str(exc):
                self.error((*path, "end"), str(exc))
            return None

    def error(self, path: Path, message: str) -> None:
        self.doc.errors.append(TimelineError(self.doc.where(path), path, message, self.value_at(path)))

    def value_at(self, path: Path) -> object:
        value: Any = self.data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value


def _unknown_ref(kind: str, ref: str, known: dict[str, Path]) -> str:
    close = _closest(ref, known)
    hint = f" (did you mean '{close}'?)" if close is not None else f"; add it to {kind}s first"
    return f"unknown {kind} '{ref}'{hint}"


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def build_model(doc: TimelineDoc) -> Timeline:
    # The model is imported where one is built, not with this module: checking a file needs none.
    from pledge_timeline.model import Source, Tag, Timeline

    tags = {t.id: Tag(t.id, t.label, t.description) for t in doc.tags}
    sources = {
        s.id: Source(s.id, s.title, s.publisher, parse_span(s.published), s.url, s.archive)
        for s in doc.sources
    }
    meta = doc.timeline
    return Timeline(
        title=meta.title,
        description=meta.description,
        language=meta.language,
        base_url=folder_url(meta.base_url),
        timezone=meta.timezone,
        curator=meta.curator,
        rights=meta.rights,
        icon=meta.icon,
        tags=tuple(tags.values()),
        sources=tuple(sources.values()),
        events=tuple(_events(doc.events, tags, sources, meta.timezone)),
    )


def _events(
    docs: list[EventDoc], tags: dict[str, Tag], sources: dict[str, Source], default_zone: str
) -> Iterator[Event]:
    from pledge_timeline.model import Citation, Event, Place, Revision, When  # see build_model

    for doc in docs:
        span = parse_span(doc.date)
        if doc.end is not None:
            span = make_span(span.start, parse_date(doc.end))
        yield Event(
            id=doc.id,
            title=doc.title,
            when=When(
                span=span,
                display=doc.display_date,
                start_time=time.fromisoformat(doc.time) if doc.time else None,
                end_time=time.fromisoformat(doc.end_time) if doc.end_time else None,
                timezone=(doc.timezone or default_zone) if doc.time else None,
            ),
            summary=doc.summary,
            citations=tuple(Citation(sources[c.source], c.quote) for c in doc.sources),
            tags=tuple(tags[t] for t in doc.tags),
            actors=tuple(doc.actors),
            place=Place(doc.place.name, doc.place.lat, doc.place.lon) if doc.place else None,
            revisions=tuple(
                Revision(as_day(r.date), r.what, sources[r.source] if r.source else None, r.before, r.after)
                for r in sorted(doc.revisions, key=lambda r: r.date)
            ),
            recorded=as_day(doc.recorded) if doc.recorded else None,
            note=doc.note,
        )
