"""Feeds written as text, every document and page of them, are what feedgen and lxml write for
the same feed, to the byte."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from feedgen.feed import formatRFC2822  # feedgen.util alone needs lxml.etree imported first
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from conftest import EVENT_FILES, FIXTURES
from oracles import oracle_document, oracle_pages
from pledge_timeline.model import Timeline
from pledge_timeline.render.atom import atom_pages, render_atom
from pledge_timeline.render.entries import feed_for
from pledge_timeline.render.feedxml import rfc822_date, xml_attribute, xml_text
from pledge_timeline.render.rss import render_rss, rss_pages
from pledge_timeline.validate import load_timeline

# What validation lets through (document.check_text): no C0 controls but tab, LF and CR.
XML_CHARACTERS = st.characters(
    blacklist_categories=("Cs", "Co", "Cn"),
    blacklist_characters=[chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + ["\x7f", "\ufffe", "\uffff"],
)


def serialized(element: Any) -> str:
    text: str = etree.tostring(element, encoding="unicode")
    return text


@given(st.text(XML_CHARACTERS))
def test_text_escaping_matches_lxml(value: str) -> None:
    element = etree.Element("t")
    element.text = value
    assert f"<t>{xml_text(value)}</t>" == serialized(element)


@given(st.text(XML_CHARACTERS))
def test_attribute_escaping_matches_lxml(value: str) -> None:
    element = etree.Element("t", a=value)
    assert f'<t a="{xml_attribute(value)}"/>' == serialized(element)


INDIA_OFFSET = timezone(timedelta(hours=5, minutes=30))


@given(st.datetimes(min_value=datetime(1, 1, 2), timezones=st.sampled_from([UTC, INDIA_OFFSET])))
def test_rfc822_dates_match_feedgen(moment: datetime) -> None:
    """Also before the year 1000: an item's date is in the same form as the channel's."""
    assert rfc822_date(moment) == formatRFC2822(moment)


def oracle_feed(timeline: Timeline, path: str) -> bytes:
    """The subscription document written by feedgen, end to end."""
    return oracle_document(feed_for(timeline, path), "atom" if path.endswith(".atom") else "rss")


def feeds_of(timeline: Timeline) -> list[tuple[Timeline, str]]:
    feeds = [(timeline, "feed.atom"), (timeline, "feed.rss")]
    for tag in timeline.tags:
        subset = timeline.restricted_to(tag)
        feeds += [(subset, f"tags/{tag.id}.atom"), (subset, f"tags/{tag.id}.rss")]
    return feeds


def rendered(timeline: Timeline, path: str) -> bytes:
    return render_atom(timeline, path) if path.endswith(".atom") else render_rss(timeline, path)


def assert_every_page_is_what_feedgen_writes(timeline: Timeline, path: str) -> int:
    """Each document of the feed at ``path``, subscription and archives, against feedgen's; how many."""
    written = (atom_pages if path.endswith(".atom") else rss_pages)(timeline, path)
    count = 0
    for (page, expected), (page_path, data, entries) in zip(
        oracle_pages(timeline, path), written, strict=True
    ):
        assert (page_path, entries) == (page.path, len(page.feed.entries))
        assert data == expected, page_path
        count += 1
    return count


@pytest.mark.parametrize("events_file", EVENT_FILES, ids=lambda p: Path(p).stem)
def test_every_feed_is_what_feedgen_writes(events_file: Path) -> None:
    timeline = load_timeline(events_file)
    for subset, path in feeds_of(timeline):
        assert rendered(subset, path) == oracle_feed(subset, path), path
        assert assert_every_page_is_what_feedgen_writes(subset, path) == 1, path


def test_the_benchmark_mix_is_what_feedgen_writes(benchmark_mix: Timeline) -> None:
    """1,000 synthetic events, in pages of 50 (archive pages, the open page, the tag feeds') and
    of 200: every precision, CJK and emoji, revisions, several sources."""
    for timeline in (benchmark_mix, replace(benchmark_mix, feed_entries=200)):
        for subset, path in feeds_of(timeline):
            pages = assert_every_page_is_what_feedgen_writes(subset, path)
            assert pages == (
                1
                if len(subset.events) <= timeline.feed_entries
                else (len(subset.events) - 1) // timeline.feed_entries + 2
            )


def test_a_feed_with_an_icon_is_what_feedgen_writes(small: Timeline) -> None:
    """No fixture has an icon: Atom's <icon> and <logo>, RSS's <image>."""
    with_icon = replace(small, icon="https://timeline.example.org/icon.png?a=1&b=2", feed_entries=2)
    for path in ("feed.atom", "feed.rss"):
        assert assert_every_page_is_what_feedgen_writes(with_icon, path) == 4


def test_an_entry_with_a_carriage_return_and_quotes_is_what_feedgen_writes() -> None:
    """Text no fixture has: CR, tabs and quotes in titles, labels and links' titles."""
    timeline = load_timeline(FIXTURES / "small.yaml")
    event = timeline.events[0]
    tag = event.tags[0]
    odd_tag = replace(tag, label='Label "quoted"\tand\r\nbroken & <tagged>')
    odd_source = replace(
        event.citations[0].source,
        title='A "quoted"\ttitle\r\nover & <two> lines',
        url='https://news.example.com/a?b=1&c="2"',
    )
    odd = replace(
        event,
        title='Title\rwith "quotes" & <angle> brackets',
        summary="Summary\r\nwith\ttabs & 'apostrophes'",
        citations=(replace(event.citations[0], source=odd_source),),
        tags=(odd_tag,),
        note="A note\r",
    )
    edited = replace(timeline, events=(odd,), tags=(odd_tag,))
    for path in ("feed.atom", "feed.rss"):
        data = rendered(edited, path)
        assert data == oracle_feed(edited, path), path
        assert b"&#13;" in data, path  # the CR is kept, not normalised away
    assert b'title="A &quot;quoted&quot;&#9;title&#13;&#10;over &amp; &lt;two&gt; lines' in rendered(
        edited, "feed.atom"
    )
