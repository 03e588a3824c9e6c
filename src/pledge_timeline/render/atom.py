"""Atom 1.0 (RFC 4287) feed of the timeline, newest event first, paged as RFC 5005 archives."""

from __future__ import annotations

from collections.abc import Iterator

from pledge_timeline.model import Timeline
from pledge_timeline.render.entries import feed_for
from pledge_timeline.render.feeddoc import atom_document, memoized_entry_xml
from pledge_timeline.render.feedxml import atom_entry
from pledge_timeline.render.paging import paged

ATOM_TYPE = "application/atom+xml"
MEMO_KIND = "atom entry"
"""Each event's Atom entry text in ``the build's memo``, shared by the main and tag feeds."""


def render_atom(timeline: Timeline, path: str) -> bytes:
    """The subscription document published at ``path`` (``feed.atom`` or ``tags/<tag>.atom``)."""
    return next(atom_pages(timeline, path))[1]


def atom_pages(timeline: Timeline, path: str) -> Iterator[tuple[str, bytes, int]]:
    """(path, bytes, entries) of the subscription document, then of each archive page."""
    entry_xml = memoized_entry_xml(MEMO_KIND, atom_entry)
    feed = feed_for(timeline, path)
    for page in paged(feed, path, timeline.feed_entries, timeline.url, feed_type=ATOM_TYPE, open_page=True):
        entries = page.feed.entries
        yield page.path, atom_document(page.feed, ATOM_TYPE, map(entry_xml, entries)), len(entries)
