"""Validate an events file and build the model, reporting every problem at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import time
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import jsonschema_rs
from jsonschema_rs import ValidationErrorKind as Kind

from pledge_timeline import wallclock
from pledge_timeline.budget import MAIN_OUTPUTS, MAX_OUTPUT_BYTES, TAG_OUTPUTS, first_event_over_budget
from pledge_timeline.content_checks import ContentChecks
from pledge_timeline.dates import DateSyntaxError, Span, make_span, parse_date, parse_span
from pledge_timeline.document import (
    CHECK_KEYWORD,
    CHECKS,
    FieldProblem,
    Schema,
    check_count,
    check_number,
    check_time,
    is_time_zone,
    json_schema,
    subschema_at,
)
from pledge_timeline.errors import DocPath, InvalidTimeline, TimelineError
from pledge_timeline.loader import MAX_FILE_BYTES, LoadedYaml, load_yaml
from pledge_timeline.records import TimelineDoc

if TYPE_CHECKING:
    from pledge_timeline.model import MediaFile, Timeline

TOP_LEVEL_KEYS = ("timeline", "tags", "sources", "events")


def load_timeline(
    file: Path, display_name: str | None = None, *, max_bytes: int = MAX_FILE_BYTES
) -> Timeline:
    """Read, validate and build; raise InvalidTimeline listing every problem found."""
    from pledge_timeline.to_model import build_model  # the model: a build's, not a check's

    media: dict[str, MediaFile] = {}
    return build_model(validate_timeline(file, display_name, media, max_bytes=max_bytes), media)


def validate_timeline(
    file: Path,
    display_name: str | None = None,
    media: dict[str, MediaFile] | None = None,
    *,
    max_bytes: int = MAX_FILE_BYTES,
) -> TimelineDoc:
    """Read (a file over ``max_bytes`` is refused unread) and validate; raise InvalidTimeline
    listing every problem found. Each picture an event names is read and checked here, and put
    in ``media`` by the path written."""
    loaded = load_yaml(file, display_name, max_bytes=max_bytes)
    parsed = None if loaded.unreadable else validate_loaded(loaded, file, media)
    if loaded.errors or parsed is None:
        raise InvalidTimeline(loaded.errors)
    return parsed  # the YAML's data goes with ``loaded``, before a model is built


def validate_loaded(
    loaded: LoadedYaml, events_file: Path | None = None, media: dict[str, MediaFile] | None = None
) -> TimelineDoc | None:
    """Add every problem to ``loaded.errors``; return the validated data when there are none.
    Pictures are looked for beside ``events_file`` (``loaded.file`` if not given)."""
    if not isinstance(loaded.data, dict):
        loaded.error(
            loaded.where(()),
            (),
            "the top level must be a mapping with the keys " + ", ".join(TOP_LEVEL_KEYS),
            loaded.data,
        )
        return None
    schema = _text_schema()
    problems = list(schema.validator.iter_errors(loaded.data))
    unknown = [path for problem in problems for path in _unknown_keys(problem)]
    # A value over its length limit is judged no further: another message would repeat it.
    too_long = {tuple(p.instance_path) for p in problems if isinstance(p.kind, Kind.MaxLength)}
    for problem in problems:
        if tuple(problem.instance_path) in too_long and not isinstance(problem.kind, Kind.MaxLength):
            continue
        for error in _located(loaded, schema, problem, unknown):
            if error.path not in loaded.placeholders:
                loaded.errors.append(error)
    content = ContentChecks(loaded, events_file if events_file is not None else Path(loaded.file))
    CrossChecks(loaded, loaded.data, content, too_long).run()
    if media is not None:
        media.update(content.media)
    if not loaded.errors and (over := first_event_over_budget(loaded.data)) is not None:
        path, estimate = over
        loaded.errors.append(TimelineError(loaded.where(path), path, _over_budget(estimate)))
    return cast(TimelineDoc, loaded.data) if not loaded.errors else None


class TextSchema:
    """The JSON Schema as the loader's data needs it: there every scalar is text.

    So each field's ``x-check`` becomes a ``format`` that runs the check, a number is text
    too (``check_number`` reads it), and the ``pattern``s, which stand in for the checks in
    editors, are left out. Only the keywords change, so ``schema_path``s lead to the same
    places in both schemas.
    """

    def __init__(self, schema: Schema) -> None:
        self.original = schema
        self.checks: dict[str, Callable[[str], object]] = {}
        """The check each format of ``schema`` runs, by format name."""
        self.schema = _for_text(schema, self.checks)
        formats = {name: _format_function(check) for name, check in self.checks.items()}
        self.validator = jsonschema_rs.validator_for(self.schema, formats=formats, validate_formats=True)

    def expected_types(self, problem: jsonschema_rs.ValidationError) -> list[str]:
        """What the original schema asks for where ``problem``, a type error, was found."""
        field: Any = self.original
        for part in problem.schema_path[:-1]:  # the last is "type"
            field = field[part]
        types = field["type"]
        return [types] if isinstance(types, str) else list(types)

    def check_message(self, problem: jsonschema_rs.ValidationError, format_name: str) -> str:
        """What the check that failed says (formats only say yes or no)."""
        reason = _problem_with(self.checks[format_name], str(problem.instance))
        return problem.message if reason is None else str(reason)


def _for_text(schema: Schema, checks: dict[str, Callable[[str], object]]) -> Schema:
    """``schema`` for all-text data (see ``TextSchema``); adds the checks its formats run to ``checks``."""
    derived: Schema = {}
    for key, value in schema.items():
        if key == "properties":
            derived[key] = {name: _for_text(field, checks) for name, field in value.items()}
        elif key == "items":
            derived[key] = _for_text(value, checks)
        elif key not in ("pattern", CHECK_KEYWORD):
            derived[key] = value
    if CHECK_KEYWORD in schema:
        format_name, check = _format_for(schema)
        checks[format_name] = check
        derived["format"] = format_name
        derived["type"] = ["string", "null"] if "null" in schema["type"] else "string"
    return derived


def _format_for(field: Schema) -> tuple[str, Callable[[str], object]]:
    """The format that runs the field's ``x-check``, and the check."""
    name: str = field[CHECK_KEYWORD]
    if name not in ("number", "count"):
        return name, CHECKS[name]
    low, high = field["minimum"], field["maximum"]
    check = check_number if name == "number" else check_count
    return f"{name} from {low} to {high}", partial(check, minimum=low, maximum=high)


