"""The shape of events.yaml, field by field: the single source of the JSON Schema.

Every scalar arrives as text (see ``loader``); the validators here check each field on its
own. Checks that span fields or records (references, duplicates, end before start) live in
``validate``.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zoneinfo
from datetime import date
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter
from pydantic_core import PydanticCustomError

from pledge_timeline.dates import DateSyntaxError, parse_date, parse_span

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
URL_PATTERN = r"^https?://[^\s/?#\"<>\\^`{|}]+[^\s\"<>\\^`{|}]*$"
EDTF_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?[?~%]?$"
EDTF_SPAN_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?[?~%]?(/\d{4}(-\d{2}(-\d{2})?)?[?~%]?)?$"
LANGUAGE_PATTERN = r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$"

_SLUG_RE = re.compile(SLUG_PATTERN)
_DAY_RE = re.compile(DAY_PATTERN)
_TIME_RE = re.compile(TIME_PATTERN)
_URL_RE = re.compile(URL_PATTERN, flags=re.IGNORECASE)
_LANGUAGE_RE = re.compile(LANGUAGE_PATTERN)

_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _fail(kind: str, message: str, value: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message, {"value": value})


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
            raise _fail(
                "control_character",
                f"contains the control character U+{ord(char):04X} at character {index + 1}, "
                "which XML and iCalendar cannot carry; remove it",
                value,
            )
    return value


def check_nonblank(value: str) -> str:
    if not value.strip():
        raise _fail("blank", "is blank; write some text", value)
    return value


def check_nonblank_text(value: str) -> str:
    """``check_text``, then ``check_nonblank``: most fields are text, so the usual case is one call."""
    if value.isprintable() and value.strip():  # what both checks let through, checked in C
        return value
    return check_nonblank(check_text(value))


def check_slug(value: str) -> str:
    if not _SLUG_RE.fullmatch(value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "event-1"
        raise _fail(
            "slug",
            f"'{value}' is not a slug: use lowercase a-z, 0-9 and single hyphens, e.g. '{suggestion}'",
            value,
        )
    return value


def is_publishable_url(value: str) -> bool:
    """An http(s) URL with a host and no character that needs escaping in XML or iCalendar."""
    return _URL_RE.fullmatch(value) is not None


def check_url(value: str) -> str:
    if not is_publishable_url(value):
        raise _fail(
            "url",
            f"'{value}' is not an http(s) URL; only http:// and https:// links are published",
            value,
        )
    return value


def check_edtf_span(value: str) -> str:
    try:
        parse_span(value)
    except DateSyntaxError as exc:
        raise _fail("edtf", str(exc), value) from None
    return value


def check_edtf_date(value: str) -> str:
    if "/" in value:
        raise _fail("edtf", f"'{value}' is an interval; 'end' takes one date", value)
    try:
        parse_date(value)
    except DateSyntaxError as exc:
        raise _fail("edtf", str(exc), value) from None
    return value


def check_day(value: str) -> str:
    if not _DAY_RE.fullmatch(value):
        raise _fail("day", f"'{value}' is not a day; write YYYY-MM-DD, e.g. 2015-09-16", value)
    try:
        parsed = parse_date(value)
    except DateSyntaxError as exc:
        raise _fail("day", str(exc), value) from None
    return parsed.first_day.isoformat()


def check_time(value: str) -> str:
    if _TIME_RE.fullmatch(value):
        return value
    hint = ""
    if match := re.fullmatch(r"(\d):([0-5]\d)", value):
        hint = f"; write '0{match[1]}:{match[2]}' in quotes (YAML 1.1 reads {value} unquoted as a number)"
    raise _fail("time", f"'{value}' is not a 24-hour time HH:MM{hint}", value)


@cache
def is_time_zone(name: str) -> bool:
    """``name in zoneinfo.available_timezones()``, without listing every zone for a name that is there.

    Listing them opens every file under the time zone path, so a name is first looked for where
    that listing would find it; only a name not found there needs the whole list.
    """
    return name != "posixrules" and (_listed_on_tzpath(name) or name in _available_zones())


@cache
def _available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _listed_on_tzpath(name: str) -> bool:
    """Whether ``available_timezones()``'s walk of a ``zoneinfo.TZPATH`` folder lists ``name``."""
    parts = name.split("/")
    if len(parts) > 1 and parts[0] in ("right", "posix"):
        return False  # copies of every zone that the listing leaves out
    return any(_walk_reaches_zone_file(root, parts) for root in zoneinfo.TZPATH)


def _walk_reaches_zone_file(root: str, parts: list[str]) -> bool:
    """``os.walk(root)`` reaches the file ``parts`` by these very names, and it holds TZif data.

    Each name must be listed as spelled (a case-insensitive file system would open another
    spelling too), and ``os.walk`` does not go into a folder that is a symbolic link.
    """
    folder = root
    for name in parts[:-1]:
        if not _lists(folder, name):
            return False
        folder = os.path.join(folder, name)
        if os.path.islink(folder) or not os.path.isdir(folder):
            return False
    file = os.path.join(folder, parts[-1])
    return _lists(folder, parts[-1]) and not os.path.isdir(file) and _starts_as_tzif(file)


