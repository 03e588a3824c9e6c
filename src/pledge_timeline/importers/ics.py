"""Read an iCalendar file's VEVENTs (icalendar parses it, time zones and all).

An all-day event is its day, a multi-day one the interval of its days (DTEND is exclusive);
a timed event keeps its start and end minute in its own zone (``TZID``, or UTC for ``Z``
times; a floating time takes ``--timezone``). SUMMARY is the title, DESCRIPTION the summary,
LOCATION and GEO the place, URL a link at the end of the summary, CATEGORIES the tags. A
recurring event is imported once, at its first occurrence, and the report says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import icalendar

from pledge_timeline.document import is_time_zone
from pledge_timeline.errors import InvalidTimeline, Location, TimelineError
from pledge_timeline.importers.common import Imported, ImportedEvent, edtf_from_parts
from pledge_timeline.importers.text import markdown_link
from pledge_timeline.importers.timelinejs import SECONDS_DROPPED, join_paragraphs


def read_ics(text: str, name: str) -> Imported:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as problem:
        raise InvalidTimeline(
            [TimelineError(Location(name, 1, 1), (), f"not valid iCalendar: {problem}")]
        ) from None
    imported = Imported("ics")
    title = calendar.get("X-WR-CALNAME")
    imported.title = str(title).strip() or None if title is not None else None
    description = calendar.get("X-WR-CALDESC")
    imported.description = str(description).strip() or None if description is not None else None
    zone = calendar.get("X-WR-TIMEZONE")
    if zone is not None and is_time_zone(str(zone)):
        imported.timezone = str(zone)
    lines = _event_lines(text)
    errors: list[TimelineError] = []
    stamps: list[datetime] = []
    for index, component in enumerate(calendar.walk("VEVENT")):
        where = Location(name, lines[index] if index < len(lines) else 1, 1)
        try:
            event = _event(component, where, imported)
        except _Refused as refused:
            errors.append(
                TimelineError(where, ("VEVENT", index, refused.field), refused.message, refused.value)
            )
            continue
        event.path = ("VEVENT", index)
        imported.events.append(event)
        stamp = component.get("DTSTAMP")
        if stamp is not None and isinstance(stamp.dt, datetime):
            stamps.append(stamp.dt if stamp.dt.tzinfo else stamp.dt.replace(tzinfo=UTC))
    if errors:
        raise InvalidTimeline(errors)
    if stamps:
        imported.source_date = max(stamps).astimezone(UTC).date().isoformat()
    return imported


class _Refused(Exception):
    def __init__(self, field: str, message: str, value: object) -> None:
        super().__init__(message)
        self.field, self.message, self.value = field, message, value


def _event(component: Any, where: Location, imported: Imported) -> ImportedEvent:
    if component.get("DTSTART") is None:
        raise _Refused("DTSTART", "no DTSTART: every event needs a start", None)
    start, end = component.start, component.end
    title = " ".join(str(component.get("SUMMARY", "")).split()) or "Untitled event"
    summary = str(component.get("DESCRIPTION", "")).strip()
    url = component.get("URL")
    if url is not None and str(url).strip():
        summary = join_paragraphs(summary, markdown_link(str(url).strip(), str(url).strip()))
    if url is not None and str(url).strip():
        imported.notes.add("URLs kept as a link at the end of the event's text")
    for dropped in ("ORGANIZER", "ATTENDEE"):
        if component.get(dropped) is not None:
            imported.notes.add(f"{dropped} properties dropped")
    if component.walk("VALARM"):
        imported.notes.add("alarms (VALARM) dropped")
    if component.get("RRULE") is not None:
        imported.notes.add("recurring events imported once, at their first occurrence")
    if not summary:
        summary = title
        imported.notes.add("events had no description; their summary repeats the title")
    if isinstance(start, datetime):
        event = _timed(start, end, title, summary, where, imported)
    else:
        last = end - timedelta(days=1) if isinstance(end, date) and end > start else start
        first_text, last_text = _day(start), _day(last)
        event = ImportedEvent(
            title, first_text if last == start else f"{first_text}/{last_text}", summary, where
        )
    location = str(component.get("LOCATION", "")).strip()
    geo = component.get("GEO")
    if location or geo is not None:
        place: dict[str, str] = {"name": location or "(unnamed place)"}
        if geo is not None:
            place |= {"lat": f"{geo.latitude:g}", "lon": f"{geo.longitude:g}"}
        event.place = place
    categories = [str(c).strip() for c in component.categories if str(c).strip()]
    event.tags = list(dict.fromkeys(imported.tag_for(category) for category in categories))
    return event


def _timed(
    start: datetime, end: object, title: str, summary: str, where: Location, imported: Imported
) -> ImportedEvent:
    zone = _zone_name(start.tzinfo)
    if start.tzinfo is not None and zone is None:
        raise _Refused("DTSTART", f"the time zone {start.tzinfo} is not an IANA zone name", str(start))
    if start.second or (isinstance(end, datetime) and end.second):
        imported.notes.add(SECONDS_DROPPED)
    last = start
    if isinstance(end, datetime) and end > start:
        last = end.astimezone(start.tzinfo) if start.tzinfo is not None else end
    date_text = _day(start.date())
    if last.date() != start.date():
        date_text = f"{date_text}/{_day(last.date())}"
    event = ImportedEvent(title, date_text, summary, where)
    event.time = start.time().replace(second=0, microsecond=0, tzinfo=None)
    if last != start:
        event.end_time = last.time().replace(second=0, microsecond=0, tzinfo=None)
    event.timezone = zone
    return event


def _zone_name(zone: tzinfo | None) -> str | None:
    if zone is None:
        return None
    key = getattr(zone, "key", None)
    if isinstance(key, str) and is_time_zone(key):
        return key
    if zone is UTC or (zone.utcoffset(None) == timedelta(0) and zone.tzname(None) in ("UTC", "Z")):
        return "UTC"
    name = str(zone)
    return name if is_time_zone(name) else None


def _day(day: date) -> str:
    try:
        return edtf_from_parts(day.year, day.month, day.day)
    except ValueError as problem:
        raise _Refused("DTSTART", f"{problem}; this event cannot be imported", day.isoformat()) from None


def _event_lines(text: str) -> list[int]:
    """The line of each ``BEGIN:VEVENT``, in order."""
    return [
        number for number, line in enumerate(text.splitlines(), start=1) if line.strip() == "BEGIN:VEVENT"
    ]
