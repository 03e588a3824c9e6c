"""``calendar.ics`` and ``tags/<tag>.ics``: the timeline as a subscribable calendar.

RFC 5545 with the RFC 7986 calendar properties (NAME, DESCRIPTION, REFRESH-INTERVAL, SOURCE,
URL), each doubled by the X-WR-CALNAME / X-WR-CALDESC / X-PUBLISHED-TTL extensions that older
Apple, Google and Outlook clients read instead. Clients are asked to refresh every 12 hours
(``REFRESH``): the timeline changes when a story is corrected, not by the minute.

Dates, applied to every event:
- an exact day or range of days is an all-day event: ``DTSTART;VALUE=DATE`` on the first day and
  the exclusive ``DTEND;VALUE=DATE`` on the day after the last;
- a fuzzy date (a month, season or year, or anything approximate or uncertain) is never shown as
  a precise day: it is an all-day span over the whole period it may stand for (Summer 2015 is
  June 1 to August 31), ``STATUS:TENTATIVE``, and its precision is written in the SUMMARY:
  ``Letter sent to companies (Summer 2015, approx.)``, ``Cisco pledges $10 billion (June 2015)``;
  a curator's own ``display`` text replaces the generated label. Exact events are
  ``STATUS:CONFIRMED`` and their SUMMARY is the bare title;
- a timed event (an exact day with a wall-clock time) has ``DTSTART;TZID=...`` (and ``DTEND`` when
  an end time is known) in its zone, the event's own or else the timeline's, with a VTIMEZONE
  for every zone used (see ``vtimezone``).

Identity and change: ``UID`` is ``<event id>@<domain of base_url>``, ``SEQUENCE`` the number of
revisions and ``LAST-MODIFIED`` the latest one, so a client replaces a corrected event instead of
adding a second copy. ``DTSTAMP`` is the build time (``SOURCE_DATE_EPOCH`` or the data's newest
change), never the clock. ``CATEGORIES`` are the tags' labels (what clients show), not their ids.
Every event is ``TRANSP:TRANSPARENT``: history never blocks anyone's free/busy time.

Text escaping and line folding (75 octets, never inside a UTF-8 character) are icalendar's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from icalendar import Calendar, vDuration, vText
from icalendar import Event as VEvent

from pledge_timeline.model import Citation, Event, Timeline, When
from pledge_timeline.outputs import PAGE, permalink
from pledge_timeline.render.labels import correction_text, is_web_url
from pledge_timeline.render.vtimezone import vtimezones

PRODID = "-//pledge-timeline//pledge-timeline//EN"
REFRESH = timedelta(hours=12)


def render_calendar(timeline: Timeline, path: str) -> bytes:
    """The calendar published at ``path`` (``calendar.ics`` or ``tags/<tag>.ics``)."""
    calendar = calendar_header(timeline, path)
    events = [
        serialized_vevent(event, timeline.domain, timeline.base_url, timeline.build_time, timeline.timezone)
        for event in timeline.chronological
    ]
    for zone in vtimezones(use for _, uses in events for use in uses):
        calendar.add_component(zone)
    head: bytes = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    return head.removesuffix(end) + b"".join(data for data, _ in events) + end


@lru_cache(maxsize=4096)
def serialized_vevent(
    event: Event, domain: str, base_url: str, build_time: datetime, default_zone: str
) -> tuple[bytes, tuple[tuple[str, int], ...]]:
    """One VEVENT's bytes and its zone uses; cached, since each tag calendar repeats its events.

    The arguments are everything ``vevent`` reads from the timeline, so the cache can never
    hand one timeline's text to another.
    """
    component = vevent(_EventContext(domain, base_url, build_time, default_zone), event)
    data: bytes = component.to_ical()
    return data, tuple(zone_uses([component]))


class EventContext(Protocol):
    """What ``vevent`` reads of the timeline: a Timeline, or the cache's stand-in for one."""

    @property
    def domain(self) -> str: ...
    @property
    def build_time(self) -> datetime: ...
    @property
    def timezone(self) -> str: ...
    def permalink(self, event: Event) -> str: ...


