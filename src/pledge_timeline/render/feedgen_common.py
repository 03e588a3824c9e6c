"""The feed's own elements, from a ``Feed``, with feedgen; shared by the Atom and RSS renderers.

The entries are not feedgen items: ``feedxml`` writes them as text, once per event and build,
and splices them in. feedgen stamps ``datetime.now()`` into the feed's ``updated`` and
``lastBuildDate`` unless told otherwise; both are set from the data, here or (``lastBuildDate``)
in the RSS renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from feedgen.feed import FeedGenerator

from pledge_timeline.render.entries import GENERATOR, Entry, Feed
from pledge_timeline.render.memo import shared


def feed_generator(feed: Feed, *, self_type: str) -> Any:
    """A FeedGenerator with the feed's metadata and no entries; no ``now()``."""
    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)
    generator.id(feed.id)
    generator.title(feed.title)
    generator.subtitle(feed.subtitle)
    generator.author({"name": feed.author})
    # The RSS channel <link> is the last link added, so the home page goes last.
    generator.link(href=feed.self_url, rel="self", type=self_type)
    generator.link(href=feed.home_url, rel="alternate", type="text/html")
    generator.language(feed.language)
    generator.rights(feed.rights)
    generator.generator(GENERATOR)
    if feed.icon:
        generator.icon(feed.icon)
        generator.logo(feed.icon)
    # Sets Atom <updated> and RSS <lastBuildDate> alike; the RSS renderer then sets the
    # latter to the build time.
    generator.updated(feed.updated)
    generator.pubDate(feed.updated)
    return generator


EntryXml = Callable[[Entry], bytes]


def memoized_entry_xml(kind: str, write: EntryXml) -> EntryXml:
    """``write``, once per entry and build: the main feed and each tag feed share the text."""

    def entry_xml(entry: Entry) -> bytes:
        return shared(entry, kind, entry.id, partial(write, entry))

    return entry_xml
