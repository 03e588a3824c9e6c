"""Atom entries and RSS items written as XML text, and spliced into feedgen's feed document.

feedgen builds the feed's own elements (``feedgen_common``); the entries, thousands of them in a
big timeline, are written here, because a feedgen item and its lxml elements per entry were most
of the feeds' time (see benchmarks/README.md). The output is what feedgen and lxml write for the
same entry, pretty-printed, to the byte; ``tests/test_feeds.py`` checks that against feedgen
itself, and the escaping against lxml.

Validation has already refused the characters XML 1.0 cannot carry (``document.check_text``).
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from pledge_timeline.render.entries import Entry, Link

ATOM_ENTRY_INDENT = "  "
RSS_ITEM_INDENT = "    "
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def xml_text(value: str) -> str:
    """Character data as libxml2 writes it: ``& < >`` escaped, and CR as a reference so that a
    parser's line-end normalisation cannot turn it into LF."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def xml_attribute(value: str) -> str:
    """A double-quoted attribute value as libxml2 writes it: whitespace other than the space is
    a reference, since attribute-value normalisation would turn it into a space."""
    return xml_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def rfc822_date(moment: datetime) -> str:
    """``Thu, 17 Sep 2015 12:00:00 +0000``: RSS's date format, in English whatever the locale."""
    return (
        f"{_WEEKDAYS[moment.weekday()]}, {moment.day:02} {_MONTHS[moment.month - 1]} {moment.year:04} "
        f"{moment:%H:%M:%S %z}"
    )


def atom_entry(entry: Entry) -> bytes:
    """The ``<entry>`` element, indented as a child of ``<feed>``, ending in a line break."""
    lines = [
        "<entry>",
        f"  <id>{xml_text(entry.id)}</id>",
        f"  <title>{xml_text(entry.title)}</title>",
        f"  <updated>{entry.updated.isoformat()}</updated>",
        "  <author>",
        f"    <name>{xml_text(entry.author)}</name>",
        "  </author>",
        f'  <content type="html">{xml_text(entry.content_html)}</content>',
        *(f"  {atom_link(link)}" for link in entry.links),
        # Escaped once as HTML (the type says so), then once more as XML text.
        f'  <summary type="html">{xml_text(escape(entry.summary))}</summary>',
        *(
            f'  <category term="{xml_attribute(c.term)}" label="{xml_attribute(c.label)}"/>'
            for c in entry.categories
        ),
        f"  <published>{entry.published.isoformat()}</published>",
        "</entry>",
    ]
    return _indented(lines, ATOM_ENTRY_INDENT)


def atom_link(link: Link) -> str:
    attributes = [("href", link.href), ("rel", link.rel), ("type", link.type), ("title", link.title)]
    written = "".join(f' {name}="{xml_attribute(value)}"' for name, value in attributes if value)
    return f"<link{written}/>"


def rss_item(entry: Entry) -> bytes:
    """The ``<item>`` element, indented as a child of ``<channel>``, ending in a line break."""
    lines = [
        "<item>",
        f"  <title>{xml_text(entry.title)}</title>",
        f"  <link>{xml_text(entry.url)}</link>",
        f"  <description>{xml_text(escape(entry.summary))}</description>",
        f"  <content:encoded>{xml_text(entry.content_html)}</content:encoded>",
        f'  <guid isPermaLink="false">{xml_text(entry.id)}</guid>',
        *(f"  <category>{xml_text(c.label)}</category>" for c in entry.categories),
        f"  <pubDate>{rfc822_date(entry.published)}</pubDate>",
        f"  <dc:creator>{xml_text(entry.author)}</dc:creator>",
        "</item>",
    ]
    return _indented(lines, RSS_ITEM_INDENT)


def _indented(lines: list[str], indent: str) -> bytes:
    return "".join(f"{indent}{line}\n" for line in lines).encode("utf-8")


def with_entries(document: bytes, closing: bytes, entries: list[bytes]) -> bytes:
    """``document`` (a feed without entries) with ``entries`` inserted before its last ``closing``
    tag, e.g. ``</feed>``: where feedgen would have appended them."""
    at = document.rindex(closing)
    return b"".join([document[:at], *entries, document[at:]])
