"""Feed entries written as text are what feedgen and lxml write for the same entries, to the byte."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension
from feedgen.util import formatRFC2822
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from conftest import EVENT_FILES, FIXTURES
from pledge_timeline.model import Timeline
from pledge_timeline.render.atom import ATOM_TYPE, render_atom
from pledge_timeline.render.entries import Entry, feed_for
from pledge_timeline.render.feedgen_common import feed_generator
from pledge_timeline.render.feedxml import rfc822_date, xml_attribute, xml_text
from pledge_timeline.render.rss import RSS_TYPE, render_rss
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


class LinkPreservingEntry(FeedEntry):  # type: ignore[misc]  # feedgen has no type hints
    """feedgen 1.0.0 writes entry links with ``href`` only (python-feedgen #135); the attributes
    are copied onto the finished elements, which feedgen writes in the order they were added."""

    def atom_entry(self, extensions: bool = True) -> Any:
        element = super().atom_entry(extensions)
        for link_element, link in zip(element.findall("link"), self.link() or [], strict=True):
            for name in ("rel", "type", "hreflang", "title", "length"):
                if link.get(name):
                    link_element.set(name, link[name])
        return element


def oracle_item(entry: Entry) -> LinkPreservingEntry:
    """The entry as a feedgen item, property by property, as the feeds were written before."""
    item = LinkPreservingEntry()
    item.register_extension("dc", DcEntryExtension, atom=False, rss=True)
    item.id(entry.id)
    item.title(entry.title)
    for link in entry.links:
        length = None if link.length is None else str(link.length)
        attributes = {
            "href": link.href,
            "rel": link.rel,
            "title": link.title,
            "type": link.type,
            "length": length,
        }
        item.link({name: value for name, value in attributes.items() if value is not None})
    item.summary(entry.summary_html, type="html")
    item.content(entry.content_html, type="html")
    item.published(entry.published)
    item.updated(entry.updated)
    item.author({"name": entry.author})
    item.dc.dc_creator(entry.author)
    for category in entry.categories:
        item.category(term=category.term, label=category.label)
    return item


def oracle_feed(timeline: Timeline, path: str) -> bytes:
    feed = feed_for(timeline, path)
    generator = feed_generator(feed, self_type=ATOM_TYPE if path.endswith(".atom") else RSS_TYPE)
    for entry in feed.entries:
        generator.add_entry(oracle_item(entry), order="append")
    if path.endswith(".atom"):
        data: bytes = generator.atom_str(pretty=True, encoding="UTF-8")
        return data
    generator.lastBuildDate(feed.build_time)
    rss: bytes = generator.rss_str(pretty=True, encoding="UTF-8")
    return rss


def feeds_of(timeline: Timeline) -> list[tuple[Timeline, str]]:
    feeds = [(timeline, "feed.atom"), (timeline, "feed.rss")]
    for tag in timeline.tags:
        subset = timeline.restricted_to(tag)
        feeds += [(subset, f"tags/{tag.id}.atom"), (subset, f"tags/{tag.id}.rss")]
    return feeds


def rendered(timeline: Timeline, path: str) -> bytes:
    return render_atom(timeline, path) if path.endswith(".atom") else render_rss(timeline, path)


@pytest.mark.parametrize("events_file", EVENT_FILES, ids=lambda p: Path(p).stem)
def test_every_feed_is_what_feedgen_writes(events_file: Path) -> None:
    timeline = load_timeline(events_file)
    for subset, path in feeds_of(timeline):
        assert rendered(subset, path) == oracle_feed(subset, path), path


def test_the_benchmark_mix_is_what_feedgen_writes(benchmark_mix: Timeline) -> None:
    """1,000 synthetic events: every precision, CJK and emoji, revisions, several sources."""
    for subset, path in feeds_of(benchmark_mix):
        assert rendered(subset, path) == oracle_feed(subset, path), path


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
