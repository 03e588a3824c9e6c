"""Atom, RSS and JSON Feed: what feed readers see, checked against the model."""

from __future__ import annotations

import calendar
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import pytest
from lxml import etree

from conftest import FIXTURES
from pledge_timeline.build import formats
from pledge_timeline.markdown import is_allowed_link, is_plain, to_html, to_plain
from pledge_timeline.model import Event, Source, Tag, Timeline
from pledge_timeline.render.atom import render_atom
from pledge_timeline.render.entries import entry_for
from pledge_timeline.render.jsonfeed import render_json_feed
from pledge_timeline.render.rss import render_rss
from pledge_timeline.validate import load_timeline

SCHEMAS = Path(__file__).parent / "schemas"
ATOM_NS = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM_NS}}}"
XML_RENDERERS = {"feed.atom": render_atom, "feed.rss": render_rss}
# The small fixture, newest event first (ties by last day, then id).
SMALL_ORDER = ["roundtable", "xi-in-seattle", "article-published", "letter-sent", "cisco-pledge"]


def parse(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def seconds(parsed: time.struct_time) -> int:
    return calendar.timegm(parsed)


def tag_id(timeline: Timeline, event: Event) -> str:
    return f"tag:{timeline.domain},2015:{event.id}"


def expected_title(event: Event) -> str:
    return event.dated_title


def web_sources(event: Event) -> list[Source]:
    return [s for s in dict.fromkeys(event.sources) if s.url and s.url.startswith("http")]


def tag_named(timeline: Timeline, tag_id: str) -> Tag:
    return next(t for t in timeline.tags if t.id == tag_id)


# --- golden files -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["feed.atom", "feed.rss", "feed.json"])
def test_small_feeds_match_golden_files(small: Timeline, path: str, assert_golden: Any) -> None:
    assert_golden(f"small/{path}", render(small, path))


def render(timeline: Timeline, path: str) -> bytes:
    """The output at ``path`` (a whole-timeline file), rendered as the build renders it."""
    return next(output.render for output in formats() if output.path == path)(timeline, path)


def test_build_registers_every_feed() -> None:
    assert {"feed.atom", "feed.rss", "feed.json"} <= {output.path for output in formats()}
    assert {"tags/{tag}.atom", "tags/{tag}.rss"} <= {output.tag_path for output in formats()}


# --- what feedparser sees -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["feed.atom", "feed.rss"])
def test_feedparser_sees_every_entry_as_the_model_has_it(small: Timeline, path: str) -> None:
    parsed = parse(XML_RENDERERS[path](small, path))
    events = small.newest_first
    assert [e.id for e in events] == SMALL_ORDER
    assert [entry.id for entry in parsed.entries] == [tag_id(small, e) for e in events]
    for entry, event in zip(parsed.entries, events, strict=True):
        assert entry.title == expected_title(event)
        assert entry.link == small.permalink(event)
        assert seconds(entry.published_parsed) == event.published.timestamp()
        assert entry.author == small.curator


def test_atom_entries_carry_updated_and_related_links(small: Timeline) -> None:
    parsed = parse(render_atom(small, "feed.atom"))
    for entry, event in zip(parsed.entries, small.newest_first, strict=True):
        assert seconds(entry.updated_parsed) == event.updated.timestamp()
        assert [(link.rel, link.href) for link in entry.links] == [
            ("alternate", small.permalink(event)),
            *(("related", s.url) for s in web_sources(event)),
        ]
        assert [t.term for t in entry.tags] == [t.id for t in event.tags]
        assert [t.label for t in entry.tags] == [t.label for t in event.tags]


def test_rss_guids_are_not_permalinks(small: Timeline) -> None:
    parsed = parse(render_rss(small, "feed.rss"))
    assert all(entry.guidislink is False for entry in parsed.entries)
    root = etree.fromstring(render_rss(small, "feed.rss"))
    assert {g.get("isPermaLink") for g in root.iter("guid")} == {"false"}


def test_feed_dates_are_the_newest_entrys_not_the_build_time(small: Timeline) -> None:
    built_later = replace(small, source_date_epoch=1_700_000_000)
    atom = parse(render_atom(built_later, "feed.atom"))
    rss = etree.fromstring(render_rss(built_later, "feed.rss"))
    assert seconds(atom.feed.updated_parsed) == small.updated.timestamp()
    assert rss.findtext("channel/pubDate") == "Thu, 17 Sep 2015 12:00:00 +0000"
    # lastBuildDate is the build's own time: SOURCE_DATE_EPOCH, never the clock.
    assert rss.findtext("channel/lastBuildDate") == "Tue, 14 Nov 2023 22:13:20 +0000"
    assert rss.findtext("channel/pubDate") != rss.findtext("channel/lastBuildDate")


def test_every_date_in_the_xml_feeds_comes_from_the_data(small: Timeline) -> None:
    known = {e.updated for e in small.events} | {e.published for e in small.events}
    atom = etree.fromstring(render_atom(small, "feed.atom"))
    atom_dates = [el.text for el in atom.iter(f"{A}updated", f"{A}published")]
    assert {d.isoformat() for d in known} >= set(atom_dates)
    rss = etree.fromstring(render_rss(small, "feed.rss"))
    rss_dates = [el.text for el in rss.iter("pubDate", "lastBuildDate")]
    assert {f"{d:%a, %d %b %Y %H:%M:%S +0000}" for d in known} >= set(rss_dates)


# --- feed metadata and links --------------------------------------------------------------


def test_atom_feed_links_metadata_and_id(small: Timeline) -> None:
    feed = parse(render_atom(small, "feed.atom")).feed
    assert feed.id == "tag:timeline.example.org,2015:feed"
    assert (feed.title, feed.subtitle, feed.rights) == (
        small.title,
        small.description,
        small.rights,
    )
    assert feed.language == "en"
    assert feed.generator == "pledge-timeline"
    assert [(link.rel, link.href) for link in feed.links] == [
        ("self", "https://timeline.example.org/small/feed.atom"),
        ("alternate", "https://timeline.example.org/small/timeline.html"),
    ]


def test_rss_self_link_is_an_absolute_atom_link(small: Timeline) -> None:
    channel = etree.fromstring(render_rss(small, "feed.rss")).find("channel")
    assert channel is not None
    self_links = channel.findall(f"{A}link")
    assert [(el.get("rel"), el.get("href")) for el in self_links] == [
        ("self", "https://timeline.example.org/small/feed.rss")
    ]
    assert channel.findtext("link") == "https://timeline.example.org/small/timeline.html"


def test_icon_appears_when_the_timeline_has_one(small: Timeline) -> None:
    with_icon = replace(small, icon="https://timeline.example.org/small/icon.png")
    feed = parse(render_atom(with_icon, "feed.atom")).feed
    assert feed.icon == "https://timeline.example.org/small/icon.png"
    document = json.loads(render_json_feed(with_icon, "feed.json"))
    assert document["icon"] == "https://timeline.example.org/small/icon.png"
    assert b"<icon>" not in render_atom(small, "feed.atom")


def test_related_links_keep_rel_and_title(small: Timeline) -> None:
    """One alternate link (the permalink), then a related link per web source, with its title
    (feedgen 1.0.0 itself writes entry links without rel: python-feedgen #135)."""
    root = etree.fromstring(render_atom(small, "feed.atom"))
    for entry, event in zip(root.iter(f"{A}entry"), small.newest_first, strict=True):
        links = entry.findall(f"{A}link")
        assert all(link.get("rel") in ("alternate", "related") for link in links)
        alternates = [link for link in links if link.get("rel") == "alternate"]
        assert [(a.get("href"), a.get("type")) for a in alternates] == [(small.permalink(event), "text/html")]
        related = [(link.get("href"), link.get("title")) for link in links[1:]]
        assert related == [(s.url, f"{s.title} ({s.publisher})") for s in web_sources(event)]


def test_tag_feeds_hold_only_their_events_and_link_to_themselves(small: Timeline) -> None:
    pledge = small.restricted_to(tag_named(small, "pledge"))
    parsed = parse(render_atom(pledge, "tags/pledge.atom"))
    assert [e.id for e in parsed.entries] == [
        "tag:timeline.example.org,2015:letter-sent",
        "tag:timeline.example.org,2015:cisco-pledge",
    ]
    assert parsed.feed.id == "tag:timeline.example.org,2015:tags/pledge"
    assert parsed.feed.links[0].href == "https://timeline.example.org/small/tags/pledge.atom"
    rss = etree.fromstring(render_rss(pledge, "tags/pledge.rss"))
    assert rss.find(f"channel/{A}link").get("href").endswith("/small/tags/pledge.rss")


# --- identity -----------------------------------------------------------------------------


def test_entry_ids_survive_retitling_redating_and_corrections(small: Timeline) -> None:
    event = next(e for e in small.events if e.id == "article-published")
    other = next(e for e in small.events if e.id == "cisco-pledge")
    changed = replace(event, title="Renamed", when=other.when, revisions=())
    assert entry_for(small, changed).id == entry_for(small, event).id
    assert entry_for(small, event).id == "tag:timeline.example.org,2015:article-published"
    moved = replace(small, base_url="https://timeline.example.org/elsewhere/")
    assert entry_for(moved, event).id == entry_for(small, event).id


# --- content ------------------------------------------------------------------------------


class Markup(HTMLParser):
    """Collects the tags and the text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]
        self.srcs += [value or "" for name, value in attrs if name == "src"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def markup(fragment: str) -> Markup:
    parser = Markup()
    parser.feed(fragment)
    parser.close()
    return parser


MARKDOWN_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "code", "pre", "blockquote", "hr", "br"}
"""What Markdown in a summary or note may make: never raw HTML, never an image."""
CONTENT_TAGS = {"time", "cite", "q", "div", "figure", "figcaption", "small", "img", *MARKDOWN_TAGS}


def test_content_shows_date_place_summary_sources_and_corrections(small: Timeline) -> None:
    entries = {e.id: e for e in parse(render_atom(small, "feed.atom")).entries}
    article = markup(entries["tag:timeline.example.org,2015:article-published"].content[0].value)
    text = "".join(article.text)
    assert "Sept 16, 2015" in text
    assert "The article appears." in text
    assert "HONG KONG" in text
    assert (
        "Corrected Sept 16, 2015: Length of Dell's pledge: the next 10 years -> the next five "
        "years (The Fixture Times)"
    ) in text
    assert article.hrefs == ["https://news.example.com/2015/09/16/fixture.html"]
    roundtable = markup(entries["tag:timeline.example.org,2015:roundtable"].content[0].value)
    assert "Westin Seattle" in "".join(roundtable.text)
    assert roundtable.hrefs == []  # the wire source has no URL


def test_fuzzy_dates_are_never_shown_as_exact_days(small: Timeline) -> None:
    for path, render in XML_RENDERERS.items():
        data = render(small, path).decode()
        for day in ("2015-06-01", "June 1,", "2015-08-31"):
            assert day not in data
    atom = etree.fromstring(render_atom(small, "feed.atom"))
    titles = [el.text for el in atom.iter(f"{A}title")]
    assert "Letter sent to companies (Summer 2015, approx.)" in titles


def test_only_web_addresses_become_links(small: Timeline) -> None:
    event = next(e for e in small.events if e.id == "cisco-pledge")
    citation = event.citations[0]
    sneaky = replace(citation, source=replace(citation.source, url="javascript:alert(1)"))
    entry = entry_for(small, replace(event, citations=(sneaky,)))
    assert entry.related == ()
    assert "javascript:" not in entry.content_html
    assert markup(entry.content_html).hrefs == []


# --- hostile text -------------------------------------------------------------------------


def assert_text_not_markup(html: str, *expected_text: str) -> None:
    parsed = markup(html)
    assert set(parsed.tags) <= CONTENT_TAGS
    assert all(src.startswith("https://timeline.example.org/hostile/media/") for src in parsed.srcs)
    assert parsed.tags.count("img") == len(parsed.srcs)
    text = "".join(parsed.text)
    for piece in expected_text:
        assert piece in text


@pytest.mark.parametrize("path", ["feed.atom", "feed.rss"])
def test_hostile_text_round_trips_as_text_in_xml_feeds(hostile: Timeline, path: str) -> None:
    data = XML_RENDERERS[path](hostile, path)
    for raw in (b"<script", b"<img", b"<svg", b"<b>", b"<i>", b"CDATA["):
        assert raw not in data
    parsed = parse(data)
    assert parsed.feed.title == hostile.title
    for entry, event in zip(parsed.entries, hostile.newest_first, strict=True):
        assert entry.title == expected_title(event)
        summary = markup(entry.summary)
        assert set(summary.tags) <= MARKDOWN_TAGS
        assert all(is_allowed_link(href) for href in summary.hrefs)
        if is_plain(event.summary):
            assert "".join(summary.text) == event.summary
        place = event.place.name if event.place else ""
        quotes = [c.quote for c in event.citations]
        assert_text_not_markup(entry.content[0].value, "".join(summary.text), place, *quotes)


def test_hostile_text_round_trips_as_text_in_json_feed(hostile: Timeline) -> None:
    document = json.loads(render_json_feed(hostile, "feed.json"))
    assert document["title"] == hostile.title
    for item, event in zip(document["items"], hostile.newest_first, strict=True):
        assert item["title"] == expected_title(event)
        assert item["summary"] == to_plain(event.summary)
        assert item["content_text"].startswith(to_plain(event.summary) + "\n\n")
        assert item["tags"] == [t.label for t in event.tags]
        assert "<script" not in item["content_html"]
        assert_text_not_markup(item["content_html"], "".join(markup(to_html(event.summary)).text))


def test_hostile_atom_keeps_rtl_marks_and_emoji(hostile: Timeline) -> None:
    summaries = ["".join(markup(e.summary).text) for e in parse(render_atom(hostile, "feed.atom")).entries]
    rtl_word, fire = "\u200f\u0645\u0631\u062d\u0628\u0627\u200f", "\U0001f525"
    assert any(rtl_word in s and fire in s for s in summaries)


# --- schemas ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


def feeds_to_validate(small: Timeline, hostile: Timeline) -> list[tuple[Timeline, str]]:
    pledge = small.restricted_to(tag_named(small, "pledge"))
    rich = load_timeline(FIXTURES / "rich.yaml")
    return [(small, "feed.atom"), (hostile, "feed.atom"), (pledge, "tags/pledge.atom"), (rich, "feed.atom")]


def test_atom_validates_against_the_rfc_4287_schema(
    small: Timeline, hostile: Timeline, atom_schema: etree.RelaxNG
) -> None:
    for timeline, path in feeds_to_validate(small, hostile):
        document = etree.fromstring(render_atom(timeline, path))
        assert atom_schema.validate(document), atom_schema.error_log


def test_atom_meets_the_schemas_schematron_rules(small: Timeline, hostile: Timeline) -> None:
    """RFC 4287's Schematron rules, which RELAX NG validation skips."""
    for timeline, path in feeds_to_validate(small, hostile):
        feed = etree.fromstring(render_atom(timeline, path))
        for entry in feed.iter(f"{A}entry"):
            rels = [link.get("rel", "alternate") for link in entry.findall(f"{A}link")]
            assert "alternate" in rels or entry.find(f"{A}content") is not None
            assert entry.find(f"{A}author/{A}name") is not None


def test_schema_check_can_fail(atom_schema: etree.RelaxNG, small: Timeline) -> None:
    document = etree.fromstring(render_atom(small, "feed.atom"))
    entry_id = document.find(f"{A}entry/{A}id")
    assert entry_id is not None
    entry_id.getparent().remove(entry_id)
    assert not atom_schema.validate(document)


@pytest.fixture(scope="module")
def json_feed_validator() -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.json").read_text(encoding="utf-8"))
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    assert {"uri", "date-time"} <= set(checker.checkers), "install rfc3986/rfc3339 validators"
    return jsonschema.Draft7Validator(schema, format_checker=checker)


def test_json_feed_validates_against_its_schema(
    small: Timeline, hostile: Timeline, json_feed_validator: jsonschema.Draft7Validator
) -> None:
    for timeline in (small, hostile, load_timeline(FIXTURES / "rich.yaml")):
        document = json.loads(render_json_feed(timeline, "feed.json"))
        errors = [e.message for e in json_feed_validator.iter_errors(document)]
        assert errors == []
    document["items"][0]["date_modified"] = "Sept 16"
    assert not json_feed_validator.is_valid(document)


def test_json_feed_is_utf8_text_with_a_trailing_newline(small: Timeline) -> None:
    data = render_json_feed(small, "feed.json")
    assert data.endswith(b"}\n")
    assert "习近平".encode() in data


def test_json_feed_says_what_atom_says(small: Timeline) -> None:
    atom = parse(render_atom(small, "feed.atom"))
    document = json.loads(render_json_feed(small, "feed.json"))
    assert document["feed_url"] == "https://timeline.example.org/small/feed.json"
    assert document["home_page_url"] == atom.feed.link
    for item, entry in zip(document["items"], atom.entries, strict=True):
        assert (item["id"], item["title"], item["url"]) == (entry.id, entry.title, entry.link)
        assert item["summary"] == "".join(markup(entry.summary).text)
        assert item["date_published"] == entry.published
        assert item["date_modified"] == entry.updated
        related = [link.href for link in entry.links if link.rel == "related"]
        assert [r["url"] for r in item["_pledge_timeline"]["related"]] == related
        assert item.get("external_url") == (related[0] if related else None)
        assert item["tags"] == [tag.label for tag in entry.tags]


def test_json_feed_carries_the_event_dates(small: Timeline) -> None:
    items = {i["id"].rpartition(":")[2]: i for i in json.loads(render_json_feed(small, "f.json"))["items"]}
    assert items["letter-sent"]["_pledge_timeline"] | {"related": []} == {
        "edtf": "2015-22~",
        "label": "Summer 2015 (approx.)",
        "first_day": "2015-06-01",
        "last_day": "2015-08-31",
        "related": [],
    }
    roundtable = items["roundtable"]["_pledge_timeline"]
    assert (roundtable["start"], roundtable["end"]) == (
        "2015-09-23T16:00:00+00:00",
        "2015-09-23T18:30:00+00:00",
    )


# --- reproducibility ----------------------------------------------------------------------

RENDER_ALL_FEEDS = """
import sys
from pathlib import Path
from pledge_timeline.build import formats
from pledge_timeline.validate import load_timeline

timeline = load_timeline(Path(sys.argv[1]))
renderers = {output.path: output.render for output in formats()}
for path in ("feed.atom", "feed.rss", "feed.json"):
    sys.stdout.buffer.write(renderers[path](timeline, path))
"""


def render_in_subprocess(zone: str) -> bytes:
    env = {**os.environ, "TZ": zone}
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run(
        [sys.executable, "-c", RENDER_ALL_FEEDS, str(FIXTURES / "small.yaml")],
        env=env,
        capture_output=True,
        check=True,
    )
    return result.stdout


def test_feeds_are_byte_identical_across_time_zones(small: Timeline) -> None:
    tokyo, utc = render_in_subprocess("Asia/Tokyo"), render_in_subprocess("UTC")
    assert tokyo == utc
    here = b"".join(render(small, p) for p in ("feed.atom", "feed.rss", "feed.json"))
    assert tokyo == here
