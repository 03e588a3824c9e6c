"""VTIMEZONE components that every calendar client reads the same way.

icalendar's own ``add_missing_timezones()`` lists a zone's transitions as comma-separated RDATE
values; vobject and Mozilla's ical.js (Thunderbird) read only the first value of each and place a
09:00 Seattle event in September 2015 at 17:00Z instead of 16:00Z. So the zones are built here
from the zoneinfo database, for the years the calendar's timed events use:

- the observance in effect on January 1 of the first year starts the definition (the last
  transition before it, or, for a zone with no recent transitions, that day itself);
- each kind of transition (same offsets and name) that happens once a year, every year up to the
  last year used, on the same month, weekday rule and wall-clock time, becomes one component with
  a yearly RRULE (the classic form every client, Outlook included, understands);
- any other transition (a rule change within the years used) gets a component of its own with a
  single DTSTART, and no RDATE lists at all.

Every component's DTSTART is the local time of the onset in the offset in effect *before* it
(RFC 5545, 3.6.5): 02:00 for both the spring and the autumn US transitions. The definition is
exact for the years used; later years repeat the rule of the last one.

The VTIMEZONE is written as text (``contentlines``), once per zone and years in a process: a
zone whose rules changed has a component per switch, hundreds over 30 years, and building them
with icalendar for every calendar (the main one and each tag's) was most of a tag calendar's
time. ``tests/test_contentlines.py`` checks the text against icalendar's component API.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import compress
from operator import ne
from zoneinfo import ZoneInfo

from pledge_timeline.render import contentlines as cl

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SCAN_STEP = timedelta(days=1)
"""Two switches within one step would be missed, and some are only days apart (Africa/Freetown,
1939: four days); each switch found is then pinned to the second. (Checked for every zone of
the tz database from 1900 to 2040: a six-hour scan found exactly the same switches.)"""


@dataclass(frozen=True, slots=True)
class Observance:
    """One switch of a zone's offset or name, or the state a definition starts from."""

    onset: datetime
    """Naive local wall time of the switch, in the offset in effect before it."""
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def kind(self) -> tuple[bool, timedelta, timedelta, str]:
        return (self.is_dst, self.offset_from, self.offset_to, self.name)


@dataclass(frozen=True, slots=True)
class YearlyRule:
    """``RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3``: the last Sunday of March, every year."""

    month: int
    byday: str

    @property
    def ical(self) -> str:
        return f"FREQ=YEARLY;BYDAY={self.byday};BYMONTH={self.month}"


@lru_cache(maxsize=1024)
def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE for ``tzid``, exact from January 1 of ``first_year`` to the end of ``last_year``."""
    lines = ["BEGIN:VTIMEZONE", f"TZID:{cl.text(tzid)}"]
    for observance, rule in observances(tzid, first_year, last_year):
        lines += _observance_lines(observance, rule)
    lines.append("END:VTIMEZONE")
    return cl.lines(*lines)


def observances(
    tzid: str, first_year: int, last_year: int
) -> tuple[tuple[Observance, YearlyRule | None], ...]:
    """The zone's observances over those years, sorted by onset, each with its yearly rule if any."""
    components = _components(tzid, first_year, last_year)
    return tuple(sorted(components, key=lambda c: c[0].onset))


def _components(tzid: str, first_year: int, last_year: int) -> Iterator[tuple[Observance, YearlyRule | None]]:
    earlier = _year_transitions(tzid, first_year - 1)
    within = [t for year in range(first_year, last_year + 1) for t in _year_transitions(tzid, year)]
    if earlier:
        transitions = [earlier[-1], *within]
    else:
        yield _state_at(ZoneInfo(tzid), _new_year(tzid, first_year)), None
        transitions = within
    kinds: dict[tuple[bool, timedelta, timedelta, str], list[Observance]] = {}
    for transition in transitions:
        kinds.setdefault(transition.kind, []).append(transition)
    for group in kinds.values():
        rule = _yearly_rule(group, last_year)
        if rule is not None:
            yield group[0], rule
        else:
            yield from ((observance, None) for observance in group)


