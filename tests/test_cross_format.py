"""All outputs describe the same events: ids, titles and start dates agree across formats."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import icalendar
import lxml.html
import pytest
from lxml import etree

from conftest import FIXTURES, REPO
from pledge_timeline.build import build
from pledge_timeline.dates import parse_span
from pledge_timeline.model import Timeline
from pledge_timeline.validate import load_timeline

ATOM = "{http://www.w3.org/2005/Atom}"
RSS_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
EDTF_IN_CONTENT = re.compile(r'data-edtf="([^"]+)"')
FULL_DAY_DATETIME = re.compile(r'datetime="\d{4}-\d{2}-\d{2}')
FULL_DAY_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}")

Described = dict[str, tuple[str, date]]
"""event id -> (the title as the format shows it, the first day)"""


def from_calendar(data: bytes) -> Described:
    described: Described = {}
    for component in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        start = component.decoded("DTSTART")
        day = start.date() if isinstance(start, datetime) else start
        described[str(component["UID"]).split("@")[0]] = (str(component["SUMMARY"]), day)
    return described


def from_atom(data: bytes) -> Described:
    described: Described = {}
    for entry in etree.fromstring(data).iter(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id") or ""
        content = entry.findtext(f"{ATOM}content") or ""
        edtf = EDTF_IN_CONTENT.search(content)
        assert edtf is not None, entry_id
        described[entry_id.rsplit(":", 1)[1]] = (entry.findtext(f"{ATOM}title") or "", _first_day(edtf[1]))
    return described


def from_rss(data: bytes) -> Described:
    described: Described = {}
    for item in etree.fromstring(data).iter("item"):
        guid = item.findtext("guid") or ""
        edtf = EDTF_IN_CONTENT.search(item.findtext(f"{RSS_CONTENT}encoded") or "")
        assert edtf is not None, guid
        described[guid.rsplit(":", 1)[1]] = (item.findtext("title") or "", _first_day(edtf[1]))
    return described


def from_json_feed(data: bytes) -> Described:
    described: Described = {}
    for item in json.loads(data)["items"]:
        extension = item["_pledge_timeline"]
        described[item["id"].rsplit(":", 1)[1]] = (item["title"], date.fromisoformat(extension["first_day"]))
    return described


def _first_day(edtf: str) -> date:
    return parse_span(edtf.replace("&amp;", "&")).first_day


READERS = {
    "calendar.ics": from_calendar,
    "feed.atom": from_atom,
    "feed.rss": from_rss,
    "feed.json": from_json_feed,
}


@pytest.fixture(
    scope="module", params=[REPO / "events.yaml", FIXTURES / "small.yaml"], ids=["events", "small"]
)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Timeline, Path]:
    out = tmp_path_factory.mktemp("out")
    build(request.param, out)
    return load_timeline(request.param), out


def test_every_format_describes_the_same_events(built: tuple[Timeline, Path]) -> None:
    timeline, out = built
    seen = {name: read((out / name).read_bytes()) for name, read in READERS.items()}
    expected_ids = {event.id for event in timeline.events}
    for name, described in seen.items():
        assert set(described) == expected_ids, name
    for event in timeline.events:
        starts = {name: described[event.id][1] for name, described in seen.items()}
        assert set(starts.values()) == {event.when.span.first_day}, (event.id, starts)
        feed_titles = {seen[name][event.id][0] for name in ("feed.atom", "feed.rss", "feed.json")}
        assert feed_titles == {event.dated_title}, event.id
        calendar_title = seen["calendar.ics"][event.id][0]
        assert calendar_title == (event.dated_title if event.when.is_fuzzy else event.title)


def test_tag_outputs_hold_exactly_the_tagged_events(built: tuple[Timeline, Path]) -> None:
    timeline, out = built
    for tag in timeline.tags:
        tagged = {e.id for e in timeline.events if tag in e.tags}
        assert set(from_calendar((out / "tags" / f"{tag.id}.ics").read_bytes())) == tagged
        assert set(from_atom((out / "tags" / f"{tag.id}.atom").read_bytes())) == tagged
        assert set(from_rss((out / "tags" / f"{tag.id}.rss").read_bytes())) == tagged


def test_no_output_shows_a_fuzzy_date_as_a_day(built: tuple[Timeline, Path]) -> None:
    timeline, out = built
    calendar = {
        str(c["UID"]).split("@")[0]: c
        for c in icalendar.Calendar.from_ical((out / "calendar.ics").read_bytes()).walk("VEVENT")
    }
    atom = {
        (entry.findtext(f"{ATOM}id") or "").rsplit(":", 1)[1]: entry.findtext(f"{ATOM}content") or ""
        for entry in etree.fromstring((out / "feed.atom").read_bytes()).iter(f"{ATOM}entry")
    }
    page = lxml.html.fromstring((out / "timeline.html").read_bytes())
    fuzzy = [event for event in timeline.events if event.when.is_fuzzy]
    assert fuzzy, "the fixture must have fuzzy dates for this test to mean anything"
    for event in fuzzy:
        span = event.when.span
        vevent = calendar[event.id]
        assert vevent.decoded("DTSTART") == span.first_day, event.id
        assert vevent.decoded("DTEND") == span.last_day + timedelta(days=1), event.id
        assert str(vevent["STATUS"]) == "TENTATIVE"
        assert event.when.inline_label in str(vevent["SUMMARY"])
        assert not FULL_DAY_DATETIME.search(atom[event.id]), event.id
        listed_date = page.get_element_by_id(event.id).find_class("meta")[0]
        assert not [t for t in listed_date.iter("time") if FULL_DAY_VALUE.match(t.get("datetime") or "")]
        assert f"~ {event.when.label}" in listed_date.text_content()
