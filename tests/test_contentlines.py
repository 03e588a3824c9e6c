"""The calendar's VEVENTs are written as text; icalendar's components are the oracle, to the byte."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import vText, vUTCOffset
from icalendar.parser import Contentline
from icalendar.timezone.tzid import tzid_from_tzinfo

from conftest import EVENT_FILES, FIXTURES
from oracles import oracle_calendar
from pledge_timeline.model import Timeline
from pledge_timeline.render import contentlines
from pledge_timeline.render.ical import render_calendar
from pledge_timeline.render.vtimezone import utc_offset
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


def test_every_zone_has_the_tzid_icalendar_writes_but_only_zones_named_utc_are_utc() -> None:
    zones = sorted(available_timezones())
    assert len(zones) > 300
    for key in zones:
        written = tzid_from_tzinfo(ZoneInfo(key))
        expected = None if key in contentlines.UTC_NAMES else key
        assert contentlines.zone_tzid(ZoneInfo(key)) == expected
        assert written == key or (
            written == "UTC" and ZoneInfo(key).utcoffset(datetime(2026, 1, 1)) == timedelta(0)
        )
    assert contentlines.zone_tzid(ZoneInfo("Africa/Abidjan")) == "Africa/Abidjan"
    with pytest.raises(TypeError):
        contentlines.zone_tzid(UTC)


def test_a_backslash_n_in_text_stays_two_characters() -> None:
    """icalendar would write ``\\N`` as a line break; RFC 5545 escapes the backslash."""
    line = "DESCRIPTION:" + contentlines.text("C:\\New folder")
    assert line == "DESCRIPTION:C:\\\\New folder"
    assert icalendar.Event.from_ical(f"BEGIN:VEVENT\r\n{line}\r\nEND:VEVENT\r\n")["DESCRIPTION"] == (
        "C:\\New folder"
    )


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
