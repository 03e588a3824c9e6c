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
  for every zone used (see ``vtimezone``); an event with a time the clocks show twice (a
  fall-back hour) is written in UTC instead (``...Z``), as clients read such a TZID time
  differently. Times the clocks skip, and ends at or before the start, never pass ``check``.

Identity and change: ``UID`` is ``<event id>@<domain of base_url>``, ``SEQUENCE`` the number of
revisions and ``LAST-MODIFIED`` the latest one, so a client replaces a corrected event instead of
adding a second copy. ``DTSTAMP`` is the build time (``SOURCE_DATE_EPOCH`` or the data's newest
change), never the clock. ``CATEGORIES`` are the tags' labels (what clients show), not their ids.
Every event is ``TRANSP:TRANSPARENT``: history never blocks anyone's free/busy time.

The whole calendar is written as text with ``contentlines`` (escaping, 75-octet folding never
inside a UTF-8 character): what icalendar writes for the same components, to the byte, but for
the two differences ``contentlines`` names; ``tests/test_contentlines.py`` has icalendar write
every calendar as the oracle. VEVENTs are computed once per build: a tag calendar reuses the
main calendar's text, with its own DTSTAMP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from pledge_timeline import wallclock
from pledge_timeline.model import Event, Timeline, When
from pledge_timeline.outputs import PAGE, permalink
from pledge_timeline.render import contentlines as cl
from pledge_timeline.render.labels import media_address, shared_description
from pledge_timeline.render.memo import shared_for_event
from pledge_timeline.render.vtimezone import vtimezones

PRODID = "-//pledge-timeline//pledge-timeline//EN"
REFRESH = timedelta(hours=12)
MEMO_KIND = "vevent"
"""Each event's VEVENT text in the build's memo, shared by the main and tag calendars."""
_UTC = ZoneInfo("UTC")
"""The zone ``contentlines`` writes as UTC (``...Z``), with no VTIMEZONE."""


def render_calendar(timeline: Timeline, path: str) -> bytes:
    """The calendar published at ``path`` (``calendar.ics`` or ``tags/<tag>.ics``)."""
    context = EventContext(timeline.domain, timeline.base_url, timeline.timezone)
    events = [
        shared_for_event(event, MEMO_KIND, context, partial(vevent_text, context, event))
        for event in timeline.chronological
    ]
    dtstamp = cl.lines(f"DTSTAMP:{cl.utc_stamp(timeline.build_time)}")
    parts = [calendar_header(timeline, path)]
    parts += vtimezones(use for vevent in events for use in vevent.zone_uses)
    for vevent in events:
        parts += (vevent.head, dtstamp, vevent.tail)
    parts.append(cl.lines("END:VCALENDAR"))
    return b"".join(parts)


@dataclass(frozen=True, slots=True)
class EventContext:
    """What an event's VEVENT reads of the timeline besides the build time."""

    domain: str
    base_url: str
    timezone: str
    """The zone of timed events that name none."""


@dataclass(frozen=True, slots=True)
class VEventText:
    """One VEVENT's content lines either side of DTSTAMP, which each calendar writes itself
    (a tag calendar's build time is its own newest change)."""

    head: bytes
    tail: bytes
    zone_uses: tuple[tuple[str, int], ...]
    """(TZID, year) of each date-time written with a TZID, for the VTIMEZONEs."""


def vevent_text(context: EventContext, event: Event) -> VEventText:
    """The VEVENT, properties in icalendar's order: its canonical ones, then alphabetical."""
    start, end = event_times(event.when, context.timezone)
    head = ["BEGIN:VEVENT", f"SUMMARY:{cl.text(event_summary(event))}"]
    uses = []
    for name, moment in (("DTSTART", start), ("DTEND", end)):
        if moment is not None:
            line, tzid = cl.date_property(name, moment)
            head.append(line)
            if tzid is not None:
                uses.append((tzid, moment.year))
    tail = [f"UID:{cl.text(f'{event.id}@{context.domain}')}", f"SEQUENCE:{event.sequence}"]
    if event.tags:
        tail.append("CATEGORIES:" + ",".join(cl.text(tag.label) for tag in event.tags))
    tail.append(f"CREATED:{cl.utc_stamp(event.published)}")
    tail.append(f"DESCRIPTION:{cl.text(shared_description(event))}")
    place = event.place
    if place is not None and place.lat is not None and place.lon is not None:
        tail.append(f"GEO:{place.lat};{place.lon}")
    picture = event.media.file if event.media is not None else None
    if picture is not None:
        address = media_address(context.base_url, picture)
        tail.append(f"IMAGE;DISPLAY=FULLSIZE;FMTTYPE={picture.media_type};VALUE=URI:{address}")
    tail.append(f"LAST-MODIFIED:{cl.utc_stamp(event.updated)}")
    if place is not None:
        tail.append(f"LOCATION:{cl.text(place.name)}")
    tail.append(f"STATUS:{'TENTATIVE' if event.when.is_fuzzy else 'CONFIRMED'}")
    tail.append("TRANSP:TRANSPARENT")
    tail.append(f"URL;VALUE=URI:{permalink(context.base_url, event.id)}")
    tail.append("END:VEVENT")
    return VEventText(cl.lines(*head), cl.lines(*tail), tuple(uses))


def calendar_header(timeline: Timeline, path: str) -> bytes:
    """BEGIN:VCALENDAR and the calendar's own properties, in icalendar's order: its canonical
    ones, then alphabetical."""
    title, description = cl.text(timeline.title), cl.text(timeline.description)
    refresh = duration(REFRESH)
    return cl.lines(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{cl.text(PRODID)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"DESCRIPTION:{description}",
        f"X-WR-CALDESC:{description}",
        f"NAME:{title}",
        f"X-WR-CALNAME:{title}",
        f"LAST-MODIFIED:{cl.utc_stamp(timeline.updated)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}",
        f"SOURCE;VALUE=URI:{timeline.url(path)}",
        f"URL;VALUE=URI:{timeline.url(PAGE)}",
        f"X-PUBLISHED-TTL:{refresh}",
    )


def duration(length: timedelta) -> str:
    """A DURATION of whole hours, ``PT12H``."""
    hours, rest = divmod(length, timedelta(hours=1))
    if rest or hours <= 0:
        raise ValueError(f"not a positive number of hours: {length}")
    return f"PT{hours}H"


def event_times(when: When, default_zone: str) -> tuple[date | datetime, date | datetime | None]:
    """(DTSTART, DTEND): the event's instants for timed events, else an all-day span.

    A timed event is written in its zone, unless one of its times is repeated (a fall-back
    hour): clients read such a TZID time as either occurrence, so that event is written in UTC,
    the one instant every client reads alike.
    """
    span = when.span
    if when.start_time is None or when.is_fuzzy:
        return span.first_day, span.last_day + timedelta(days=1)
    start, end = when.instants(default_zone)
    if wallclock.is_repeated(start) or (end is not None and wallclock.is_repeated(end)):
        return start.astimezone(_UTC), None if end is None else end.astimezone(_UTC)
    return start, end


def event_summary(event: Event) -> str:
    """The title, plus the date's precision when the date is fuzzy (see the module doc)."""
    return event.dated_title if event.when.is_fuzzy else event.title
