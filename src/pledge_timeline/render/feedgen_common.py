"""A feedgen ``FeedGenerator`` filled from a ``Feed``; shared by the Atom and RSS renderers.

feedgen stamps ``datetime.now()`` into the feed's ``updated``/``lastBuildDate`` and each
entry's ``updated`` unless told otherwise; every one of them is set from the data, here
or (``lastBuildDate``) in the RSS renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension
from feedgen.feed import FeedGenerator

from pledge_timeline.model import Timeline
from pledge_timeline.render.entries import GENERATOR, Entry, Feed, Link

LINK_ATTRIBUTES = ("rel", "type", "hreflang", "title", "length")


class LinkPreservingEntry(FeedEntry):  # type: ignore[misc]  # feedgen has no type hints
    """A feedgen entry whose Atom links keep ``rel``, ``type`` and ``title``.

    feedgen 1.0.0 writes entry links with ``href`` only (python-feedgen #135: the loop
    variable shadows the link data), so a ``rel="related"`` link reads as an alternate.
    The attributes are copied onto the finished elements, which feedgen writes in the same
    order as the links were added.
    """

    def atom_entry(self, extensions: bool = True) -> Any:
        element = super().atom_entry(extensions)
        for link_element, link in zip(element.findall("link"), self.link() or [], strict=True):
            for name in LINK_ATTRIBUTES:
                if link.get(name):
                    link_element.set(name, link[name])
        return element


def feed_generator(feed: Feed, *, self_type: str, item_for: ItemFor) -> Any:
    """A FeedGenerator with the feed's metadata and entries (newest first); no ``now()``.

    ``item_for`` gives each entry's feedgen item (``memoized_items``, shared across feeds).
    """
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
    for entry in feed.entries:
        generator.add_entry(item_for(entry), order="append")  # also loads the dc extension
    return generator


ItemFor = Callable[[Entry], FeedEntry]


def memoized_items(timeline: Timeline) -> ItemFor:
    """``feed_item``, once per entry and build: the main feed and each tag feed share items.

    Not their XML elements: copying a cached element costs as much as building it again, and
    keeping them took half again as much memory (measured at 10,000 events).
    """

    def item_for(entry: Entry) -> FeedEntry:
        return timeline.memo.for_owner(entry, ("feedgen item", entry.id), partial(feed_item, entry))

    return item_for


def feed_item(entry: Entry) -> LinkPreservingEntry:
    """The entry as a feedgen item, for Atom and RSS alike."""
    item = LinkPreservingEntry()
    item.register_extension("dc", DcEntryExtension, atom=False, rss=True)
    item.id(entry.id)  # also the RSS guid, with isPermaLink="false"
    item.title(entry.title)
    for link in entry.links:
        item.link(link_attributes(link))
    # HTML, not text: RSS readers take <description> as HTML, so the text must be escaped.
    item.summary(escape(entry.summary), type="html")
    item.content(entry.content_html, type="html")
    item.published(entry.published)
    item.updated(entry.updated)
    item.author({"name": entry.author})
    item.dc.dc_creator(entry.author)
    for category in entry.categories:
        item.category(term=category.term, label=category.label)
    return item


def link_attributes(link: Link) -> dict[str, str]:
    attributes = {"href": link.href, "rel": link.rel, "title": link.title, "type": link.type}
    return {name: value for name, value in attributes.items() if value is not None}
