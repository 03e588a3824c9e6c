"""Atom 1.0 (RFC 4287) feed of the timeline, newest event first."""

from __future__ import annotations

from pledge_timeline.model import Timeline
from pledge_timeline.render.entries import feed_for
from pledge_timeline.render.feedgen_common import feed_generator, memoized_items

ATOM_TYPE = "application/atom+xml"


def render_atom(timeline: Timeline, path: str) -> bytes:
    generator = feed_generator(
        feed_for(timeline, path), self_type=ATOM_TYPE, item_for=memoized_items(timeline)
    )
    data: bytes = generator.atom_str(pretty=True, encoding="UTF-8")
    return data
