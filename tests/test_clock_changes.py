"""Times near clock changes: refused where the clocks skip them, one instant in every client where
the clocks show them twice, ends after starts, and labels that name the zone at each end."""

from __future__ import annotations

import json
import subprocess
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, missing_tool
from pledge_timeline.build import build
from pledge_timeline.errors import InvalidTimeline
from pledge_timeline.model import Timeline
from pledge_timeline.render.ical import render_calendar
from pledge_timeline.validate import load_timeline
from test_ical import PARSERS, Dates, assert_well_formed_lines, js_value, no_warnings
from test_validate import _minimal_with, _problems

CLOCKS = FIXTURES / "clock-changes.yaml"
LIBICAL_READER = Path(__file__).parent / "libical" / "read_ics.py"
DEBIAN_PYTHON = Path("/usr/bin/python3")
"""libical's GObject bindings (Debian's python3-gi, gir1.2-ical-3.0) are for Debian's Python."""


@pytest.fixture(scope="module")
def clocks() -> Timeline:
    return load_timeline(CLOCKS)


@pytest.fixture(scope="module")
def clocks_ics(clocks: Timeline) -> bytes:
    return render_calendar(clocks, "calendar.ics")


# --- What zoneinfo says, from the file's own text ----------------------------------------------


def zoneinfo_dates(file: Path) -> Dates:
    """UID -> (start, end) in UTC, computed from the YAML text with zoneinfo alone (PEP 495:
    fold 0 is a repeated time's first occurrence, as RFC 5545 reads it; ``later`` is fold 1)."""
    data = yaml.load(file.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    default_zone = data["timeline"]["timezone"]
    host = "timeline.example.org"
    result: Dates = {}
    for event in data["events"]:
        days = event["date"].split("/")
        zone = zoneinfo.ZoneInfo(event.get("timezone", default_zone))

        def at(day: str, wall: str, fold: str | None, zone: zoneinfo.ZoneInfo = zone) -> datetime:
            local = datetime.combine(date.fromisoformat(day), time.fromisoformat(wall), zone)
            return local.replace(fold=1 if fold == "later" else 0).astimezone(UTC)

        start = at(days[0], event["time"], event.get("fold"))
        end = at(days[-1], event["end_time"], event.get("end_fold")) if "end_time" in event else None
        result[f"{event['id']}@{host}"] = (start, end)
    return result


def read_libical(data: bytes) -> Dates:
    """GNOME's libical (Evolution's parser), run in Debian's Python through GObject introspection."""
    if (
        not DEBIAN_PYTHON.exists()
        or subprocess.run(
            [str(DEBIAN_PYTHON), "-c", "import gi; gi.require_version('ICalGLib', '3.0')"],
            capture_output=True,
            check=False,
        ).returncode
    ):
        missing_tool("libical not installed: apt-get install gir1.2-ical-3.0 python3-gi")
    completed = subprocess.run(
        [str(DEBIAN_PYTHON), str(LIBICAL_READER)], input=data, capture_output=True, check=True, timeout=60
    )
    assert completed.stderr == b""
    events: list[dict[str, Any]] = json.loads(completed.stdout)["events"]
    return {e["uid"]: (js_value(e["start"]), js_value(e["end"])) for e in events}


READERS = {**PARSERS, "libical": read_libical}


# --- Every client reads every time as zoneinfo does --------------------------------------------


def test_the_fixture_covers_at_least_six_zones_and_every_kind_of_time(clocks: Timeline) -> None:
    zones = {e.when.timezone for e in clocks.events}
    assert len(zones) >= 6
    instants = [i for e in clocks.events for i in e.when.instants(clocks.timezone) if i is not None]
    repeated = [i for i in instants if i.replace(fold=1 - i.fold).utcoffset() != i.utcoffset()]
    assert {i.fold for i in repeated} == {0, 1}  # both occurrences of a repeated time
    assert any(e.when.span.first_day != e.when.span.last_day for e in clocks.events)
    named = {
        (e.when.start_instant.tzname(), e.when.end_instant.tzname())
        for e in clocks.events
        if e.when.end_instant
    }
    assert {("PST", "PDT"), ("BST", "GMT"), ("NDT", "NST")} <= named


@pytest.mark.parametrize("reader", READERS)
def test_every_client_reads_every_time_as_zoneinfo_does(
    reader: str, clocks_ics: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    assert_well_formed_lines(clocks_ics)
    with no_warnings(caplog):
        dates = READERS[reader](clocks_ics)
    assert dates == zoneinfo_dates(CLOCKS)


ISSUE_CASES = {
    # The issue's cases, worked by hand: St John's is -02:30 (NDT), then -03:30 (NST).
    "st-johns-repeated-first": (datetime(2015, 11, 1, 4, 0, tzinfo=UTC), None),
    "st-johns-repeated-second": (
        datetime(2015, 11, 1, 5, 0, tzinfo=UTC),
        datetime(2015, 11, 1, 6, 0, tzinfo=UTC),
    ),
    "la-spring-forward": (datetime(2015, 3, 8, 9, 30, tzinfo=UTC), datetime(2015, 3, 8, 10, 30, tzinfo=UTC)),
    "la-across-the-repeated-hour": (
        datetime(2015, 11, 1, 8, 30, tzinfo=UTC),
        datetime(2015, 11, 1, 9, 15, tzinfo=UTC),
    ),
    "chicago-three-days": (
        datetime(2015, 12, 16, 15, 0, tzinfo=UTC),
        datetime(2015, 12, 18, 23, 0, tzinfo=UTC),
    ),
}


@pytest.mark.parametrize("reader", READERS)
def test_the_issues_times_are_the_instants_they_name(reader: str, clocks_ics: bytes) -> None:
    dates = READERS[reader](clocks_ics)
    assert {event: dates[f"{event}@timeline.example.org"] for event in ISSUE_CASES} == ISSUE_CASES


def test_only_events_with_a_repeated_time_are_written_in_utc(clocks: Timeline, clocks_ics: bytes) -> None:
    """A TZID time in a repeated hour is read as either occurrence (ical.js and libical take the
    second, icalendar and vobject the first): such events are written in UTC; others keep
    their zone, which clients show and use for recurrence-free display."""
    events = {str(e["uid"]).split("@")[0]: e for e in icalendar.Calendar.from_ical(clocks_ics).walk("VEVENT")}
    utc = {uid for uid, e in events.items() if e["dtstart"].to_ical().endswith(b"Z")}
    assert utc == {
        "la-repeated-hour-first",
        "la-repeated-hour-second",
        "la-across-the-repeated-hour",
        "la-ends-in-the-repeated-hour",
        "st-johns-repeated-first",
        "st-johns-repeated-second",
        "lord-howe-half-hour-repeat",
        "sao-paulo-repeated-before-midnight",
        "moscow-same-name-twice",
        "sydney-repeated-hour",
    }
    for uid in utc:
        assert "TZID" not in events[uid]["dtstart"].params
        if "DTEND" in events[uid]:
            assert events[uid]["dtend"].to_ical().endswith(b"Z")
    assert b"TZID=Europe/Moscow" not in clocks_ics
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/Moscow\r\n" not in clocks_ics


# --- Labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "label"),
    [
        ("la-spring-forward", "March 8, 2015, 01:30 PST - 03:30 PDT"),
        ("london-overnight-fall-back", "Oct 24, 22:00 BST - Oct 25, 2015, 03:00 GMT"),
        ("st-johns-fall-back", "Nov 1, 2015, 00:30 NDT - 03:00 NST"),
        ("chicago-three-days", "Dec 16, 09:00 - Dec 18, 2015, 17:00 CST"),
        ("la-repeated-hour-first", "Nov 1, 2015, 01:30-01:45 PDT"),
        ("la-repeated-hour-second", "Nov 1, 2015, 01:30-01:45 PST"),
        ("la-across-the-repeated-hour", "Nov 1, 2015, 01:30 PDT - 01:15 PST"),
        ("st-johns-repeated-first", "Nov 1, 2015, 01:30 NDT"),
        ("moscow-same-name-twice", "Oct 26, 2014, 01:30-01:45 MSK (UTC+03:00)"),
        ("tokyo-no-dst", "Sept 23, 2015, 09:00-10:00 JST"),
    ],
)
def test_labels_name_the_zone_in_force_at_each_end(clocks: Timeline, event: str, label: str) -> None:
    (found,) = [e for e in clocks.events if e.id == event]
    assert found.when.label == label


def test_a_timed_range_across_new_year_gives_both_years() -> None:
    from pledge_timeline.dates import parse_span
    from pledge_timeline.model import When

    when = When(
        parse_span("2015-12-31/2016-01-01"), start_time=time(22), end_time=time(2), timezone="Asia/Tokyo"
    )
    assert when.label == "Dec 31, 2015, 22:00 - Jan 1, 2016, 02:00 JST"


def test_the_labels_are_in_the_calendar_the_feeds_and_the_page(tmp_path: Path) -> None:
    build(CLOCKS, tmp_path)
    calendar = (tmp_path / "calendar.ics").read_bytes().replace(b"\r\n ", b"").decode("utf-8")
    assert "\\n\\nWhen: March 8\\, 2015\\, 01:30 PST - 03:30 PDT\\n" in calendar
    for name in ("feed.atom", "feed.rss", "feed.json", "timeline.html"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "March 8, 2015, 01:30 PST - 03:30 PDT" in text, name
        assert "Oct 24, 22:00 BST - Oct 25, 2015, 03:00 GMT" in text, name
        assert "Dec 16-18, 2015, 09:00-17:00" not in text, name


# --- What check refuses ------------------------------------------------------------------------


def _with_event(tmp_path: Path, fields: str) -> Path:
    """minimal.yaml with ``fields`` in place of its event's date."""
    return _minimal_with(tmp_path, "    date: 2015-22~\n", fields)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (
            "    date: 2015-03-08\n    time: '02:30'\n",
            "events.yaml:22:11: events[0].time: 02:30 does not exist on 2015-03-08 in America/Los_Angeles: "
            "clocks jump from 02:00 to 03:00; write 01:59 or 03:00",
        ),
        (
            "    date: 2015-03-29\n    time: '01:45'\n    end_time: '02:15'\n    timezone: Europe/London\n",
            "events.yaml:22:11: events[0].time: 01:45 does not exist on 2015-03-29 in Europe/London: "
            "clocks jump from 01:00 to 02:00; write 00:59 or 02:00",
        ),
        (
            "    date: 2015-10-04\n    time: '01:00'\n    end_time: '02:15'\n"
            "    timezone: Australia/Lord_Howe\n",
            "events.yaml:23:15: events[0].end_time: 02:15 does not exist on 2015-10-04 in "
            "Australia/Lord_Howe: "
            "clocks jump from 02:00 to 02:30; write 01:59 or 02:30",
        ),
        (
            "    date: 2011-12-29/2011-12-30\n    time: '09:00'\n    end_time: '10:00'\n"
            "    timezone: Pacific/Apia\n",
            "events.yaml:23:15: events[0].end_time: 10:00 does not exist on 2011-12-30 in Pacific/Apia: "
            "clocks jump from 00:00 to 2011-12-31 00:00; write 2011-12-29 23:59 or 2011-12-31 00:00",
        ),
        (
            "    date: 2015-09-23\n    time: '09:00'\n    end_time: '09:00'\n",
            "events.yaml:23:15: events[0].end_time: end_time 09:00 PDT is the same instant as time "
            "09:00 PDT; "
            "an event must end after it starts (leave end_time out when the event has no known end)",
        ),
        (
            "    date: 2015-11-01\n    time: '01:50'\n    end_time: '01:10'\n",
            "events.yaml:23:15: events[0].end_time: end_time 01:10 PDT comes before time 01:50 PDT; "
            "if the end is the second 01:10, write end_fold: later",
        ),
        (
            "    date: 2015-11-01\n    time: '01:30'\n    fold: later\n    end_time: '01:30'\n",
            "events.yaml:24:15: events[0].end_time: end_time 01:30 PDT comes before time 01:30 PST; "
            "if the end is the second 01:30, write end_fold: later",
        ),
        (
            "    date: 2015-10-24/2015-10-25\n    time: '23:00'\n    end_time: '22:00'\n"
            "    timezone: Europe/London\n",
            None,  # a day later: fine
        ),
    ],
)
def test_check_refuses_skipped_times_and_ends_not_after_the_start(
    tmp_path: Path, fields: str, problem: str | None
) -> None:
    path = _with_event(tmp_path, fields)
    if problem is None:
        load_timeline(path)
    else:
        assert _problems(path) == [problem]


