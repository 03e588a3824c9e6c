"""RSS 2.0 feed of the timeline, newest event first; the self link is an ``atom:link``."""

from __future__ import annotations

from pledge_timeline.model import Timeline
from pledge_timeline.render.entries import feed_for
from pledge_timeline.render.feedgen_common import feed_generator, memoized_entry_xml
from pledge_timeline.render.feedxml import rss_item, with_entries

RSS_TYPE = "application/rss+xml"
MEMO_KIND = "rss item"
"""Each event's RSS item text in the build's memo, shared by the main and tag feeds."""


def render_rss(timeline: Timeline, path: str) -> bytes:
    feed = feed_for(timeline, path)
    generator = feed_generator(feed, self_type=RSS_TYPE)
    generator.lastBuildDate(feed.build_time)  # also feedgen's Atom <updated>, unused here
    document: bytes = generator.rss_str(pretty=True, encoding="UTF-8")
    item_xml = memoized_entry_xml(MEMO_KIND, rss_item)
    return with_entries(document, b"  </channel>", [item_xml(entry) for entry in feed.entries])