@dataclass(frozen=True, slots=True)
class _EventContext:
    """The parts of a Timeline that ``vevent`` uses, hashable for the cache."""

    domain: str
    base_url: str
    build_time: datetime
    timezone: str

    def permalink(self, event: Event) -> str:
        return permalink(self.base_url, event.id)


def calendar_header(timeline: Timeline, path: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for name in ("name", "x-wr-calname"):
        calendar.add(name, vText(timeline.title))
    for name in ("description", "x-wr-caldesc"):
        calendar.add(name, vText(timeline.description))
    calendar.add("url", timeline.url(PAGE), parameters={"VALUE": "URI"})
    calendar.add("source", timeline.url(path), parameters={"VALUE": "URI"})
    calendar.add("last-modified", timeline.updated)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return calendar


def vevent(timeline: EventContext, event: Event) -> VEvent:
    component = VEvent()
    component.add("uid", f"{event.id}@{timeline.domain}")
    component.add("dtstamp", timeline.build_time)
    component.add("created", event.published)
    component.add("last-modified", event.updated)
    component.add("sequence", event.sequence)
    start, end = event_times(event.when, timeline.timezone)
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    component.add("summary", event_summary(event))
    component.add("description", event_description(event))
    if event.place is not None:
        component.add("location", event.place.name)
        if event.place.lat is not None and event.place.lon is not None:
            component.add("geo", (event.place.lat, event.place.lon))
    component.add("url", timeline.permalink(event), parameters={"VALUE": "URI"})
    if event.tags:
        component.add("categories", [tag.label for tag in event.tags])
    component.add("status", "TENTATIVE" if event.when.is_fuzzy else "CONFIRMED")
    component.add("transp", "TRANSPARENT")
    return component


def event_times(when: When, default_zone: str) -> tuple[date | datetime, date | datetime | None]:
    """(DTSTART, DTEND): aware wall-clock times for timed events, else an all-day span."""
    span = when.span
    if when.start_time is None or when.is_fuzzy:
        return span.first_day, span.last_day + timedelta(days=1)
    zone = ZoneInfo(when.timezone or default_zone)
    start = datetime.combine(span.first_day, when.start_time, zone)
    if when.end_time is None:
        return start, None
    return start, datetime.combine(span.last_day, when.end_time, zone)


def zone_uses(events: list[VEvent]) -> Iterator[tuple[str, int]]:
    """(TZID, year) of every date-time written with a TZID."""
    for event in events:
        for name in ("dtstart", "dtend"):
            prop = event.get(name)
            if prop is not None and "TZID" in prop.params:
                yield prop.params["TZID"], prop.dt.year


def event_summary(event: Event) -> str:
    """The title, plus the date's precision when the date is fuzzy (see the module doc)."""
    return event.dated_title if event.when.is_fuzzy else event.title


def event_description(event: Event) -> str:
    """Plain text: summary, when, where, who, sources with quotes and links, corrections, note."""
    paragraphs = [event.summary, "\n".join(facts(event))]
    paragraphs.append("\n".join(["Sources:", *(citation_text(c) for c in event.citations)]))
    if event.revisions:
        ordered = sorted(event.revisions, key=lambda r: r.date)
        paragraphs.append("\n".join(["Corrections:", *(f"- {correction_text(r)}" for r in ordered)]))
    if event.note:
        paragraphs.append(f"Note: {event.note}")
    return "\n\n".join(paragraphs)


def facts(event: Event) -> Iterator[str]:
    yield f"When: {event.when.label}"
    if event.place is not None:
        yield f"Where: {event.place.name}"
    if event.actors:
        yield f"Who: {', '.join(event.actors)}"


def citation_text(citation: Citation) -> str:
    source = citation.source
    text = f"- {source.publisher}, “{source.title}” ({source.published_label}): “{citation.quote}”"
    if source.url is not None and is_web_url(source.url):
        text += f"\n  {source.url}"
    return text