def test_every_problem_with_the_times_is_reported_at_once(tmp_path: Path) -> None:
    path = _with_event(
        tmp_path, "    date: 2015-03-08\n    time: '02:30'\n    fold: later\n    end_time: '02:45'\n"
    )
    assert [p.split(": ", 2)[1] for p in _problems(path)] == ["events[0].time", "events[0].end_time"]


def test_an_end_before_the_start_is_refused_even_when_the_zone_is_wrong(tmp_path: Path) -> None:
    path = _with_event(
        tmp_path, "    date: 2015-09-23\n    time: '11:00'\n    end_time: '10:00'\n    timezone: Mars/Base\n"
    )
    assert [p.split(": ", 1)[1] for p in _problems(path)] == [
        "events[0].end_time: end_time 10:00 comes before time 11:00",
        "events[0].timezone: 'Mars/Base' is not an IANA time zone (e.g. America/Los_Angeles)",
    ]


# --- Random zones and days across clock changes ------------------------------------------------

ZONES = sorted(
    name
    for name in zoneinfo.available_timezones()
    if "/" in name and not name.startswith(("Etc/", "posix/", "right/", "SystemV/"))
)


@cache
def changes(zone: str, year: int) -> tuple[datetime, ...]:
    """The zone's clock changes that year, as the naive local wall time just before each, from
    an hourly scan with zoneinfo (every change since 1970 falls on a whole hour's boundary
    or within an hour of one: the step only finds which hour holds one)."""
    tz = zoneinfo.ZoneInfo(zone)
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    found = []
    while moment < end:
        after = moment + timedelta(hours=1)
        if after.astimezone(tz).utcoffset() != offset:
            found.append((moment + offset).replace(tzinfo=None) if offset is not None else moment)
            offset = after.astimezone(tz).utcoffset()
        moment = after
    return tuple(found)


