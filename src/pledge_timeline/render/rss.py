"""RSS 2.0 feed of the timeline, newest event first; the self link is an ``atom:link``."""

from __future__ import annotations

from pledge_timeline.model import Timeline
from pledge_timeline.render.entries import feed_for
from pledge_timeline.render.feedgen_common import feed_generator, memoized_items

RSS_TYPE = "application/rss+xml"


def render_rss(timeline: Timeline, path: str) -> bytes:
    feed = feed_for(timeline, path)
    generator = feed_generator(feed, self_type=RSS_TYPE, item_for=memoized_items(timeline))
    generator.lastBuildDate(feed.build_time)  # also feedgen's Atom <updated>, unused here
    data: bytes = generator.rss_str(pretty=True, encoding="UTF-8")
    return data
