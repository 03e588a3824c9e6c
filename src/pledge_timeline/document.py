"""The shape of events.yaml: its JSON Schema, which editors and the validator share, and the
checks that judge each text field.

Every scalar arrives as text (see ``loader``). The schema says which keys each record has and
which type each value is. Its ``x-check`` keyword names the check (``CHECKS``) that judges a
text field, with a message that says how to fix it; editors ignore ``x-check`` and use the
``pattern``s and number types instead, which the validator leaves to the checks. Checks that
span fields or records (references, duplicates, end before start) live in ``validate``.

The data once the schema has passed it is described by the typed dicts in ``records``.
"""

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from pledge_timeline import urls
from pledge_timeline.dates import DateSyntaxError, parse_date, parse_span
from pledge_timeline.limits import MAX_CODE, MAX_ID, MAX_LONG_TEXT, MAX_SHORT_TEXT, MAX_URL
from pledge_timeline.timezones import is_time_zone as is_time_zone  # re-exported: callers import it from here
from pledge_timeline.urls import URL_PATTERN, UrlProblem

Schema = dict[str, Any]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_LANGUAGE = "en"
DEFAULT_FEED_ENTRIES = 50
FEED_PAGE = "entries per feed document (feed.atom, .rss, .json, tag feeds); older ones go to archive pages"
MAX_FEED_ENTRIES = 200  # readers expect a recent page, not a whole history
CHECK_KEYWORD = "x-check"
"""Names the check in ``CHECKS`` that judges the text of a field."""

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
FOLD_PATTERN = r"^(earlier|later)$"
EDTF_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?[?~%]?$"
EDTF_SPAN_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?[?~%]?(/\d{4}(-\d{2}(-\d{2})?)?[?~%]?)?$"
LANGUAGE_PATTERN = r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$"
YEAR_PATTERN = r"^\d{4}$"
FLAG_PATTERN = r"^(true|false)$"
COUNT_PATTERN = r"^[0-9]+$"
NUMBER_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
"""A decimal number as YAML and JSON write it: no ``nan``, ``inf`` or ``1_000``."""

# re.ASCII: \d as in the JSON Schema's (ECMA-262) patterns, so "٢٠١٥" is no year.
_SLUG_RE = re.compile(SLUG_PATTERN)
_DAY_RE = re.compile(DAY_PATTERN, flags=re.ASCII)
_TIME_RE = re.compile(TIME_PATTERN, flags=re.ASCII)
_LANGUAGE_RE = re.compile(LANGUAGE_PATTERN)
_YEAR_RE = re.compile(YEAR_PATTERN, flags=re.ASCII)
_NUMBER_RE = re.compile(NUMBER_PATTERN, flags=re.ASCII)
_COUNT_RE = re.compile(COUNT_PATTERN, flags=re.ASCII)

_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})
_ALLOWED_CONTROLS = frozenset("\t\n\r")