@lru_cache(maxsize=4096)
def _year_transitions(tzid: str, year: int) -> tuple[Observance, ...]:
    """The zone's switches from its January 1 of ``year`` to the next; cached, as scanning is
    slow and every calendar (the main one and each tag's) needs the same zones and years. Only
    the days around a change of the zone's local noon readings are scanned (``_changing_spans``)."""
    zone = ZoneInfo(tzid)
    start, end = _new_year(tzid, year), _new_year(tzid, year + 1)
    return tuple(
        switch
        for low, high in _changing_spans(zone, year)
        for switch in _transitions(zone, max(low, start), min(high, end))
    )


_SPAN_MARGIN = timedelta(days=2)
"""More than any zone's offset from UTC has been (under 16 hours, local mean times included): a
switch between two noons' readings lies within this of them, in UTC."""


def _changing_spans(zone: ZoneInfo, year: int) -> list[tuple[datetime, datetime]]:
    """UTC spans, apart and in order, that hold every switch from the last noon of ``year - 1``
    to the first of ``year + 1``: around each two consecutive local noons whose readings differ.

    Reading a local time is a lookup for zoneinfo, where reading a UTC instant is a conversion;
    the spans are then scanned in UTC (``_transitions``), which pins each switch to the second.
    It rests on what that scan rests on: no two switches within a day that cancel out
    (benchmarks/README.md says where that was checked)."""
    noons = _local_noons(year)
    offsets, dsts, names = map(zone.utcoffset, noons), map(zone.dst, noons), map(zone.tzname, noons)
    readings = list(zip(offsets, dsts, names, strict=True))
    spans: list[tuple[datetime, datetime]] = []
    for day in compress(range(len(noons)), map(ne, readings, readings[1:])):
        low, high = noons[day] - _SPAN_MARGIN, noons[day + 1] + _SPAN_MARGIN
        if spans and low <= spans[-1][1]:
            low = spans.pop()[0]
        spans.append((low, high))
    return [(low.replace(tzinfo=UTC), high.replace(tzinfo=UTC)) for low, high in spans]


@lru_cache(maxsize=64)
def _local_noons(year: int) -> tuple[datetime, ...]:
    """Naive noon of every day from December 31 of ``year - 1`` to January 1 of ``year + 1``."""
    first = datetime(year - 1, 12, 31, 12)
    days = (datetime(year + 1, 1, 1, 12) - first).days
    return tuple(first + timedelta(days=day) for day in range(days + 1))


def _new_year(tzid: str, year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=ZoneInfo(tzid)).astimezone(UTC)


def _observance_lines(observance: Observance, rule: YearlyRule | None) -> list[str]:
    """A STANDARD or DAYLIGHT component, its properties in icalendar's (alphabetical) order."""
    name = "DAYLIGHT" if observance.is_dst else "STANDARD"
    lines = [f"BEGIN:{name}", f"DTSTART:{cl.local_stamp(observance.onset)}"]
    if rule is not None:
        lines.append(f"RRULE:{rule.ical}")
    lines += [
        f"TZNAME:{cl.text(observance.name)}",
        f"TZOFFSETFROM:{utc_offset(observance.offset_from)}",
        f"TZOFFSETTO:{utc_offset(observance.offset_to)}",
        f"END:{name}",
    ]
    return lines


def utc_offset(offset: timedelta) -> str:
    """A UTC-OFFSET value (RFC 5545 3.3.14): ``-0800``, ``+0530``, ``-001608``; zero is ``+0000``."""
    sign = "-" if offset < timedelta(0) else "+"
    seconds = abs(int(offset.total_seconds()))
    hours, minutes, seconds = seconds // 3600, seconds % 3600 // 60, seconds % 60
    return f"{sign}{hours:02}{minutes:02}{seconds:02}" if seconds else f"{sign}{hours:02}{minutes:02}"


