"""Whole Atom and RSS documents written as text: the feed's own elements, its paging links, and
the entries (``feedxml``), one writer for every byte.

The text is what feedgen (on lxml) writes for the same feed, pretty-printed, to the byte.
``tests/test_feedxml.py`` has feedgen write every document, archive pages included, as the
oracle and compares the bytes; what feedgen lacks (``<fh:archive/>``, and the paging links of
an RSS channel) the oracle adds through a feedgen extension. feedgen stamps
``datetime.now()`` where it is given no date; no date here comes from the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from pledge_timeline.render.entries import GENERATOR, Entry, Feed, FeedLink
from pledge_timeline.render.feedxml import atom_link, rfc822_date, xml_attribute, xml_text
from pledge_timeline.render.memo import shared

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
HISTORY_NAMESPACE = "http://purl.org/syndication/history/1.0"
"""RFC 5005's namespace, for ``<fh:archive/>``; declared only in archive documents."""
RSS_DOCS = "http://www.rssboard.org/rss-specification"
_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"

EntryXml = Callable[[Entry], bytes]


def memoized_entry_xml(kind: str, write: EntryXml) -> EntryXml:
    """``write``, once per entry and build: the main feed, its pages and each tag feed share the text."""

    def entry_xml(entry: Entry) -> bytes:
        return shared(entry, kind, entry.id, partial(write, entry))

    return entry_xml


def atom_document(feed: Feed, self_type: str, entries: Iterable[bytes]) -> bytes:
    """The ``<feed>`` document: its elements in feedgen's order, then the entries."""
    history = f' xmlns:fh="{HISTORY_NAMESPACE}"' if feed.archive else ""  # before xmlns, as lxml puts it
    links = [
        FeedLink(feed.self_url, "self", type=self_type),
        *feed.paging,
        FeedLink(feed.home_url, "alternate", type="text/html"),
    ]
    head = [
        _DECLARATION,
        f'<feed{history} xmlns="{ATOM_NAMESPACE}" xml:lang="{xml_attribute(feed.language)}">\n',
        f"  <id>{xml_text(feed.id)}</id>\n",
        f"  <title>{xml_text(feed.title)}</title>\n",
        f"  <updated>{feed.updated.isoformat()}</updated>\n",
        "  <author>\n",
        f"    <name>{xml_text(feed.author)}</name>\n",
        "  </author>\n",
        *(f"  {atom_link(link)}\n" for link in links),
        f"  <generator>{xml_text(GENERATOR)}</generator>\n",
    ]
    if feed.icon:
        head += [f"  <icon>{xml_text(feed.icon)}</icon>\n", f"  <logo>{xml_text(feed.icon)}</logo>\n"]
    head += [
        f"  <rights>{xml_text(feed.rights)}</rights>\n",
        f"  <subtitle>{xml_text(feed.subtitle)}</subtitle>\n",
    ]
    if feed.archive:
        head.append("  <fh:archive/>\n")
    return b"".join([("".join(head)).encode(), *entries, b"</feed>\n"])


def rss_document(feed: Feed, self_type: str, items: Iterable[bytes]) -> bytes:
    """The ``<rss>`` document: the channel's elements in feedgen's order, then the items.

    The self link and the paging links are ``atom:link``s, as RFC 5005 asks of RSS feeds."""
    history = f' xmlns:fh="{HISTORY_NAMESPACE}"' if feed.archive else ""
    head = [
        _DECLARATION,
        f'<rss xmlns:dc="http://purl.org/dc/elements/1.1/"{history} xmlns:atom="{ATOM_NAMESPACE}" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n',
        "  <channel>\n",
        f"    <title>{xml_text(feed.title)}</title>\n",
        f"    <link>{xml_text(feed.home_url)}</link>\n",
        f"    <description>{xml_text(feed.subtitle)}</description>\n",
        *(
            f"    <atom:{atom_link(link).removeprefix('<')}\n"
            for link in (FeedLink(feed.self_url, "self", type=self_type), *feed.paging)
        ),
        f"    <copyright>{xml_text(feed.rights)}</copyright>\n",
        f"    <docs>{RSS_DOCS}</docs>\n",
        f"    <generator>{xml_text(GENERATOR)}</generator>\n",
    ]
    if feed.icon:
        head += [
            "    <image>\n",
            f"      <url>{xml_text(feed.icon)}</url>\n",
            f"      <title>{xml_text(feed.title)}</title>\n",
            f"      <link>{xml_text(feed.home_url)}</link>\n",
            "    </image>\n",
        ]
    head += [
        f"    <language>{xml_text(feed.language)}</language>\n",
        f"    <lastBuildDate>{rfc822_date(feed.build_time)}</lastBuildDate>\n",
        f"    <pubDate>{rfc822_date(feed.updated)}</pubDate>\n",
    ]
    if feed.archive:
        head.append("    <fh:archive/>\n")
    return b"".join([("".join(head)).encode(), *items, b"  </channel>\n</rss>\n"])