class FieldProblem(ValueError):
    """What is wrong with one field's text: ``kind`` for code, the message for the person."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


_ASCII_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_text(value: str) -> str:
    """Refuse characters that XML 1.0 and iCalendar cannot carry."""
    if value.isprintable():  # then no Cc, Cs, Co or Cn character: checked in C, not per character
        return value
    if value.isascii() and _ASCII_FORBIDDEN.search(value) is None:  # tabs and line breaks only
        return value
    for index, char in enumerate(value):
        if char in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES or char in "\ufffe\uffff":
            raise FieldProblem(
                "control_character",
                f"contains the control character U+{ord(char):04X} at character {index + 1}, "
                "which XML and iCalendar cannot carry; remove it",
            )
    return value


def check_nonblank(value: str) -> str:
    if not value.strip():
        raise FieldProblem("blank", "is blank; write some text")
    return value


def check_nonblank_text(value: str) -> str:
    """``check_text``, then ``check_nonblank``: most fields are text, so the usual case is one call."""
    if value.isprintable() and value.strip():  # what both checks let through, checked in C
        return value
    return check_nonblank(check_text(value))


def check_slug(value: str) -> str:
    if not _SLUG_RE.fullmatch(value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "event-1"
        raise FieldProblem(
            "slug", f"'{value}' is not a slug: use lowercase a-z, 0-9 and single hyphens, e.g. '{suggestion}'"
        )
    return value


def check_url(value: str, judge: Callable[[str], object] = urls.check_url) -> str:
    check_text(value)
    if value.startswith("//"):
        raise FieldProblem("url", f"'{value}' has no scheme; write 'https:{value}'")
    try:
        judge(value)
    except UrlProblem as problem:
        raise FieldProblem("url", f"'{value}' {problem}") from None
    return value


def check_edtf_span(value: str) -> str:
    try:
        parse_span(value)
    except DateSyntaxError as exc:
        raise FieldProblem("edtf", str(exc)) from None
    return value


def check_edtf_date(value: str) -> str:
    if "/" in value:
        raise FieldProblem("edtf", f"'{value}' is an interval; 'end' takes one date")
    try:
        parse_date(value)
    except DateSyntaxError as exc:
        raise FieldProblem("edtf", str(exc)) from None
    return value


def check_day(value: str) -> str:
    if not _DAY_RE.fullmatch(value):
        raise FieldProblem("day", f"'{value}' is not a day; write YYYY-MM-DD, e.g. 2015-09-16")
    try:
        parse_date(value)
    except DateSyntaxError as exc:
        raise FieldProblem("day", str(exc)) from None
    return value


def check_fold(value: str) -> str:
    if value not in ("earlier", "later"):
        raise FieldProblem("fold", f"'{value}' is not a fold; write earlier or later")
    return value


def check_time(value: str) -> str:
    if _TIME_RE.fullmatch(value):
        return value
    hint = ""
    if match := re.fullmatch(r"(\d):([0-5]\d)", value, flags=re.ASCII):
        hint = f"; write '0{match[1]}:{match[2]}' in quotes (YAML 1.1 reads {value} unquoted as a number)"
    raise FieldProblem("time", f"'{value}' is not a 24-hour time HH:MM{hint}")


def check_timezone(value: str) -> str:
    if not is_time_zone(value):
        raise FieldProblem("timezone", f"'{value}' is not an IANA time zone (e.g. America/Los_Angeles)")
    return value


def check_year(value: str) -> str:
    if not _YEAR_RE.fullmatch(value):
        raise FieldProblem("year", f"'{value}' is not a year; write four digits, e.g. 2015")
    return value


def check_flag(value: str) -> str:
    if value not in ("true", "false"):
        raise FieldProblem("flag", f"expected true or false, found '{value}'")
    return value


def check_language(value: str) -> str:
    if not _LANGUAGE_RE.fullmatch(value):
        raise FieldProblem("language", f"'{value}' is not a BCP 47 language tag (e.g. en, en-US, zh-Hans)")
    return value


def check_number(value: str, minimum: float, maximum: float) -> float:
    """The number a text such as ``47.6`` or ``-1.2e1`` writes, if it lies in the range."""
    if not _NUMBER_RE.fullmatch(value):
        raise FieldProblem("number", f"expected a number, found '{value}'")
    number = float(value)
    if number < minimum:
        raise FieldProblem("range", f"{value} is out of range (at least {minimum:g})")
    if number > maximum:
        raise FieldProblem("range", f"{value} is out of range (at most {maximum:g})")
    return number


def check_count(value: str, minimum: int, maximum: int) -> int:
    """The whole number a text such as ``50`` writes, if it lies in the range."""
    if not _COUNT_RE.fullmatch(value):
        raise FieldProblem("count", f"expected a whole number, found '{value}'")
    number = int(value)
    if not minimum <= number <= maximum:
        raise FieldProblem("range", f"{value} is out of range ({minimum} to {maximum})")
    return number


CHECKS: dict[str, Callable[[str], object]] = {
    "text": check_nonblank_text,
    "slug": check_slug,
    "url": check_url,
    "base-url": partial(check_url, judge=urls.check_base_url),
    "day": check_day,
    "edtf-span": check_edtf_span,
    "edtf-date": check_edtf_date,
    "time": check_time,
    "fold": check_fold,
    "timezone": check_timezone,
    "language": check_language,
    "year": check_year,
    "flag": check_flag,
}
"""The checks ``x-check`` names; ``"number"`` (``check_number``) and ``"count"`` (``check_count``)
take their range from the schema."""


SCALAR_TYPES = ["string", "number", "boolean"]
"""What an editor's YAML 1.2 may read a plain scalar as (``2015``, ``true``); the tool reads the
text as typed, so a date of ``2015`` or a title of ``true`` is text to it."""


def _string(
    check: str, description: str | None = None, pattern: str | None = None, max_length: int = MAX_CODE
) -> Schema:
    schema: Schema = {"type": list(SCALAR_TYPES), "maxLength": max_length}
    if description is not None:
        schema["description"] = description
    if pattern is not None:
        schema["pattern"] = pattern
    schema[CHECK_KEYWORD] = check
    return schema


def _number(minimum: float, maximum: float, *, whole: bool = False) -> Schema:
    """A number (a whole one: ``whole``), or text that writes one (a quoted ``'47.6'``)."""
    return {
        "type": ["integer" if whole else "number", "string"],
        "minimum": minimum,
        "maximum": maximum,
        "pattern": COUNT_PATTERN if whole else NUMBER_PATTERN,
        "maxLength": MAX_CODE,
        CHECK_KEYWORD: "count" if whole else "number",
    }


def _described(schema: Schema, description: str) -> Schema:
    return {**schema, "description": description}


def _optional(schema: Schema, default: object = None) -> Schema:
    """A key that may be left out; left out or empty (``null``), it is ``default``."""
    if default is None:
        types = schema["type"]
        schema = {**schema, "type": [*([types] if isinstance(types, str) else types), "null"]}
    return {**schema, "default": default}


def _list_of(items: Schema, *, at_least_one: bool = False) -> Schema:
    if at_least_one:
        return {"type": "array", "items": items, "minItems": 1}
    return {"type": "array", "items": items, "default": []}


def _record(title: str, properties: dict[str, Schema], description: str | None = None) -> Schema:
    """A mapping with exactly these keys; those without a default are required."""
    schema: Schema = {"type": "object", "title": title}
    if description is not None:
        schema["description"] = description
    return {
        **schema,
        "properties": properties,
        "required": [key for key, value in properties.items() if "default" not in value],
        "additionalProperties": False,
    }


TEXT = _string("text", max_length=MAX_SHORT_TEXT)
LONG_TEXT = _string("text", max_length=MAX_LONG_TEXT)
SLUG = _string("slug", "a slug: lowercase a-z, 0-9, hyphens", SLUG_PATTERN, MAX_ID)
URL = _string("url", "an http(s) URL", URL_PATTERN, MAX_URL)
BASE_URL = _string("base-url", "where the output folder is published", URL_PATTERN, MAX_URL)
DAY = _string("day", "a day, YYYY-MM-DD", DAY_PATTERN)
EDTF_SPAN = _string(
    "edtf-span",
    "EDTF level 1 date or interval: 2015, 2015-06, 2015-09-16, 2015-22~, A/B",
    EDTF_SPAN_PATTERN,
)
EDTF_DATE = _string("edtf-date", "one EDTF level 1 date", EDTF_DATE_PATTERN)
TIME = _string("time", "24-hour time HH:MM, quoted", TIME_PATTERN)
FOLD = _string(
    "fold",
    "which occurrence of a time the clocks show twice (a fall-back hour): earlier (the default) or later",
    FOLD_PATTERN,
)
TIME_ZONE = _string("timezone", "an IANA time zone name")
LANGUAGE = _string("language", "a BCP 47 tag", LANGUAGE_PATTERN)
YEAR = _string("year", "a year, YYYY", YEAR_PATTERN)
FLAG = _string("flag", "true or false", FLAG_PATTERN)


def json_schema() -> Schema:
    """The JSON Schema of an events file (committed as events.schema.json, printed by ``schema``)."""
    timeline = _record(
        "timeline",
        {
            "title": TEXT,
            "description": LONG_TEXT,
            "language": _optional(LANGUAGE, DEFAULT_LANGUAGE),
            "base_url": BASE_URL,
            "timezone": _described(TIME_ZONE, "default zone for events that give a time"),
            "curator": TEXT,
            "rights": TEXT,
            "icon": _optional(URL),
            "id_year": _optional(
                _described(
                    YEAR,
                    "the year in every feed entry id (tag:HOST,YEAR:ID); never change it once published. "
                    "Default: the year of the earliest source's publication",
                )
            ),
            "require_quotes": _optional(_described(FLAG, "true: every citation must give a quote"), False),
            "feed_entries": _optional(
                _described(_number(1, MAX_FEED_ENTRIES, whole=True), FEED_PAGE), DEFAULT_FEED_ENTRIES
            ),
        },
        "What the timeline is and where it is published.",
    )
    tag = _record("tag", {"id": SLUG, "label": TEXT, "description": _optional(LONG_TEXT)})
    source = _record(
        "source",
        {
            "id": SLUG,
            "title": TEXT,
            "publisher": TEXT,
            "published": _described(
                EDTF_SPAN, "a day YYYY-MM-DD; when the day is not known, an EDTF date or interval"
            ),
            "url": _optional(URL),
            "archive": _optional(_described(TEXT, "name of a local copy, e.g. in shared/seeds")),
        },
    )
    place = _record(
        "place",
        {"name": TEXT, "lat": _optional(_number(-90.0, 90.0)), "lon": _optional(_number(-180.0, 180.0))},
    )
    citation = _record(
        "citation",
        {
            "source": _described(SLUG, "id of an entry in sources"),
            "quote": _optional(
                _described(
                    LONG_TEXT, "a short verbatim quote that supports the event; see timeline.require_quotes"
                )
            ),
        },
    )
    revision = _record(
        "revision",
        {
            "date": _described(DAY, "the day the correction was published"),
            "what": TEXT,
            "source": _optional(SLUG),
            "before": _optional(LONG_TEXT),
            "after": _optional(LONG_TEXT),
        },
    )
    media = _record(
        "media",
        {
            "file": _optional(
                _described(TEXT, "a PNG, JPEG, WebP, GIF or AVIF image; path relative to this file")
            ),
            "url": _optional(_described(URL, "a page or picture on the web: shown as a link, never loaded")),
            "alt": _described(TEXT, "what the picture shows, for those who cannot see it"),
            "caption": _optional(LONG_TEXT),
            "credit": _optional(TEXT),
        },
        "A picture (file) or a link to one (url): give exactly one of them.",
    )
    event = _record(
        "event",
        {
            "id": _described(SLUG, "stable, unique; never change it once published"),
            "title": TEXT,
            "date": EDTF_SPAN,
            "end": _optional(_described(EDTF_DATE, "optional end; or write date as START/END")),
            "display_date": _optional(_described(TEXT, "a human label that replaces the generated one")),
            "time": _optional(TIME),
            "end_time": _optional(TIME),
            "fold": _optional(FOLD),
            "end_fold": _optional(_described(FOLD, "as fold, for end_time")),
            "timezone": _optional(_described(TIME_ZONE, "defaults to timeline.timezone")),
            "place": _optional(place),
            "summary": LONG_TEXT,
            "tags": _list_of(SLUG),
            "actors": _list_of(TEXT),
            "sources": _list_of(citation, at_least_one=True),
            "revisions": _list_of(revision),
            "recorded": _optional(_described(DAY, "the day the event entered the record")),
            "note": _optional(LONG_TEXT),
            "media": _optional(media),
        },
    )
    era = _record(
        "era",
        {"title": TEXT, "date": _described(EDTF_SPAN, "an EDTF date or interval; fuzzy dates allowed")},
        "A named period of the timeline, such as a presidency or a campaign.",
    )
    root = _record(
        "pledge-timeline events file",
        {
            "timeline": timeline,
            "tags": _list_of(tag),
            "eras": _list_of(era),
            "sources": _list_of(source, at_least_one=True),
            "events": _list_of(event, at_least_one=True),
        },
        "A curated timeline: metadata, tag vocabulary, source registry and events.",
    )
    return {"$schema": SCHEMA_DIALECT, **root}


def subschema_at(schema: Schema, path: tuple[str | int, ...]) -> Schema:
    """The part of ``schema`` that describes the value at ``path``."""
    for part in path:
        schema = schema["items"] if isinstance(part, int) else schema["properties"][part]
    return schema


def as_day(value: str) -> date:
    """The day a text that ``check_day`` passed names."""
    return parse_date(value).first_day
