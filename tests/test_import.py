"""Imports: TimelineJS JSON, the TimelineJS sheet as CSV and iCalendar become a valid events
file; an export to timelinejs.json imports back as the same events."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO
from pledge_timeline.errors import InvalidTimeline
from pledge_timeline.importers import import_timeline
from pledge_timeline.importers.assemble import ImportOptions, to_yaml
from pledge_timeline.importers.sheet import loose_date, loose_time
from pledge_timeline.importers.text import html_to_markdown
from pledge_timeline.model import Timeline
from pledge_timeline.render.timelinejs import render_timelinejs
from pledge_timeline.validate import load_timeline

IMPORTS = FIXTURES / "import"


def _import(source: Path, target: Path, **options: str) -> tuple[Timeline, list[str]]:
    result = import_timeline(source, target, ImportOptions(source.name, **options))  # type: ignore[arg-type]
    return load_timeline(target), list(result.report)


def _events(timeline: Timeline) -> dict[str, tuple[object, ...]]:
    return {
        e.id: (
            e.title,
            e.when.span.edtf,
            e.when.display,
            e.when.start_time,
            e.when.end_time,
            e.when.timezone,
            tuple(t.id for t in e.tags),
            e.summary,
        )
        for e in timeline.events
    }


# --- the round trip -----------------------------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789éü中&<>\"',;:!?()", min_size=1, max_size=8)
TEXT = st.lists(WORD, min_size=1, max_size=6).map(" ".join)
SUMMARY = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789éü中\"',:!?(", min_size=1, max_size=8),
    min_size=1,
    max_size=6,
).map(" ".join)
"""Summaries are Markdown: no character that starts a block (``>``, ``1)``), an entity (``&lt;``)
or an autolink (``<a:b>``), which the export would render and the import read back otherwise."""
ZONES = ["America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "UTC"]
QUALIFIERS = ["", "~", "?", "%"]


@st.composite
def fuzzy_dates(draw: st.DrawFn, *, exact: bool = False) -> tuple[int, str]:
    """An EDTF date (and an ordinal to keep intervals in order)."""
    year = draw(st.integers(100, 2900))
    kind = "day" if exact else draw(st.sampled_from(["year", "month", "day", "season"]))
    qualifier = "" if exact else draw(st.sampled_from(QUALIFIERS))
    if kind == "year":
        return year * 400, f"{year:04d}{qualifier}"
    if kind == "season":
        season = draw(st.integers(21, 24))
        return year * 400 + (season - 21) * 90 + 60, f"{year:04d}-{season}{qualifier}"
    month = draw(st.integers(1, 12))
    if kind == "month":
        return year * 400 + month * 31, f"{year:04d}-{month:02d}{qualifier}"
    day = draw(st.integers(1, 28))
    return year * 400 + month * 31 + day, f"{year:04d}-{month:02d}-{day:02d}{qualifier}"


@st.composite
def events(draw: st.DrawFn, index: int) -> dict[str, object]:
    timed = draw(st.booleans())
    first = draw(fuzzy_dates(exact=timed))
    date = first[1]
    if draw(st.booleans()):
        second = draw(fuzzy_dates(exact=timed))
        if second[0] > first[0] + 400:  # clearly after, whatever the precisions
            date = f"{first[1]}/{second[1]}"
    event: dict[str, object] = {"id": f"event-{index}", "title": draw(TEXT), "date": date}
    if draw(st.booleans()):
        event["display_date"] = draw(TEXT)
    if timed:
        # From 05:00: no clock change (always at night in these zones) skips or repeats the time.
        hour, minute = draw(st.integers(5, 20)), draw(st.integers(0, 59))
        event["time"] = f"{hour:02d}:{minute:02d}"
        if draw(st.booleans()):
            event["end_time"] = f"{hour + 1:02d}:{minute:02d}"
        if draw(st.booleans()):
            event["timezone"] = draw(st.sampled_from(ZONES))
    event["summary"] = draw(SUMMARY)
    event["tags"] = draw(st.lists(st.sampled_from(["alpha", "beta"]), unique=True))
    event["sources"] = [{"source": "paper", "quote": "a quote"}]
    return event


@st.composite
def timelines(draw: st.DrawFn) -> dict[str, object]:
    count = draw(st.integers(1, 5))
    listed = [draw(events(index)) for index in range(count)]
    used = sorted({tag for event in listed for tag in event["tags"]})  # type: ignore[attr-defined]
    eras = [{"title": draw(TEXT), "date": draw(fuzzy_dates())[1]} for _ in range(draw(st.integers(0, 2)))]
    document: dict[str, object] = {
        "timeline": {
            "title": draw(TEXT),
            "description": draw(TEXT),
            "base_url": "https://example.org/",
            "timezone": draw(st.sampled_from(ZONES)),
            "curator": "Desk",
            "rights": "CC0",
        },
        "tags": [{"id": tag, "label": f"Label {tag}"} for tag in used],
        "sources": [{"id": "paper", "title": "T", "publisher": "P", "published": "2015-09-16"}],
        "events": listed,
    }
    if eras:
        document["eras"] = eras
    return document


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=timelines())
def test_an_export_to_timelinejs_imports_as_the_same_events(
    document: dict[str, object], tmp_path: Path
) -> None:
    original_file = tmp_path / "original.yaml"
    original_file.write_text(to_yaml(document), encoding="utf-8")
    original = load_timeline(original_file)
    exported = tmp_path / "timelinejs.json"
    exported.write_bytes(render_timelinejs(original, "timelinejs.json"))
    back_file = tmp_path / "back.yaml"
    back_file.unlink(missing_ok=True)
    back, _ = _import(exported, back_file)
    assert _events(back) == _events(original)
    assert [(era.title, era.span) for era in back.eras] == [(era.title, era.span) for era in original.eras]
    assert {(t.id, t.label) for t in back.tags} == {(t.id, t.label) for t in original.tags}
    assert back.title == original.title


def test_the_shipped_story_imports_back_from_its_timelinejs_json(tmp_path: Path) -> None:
    story = load_timeline(REPO / "events.yaml")
    exported = tmp_path / "timelinejs.json"
    exported.write_bytes(render_timelinejs(story, "timelinejs.json"))
    back, _ = _import(exported, tmp_path / "events.yaml")
    assert _events(back) == _events(story)


def test_timelinejs_json_holds_dates_at_their_precision(small: Timeline) -> None:
    slides = {s["unique_id"]: s for s in orjson.loads(render_timelinejs(small, "timelinejs.json"))["events"]}
    by_edtf = {s["_pledge_timeline"]["date"]: s for s in slides.values()}
    season = by_edtf["2015-22~"]
    assert (season["start_date"], season["end_date"]) == (
        {"year": 2015, "month": 6},
        {"year": 2015, "month": 8},
    )
    assert season["display_date"] == "Summer 2015 (approx.)"
    assert by_edtf["2015-06"]["start_date"] == {"year": 2015, "month": 6}
    assert "end_date" not in by_edtf["2015-06"]


# --- TimelineJS JSON ----------------------------------------------------------------------


def test_a_timelinejs_file_imports_with_markdown_media_groups_and_eras(tmp_path: Path) -> None:
    timeline, report = _import(
        IMPORTS / "timelinejs.json", tmp_path / "events.yaml", timezone="America/New_York"
    )
    heritage, old, concert = timeline.chronological[1], timeline.chronological[0], timeline.chronological[2]
    assert heritage.id == "musical-heritage"
    assert heritage.when.span.edtf == "1963-08-09"
    assert heritage.summary == (
        "Born in *New Jersey* to [Cissy Houston](https://example.org/cissy).\n\nSecond paragraph."
    )
    assert heritage.media is not None
    assert (heritage.media.url, heritage.media.alt, heritage.media.caption, heritage.media.credit) == (
        "https://example.org/baby.jpg",
        "Whitney as a baby",
        "Whitney as a baby",
        "Family photo",
    )
    assert [t.label for t in heritage.tags] == ["Early years"]
    assert heritage.citations[0].quote is None
    assert old.when.span.edtf == "0602/0610-03"
    assert old.summary == "- one\n- two"
    assert (concert.when.start_time, concert.when.end_time) == (time(20, 5), time(22, 0))
    assert concert.when.timezone == "America/New_York"
    assert concert.when.display == "Valentine's night, 1985"
    assert [(e.title, e.span.edtf) for e in timeline.eras] == [
        ("Childhood and youth", "1963/1985"),
        ("Career", "1985/2012"),
    ]
    assert report == [
        "imported 3 events, 2 eras, 1 tag from timelinejs.json (TimelineJS JSON) into "
        f"{tmp_path / 'events.yaml'}",
        "every event cites timelinejs.json without a quote (source 'imported', dated 1985-02-14 from its "
        "latest event's last day (pass --source-date DAY to set it))",
        "media: 1 item kept as the event's media (a link to it)",
        "changed or dropped: 1 x <iframe> elements dropped from the text",
        "changed or dropped: 1 x events had no text; their summary repeats the headline",
        "changed or dropped: 1 x the title slide's media was dropped (a timeline has no media)",
        "changed or dropped: 1 x times kept to the minute; their seconds were dropped",
        "changed or dropped: 1 x ids made slugs (lowercase a-z, 0-9, hyphens) or unique",
        "edit before publishing: timeline.base_url (https://example.org/timeline/), timeline.curator, "
        "timeline.rights",
    ]


def test_bce_and_too_early_years_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    target = tmp_path / "events.yaml"
    with pytest.raises(InvalidTimeline) as refused:
        _import(IMPORTS / "cosmic.json", target)
    assert [str(e) for e in refused.value.errors] == [
        "cosmic.json:4:20: events[0].start_date: year -13800000000 is before the common era; "
        "BCE dates are not supported; this date cannot be imported",
        "cosmic.json:5:20: events[1].start_date: year -3500 is before the common era; "
        "BCE dates are not supported; this date cannot be imported",
        "cosmic.json:6:20: events[2].start_date: year 1 is out of range: a date must fall between "
        "0003-01-01 and 9998-12-31; this date cannot be imported",
    ]
    assert not target.exists()


def test_times_without_a_zone_need_timezone(tmp_path: Path) -> None:
    with pytest.raises(InvalidTimeline) as refused:
        _import(IMPORTS / "timelinejs.json", tmp_path / "events.yaml")
    assert [str(e) for e in refused.value.errors] == [
        "timelinejs.json:20:5: events[2]: 'A concert' has a time but the source gives no time zone; "
        "pass --timezone ZONE (an IANA zone such as America/New_York)"
    ]
    assert not (tmp_path / "events.yaml").exists()


def test_html_that_markdown_cannot_carry_is_counted() -> None:
    markdown, dropped = html_to_markdown(
        '<p>A <strong>bold</strong> <a href="https://e.org/">link</a>.</p>'
        '<img src="x.png"><script>alert(1)</script><ol><li>first</li></ol>'
    )
    assert markdown == "A **bold** [link](https://e.org/).\n\n1. first"
    assert dict(dropped) == {"img": 1, "script": 1}


# --- the sheet ----------------------------------------------------------------------------


def test_a_sheet_imports_with_loose_dates_and_times(tmp_path: Path) -> None:
    timeline, report = _import(IMPORTS / "sheet.csv", tmp_path / "events.yaml", timezone="UTC")
    dates = {e.title: (e.when.span.edtf, e.when.start_time, e.when.end_time) for e in timeline.events}
    assert dates == {
        "A year with three digits": ("0602", None, None),
        "March on Washington": ("1963-08-28", None, None),
        "A whole date in the Year cell": ("1963-08-09", None, None),
        "Moon landing": ("1969-07-20", time(20, 17), time(22, 56)),
        "A month, from a Google sheet": ("1965-03", None, None),
    }
    assert timeline.title == "A sheet timeline"
    assert timeline.description == "Made with the **TimelineJS** template."
    assert [(e.title, e.span.edtf) for e in timeline.eras] == [("The sixties", "1960/1969")]
    assert {t.label for t in timeline.tags} == {"Civil rights", "Space"}
    march = next(e for e in timeline.events if e.title == "March on Washington")
    assert march.media is not None
    assert (march.media.url, march.media.alt, march.media.credit) == (
        "https://example.org/photo.jpg",
        "The crowd",
        "Photographer",
    )
    assert report[2:-1] == [
        "media: 1 item kept as the event's media (a link to it)",
        "changed or dropped: 1 x 'Background' cells dropped",
        "changed or dropped: 1 x 'Media Thumbnail' cells dropped",
        "changed or dropped: 1 x <img> elements dropped from the text",
        "changed or dropped: 1 x events had no text; their summary repeats the headline",
        "changed or dropped: 1 x times kept to the minute; their seconds were dropped",
    ]


def test_loose_sheet_cells_keep_only_what_they_say() -> None:
    assert loose_date("1963-8-9") == (1963, 8, 9)
    assert loose_date("August 1963") == (1963, 8, None)
    assert loose_date("soon") is None
    assert loose_time("1:30 PM") == time(13, 30)
    assert loose_time("8:17:40 PM") == time(20, 17, 40)
    assert loose_time("Aug 9") is None


def test_a_sheet_row_with_a_bce_year_is_refused_at_its_line(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Year,Month,Day,Headline,Text\n2015,9,16,Fine,x\n-3500,,,Writing,x\n", encoding="utf-8")
    with pytest.raises(InvalidTimeline) as refused:
        _import(sheet, tmp_path / "events.yaml")
    assert [str(e) for e in refused.value.errors] == [
        "sheet.csv:3:1: rows[2].Year: year -3500 is before the common era; BCE dates are not supported; "
        "this row cannot be imported"
    ]


# --- iCalendar ----------------------------------------------------------------------------


def test_an_icalendar_file_imports_all_day_multi_day_and_timed_events(tmp_path: Path) -> None:
    timeline, report = _import(IMPORTS / "calendar.ics", tmp_path / "events.yaml")
    by_title = {e.title: e for e in timeline.events}
    assert by_title["Registration opens"].when.span.edtf == "2024-01-10"
    assert by_title["Registration opens"].summary == (
        "Sign up online.\n\n[https://example.org/register](https://example.org/register)"
    )
    conference = by_title["The conference"]
    assert conference.when.span.edtf == "2024-02-12/2024-02-14"  # DTEND is exclusive
    assert conference.place is not None
    assert (conference.place.name, conference.place.lat, conference.place.lon) == (
        "Seattle Convention Center",
        47.6114,
        -122.332,
    )
    assert [t.label for t in conference.tags] == ["Conference", "Travel"]
    keynote = by_title["Keynote"].when
    assert (keynote.start_time, keynote.end_time, keynote.timezone) == (
        time(9, 30),
        time(10, 30),
        "America/Los_Angeles",
    )
    late = by_title["Late call with Europe"].when
    assert (late.span.edtf, late.start_time, late.end_time, late.timezone) == (
        "2024-02-14/2024-02-15",
        time(23, 0),
        time(1, 30),
        "UTC",
    )
    assert by_title["Breakfast"].when.timezone == "America/New_York"  # floating: X-WR-TIMEZONE
    assert timeline.timezone == "America/New_York"
    assert report[1] == (
        "every event cites calendar.ics without a quote (source 'imported', dated 2024-01-06 from the "
        "calendar's newest DTSTAMP)"
    )
    assert "changed or dropped: 1 x recurring events imported once, at their first occurrence" in report


# --- the YAML written ---------------------------------------------------------------------


def test_the_yaml_reads_back_as_the_same_text() -> None:
    document = {"a": ["2015", "true", "null", "09:30", "-3", "x: y", "#", "line\nbreak", " padded ", "~"]}
    assert yaml.safe_load(to_yaml(document)) == document


def test_empty_groups_and_untitled_eras_still_check(tmp_path: Path) -> None:
    source = tmp_path / "empty.json"
    source.write_text(
        orjson.dumps(
            {
                "events": [
                    {"start_date": {"year": 2001}, "text": {"headline": "A"}, "group": ""},
                    {"start_date": {"year": 2002}, "text": {"headline": "B"}, "group": "  "},
                ],
                "eras": [
                    {"start_date": {"year": 2001}, "end_date": {"year": 2002}, "text": {"headline": ""}}
                ],
            }
        ).decode("utf-8"),
        encoding="utf-8",
    )
    timeline, report = _import(source, tmp_path / "events.yaml")
    assert timeline.tags == ()
    assert [(e.title, e.span.edtf) for e in timeline.eras] == [("Untitled era", "2001/2002")]
    assert "changed or dropped: 1 x eras had no headline; they are called 'Untitled era'" in report
    assert "tags:" not in (tmp_path / "events.yaml").read_text(encoding="utf-8")


def test_a_floating_calendar_time_needs_timezone(tmp_path: Path) -> None:
    text = (IMPORTS / "calendar.ics").read_bytes().decode("utf-8")
    text = text.replace("X-WR-TIMEZONE:America/New_York\r\n", "")
    source = tmp_path / "floating.ics"
    source.write_text(text, encoding="utf-8", newline="")
    with pytest.raises(InvalidTimeline) as refused:
        _import(source, tmp_path / "events.yaml")
    assert [str(e) for e in refused.value.errors] == [
        "floating.ics:47:1: VEVENT[4]: 'Breakfast' has a time but the source gives no time zone; "
        "pass --timezone ZONE (an IANA zone such as America/New_York)"
    ]
    timeline, _ = _import(source, tmp_path / "events.yaml", timezone="Europe/Paris")
    breakfast = next(e for e in timeline.events if e.title == "Breakfast")
    assert (breakfast.when.start_time, breakfast.when.timezone) == (time(8, 0), "Europe/Paris")


def test_a_repeated_time_keeps_its_occurrence_through_timelinejs(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("    date: 2015-22~\n", "    date: 2015-11-01\n    time: '01:30'\n    fold: later\n")
    original_file = tmp_path / "original.yaml"
    original_file.write_text(text, encoding="utf-8")
    original = load_timeline(original_file)
    exported = tmp_path / "timelinejs.json"
    exported.write_bytes(render_timelinejs(original, "timelinejs.json"))
    back, _ = _import(exported, tmp_path / "back.yaml")
    assert back.events[0].when.fold == original.events[0].when.fold == 1
    assert back.events[0].when.instants("UTC") == original.events[0].when.instants("UTC")
