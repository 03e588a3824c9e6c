"""An ``Imported`` timeline as an events file: its data, then its YAML text.

Every event cites the imported file (or ``--source-url``/``--source-title``) without a quote:
the source has none, and the import invents nothing. Ids come from the source's own
(``unique_id``) made slugs, else from headlines, unique either way. Only tags some event uses
are written, since ``check`` refuses an unused one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import yaml

from pledge_timeline.dates import parse_span
from pledge_timeline.errors import InvalidTimeline, TimelineError
from pledge_timeline.importers.common import Imported, unique_slug

SOURCE_ID = "imported"
PLACEHOLDER_BASE_URL = "https://example.org/timeline/"
PLACEHOLDER_CURATOR = "the timeline's authors"
PLACEHOLDER_RIGHTS = "as the original timeline"
HEADER = "# yaml-language-server: $schema=events.schema.json\n"
FORMAT_NAMES = {"timelinejs": "TimelineJS JSON", "sheet": "TimelineJS sheet (CSV)", "ics": "iCalendar"}


@dataclass(frozen=True)
class ImportOptions:
    source_name: str
    """The imported file's name, as the citation and the report name it."""
    timezone: str | None = None
    source_url: str | None = None
    source_title: str | None = None
    source_date: str | None = None
    """A day YYYY-MM-DD: when the source was published."""


@dataclass(frozen=True)
class Assembled:
    document: dict[str, Any]
    changed_ids: int
    source_date_from: str
    """Where the source's date came from, for the report."""


def assemble(imported: Imported, options: ImportOptions) -> Assembled:
    """The events file's data; raise InvalidTimeline for a time no zone is known for."""
    default_zone = options.timezone or imported.timezone or _commonest_zone(imported) or "UTC"
    _require_zones(imported, options.timezone or imported.timezone)
    published, published_from = _source_date(imported, options)
    ids: dict[str, None] = {}
    changed = 0
    events = []
    for event in imported.events:
        wanted = event.id or event.title
        event_id = unique_slug(wanted, ids, fallback="event")
        changed += event.id is not None and event_id != event.id
        ids[event_id] = None
        record: dict[str, Any] = {"id": event_id, "title": event.title, "date": event.date}
        if event.display_date:
            record["display_date"] = event.display_date
        if event.time is not None:
            record["time"] = f"{event.time:%H:%M}"
            has_end = event.end_time is not None and not _ends_before(event.date, event.time, event.end_time)
            if has_end:
                record["end_time"] = f"{event.end_time:%H:%M}"
            if event.fold:
                record["fold"] = event.fold
            if has_end and event.end_fold:
                record["end_fold"] = event.end_fold
            zone = event.timezone or default_zone
            if zone != default_zone:
                record["timezone"] = zone
        if event.place is not None:
            record["place"] = event.place
        record["summary"] = event.summary
        if event.media is not None:
            record["media"] = event.media
        if event.tags:
            record["tags"] = list(event.tags)
        record["sources"] = [{"source": SOURCE_ID}]
        events.append(record)
    used = {tag for event in imported.events for tag in event.tags}
    tags = [
        {"id": tag_id, "label": label, **({"description": description} if description else {})}
        for tag_id, (label, description) in imported.tags.items()
        if tag_id in used
    ]
    name = FORMAT_NAMES[imported.format]
    source: dict[str, Any] = {
        "id": SOURCE_ID,
        "title": options.source_title or imported.title or options.source_name,
        "publisher": f"{name} file {options.source_name}",
        "published": published,
    }
    if options.source_url:
        source["url"] = options.source_url
    document: dict[str, Any] = {
        "timeline": {
            "title": imported.title or options.source_name,
            "description": imported.description or f"Imported from {options.source_name}.",
            "language": "en",
            "base_url": PLACEHOLDER_BASE_URL,
            "timezone": default_zone,
            "curator": PLACEHOLDER_CURATOR,
            "rights": PLACEHOLDER_RIGHTS,
            "id_year": published[:4],
        },
        "tags": tags,
        "eras": [{"title": era.title, "date": era.date} for era in imported.eras],
        "sources": [source],
        "events": events,
    }
    if not tags:
        del document["tags"]
    if not imported.eras:
        del document["eras"]
    return Assembled(document, changed, published_from)


def _require_zones(imported: Imported, zone: str | None) -> None:
    if zone is not None:
        return
    errors = [
        TimelineError(
            event.where,
            event.path,
            f"'{event.title}' has a time but the source gives no time zone; pass --timezone ZONE "
            "(an IANA zone such as America/New_York)",
            event.date,
        )
        for event in imported.events
        if event.time is not None and event.timezone is None
    ]
    if errors:
        raise InvalidTimeline(errors)


def _commonest_zone(imported: Imported) -> str | None:
    zones = Counter(event.timezone for event in imported.events if event.timezone is not None)
    return min(zones, key=lambda zone: (-zones[zone], zone)) if zones else None


def _ends_before(date: str, start: Any, end: Any) -> bool:
    span = parse_span(date)
    return bool(span.first_day == span.last_day and end < start)


def _source_date(imported: Imported, options: ImportOptions) -> tuple[str, str]:
    if options.source_date:
        return options.source_date, "--source-date"
    if imported.source_date:
        return imported.source_date, "the calendar's newest DTSTAMP"
    if not imported.events:
        return "2000-01-01", "no event"  # refused before: an import needs an event
    last = max(parse_span(event.date).last_day for event in imported.events)
    return last.isoformat(), "its latest event's last day (pass --source-date DAY to set it)"


_NUMBER_LIKE = frozenset("0123456789+-.")


class _Dumper(yaml.SafeDumper):
    """Block style; text with line breaks as a literal block; a key order kept as built."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and value == value.strip() and "\t" not in value else None
    if style is None and value[:1] in _NUMBER_LIKE:
        style = "'"  # a date, a time, a number: text, even to an editor's YAML 1.1
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(document: dict[str, Any]) -> str:
    """YAML that reads back as the same text: PyYAML quotes every value that would otherwise
    read as a number, a boolean or null (``'2015'``, ``'true'``, ``'null'``)."""
    body = yaml.dump(
        document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )
    return HEADER + body
