"""Atom 1.0 (RFC 4287) feed of the timeline, newest event first."""

from __future__ import annotations

from pledge_timeline.model import Timeline
from pledge_timeline.render.entries import feed_for
from pledge_timeline.render.feedgen_common import feed_generator, memoized_entry_xml
from pledge_timeline.render.feedxml import atom_entry, with_entries

ATOM_TYPE = "application/atom+xml"
MEMO_KIND = "atom entry"
"""Each event's Atom entry text in the build's memo, shared by the main and tag feeds."""


def render_atom(timeline: Timeline, path: str) -> bytes:
    feed = feed_for(timeline, path)
    document: bytes = feed_generator(feed, self_type=ATOM_TYPE).atom_str(pretty=True, encoding="UTF-8")
    entry_xml = memoized_entry_xml(MEMO_KIND, atom_entry)
    return with_entries(document, b"</feed>", [entry_xml(entry) for entry in feed.entries])
