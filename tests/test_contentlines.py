"""The calendar's VEVENTs are written as text; icalendar's components are the oracle, to the byte."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import vText, vUTCOffset
from icalendar.parser import Contentline

from conftest import EVENT_FILES, FIXTURES
from pledge_timeline.model import Event, Timeline
from pledge_timeline.render import contentlines
from pledge_timeline.render.ical import (
    calendar_header,
    event_description,
    event_summary,
    event_times,
    render_calendar,
)
from pledge_timeline.render.labels import media_address
from pledge_timeline.render.vtimezone import Observance, YearlyRule, observances, utc_offset
from pledge_timeline.validate import load_timeline

# Text that exercises escaping and folding: escapes at every fold position, multi-byte characters.
TRICKY = st.text(alphabet=st.sampled_from([*'ab ,;:\\^"\n\r\t', "é", "习", "😀", "\u2028"]), max_size=400)


@given(TRICKY.map(lambda s: "DESCRIPTION:" + s.replace("\n", "").replace("\r", "")))
def test_folding_matches_icalendar(line: str) -> None:
    assert contentlines.fold(line) == Contentline(line).to_ical()


@given(TRICKY.filter(lambda s: "\\N" not in s))
def test_text_escaping_matches_icalendar(value: str) -> None:
    assert contentlines.text(value) == vText(value).to_ical().decode("utf-8")


@given(st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)))
def test_utc_offsets_match_icalendar(offset: timedelta) -> None:
    """Whole seconds, as zoneinfo gives them (LMT offsets such as -00:16:08 have seconds)."""
    offset = timedelta(seconds=int(offset.total_seconds()))
    assert utc_offset(offset) == vUTCOffset(offset).to_ical()


def test_a_backslash_n_in_text_stays_two_characters() -> None:
    """icalendar would write ``\\N`` as a line break; RFC 5545 escapes the backslash."""
    line = "DESCRIPTION:" + contentlines.text("C:\\New folder")
    assert line == "DESCRIPTION:C:\\\\New folder"
    assert icalendar.Event.from_ical(f"BEGIN:VEVENT\r\n{line}\r\nEND:VEVENT\r\n")["DESCRIPTION"] == (
        "C:\\New folder"
    )


def oracle_vevent(timeline: Timeline, event: Event) -> icalendar.Event:
    """The VEVENT built with icalendar's component API, property by property."""
    component = icalendar.Event()
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
    picture = event.media.file if event.media is not None else None
    if picture is not None:
        image = media_address(timeline.base_url, picture)
        parameters = {"VALUE": "URI", "FMTTYPE": picture.media_type, "DISPLAY": "FULLSIZE"}
        component.add("image", icalendar.vUri(image), parameters=parameters)
    component.add("url", timeline.permalink(event), parameters={"VALUE": "URI"})
    if event.tags:
        component.add("categories", [tag.label for tag in event.tags])
    component.add("status", "TENTATIVE" if event.when.is_fuzzy else "CONFIRMED")
    component.add("transp", "TRANSPARENT")
    return component


def oracle_calendar(timeline: Timeline, path: str) -> bytes:
    calendar = calendar_header(timeline, path)
    events = [oracle_vevent(timeline, event) for event in timeline.chronological]
    uses = [
        (prop.params["TZID"], prop.dt.year)
        for event in events
        for prop in (event.get("dtstart"), event.get("dtend"))
        if prop is not None and "TZID" in prop.params
    ]
    years: dict[str, list[int]] = {}
    for tzid, year in uses:
        years.setdefault(tzid, []).append(year)
    for tzid, used in sorted(years.items()):
        calendar.add_component(oracle_vtimezone(tzid, min(used), max(used)))
    for event in events:
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def oracle_vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """The VTIMEZONE built with icalendar's component API from the same observances."""
    component = icalendar.Timezone()
    component.add("tzid", tzid)
    for observance, rule in observances(tzid, first_year, last_year):
        component.add_component(oracle_observance(observance, rule))
    return component


def oracle_observance(
    observance: Observance, rule: YearlyRule | None
) -> icalendar.TimezoneStandard | icalendar.TimezoneDaylight:
    component = icalendar.TimezoneDaylight() if observance.is_dst else icalendar.TimezoneStandard()
    component.add("dtstart", observance.onset)
    component.add("tzoffsetfrom", observance.offset_from)
    component.add("tzoffsetto", observance.offset_to)
    component.add("tzname", observance.name)
    if rule is not None:
        component.add("rrule", {"FREQ": "YEARLY", "BYMONTH": rule.month, "BYDAY": rule.byday})
    return component


def calendars_of(timeline: Timeline) -> list[tuple[Timeline, str]]:
    return [(timeline, "calendar.ics")] + [
        (timeline.restricted_to(tag), f"tags/{tag.id}.ics") for tag in timeline.tags
    ]


@pytest.mark.parametrize("events_file", EVENT_FILES, ids=lambda p: Path(p).stem)
def test_every_calendar_is_what_icalendar_writes(events_file: Path) -> None:
    timeline = load_timeline(events_file)
    for subset, path in calendars_of(timeline):
        assert render_calendar(subset, path) == oracle_calendar(subset, path), path


def test_the_benchmark_mix_is_what_icalendar_writes(benchmark_mix: Timeline) -> None:
    """1,000 synthetic events: every precision, nine zones, CJK and emoji, revisions."""
    for subset, path in calendars_of(benchmark_mix):
        assert render_calendar(subset, path) == oracle_calendar(subset, path), path


def test_a_tag_calendar_has_its_own_dtstamp_around_shared_event_text() -> None:
    timeline = load_timeline(FIXTURES / "small.yaml")
    whole = render_calendar(timeline, "calendar.ics")
    for tag in timeline.tags:
        subset = timeline.restricted_to(tag)
        stamp = contentlines.utc_stamp(subset.build_time).encode()
        data = render_calendar(subset, f"tags/{tag.id}.ics")
        assert data.count(b"DTSTAMP:" + stamp) == len(subset.events)
        assert data.count(b"BEGIN:VEVENT") == len(subset.events)
    assert whole.count(b"BEGIN:VEVENT") == len(timeline.events)


def test_an_edited_event_is_not_served_from_the_memo() -> None:
    from dataclasses import replace

    from pledge_timeline.render.memo import build_scope

    timeline = load_timeline(FIXTURES / "small.yaml")
    first, *rest = timeline.events
    edited = replace(timeline, events=(replace(first, title="A new title"), *rest))
    with build_scope():  # one build's memo for both
        before = render_calendar(timeline, "calendar.ics")
        after = render_calendar(edited, "calendar.ics")
    assert after != before
    assert after == oracle_calendar(edited, "calendar.ics")


def test_utc_stamp_converts_to_utc() -> None:
    from zoneinfo import ZoneInfo

    moment = datetime(2015, 9, 22, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert contentlines.utc_stamp(moment) == "20150922T160000Z"
