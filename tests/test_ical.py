"""calendar.ics: golden file, four independent parsers, folding, escaping, dates and identity."""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import icalendar
import ics
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO, missing_tool
from pledge_timeline.build import formats
from pledge_timeline.dates import parse_span
from pledge_timeline.markdown import to_plain
from pledge_timeline.model import Citation, Event, Revision, Source, Tag, Timeline, When
from pledge_timeline.render.ical import render_calendar
from pledge_timeline.render.vtimezone import Observance, vtimezone
from pledge_timeline.validate import load_timeline

ICAL_JS_DIR = Path(__file__).parent / "js"
Dates = dict[str, tuple[date | datetime, date | datetime | None]]
"""UID -> (start, end): dates for all-day events, UTC datetimes for timed ones."""


@pytest.fixture(scope="module")
def small_ics(small: Timeline) -> bytes:
    return render_calendar(small, "calendar.ics")


# --- Python-built timelines -------------------------------------------------------------------

SOURCE = Source("wire", "Wire copy", "Example Wire", parse_span("2015-09-17"), "https://news.example.com/w")
TAG = Tag("visit", "State visit")


def make_event(
    event_id: str,
    when: str,
    *,
    title: str | None = None,
    summary: str = "Something happened.",
    start: time | None = None,
    end: time | None = None,
    zone: str | None = None,
    revisions: tuple[Revision, ...] = (),
) -> Event:
    return Event(
        id=event_id,
        title=title or event_id,
        when=When(parse_span(when), start_time=start, end_time=end, timezone=zone),
        summary=summary,
        citations=(Citation(SOURCE, "a quote"),),
        tags=(TAG,),
        revisions=revisions,
    )


def make_timeline(*events: Event, timezone: str = "America/Los_Angeles") -> Timeline:
    return Timeline(
        title="Python-built timeline",
        description="For unit tests.",
        language="en",
        base_url="https://timeline.example.org/unit/",
        timezone=timezone,
        curator="Test Desk",
        rights="CC0",
        tags=(TAG,),
        sources=(SOURCE,),
        events=events,
    )


# --- What every parser should read ------------------------------------------------------------


def expected_dates(timeline: Timeline) -> Dates:
    """From the model alone: the dates every parser must agree on."""
    expected: Dates = {}
    for event in timeline.events:
        uid = f"{event.id}@{timeline.domain}"
        when = event.when
        if when.is_timed and not when.is_fuzzy:
            end = when.end_instant
            expected[uid] = (
                when.start_instant.astimezone(UTC),
                None if end is None else end.astimezone(UTC),
            )
        else:
            expected[uid] = (when.span.first_day, when.span.last_day + timedelta(days=1))
    return expected


def normalized(value: date | datetime | None) -> date | datetime | None:
    if isinstance(value, datetime):
        assert value.tzinfo is not None, f"{value} is floating: its TZID was not understood"
        return value.astimezone(UTC)
    return value


