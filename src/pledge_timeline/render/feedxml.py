"""Atom entries and RSS items written as XML text, for the documents ``feeddoc`` writes.

The output is what feedgen and lxml write for the same entry, pretty-printed, to the byte;
``tests/test_feedxml.py`` checks that against feedgen itself, and the escaping against lxml.

Validation has already refused the characters XML 1.0 cannot carry (``document.check_text``).
"""

from __future__ import annotations

from datetime import datetime

from pledge_timeline.render.entries import Entry, FeedLink

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def xml_text(value: str) -> str:
    """Character data as libxml2 writes it: ``& < >`` escaped, and CR as a reference so that a
    parser's line-end normalisation cannot turn it into LF."""
    if "&" in value or "<" in value or ">" in value or "\r" in value:  # most text has none
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return value


def xml_attribute(value: str) -> str:
    """A double-quoted attribute value as libxml2 writes it: whitespace other than the space is
    a reference, since attribute-value normalisation would turn it into a space."""
    value = xml_text(value)
    if '"' in value or "\n" in value or "\t" in value:
        return value.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return value


def rfc822_date(moment: datetime) -> str:
    """``Thu, 17 Sep 2015 12:00:00 +0000``: RSS's date format, in English whatever the locale.

    The year unpadded, as feedgen writes the channel's own dates (``strftime("%Y")``), so that a
    feed never mixes two forms; RFC 2822 wants four digits, which only years before 1000 lack.
    """
    offset = moment.utcoffset()
    zone = "+0000" if offset is not None and not offset else f"{moment:%z}"
    return "%s, %02d %s %d %02d:%02d:%02d %s" % (  # noqa: UP031 (no format-spec call per field)
        _WEEKDAYS[moment.weekday()],
        moment.day,
        _MONTHS[moment.month - 1],
        moment.year,
        moment.hour,
        moment.minute,
        moment.second,
        zone,
    )


def atom_entry(entry: Entry) -> bytes:
    """The ``<entry>`` element, indented as a child of ``<feed>``, ending in a line break.

    Every value is as validation leaves it: no title, term or label is blank (feedgen would have
    left a blank one out)."""
    links = "".join(f"    {atom_link(link)}\n" for link in entry.links)
    categories = "".join(
        f'    <category term="{xml_attribute(c.term)}" label="{xml_attribute(c.label)}"/>\n'
        for c in entry.categories
    )
    # The summary's HTML, escaped as XML text (its type says it is HTML).
    return (
        "  <entry>\n"
        f"    <id>{xml_text(entry.id)}</id>\n"
        f"    <title>{xml_text(entry.title)}</title>\n"
        f"    <updated>{entry.updated.isoformat()}</updated>\n"
        "    <author>\n"
        f"      <name>{xml_text(entry.author)}</name>\n"
        "    </author>\n"
        f'    <content type="html">{xml_text(entry.content_html)}</content>\n'
        f"{links}"
        f'    <summary type="html">{xml_text(entry.summary_html)}</summary>\n'
        f"{categories}"
        f"    <published>{entry.published.isoformat()}</published>\n"
        "  </entry>\n"
    ).encode()


def atom_link(link: FeedLink) -> str:
    length = None if link.length is None else str(link.length)
    attributes = [
        ("href", link.href),
        ("rel", link.rel),
        ("type", link.type),
        ("title", link.title),
        ("length", length),
    ]
    written = "".join(f' {name}="{xml_attribute(value)}"' for name, value in attributes if value)
    return f"<link{written}/>"


def rss_item(entry: Entry) -> bytes:
    """The ``<item>`` element, indented as a child of ``<channel>``, ending in a line break."""
    categories = "".join(f"      <category>{xml_text(c.label)}</category>\n" for c in entry.categories)
    return (
        "    <item>\n"
        f"      <title>{xml_text(entry.title)}</title>\n"
        f"      <link>{xml_text(entry.url)}</link>\n"
        f"      <description>{xml_text(entry.summary_html)}</description>\n"
        f"      <content:encoded>{xml_text(entry.content_html)}</content:encoded>\n"
        f'      <guid isPermaLink="false">{xml_text(entry.id)}</guid>\n'
        f"{categories}"
        f"{rss_enclosure(entry.enclosure)}"
        f"      <pubDate>{rfc822_date(entry.published)}</pubDate>\n"
        f"      <dc:creator>{xml_text(entry.author)}</dc:creator>\n"
        "    </item>\n"
    ).encode()


def rss_enclosure(link: FeedLink | None) -> str:
    if link is None:
        return ""
    return (
        f'      <enclosure url="{xml_attribute(link.href)}" length="{link.length}"'
        f' type="{xml_attribute(link.type or "")}"/>\n'
    )