Clocks = tuple[timedelta | None, timedelta | None, str | None]
"""A zone's raw readings at an instant: ``utcoffset()``, ``dst()``, ``tzname()``."""


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, bool, str]:
    return _local_state(instant.astimezone(zone))


def _local_state(local: datetime) -> tuple[timedelta, bool, str]:
    """The state of an aware local time's zone at that time."""
    return _state_of((local.utcoffset(), local.dst(), local.tzname()))


def _state_of(clocks: Clocks) -> tuple[timedelta, bool, str]:
    """Offset, DST flag and name: what a switch changes (a change of the DST amount alone is none)."""
    offset, dst, name = clocks
    assert offset is not None
    assert dst is not None
    return offset, bool(dst), name or ""


def _state_at(zone: ZoneInfo, instant: datetime) -> Observance:
    """The observance in effect at ``instant``, as if it began then (no switch: from = to)."""
    offset, is_dst, name = _state(zone, instant)
    return Observance((instant + offset).replace(tzinfo=None), offset, offset, name, is_dst)


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[Observance]:
    """Every change of offset, DST flag or name in [start, end), oldest first."""
    step = _SCAN_STEP
    last_full_step = end - step
    before, moment = _state(zone, start), start
    local = start.astimezone(zone)
    clocks: Clocks = (local.utcoffset(), local.dst(), local.tzname())
    while moment < end:
        step_end = moment + step if moment <= last_full_step else end
        # Compare the raw readings, and make a state only when they change.
        local = step_end.astimezone(zone)
        readings: Clocks = (local.utcoffset(), local.dst(), local.tzname())
        if readings != clocks:
            clocks = readings
            after = _state_of(readings)
            if after != before:
                switch = _first_instant_with(zone, after, moment, step_end)
                yield Observance(
                    (switch + before[0]).replace(tzinfo=None), before[0], after[0], after[2], after[1]
                )
                before = after
        moment = step_end


def _first_instant_with(
    zone: ZoneInfo, state: tuple[timedelta, bool, str], low: datetime, high: datetime
) -> datetime:
    """Bisect (low, high] to the second for the first instant in ``state``; both are whole
    seconds (a zone's offsets are), so the bisection is done on POSIX timestamps."""
    first, last = int(low.timestamp()), int(high.timestamp())
    while last - first > 1:
        middle = (first + last) // 2
        if _local_state(datetime.fromtimestamp(middle, zone)) == state:
            last = middle
        else:
            first = middle
    return datetime.fromtimestamp(last, UTC)


def _yearly_rule(group: list[Observance], last_year: int) -> YearlyRule | None:
    """A yearly RRULE that gives exactly the group's onsets up to ``last_year``, if one does."""
    years = [o.onset.year for o in group]
    if years != list(range(years[0], last_year + 1)):
        return None
    if len({(o.onset.month, o.onset.time()) for o in group}) != 1:
        return None
    common = set.intersection(*(_weekday_rules(o.onset) for o in group))
    if not common:
        return None
    nth, weekday = min(common)  # -1 (the last weekday) when it fits, as tzdata writes such rules
    return YearlyRule(group[0].onset.month, f"{nth}{weekday}")


def _weekday_rules(day: datetime) -> set[tuple[int, str]]:
    weekday = _WEEKDAYS[day.weekday()]
    rules = {((day.day - 1) // 7 + 1, weekday)}
    if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
        rules.add((-1, weekday))
    return rules


def vtimezones(uses: Iterable[tuple[str, int]]) -> list[bytes]:
    """One VTIMEZONE per zone, sorted by TZID, from (tzid, year) pairs of the times that use it."""
    years: dict[str, list[int]] = {}
    for tzid, year in uses:
        years.setdefault(tzid, []).append(year)
    return [vtimezone(tzid, min(ys), max(ys)) for tzid, ys in sorted(years.items())]