def _passes(check: Callable[[str], object], text: str) -> bool:
    return _problem_with(check, text) is None


def _format_function(check: Callable[[str], object]) -> Callable[[str], bool]:
    """``_passes`` as the format function jsonschema-rs calls for every value of a field."""

    def passes(text: str) -> bool:
        try:
            check(text)
        except FieldProblem:
            return False
        return True

    return passes


def _problem_with(check: Callable[[str], object], text: str) -> FieldProblem | None:
    try:
        check(text)
    except FieldProblem as problem:
        return problem
    return None


@cache
def _text_schema() -> TextSchema:
    return TextSchema(json_schema())


def _unknown_keys(problem: jsonschema_rs.ValidationError) -> list[DocPath]:
    if not isinstance(problem.kind, Kind.AdditionalProperties):
        return []
    return [(*problem.instance_path, key) for key in problem.kind.unexpected]


def _located(
    loaded: LoadedYaml, schema: TextSchema, problem: jsonschema_rs.ValidationError, unknown: list[DocPath]
) -> Iterator[TimelineError]:
    path: DocPath = tuple(problem.instance_path)
    kind = problem.kind
    if isinstance(kind, Kind.Required):
        if not _is_misspelled(kind.property, path, unknown):
            yield TimelineError(loaded.where(path), path, f"missing required key '{kind.property}'")
    elif isinstance(kind, Kind.AdditionalProperties):
        for key_path in _unknown_keys(problem):
            value = _value_at(loaded.data, key_path)
            message = _unknown_key_message(schema, key_path)
            yield TimelineError(loaded.where_key(key_path), key_path, message, value)
    else:
        yield TimelineError(loaded.where(path), path, _message(schema, problem), problem.instance)


