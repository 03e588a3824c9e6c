"""The libraries as oracles: icalendar and feedgen write, end to end, the documents that
``render.ical`` and ``render.feeddoc`` write as text. Tests compare the two, and
``benchmarks/writers.py`` times them (the figures in benchmarks/README.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import icalendar
from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.ext.dc import DcEntryExtension
from feedgen.feed import FeedGenerator
from icalendar import Calendar, vDuration, vText
from lxml import etree

from pledge_timeline.model import Event, Timeline
from pledge_timeline.outputs import PAGE
from pledge_timeline.render.entries import GENERATOR, Entry, Feed, feed_for
from pledge_timeline.render.feeddoc import ATOM_NAMESPACE, HISTORY_NAMESPACE
from pledge_timeline.render.ical import PRODID, REFRESH, event_summary, event_times
from pledge_timeline.render.labels import event_description, media_address
from pledge_timeline.render.paging import Page, paged
from pledge_timeline.render.vtimezone import Observance, YearlyRule, observances

# --- the calendar, with icalendar ---------------------------------------------------------


def oracle_header(timeline: Timeline, path: str) -> Calendar:
    """The calendar's own properties as an icalendar component."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for name in ("name", "x-wr-calname"):
        calendar.add(name, vText(timeline.title))
    for name in ("description", "x-wr-caldesc"):
        calendar.add(name, vText(timeline.description))
    calendar.add("url", timeline.url(PAGE), parameters={"VALUE": "URI"})
    calendar.add("source", timeline.url(path), parameters={"VALUE": "URI"})
    calendar.add("last-modified", timeline.updated)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return calendar


def oracle_vevent(timeline: Timeline, event: Event) -> icalendar.Event:
    """The VEVENT built with icalendar's component API, property by property."""
    component = icalendar.Event()
    component.add("uid", f"{event.id}@{timeline.domain}")
    component.add("dtstamp", timeline.build_time)
    component.add("created", event.published)
    component.add("last-modified", event.updated)
    component.add("sequence", event.sequence)
    start, end = event_times(event.when, timeline.timezone)
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    component.add("summary", event_summary(event))
    component.add("description", event_description(event))
    if event.place is not None:
        component.add("location", event.place.name)
        if event.place.lat is not None and event.place.lon is not None:
            component.add("geo", (event.place.lat, event.place.lon))
    picture = event.media.file if event.media is not None else None
    if picture is not None:
        image = media_address(timeline.base_url, picture)
        parameters = {"VALUE": "URI", "FMTTYPE": picture.media_type, "DISPLAY": "FULLSIZE"}
        component.add("image", icalendar.vUri(image), parameters=parameters)
    component.add("url", timeline.permalink(event), parameters={"VALUE": "URI"})
    if event.tags:
        component.add("categories", [tag.label for tag in event.tags])
    component.add("status", "TENTATIVE" if event.when.is_fuzzy else "CONFIRMED")
    component.add("transp", "TRANSPARENT")
    return component


def oracle_calendar(timeline: Timeline, path: str) -> bytes:
    calendar = oracle_header(timeline, path)
    events = [oracle_vevent(timeline, event) for event in timeline.chronological]
    uses = [
        (prop.params["TZID"], prop.dt.year)
        for event in events
        for prop in (event.get("dtstart"), event.get("dtend"))
        if prop is not None and "TZID" in prop.params
    ]
    years: dict[str, list[int]] = {}
    for tzid, year in uses:
        years.setdefault(tzid, []).append(year)
    for tzid, used in sorted(years.items()):
        calendar.add_component(oracle_vtimezone(tzid, min(used), max(used)))
    for event in events:
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def oracle_vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """The VTIMEZONE built with icalendar's component API from the same observances."""
    component = icalendar.Timezone()
    component.add("tzid", tzid)
    for observance, rule in observances(tzid, first_year, last_year):
        component.add_component(oracle_observance(observance, rule))
    return component


def oracle_observance(
    observance: Observance, rule: YearlyRule | None
) -> icalendar.TimezoneStandard | icalendar.TimezoneDaylight:
    component = icalendar.TimezoneDaylight() if observance.is_dst else icalendar.TimezoneStandard()
    component.add("dtstart", observance.onset)
    component.add("tzoffsetfrom", observance.offset_from)
    component.add("tzoffsetto", observance.offset_to)
    component.add("tzname", observance.name)
    if rule is not None:
        component.add("rrule", {"FREQ": "YEARLY", "BYMONTH": rule.month, "BYDAY": rule.byday})
    return component


# --- the feeds, with feedgen --------------------------------------------------------------


class LinkPreservingEntry(FeedEntry):  # type: ignore[misc]  # feedgen has no type hints
    """feedgen 1.0.0 writes entry links with ``href`` only (python-feedgen #135); the attributes
    are copied onto the finished elements, which feedgen writes in the order they were added."""

    def atom_entry(self, extensions: bool = True) -> Any:
        element = super().atom_entry(extensions)
        for link_element, link in zip(element.findall("link"), self.link() or [], strict=True):
            for name in ("rel", "type", "hreflang", "title", "length"):
                if link.get(name):
                    link_element.set(name, link[name])
        return element