def _lists(folder: str, name: str) -> bool:
    try:
        return name in os.listdir(folder)
    except OSError:
        return False


def _starts_as_tzif(file: str) -> bool:
    try:
        with open(file, "rb") as data:
            return data.read(4) == b"TZif"
    except OSError:
        return False


def check_timezone(value: str) -> str:
    if not is_time_zone(value):
        raise _fail("timezone", f"'{value}' is not an IANA time zone (e.g. America/Los_Angeles)", value)
    return value


def check_language(value: str) -> str:
    if not _LANGUAGE_RE.fullmatch(value):
        raise _fail("language", f"'{value}' is not a BCP 47 language tag (e.g. en, en-US, zh-Hans)", value)
    return value


def _no_entries() -> list[Any]:
    """The default of an optional list: unlike ``list``, a function whose signature pydantic
    reads without ``inspect`` tokenizing a builtin's text signature (3 ms at every start)."""
    return []


def _pattern(pattern: str, description: str) -> Any:
    return Field(description=description, json_schema_extra={"pattern": pattern})


Text = Annotated[str, AfterValidator(check_nonblank_text)]
Slug = Annotated[
    str, AfterValidator(check_slug), _pattern(SLUG_PATTERN, "a slug: lowercase a-z, 0-9, hyphens")
]
Url = Annotated[
    str, AfterValidator(check_text), AfterValidator(check_url), _pattern(URL_PATTERN, "an http(s) URL")
]
Day = Annotated[str, AfterValidator(check_day), _pattern(DAY_PATTERN, "a day, YYYY-MM-DD")]
EdtfSpan = Annotated[
    str,
    AfterValidator(check_edtf_span),
    _pattern(EDTF_SPAN_PATTERN, "EDTF level 1 date or interval: 2015, 2015-06, 2015-09-16, 2015-22~, A/B"),
]
EdtfDate = Annotated[
    str, AfterValidator(check_edtf_date), _pattern(EDTF_DATE_PATTERN, "one EDTF level 1 date")
]
Time = Annotated[str, AfterValidator(check_time), _pattern(TIME_PATTERN, "24-hour time HH:MM, quoted")]
TimeZone = Annotated[str, AfterValidator(check_timezone), Field(description="an IANA time zone name")]
Language = Annotated[str, AfterValidator(check_language), _pattern(LANGUAGE_PATTERN, "a BCP 47 tag")]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class Strict(BaseModel):
    # Only DOCUMENT validates: building a validator for each nested model as its class is
    # defined would only slow down every start.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class TimelineMeta(Strict):
    """What the timeline is and where it is published."""

    title: Text
    description: Text
    language: Language = "en"
    base_url: Url = Field(description="where the output folder is published; ids and links derive from it")
    timezone: TimeZone = Field(description="default zone for events that give a time")
    curator: Text
    rights: Text
    icon: Url | None = None


class TagDoc(Strict):
    id: Slug
    label: Text
    description: Text | None = None


class SourceDoc(Strict):
    id: Slug
    title: Text
    publisher: Text
    published: EdtfSpan = Field(
        description="a day YYYY-MM-DD; when the day is not known, an EDTF date or interval"
    )
    url: Url | None = None
    archive: Text | None = Field(default=None, description="name of a local copy, e.g. in shared/seeds")


class PlaceDoc(Strict):
    name: Text
    lat: Latitude | None = None
    lon: Longitude | None = None


class CitationDoc(Strict):
    source: Slug = Field(description="id of an entry in sources")
    quote: Text = Field(description="a short verbatim quote that supports the event")


class RevisionDoc(Strict):
    date: Day = Field(description="the day the correction was published")
    what: Text
    source: Slug | None = None
    before: Text | None = None
    after: Text | None = None


class EventDoc(Strict):
    id: Slug = Field(description="stable, unique; never change it once published")
    title: Text
    date: EdtfSpan
    end: EdtfDate | None = Field(default=None, description="optional end; or write date as START/END")
    display_date: Text | None = Field(
        default=None, description="a human label that replaces the generated one"
    )
    time: Time | None = None
    end_time: Time | None = None
    timezone: TimeZone | None = Field(default=None, description="defaults to timeline.timezone")
    place: PlaceDoc | None = None
    summary: Text
    tags: list[Slug] = Field(default_factory=_no_entries)
    actors: list[Text] = Field(default_factory=_no_entries)
    sources: list[CitationDoc] = Field(min_length=1)
    revisions: list[RevisionDoc] = Field(default_factory=_no_entries)
    recorded: Day | None = Field(default=None, description="the day the event entered the record")
    note: Text | None = None


class TimelineDoc(Strict):
    """A curated timeline: metadata, tag vocabulary, source registry and events."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="pledge-timeline events file")

    timeline: TimelineMeta
    tags: list[TagDoc] = Field(default_factory=_no_entries)
    sources: list[SourceDoc] = Field(min_length=1)
    events: list[EventDoc] = Field(min_length=1)


DOCUMENT = TypeAdapter(TimelineDoc)


def json_schema() -> dict[str, Any]:
    schema = DOCUMENT.json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def as_day(value: str) -> date:
    return date.fromisoformat(value)