def _over_budget(estimate: int) -> str:
    return (
        f"the outputs come to about {estimate / 2**20:,.0f} MiB with this event, over the limit of "
        f"{MAX_OUTPUT_BYTES / 2**20:,.0f} MiB: each event is written into {MAIN_OUTPUTS} outputs and "
        f"{TAG_OUTPUTS} more for each of its tags, with the title, publisher and URL of every source it "
        "cites; use fewer tags or citations, or shorter texts"
    )


def _is_misspelled(key: str, parent: DocPath, unknown: list[DocPath]) -> bool:
    """A missing key that an unknown key beside it is a typo of: the typo's error says it all."""
    typos = [str(path[-1]) for path in unknown if path[:-1] == parent]
    return _closest(key, typos) is not None


def _unknown_key_message(schema: TextSchema, path: DocPath) -> str:
    key = str(path[-1])
    message = f"unknown key '{key}'"
    known = list(subschema_at(schema.original, path[:-1])["properties"])
    close = _closest(key, known)
    if close is not None:
        return f"{message} (did you mean '{close}'?)"
    return f"{message}; expected one of: {', '.join(known)}"


def _closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate that ``word`` is most likely a typo of, if any."""
    import difflib  # only a file with problems needs it: not imported by every valid check

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


EXPECTED = {
    "string": "text",
    "object": "a mapping of keys",
    "array": "a list",
    "number": "a number",
    "integer": "a whole number",
}


def _message(schema: TextSchema, problem: jsonschema_rs.ValidationError) -> str:
    kind, value = problem.kind, problem.instance
    if isinstance(kind, Kind.Format):
        return schema.check_message(problem, kind.format)
    if isinstance(kind, Kind.Type):
        expected = next(EXPECTED.get(t, t) for t in schema.expected_types(problem) if t != "null")
        if value is None and expected == "text":
            return "is empty; write a value"
        return f"expected {expected}, found {_describe(value)}"
    if isinstance(kind, Kind.MinItems):
        return "needs at least one entry"
    if isinstance(kind, Kind.MaxLength):
        return f"is {len(str(value)):,} characters long; the limit is {kind.limit:,}"
    return problem.message


class CrossChecks:
    """Checks across fields and records, on the raw data so they run even when some fields are bad."""

    def __init__(
        self,
        loaded: LoadedYaml,
        data: dict[str, Any],
        content: ContentChecks,
        skipped: set[DocPath] | None = None,
    ) -> None:
        self.loaded = loaded
        self.data = data
        self.content = content
        self.skipped = skipped or set()
        """Paths whose values are over their length limit: already reported, never echoed."""

    def run(self) -> None:
        tag_ids = self.unique_ids("tags")
        source_ids = self.unique_ids("sources")
        self.unique_ids("events")
        used_tags: set[str] = set()
        for path, event in self.records("events"):
            self.check_tags(path, event, tag_ids, used_tags)
            self.check_sources(path, event, source_ids)
            self.check_when(path, event)
            self.content.check(path, event, self.skipped)
            self.check_quotes(path, event)
        misspelled = used_tags - set(tag_ids)
        for tag_id, path in tag_ids.items():
            if tag_id not in used_tags and _closest(tag_id, misspelled) is None:
                self.error(
                    (*path, "id"), f"tag '{tag_id}' is not used by any event; remove it or tag an event"
                )

    def records(self, key: str) -> Iterator[tuple[DocPath, dict[str, Any]]]:
        for index, record in enumerate(_list(self.data.get(key))):
            if isinstance(record, dict):
                yield (key, index), record

    def unique_ids(self, key: str) -> dict[str, DocPath]:
        seen: dict[str, DocPath] = {}
        for path, record in self.records(key):
            record_id = record.get("id")
            if not isinstance(record_id, str):
                continue
            if record_id in seen:
                first = self.loaded.where((*seen[record_id], "id"))
                self.error(
                    (*path, "id"),
                    f"duplicate id '{record_id}' (first used at line {first.line}); ids must be unique",
                )
            else:
                seen[record_id] = path
        return seen

    def check_tags(
        self, path: DocPath, event: dict[str, Any], tag_ids: dict[str, DocPath], used_tags: set[str]
    ) -> None:
        """Every tag of the event is in ``tags``; each one is added to ``used_tags``."""
        for index, tag in enumerate(_list(event.get("tags"))):
            if not isinstance(tag, str):
                continue
            used_tags.add(tag)
            if tag not in tag_ids:
                self.error((*path, "tags", index), _unknown_ref("tag", tag, tag_ids))

    def check_sources(self, path: DocPath, event: dict[str, Any], source_ids: dict[str, DocPath]) -> None:
        for key in ("sources", "revisions"):
            for index, item in enumerate(_list(event.get(key))):
                ref = item.get("source") if isinstance(item, dict) else None
                if isinstance(ref, str) and ref not in source_ids:
                    self.error((*path, key, index, "source"), _unknown_ref("source", ref, source_ids))

    def check_quotes(self, path: DocPath, event: dict[str, Any]) -> None:
        """``timeline.require_quotes: true``: every citation gives a quote."""
        meta = self.data.get("timeline")
        if not isinstance(meta, dict) or meta.get("require_quotes") != "true":
            return
        for index, citation in enumerate(_list(event.get("sources"))):
            if isinstance(citation, dict) and citation.get("quote") is None:
                self.error(
                    (*path, "sources", index),
                    "missing quote: timeline.require_quotes asks every citation for a short verbatim quote",
                )

    def check_when(self, path: DocPath, event: dict[str, Any]) -> None:
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
        for key, needs in (("fold", "time"), ("end_fold", "end_time")):
            if event.get(key) is not None and event.get(needs) is None:
                self.error((*path, key), f"{key} is used only with {needs}; remove it or add {needs}")
        start = _time(start_time)
        if span is not None and span.is_exact and start is not None:
            zone = event.get("timezone") or _dict(self.data.get("timeline")).get("timezone")
            times = (start, _time(end_time))
            folds = (_text(event.get("fold")), _text(event.get("end_fold")))
            valid_zone = zone if isinstance(zone, str) and is_time_zone(zone) else None
            for key, message in wallclock.event_problems(
                span.first_day, span.last_day, times, folds, valid_zone
            ):
                self.error((*path, key), message)

    def span_of(self, path: DocPath, event: dict[str, Any]) -> Span | None:
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

    def error(self, path: DocPath, message: str) -> None:
        if path in self.skipped:
            return
        self.loaded.errors.append(TimelineError(self.loaded.where(path), path, message, self.value_at(path)))

    def value_at(self, path: DocPath) -> object:
        return _value_at(self.data, path)


def _value_at(data: object, path: DocPath) -> object:
    value: Any = data
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _unknown_ref(kind: str, ref: str, known: dict[str, DocPath]) -> str:
    close = _closest(ref, known)
    hint = f" (did you mean '{close}'?)" if close is not None else f"; add it to {kind}s first"
    return f"unknown {kind} '{ref}'{hint}"


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _time(value: object) -> time | None:
    """The time a text that ``check_time`` passes names; None for anything else."""
    return time.fromisoformat(value) if isinstance(value, str) and _passes(check_time, value) else None