def _exists(local: datetime) -> bool:
    return local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None, fold=0) == local.replace(
        tzinfo=None, fold=0
    )


def _repeated(local: datetime) -> bool:
    return _exists(local) and local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


@st.composite
def timed_events(draw: st.DrawFn) -> dict[str, Any]:
    zone = draw(st.sampled_from(ZONES))
    year = draw(st.integers(1970, 2037))
    found = changes(zone, year)
    assume(found)
    change = draw(st.sampled_from(found))
    start = change + timedelta(minutes=draw(st.integers(-180, 180)))
    end = start + timedelta(minutes=draw(st.integers(-90, 300)))
    assume(end.date() >= start.date())
    event: dict[str, Any] = {"zone": zone, "start": start, "end": end}
    event["fold"] = draw(st.sampled_from([None, "earlier", "later"]))
    event["end_fold"] = draw(st.sampled_from([None, "earlier", "later"]))
    return event


def _events_file(tmp_path: Path, event: dict[str, Any]) -> Path:
    start, end = event["start"], event["end"]
    dates = start.date().isoformat()
    if end.date() != start.date():
        dates += "/" + end.date().isoformat()
    fields = f"    date: {dates}\n    time: '{start:%H:%M}'\n    end_time: '{end:%H:%M}'\n"
    fields += f"    timezone: {event['zone']}\n"
    for key in ("fold", "end_fold"):
        if event[key] is not None:
            fields += f"    {key}: {event[key]}\n"
    return _with_event(tmp_path, fields)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.too_slow,
    ],
)
@given(event=timed_events())
def test_no_zone_and_day_yields_an_end_not_after_its_start_or_a_time_the_zone_lacks(
    tmp_path: Path, event: dict[str, Any]
) -> None:
    tz = zoneinfo.ZoneInfo(event["zone"])
    folds = {key: 1 if event[key] == "later" else 0 for key in ("fold", "end_fold")}
    start = event["start"].replace(tzinfo=tz, fold=folds["fold"])
    end = event["end"].replace(tzinfo=tz, fold=folds["end_fold"])
    path = _events_file(tmp_path, event)
    # What zoneinfo says check must refuse, field by field.
    expected = set()
    for key, local in (("time", start), ("end_time", end)):
        if not _exists(local):
            expected.add(key)
        elif event["fold" if key == "time" else "end_fold"] is not None and not _repeated(local):
            expected.add("fold" if key == "time" else "end_fold")
    if not expected and end.astimezone(UTC) <= start.astimezone(UTC):
        expected.add("end_time")
    if expected:
        with pytest.raises(InvalidTimeline) as caught:
            load_timeline(path, "events.yaml")
        assert {e.path[-1] for e in caught.value.errors} == expected
        return
    timeline = load_timeline(path, "events.yaml")
    (parsed,) = icalendar.Calendar.from_ical(render_calendar(timeline, "calendar.ics")).walk("VEVENT")
    written_start, written_end = parsed.decoded("dtstart"), parsed.decoded("dtend")
    assert written_end.astimezone(UTC) > written_start.astimezone(UTC)
    assert (written_start.astimezone(UTC), written_end.astimezone(UTC)) == (
        start.astimezone(UTC),
        end.astimezone(UTC),
    )
    for prop in ("dtstart", "dtend"):
        if "TZID" in parsed[prop].params:  # a zone's wall time: one the zone has, and has once
            local = parsed[prop].dt.replace(tzinfo=tz)
            assert _exists(local)
            assert not _repeated(local)
