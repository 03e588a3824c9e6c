"""RSS 2.0 feed of the timeline, newest event first; the self and RFC 5005 paging links are
``atom:link``s."""

from __future__ import annotations

from collections.abc import Iterator

from pledge_timeline.model import Timeline
from pledge_timeline.render.entries import feed_for
from pledge_timeline.render.feeddoc import memoized_entry_xml, rss_document
from pledge_timeline.render.feedxml import rss_item
from pledge_timeline.render.paging import paged

RSS_TYPE = "application/rss+xml"
MEMO_KIND = "rss item"
"""Each event's RSS item text in ``the build's memo``, shared by the main and tag feeds."""


def render_rss(timeline: Timeline, path: str) -> bytes:
    """The subscription document published at ``path`` (``feed.rss`` or ``tags/<tag>.rss``)."""
    return next(rss_pages(timeline, path))[1]


def rss_pages(timeline: Timeline, path: str) -> Iterator[tuple[str, bytes, int]]:
    """(path, bytes, items) of the subscription document, then of each archive page."""
    item_xml = memoized_entry_xml(MEMO_KIND, rss_item)
    feed = feed_for(timeline, path)
    for page in paged(feed, path, timeline.feed_entries, timeline.url, feed_type=RSS_TYPE, open_page=True):
        items = page.feed.entries
        yield page.path, rss_document(page.feed, RSS_TYPE, map(item_xml, items)), len(items)
