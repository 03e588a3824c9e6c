"""JSON Feed 1.1 (jsonfeed.org) of the timeline, from the same entries as Atom and RSS.

Each item carries an ``_pledge_timeline`` extension with the event's EDTF date, its label,
the first and last day it may stand for, the UTC start and end of timed events, and every
related source link (JSON Feed itself has room for one ``external_url``). A timeline with
eras carries them in the feed's own ``_pledge_timeline`` extension, each with its title, EDTF
date, label, and first and last day.

Paged as the Atom feed is (``paging``): ``next_url`` leads from the subscription document to
the newest archive page, and from each archive page to the one before it; every page's
``feed_url`` is the subscription document's, the feed's identity.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson

from pledge_timeline.model import Era, Timeline
from pledge_timeline.render.entries import Entry, Feed, feed_for
from pledge_timeline.render.paging import paged

JSON_FEED_TYPE = "application/feed+json"
VERSION = "https://jsonfeed.org/version/1.1"
EXTENSION = "_pledge_timeline"


def render_json_feed(timeline: Timeline, path: str) -> bytes:
    """The subscription document published at ``path`` (``feed.json``)."""
    return next(json_feed_pages(timeline, path))[1]


def json_feed_pages(timeline: Timeline, path: str) -> Iterator[tuple[str, bytes, int]]:
    """(path, bytes, items) of the subscription document, then of each archive page: UTF-8 JSON
    indented by two spaces (orjson: the standard library's indenting encoder is pure Python,
    and took most of this renderer's time)."""
    # OPT_APPEND_NEWLINE: adding b"\n" afterwards would copy the whole feed.
    options = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    feed = feed_for(timeline, path)
    for page in paged(
        feed, path, timeline.feed_entries, timeline.url, feed_type=JSON_FEED_TYPE, open_page=False
    ):
        yield page.path, orjson.dumps(json_feed(page.feed), option=options), len(page.feed.entries)


def json_feed(feed: Feed) -> dict[str, Any]:
    """The feed as JSON-ready data; keys in a fixed order, ``version`` first as the spec asks."""
    current = feed.paging_link("current")
    document: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url if current is None else current.href,
    }
    older = feed.paging_link("prev-archive")
    if older is not None:
        document["next_url"] = older.href
    document["description"] = feed.subtitle
    if feed.icon:
        document["icon"] = feed.icon
        document["favicon"] = feed.icon
    document["authors"] = [{"name": feed.author}]
    document["language"] = feed.language
    if feed.eras:
        document[EXTENSION] = {"eras": [era_data(era) for era in feed.eras]}
    document["items"] = [json_item(entry) for entry in feed.entries]
    return document


def json_item(entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.id,
        "url": entry.url,
    }
    if entry.related:
        item["external_url"] = entry.related[0].href
    item |= {
        "title": entry.title,
        "summary": entry.summary,
        "content_html": entry.content_html,
        "content_text": entry.content_text,
        **({"image": entry.enclosure.href} if entry.enclosure is not None else {}),
        "date_published": rfc3339(entry.published),
        "date_modified": rfc3339(entry.updated),
        "authors": [{"name": entry.author}],
        "tags": [category.label for category in entry.categories],
        EXTENSION: extension(entry),
    }
    return item


def extension(entry: Entry) -> dict[str, Any]:
    when = entry.when
    data: dict[str, Any] = {
        "edtf": when.span.edtf,
        "label": when.label,
        "first_day": when.span.first_day.isoformat(),
        "last_day": when.span.last_day.isoformat(),
    }
    if when.is_timed:
        data["start"] = rfc3339(when.start_instant)
        if when.end_instant is not None:
            data["end"] = rfc3339(when.end_instant)
    data["related"] = [{"url": link.href, "title": link.title} for link in entry.related]
    return data


def era_data(era: Era) -> dict[str, Any]:
    span = era.span
    return {
        "title": era.title,
        "edtf": span.edtf,
        "label": span.label,
        "first_day": span.first_day.isoformat(),
        "last_day": span.last_day.isoformat(),
    }


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