@contextmanager
def no_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail on any Python warning or any log record of level WARNING or above."""
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        yield
    assert [str(w.message) for w in caught] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def read_icalendar(data: bytes) -> Dates:
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar.errors == []
    result: Dates = {}
    for event in calendar.walk("VEVENT"):
        assert event.errors == []
        end = event.decoded("dtend") if "DTEND" in event else None
        result[str(event["uid"])] = (normalized(event.decoded("dtstart")), normalized(end))
    return result


def read_vobject(data: bytes) -> Dates:
    forget_vobject_zones()
    calendar = vobject.readOne(data.decode("utf-8"))
    result: Dates = {}
    for event in calendar.vevent_list:
        end = event.dtend.value if hasattr(event, "dtend") else None
        result[event.uid.value] = (normalized(event.dtstart.value), normalized(end))
    return result


def forget_vobject_zones() -> None:
    """vobject keeps the first VTIMEZONE it ever saw for a TZID, process-wide; start afresh."""
    registry: dict[str, Any] = getattr(vobject.icalendar, "__tzidMap")
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]


def read_ics(data: bytes) -> Dates:
    calendar = ics.Calendar(data.decode("utf-8"))
    result: Dates = {}
    for event in calendar.events:
        if event.all_day:
            result[event.uid] = (event.begin.date(), event.end.date())
        else:
            end = event.end.datetime if event.has_end() else None
            result[event.uid] = (normalized(event.begin.datetime), normalized(end))
    return result


def run_ical_js(data: bytes) -> dict[str, Any]:
    """Mozilla ical.js (Thunderbird's parser), with the VTIMEZONEs registered as Thunderbird does.

    Run with TZ=UTC so a TZID it failed to resolve (a floating time) shows up as a wrong instant.
    """
    node = shutil.which("node")
    if node is None or not (ICAL_JS_DIR / "node_modules" / "ical.js").is_dir():
        missing_tool("ical.js not installed: run `npm ci --prefix tests/js` (needs node)")
    completed = subprocess.run(
        [node, str(ICAL_JS_DIR / "read_ics.mjs")],
        input=data,
        capture_output=True,
        check=True,
        env={**os.environ, "TZ": "UTC"},
        timeout=60,
    )
    assert completed.stderr == b""
    result: dict[str, Any] = json.loads(completed.stdout)
    assert result["warnings"] == []
    return result


def read_ical_js(data: bytes) -> Dates:
    return {e["uid"]: (js_value(e["start"]), js_value(e["end"])) for e in run_ical_js(data)["events"]}


def js_value(text: str | None) -> date | datetime | None:
    if text is None:
        return None
    if "T" in text:
        return datetime.fromisoformat(text).astimezone(UTC)
    return date.fromisoformat(text)


PARSERS: dict[str, Callable[[bytes], Dates]] = {
    "icalendar": read_icalendar,
    "vobject": read_vobject,
    "ics": read_ics,
    "ical.js": read_ical_js,
}


# --- Golden file and registration -------------------------------------------------------------


def test_small_calendar_matches_golden(small_ics: bytes, assert_golden: Any) -> None:
    assert_golden("small/calendar.ics", small_ics)


def test_calendar_and_tag_calendars_are_registered() -> None:
    (calendar,) = [output for output in formats() if output.path == "calendar.ics"]
    assert (calendar.render, calendar.tag_path) == (render_calendar, "tags/{tag}.ics")


# --- Parsers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize(
    "events_file",
    [FIXTURES / "small.yaml", FIXTURES / "hostile.yaml", REPO / "events.yaml", FIXTURES / "rich.yaml"],
    ids=["small", "hostile", "events.yaml", "rich"],
)
def test_every_parser_reads_the_same_events_and_dates(
    parser: str, events_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    timeline = load_timeline(events_file)
    data = render_calendar(timeline, "calendar.ics")
    assert_well_formed_lines(data)
    with no_warnings(caplog):
        dates = PARSERS[parser](data)
    assert dates == expected_dates(timeline)


@pytest.mark.parametrize("parser", PARSERS)
def test_the_seattle_roundtable_is_at_16_utc_in_every_parser(
    parser: str, small_ics: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with no_warnings(caplog):
        start, end = PARSERS[parser](small_ics)["roundtable@timeline.example.org"]
    assert start == datetime(2015, 9, 23, 16, 0, tzinfo=UTC)
    assert end == datetime(2015, 9, 23, 18, 30, tzinfo=UTC)


ZONE_CASES = [
    # Each event lasts an hour; none starts or ends in a repeated or skipped hour.
    # The US rule changed in 2007: these are right only if each year's own rule is used.
    ("la-2006-march", "2006-03-15", time(10), "America/Los_Angeles"),  # PST in 2006
    ("la-2006-april", "2006-04-02", time(10), "America/Los_Angeles"),  # first PDT day of 2006
    ("la-2006-october", "2006-10-30", time(10), "America/Los_Angeles"),  # PST again
    ("la-2007-march", "2007-03-15", time(10), "America/Los_Angeles"),  # PDT under the new rule
    ("la-2007-october", "2007-10-30", time(10), "America/Los_Angeles"),  # still PDT in 2007
    ("sydney-summer", "2015-01-15", time(10), "Australia/Sydney"),  # southern DST
    ("sydney-winter", "2015-07-01", time(10), "Australia/Sydney"),
    ("sydney-next-summer", "2016-12-01", time(10), "Australia/Sydney"),
    ("tokyo", "2015-09-23", time(9), "Asia/Tokyo"),  # no DST at all
    ("utc", "2015-09-23", time(9), "UTC"),  # written as 090000Z, needs no VTIMEZONE
    ("berlin-spring", "2015-03-29", time(3, 30), "Europe/Berlin"),  # just after the switch
    ("berlin-before-fallback", "2016-10-30", time(0, 30), "Europe/Berlin"),
    ("berlin-after-fallback", "2016-10-30", time(3, 30), "Europe/Berlin"),
]


@pytest.fixture(scope="module")
def zones_ics() -> tuple[Timeline, bytes]:
    events = [
        make_event(event_id, day, start=start, end=time(start.hour + 1, start.minute), zone=zone)
        for event_id, day, start, zone in ZONE_CASES
    ]
    events.append(make_event("no-end", "2015-09-23", start=time(9), zone="America/Los_Angeles"))
    timeline = make_timeline(*events)
    return timeline, render_calendar(timeline, "calendar.ics")


@pytest.mark.parametrize("parser", PARSERS)
def test_every_parser_reads_the_vtimezones_right(
    parser: str, zones_ics: tuple[Timeline, bytes], caplog: pytest.LogCaptureFixture
) -> None:
    timeline, data = zones_ics
    with no_warnings(caplog):
        dates = PARSERS[parser](data)
    assert dates == expected_dates(timeline)


def test_one_vtimezone_per_zone_and_no_rdate_lists(zones_ics: tuple[Timeline, bytes]) -> None:
    _, data = zones_ics
    calendar = icalendar.Calendar.from_ical(data)
    tzids = [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")]
    assert tzids == ["America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "Europe/Berlin"]
    assert b"RDATE" not in data


def test_the_vtimezone_onsets_are_in_the_time_before_the_switch() -> None:
    """RFC 5545 3.6.5: both US switches happen at 02:00 local time, as the clocks showed it."""
    zone = icalendar.Timezone.from_ical(vtimezone("America/Los_Angeles", 2015, 2015))
    onsets = {sub.name: sub.decoded("dtstart") for sub in zone.subcomponents}
    assert onsets == {
        "STANDARD": datetime(2014, 11, 2, 2, 0),
        "DAYLIGHT": datetime(2015, 3, 8, 2, 0),
    }
    rules = {sub.name: sub["rrule"].to_ical() for sub in zone.subcomponents}
    assert rules == {
        "STANDARD": b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
        "DAYLIGHT": b"FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
    }


def test_calendar_properties_survive_vobject(small_ics: bytes, small: Timeline) -> None:
    calendar = vobject.readOne(small_ics.decode("utf-8"))

    def value(name: str) -> str:
        return str(calendar.contents[name][0].value)

    assert value("prodid").startswith("-//pledge-timeline//")
    assert value("version") == "2.0"
    assert value("calscale") == "GREGORIAN"
    assert value("method") == "PUBLISH"
    assert value("name") == value("x-wr-calname") == small.title
    assert value("description") == value("x-wr-caldesc") == small.description
    assert value("url") == "https://timeline.example.org/small/timeline.html"
    assert value("source") == "https://timeline.example.org/small/calendar.ics"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in small_ics
    assert b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in small_ics


def test_ical_js_reads_text_fields_as_written(small_ics: bytes, small: Timeline) -> None:
    events = {e["uid"]: e for e in run_ical_js(small_ics)["events"]}
    xi = events["xi-in-seattle@timeline.example.org"]
    assert xi["summary"] == "习近平 in Seattle 😀"
    assert xi["location"] == "Seattle, Washington"
    assert xi["categories"] == ["State visit"]
    cisco = events["cisco-pledge@timeline.example.org"]
    assert cisco["description"].startswith(
        "In June, Cisco pledged $10 billion; a line with a backslash \\ and a comma, too.\n\n"
    )


# --- Lines, folding and escaping --------------------------------------------------------------


def assert_well_formed_lines(data: bytes) -> None:
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    for line in lines:
        assert b"\n" not in line, f"bare line break in {line!r}"
        assert b"\r" not in line, f"bare carriage return in {line!r}"
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
        line.decode("utf-8")  # raises if folding split a character


def test_small_calendar_lines_are_crlf_folded_at_75_octets(small_ics: bytes) -> None:
    assert_well_formed_lines(small_ics)
    assert "习近平".encode() in small_ics
    assert "😀".encode() in small_ics
    assert b"\r\n " in small_ics  # something was folded


@pytest.mark.parametrize("offset", range(4))
def test_folding_never_splits_a_character(offset: int) -> None:
    # Shift the multi-byte characters across every possible position of the fold.
    title = "x" * offset + "习近平😀" * 30
    data = render_calendar(make_timeline(make_event("wide", "2015-09-23", title=title)), "c.ics")
    assert_well_formed_lines(data)
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["summary"]) == title


def test_text_is_escaped(small_ics: bytes) -> None:
    unfolded = small_ics.replace(b"\r\n ", b"")
    assert b"SUMMARY:Letter sent to companies (Summer 2015\\, approx.)\r\n" in unfolded
    cisco = b"DESCRIPTION:In June\\, Cisco pledged $10 billion\\; a line with a backslash \\\\ "
    assert cisco in unfolded
    assert b"LOCATION:Seattle\\, Washington\r\n" in unfolded
    assert b"\\n\\nSources:\\n" in unfolded


def test_text_round_trips_through_icalendar(small_ics: bytes, small: Timeline) -> None:
    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(small_ics).walk("VEVENT")}
    for event in small.events:
        parsed = events[f"{event.id}@{small.domain}"]
        assert str(parsed["description"]).startswith(event.summary + "\n\n")
        assert str(parsed["url"]) == small.permalink(event)


TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r") | st.just("\n"),
    min_size=1,
    max_size=200,
).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None)
@given(title=TEXT, summary=TEXT)
def test_any_text_round_trips_and_folds_cleanly(title: str, summary: str) -> None:
    event = make_event("any", "2015-09-23", title=title, summary=summary)
    data = render_calendar(make_timeline(event), "calendar.ics")
    assert_well_formed_lines(data)
    (parsed,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(parsed["summary"]) == title
    assert str(parsed["description"]).startswith(to_plain(summary) + "\n\n")


# --- Dates policy -----------------------------------------------------------------------------


def test_fuzzy_dates_are_tentative_all_day_spans_over_the_whole_period(
    small_ics: bytes, small: Timeline
) -> None:
    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(small_ics).walk("VEVENT")}
    fuzzy = [e for e in small.events if e.when.is_fuzzy]
    assert {e.id for e in fuzzy} == {"letter-sent", "cisco-pledge"}
    for event in fuzzy:
        parsed = events[f"{event.id}@{small.domain}"]
        assert parsed["dtstart"].params["VALUE"] == "DATE"
        assert parsed.decoded("dtstart") == event.when.span.first_day
        assert parsed.decoded("dtend") == event.when.span.last_day + timedelta(days=1)
        assert str(parsed["status"]) == "TENTATIVE"
    assert str(events["letter-sent@timeline.example.org"]["summary"]) == (
        "Letter sent to companies (Summer 2015, approx.)"
    )
    assert str(events["cisco-pledge@timeline.example.org"]["summary"]) == (
        "Cisco pledges $10 billion (June 2015)"
    )


def test_exact_days_are_confirmed_with_an_exclusive_end(small_ics: bytes) -> None:
    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(small_ics).walk("VEVENT")}
    article = events["article-published@timeline.example.org"]
    assert (article.decoded("dtstart"), article.decoded("dtend")) == (
        date(2015, 9, 16),
        date(2015, 9, 17),
    )
    xi = events["xi-in-seattle@timeline.example.org"]
    assert (xi.decoded("dtstart"), xi.decoded("dtend")) == (date(2015, 9, 22), date(2015, 9, 25))
    for event in (article, xi, events["roundtable@timeline.example.org"]):
        assert str(event["status"]) == "CONFIRMED"
        assert str(event["transp"]) == "TRANSPARENT"
    assert str(xi["summary"]) == "习近平 in Seattle 😀"


def test_a_time_on_a_fuzzy_date_is_not_shown() -> None:
    event = make_event("vague", "2015-09~", start=time(9), zone="America/Los_Angeles")
    data = render_calendar(make_timeline(event), "calendar.ics")
    (parsed,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert parsed.decoded("dtstart") == date(2015, 9, 1)
    assert parsed.decoded("dtend") == date(2015, 10, 1)
    assert b"VTIMEZONE" not in data


def test_a_timed_event_without_a_zone_uses_the_timelines() -> None:
    event = make_event("local", "2015-09-23", start=time(9))
    data = render_calendar(make_timeline(event, timezone="Asia/Tokyo"), "calendar.ics")
    assert b"DTSTART;TZID=Asia/Tokyo:20150923T090000\r\n" in data
    assert b"TZID:Asia/Tokyo\r\n" in data


# --- Identity, revisions and reproducibility --------------------------------------------------


def test_sequence_and_last_modified_follow_the_revisions(small_ics: bytes) -> None:
    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(small_ics).walk("VEVENT")}
    article = events["article-published@timeline.example.org"]
    assert article["sequence"] == 2
    assert article.decoded("last-modified") == datetime(2015, 9, 17, 12, tzinfo=UTC)
    assert article.decoded("created") == datetime(2015, 9, 16, 12, tzinfo=UTC)
    assert "Corrected Sept 16, 2015: Length of Dell's pledge: the next 10 years -> " in str(
        article["description"]
    )
    xi = events["xi-in-seattle@timeline.example.org"]
    assert xi["sequence"] == 0
    assert xi.decoded("last-modified") == xi.decoded("created")


def test_a_correction_bumps_sequence_but_keeps_the_uid() -> None:
    original = make_event("meeting", "2015-09-23")
    fix = Revision(date(2015, 9, 30), "Title", SOURCE, "Meting", "Meeting")
    corrected = replace(original, title="Meeting, corrected", revisions=(fix,))

    def parsed(event: Event) -> icalendar.Event:
        data = render_calendar(make_timeline(event), "calendar.ics")
        (component,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
        return component

    before, after = parsed(original), parsed(corrected)
    assert str(before["uid"]) == str(after["uid"]) == "meeting@timeline.example.org"
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert after.decoded("last-modified") == datetime(2015, 9, 30, 12, tzinfo=UTC)
    correction = "Corrected Sept 30, 2015: Title: Meting -> Meeting (Example Wire)"
    assert correction in str(after["description"])


def test_dtstamp_is_the_build_time_not_the_clock(small: Timeline) -> None:
    data = render_calendar(small, "calendar.ics")
    assert data.count(b"\r\nDTSTAMP:20150917T120000Z\r\n") == len(small.events)
    pinned = replace(small, source_date_epoch=1_500_000_000)
    assert b"\r\nDTSTAMP:20170714T024000Z\r\n" in render_calendar(pinned, "calendar.ics")


def test_rendering_twice_gives_the_same_bytes(small: Timeline, small_ics: bytes) -> None:
    assert render_calendar(small, "calendar.ics") == small_ics


RENDER_IN_SUBPROCESS = """
import sys
from pathlib import Path
from pledge_timeline.render.ical import render_calendar
from pledge_timeline.validate import load_timeline
sys.stdout.buffer.write(render_calendar(load_timeline(Path(sys.argv[1])), "calendar.ics"))
"""


@pytest.mark.parametrize("tz", ["Asia/Tokyo", "UTC", "America/Los_Angeles"])
def test_the_machines_timezone_changes_nothing(tz: str, small_ics: bytes) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    completed = subprocess.run(
        [sys.executable, "-c", RENDER_IN_SUBPROCESS, str(FIXTURES / "small.yaml")],
        capture_output=True,
        check=True,
        env={**env, "TZ": tz},
        cwd=REPO,
        timeout=60,
    )
    assert completed.stdout == small_ics


# --- Per-tag calendars ------------------------------------------------------------------------


def test_a_tag_calendar_holds_only_that_tags_events(small: Timeline) -> None:
    pledge = next(tag for tag in small.tags if tag.id == "pledge")
    data = render_calendar(small.restricted_to(pledge), "tags/pledge.ics")
    calendar = icalendar.Calendar.from_ical(data)
    uids = sorted(str(e["uid"]) for e in calendar.walk("VEVENT"))
    assert uids == ["cisco-pledge@timeline.example.org", "letter-sent@timeline.example.org"]
    assert b"\r\nX-WR-CALNAME:Small fixture timeline: The pledge\r\n" in data
    assert b"\r\nSOURCE;VALUE=URI:https://timeline.example.org/small/tags/pledge.ics\r\n" in data
    assert b"VTIMEZONE" not in data  # no timed event carries this tag
    assert_well_formed_lines(data)


def test_a_tag_calendar_with_a_timed_event_has_its_vtimezone(small: Timeline) -> None:
    visit = next(tag for tag in small.tags if tag.id == "visit")
    data = render_calendar(small.restricted_to(visit), "tags/visit.ics")
    assert data.count(b"BEGIN:VTIMEZONE") == 1
    assert read_vobject(data) == expected_dates(small.restricted_to(visit))


@pytest.mark.parametrize(
    "tzid", ["Africa/Casablanca", "Australia/Lord_Howe", "Pacific/Apia", "America/Sao_Paulo", "Asia/Tehran"]
)
def test_the_scan_finds_the_same_switches_as_an_hourly_one(
    tzid: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zones with Ramadan breaks, half-hour DST, a skipped day and abolished DST, 1990-2030."""
    from zoneinfo import ZoneInfo

    from pledge_timeline.render import vtimezone as module

    zone, start, end = ZoneInfo(tzid), datetime(1990, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
    scanned = list(module._transitions(zone, start, end))
    monkeypatch.setattr(module, "_SCAN_STEP", timedelta(hours=1))
    hourly = list(module._transitions(zone, start, end))
    assert scanned == hourly
    assert len(scanned) > 2


@pytest.mark.parametrize(
    ("tzid", "year"),
    [
        ("Africa/Freetown", 1939),
        ("America/Recife", 2000),
        ("America/Cambridge_Bay", 2000),
        ("Asia/Gaza", 2040),
    ],
)
def test_switches_days_apart_are_both_found_wherever_the_scan_starts(
    tzid: str, year: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pairs of switches four to seven days apart: a scan step that long finds neither from
    some starting points (found in review of a weekly step)."""
    from zoneinfo import ZoneInfo

    from pledge_timeline.render import vtimezone as module

    zone = ZoneInfo(tzid)
    year_start, year_end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    with monkeypatch.context() as hourly_scan:
        hourly_scan.setattr(module, "_SCAN_STEP", timedelta(hours=1))
        instants = [_switch_instant(o) for o in module._transitions(zone, year_start, year_end)]
        first = next(a for a, b in itertools.pairwise(instants) if b - a < timedelta(days=7))
        window_end = first + timedelta(days=8)
        expected = list(module._transitions(zone, first - timedelta(days=8), window_end))
    assert len(expected) == 2
    for hours in range(12, 8 * 24, 12):
        start = first - timedelta(hours=hours)
        assert list(module._transitions(zone, start, window_end)) == expected, start


@pytest.mark.parametrize(
    ("tzid", "years"),
    [
        ("Africa/Casablanca", range(2018, 2031)),  # Ramadan breaks, some weeks apart
        ("Australia/Lord_Howe", range(1990, 1994)),  # half-hour DST
        ("Pacific/Apia", range(2010, 2013)),  # the skipped December 30, 2011
        ("America/Sao_Paulo", range(2017, 2021)),  # DST abolished
        ("Asia/Tehran", range(2021, 2024)),
        ("Africa/Freetown", range(1938, 1941)),  # switches four days apart
        ("Europe/London", range(1967, 1973)),  # a name change with the offset kept
        ("America/Cambridge_Bay", range(1999, 2002)),
        ("Asia/Gaza", range(2039, 2042)),
        ("Europe/Berlin", range(2037, 2041)),  # past the transitions the file lists
    ],
)
def test_a_years_switches_are_those_an_hourly_scan_of_the_year_finds(
    tzid: str, years: range, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The year's scan looks only around the days whose local noons read differently."""
    from zoneinfo import ZoneInfo

    from pledge_timeline.render import vtimezone as module

    zone = ZoneInfo(tzid)
    found = [module._year_transitions.__wrapped__(tzid, year) for year in years]
    monkeypatch.setattr(module, "_SCAN_STEP", timedelta(hours=1))
    hourly = [
        tuple(module._transitions(zone, module._new_year(tzid, year), module._new_year(tzid, year + 1)))
        for year in years
    ]
    assert found == hourly
    assert sum(map(len, found)) >= len(years)


def _switch_instant(observance: Observance) -> datetime:
    return (observance.onset - observance.offset_from).replace(tzinfo=UTC)


def test_a_zone_at_utc_today_keeps_its_own_history() -> None:
    """Abidjan is at UTC now but was at -00:16:08 until 1912: a 1900 time must not become Z."""
    from zoneinfo import ZoneInfo

    event = make_event("abidjan-1900", "1900-06-01", start=time(9, 0), zone="Africa/Abidjan")
    data = render_calendar(make_timeline(event), "calendar.ics")
    assert b"DTSTART;TZID=Africa/Abidjan:19000601T090000" in data
    (parsed,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    expected = datetime(1900, 6, 1, 9, 0, tzinfo=ZoneInfo("Africa/Abidjan"))
    assert parsed.decoded("DTSTART").astimezone(UTC) == expected.astimezone(UTC)
    assert expected.utcoffset() != timedelta(0)