class HistoryExtension(BaseExtension):  # type: ignore[misc]
    """RFC 5005 for feedgen, which has none: ``<fh:archive/>`` in an archive document, and the
    paging links in an RSS channel (feedgen writes an RSS channel's self ``atom:link`` only)."""

    def __init__(self) -> None:
        self.archive = False
        self.rss_links: list[dict[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY_NAMESPACE} if self.archive else {}

    def extend_atom(self, feed: Any) -> Any:
        if self.archive:
            etree.SubElement(feed, f"{{{HISTORY_NAMESPACE}}}archive")
        return feed

    def extend_rss(self, rss: Any) -> Any:
        channel = rss.find("channel")
        self_link = channel.find(f"{{{ATOM_NAMESPACE}}}link")
        at = list(channel).index(self_link) + 1
        for offset, link in enumerate(self.rss_links):
            element = etree.Element(f"{{{ATOM_NAMESPACE}}}link", href=link["href"], rel=link["rel"])
            element.set("type", link["type"])
            channel.insert(at + offset, element)
        if self.archive:
            etree.SubElement(channel, f"{{{HISTORY_NAMESPACE}}}archive")
        return rss


class HistoryEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    pass


def feed_generator(feed: Feed, *, self_type: str) -> Any:
    """A FeedGenerator with the feed's own elements and paging links, and no entries."""
    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)
    generator.register_extension("fh", HistoryExtension, HistoryEntryExtension)
    generator.fh.archive = feed.archive
    generator.id(feed.id)
    generator.title(feed.title)
    generator.subtitle(feed.subtitle)
    generator.author({"name": feed.author})
    generator.link(href=feed.self_url, rel="self", type=self_type)
    for link in feed.paging:
        generator.link(href=link.href, rel=link.rel, type=link.type)
        generator.fh.rss_links.append({"href": link.href, "rel": link.rel, "type": link.type})
    # The RSS channel <link> is the last link added, so the home page goes last.
    generator.link(href=feed.home_url, rel="alternate", type="text/html")
    generator.language(feed.language)
    generator.rights(feed.rights)
    generator.generator(GENERATOR)
    if feed.icon:
        generator.icon(feed.icon)
        generator.logo(feed.icon)
    generator.updated(feed.updated)
    generator.pubDate(feed.updated)
    return generator


def oracle_item(entry: Entry) -> LinkPreservingEntry:
    """The entry as a feedgen item, property by property."""
    item = LinkPreservingEntry()
    item.register_extension("dc", DcEntryExtension, atom=False, rss=True)
    item.id(entry.id)
    item.title(entry.title)
    for link in entry.links:
        length = None if link.length is None else str(link.length)
        attributes = {
            "href": link.href,
            "rel": link.rel,
            "title": link.title,
            "type": link.type,
            "length": length,
        }
        item.link({name: value for name, value in attributes.items() if value is not None})
    item.summary(entry.summary_html, type="html")
    item.content(entry.content_html, type="html")
    item.published(entry.published)
    item.updated(entry.updated)
    item.author({"name": entry.author})
    item.dc.dc_creator(entry.author)
    for category in entry.categories:
        item.category(term=category.term, label=category.label)
    return item


def oracle_document(feed: Feed, kind: str) -> bytes:
    """The feed document (``kind`` ``atom`` or ``rss``) written by feedgen, end to end."""
    from pledge_timeline.render.atom import ATOM_TYPE
    from pledge_timeline.render.rss import RSS_TYPE

    generator = feed_generator(feed, self_type=ATOM_TYPE if kind == "atom" else RSS_TYPE)
    for entry in feed.entries:
        generator.add_entry(oracle_item(entry), order="append")
    if kind == "atom":
        data: bytes = generator.atom_str(pretty=True, encoding="UTF-8")
        return data
    generator.lastBuildDate(feed.build_time)
    rss: bytes = generator.rss_str(pretty=True, encoding="UTF-8")
    return rss


def oracle_pages(timeline: Timeline, path: str) -> Iterator[tuple[Page, bytes]]:
    """Every document of the feed at ``path`` (``.atom`` or ``.rss``), cut as ``paging`` cuts it,
    each with the document feedgen writes for it."""
    from pledge_timeline.render.atom import ATOM_TYPE
    from pledge_timeline.render.rss import RSS_TYPE

    kind, feed_type = ("atom", ATOM_TYPE) if path.endswith(".atom") else ("rss", RSS_TYPE)
    feed = feed_for(timeline, path)
    for page in paged(feed, path, timeline.feed_entries, timeline.url, feed_type=feed_type, open_page=True):
        yield page, oracle_document(page.feed, kind)
