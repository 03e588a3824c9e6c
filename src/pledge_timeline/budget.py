"""How much the outputs of a file may hold, judged before anything is rendered.

Length limits alone cannot bound a build: text is repeated by reference. Every event is written
into the five main outputs and into three more for each of its tags; every citation repeats the
cited source's title, publisher and URL; every tag repeats its label; and markup escapes a ``<``
into as many as eight bytes (``&amp;lt;`` in a feed's HTML content), so output can grow as the
product of a file's sizes, not their sum. A file is therefore also refused when an upper estimate
of its outputs' size passes ``MAX_OUTPUT_BYTES``, at the event where it does. The cap sits far
above any curated timeline, and every file within it builds in bounded time and memory; the
worst cases measured are in benchmarks/README.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pledge_timeline.errors import DocPath

MAX_OUTPUT_BYTES = 2 << 30
"""The estimate a file's outputs may reach: 2 GiB. The estimate is about twice what is written."""
MAIN_OUTPUTS = 5
"""calendar.ics, feed.atom, feed.rss, feed.json and timeline.html each hold every event."""
TAG_OUTPUTS = 3
"""tags/<tag>.ics, .atom and .rss each hold the tag's events."""
ENTRY_MARKUP = 2_000
"""Bytes of markup an event takes in one output besides its text (dates, links, ids), at most."""
PAGE_MARKUP = 2_000_000
"""Bytes the page takes besides its events, at most: the inlined plotly.js and the chart."""
FILE_MARKUP = 2_000
"""Bytes any other output takes besides its entries, at most."""
PAGED_OUTPUTS = 3
"""feed.atom, feed.rss and feed.json are paged (``render.paging``): each page repeats the header."""
PAGED_TAG_OUTPUTS = 2
"""tags/<tag>.atom and .rss are paged too."""
ESCAPED_EXTRA = 7
"""What markup adds for a character it escapes, at most: ``<`` becomes ``&amp;lt;``."""


def escaped_size(text: object) -> int:
    """An upper bound of the bytes ``text`` takes in any one output, escaped as markup."""
    if not isinstance(text, str):
        return 0
    size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    escaped = text.count("<") + text.count(">") + text.count("&") + text.count('"') + text.count("'")
    return size + ESCAPED_EXTRA * escaped


def _text_of(values: Iterable[object]) -> int:
    return sum(escaped_size(value) for value in values)


def estimated_output_bytes(data: Mapping[str, Any]) -> int:
    """The upper estimate of the outputs' size for a file that passed the schema and the
    cross-checks."""
    *_, total = _running_estimate(data)
    return total


def first_event_over_budget(data: Mapping[str, Any]) -> tuple[DocPath, int] | None:
    """The path of the event at which the estimate of the outputs passes ``MAX_OUTPUT_BYTES``,
    and the estimate there; None when the whole file stays within it."""
    for index, total in enumerate(_running_estimate(data)):
        if total > MAX_OUTPUT_BYTES:
            return ("events", index - 1), total
    return None


def _running_estimate(data: Mapping[str, Any]) -> Iterator[int]:
    """The estimate for the file's outputs without their events, then with each event added."""
    sources = {
        source["id"]: _text_of((source["title"], source["publisher"], source.get("url"), source.get("url")))
        for source in data["sources"]
    }
    tags = data.get("tags", ())
    labels = {tag["id"]: escaped_size(tag["label"]) for tag in tags}
    meta = data["timeline"]
    per_entry = ENTRY_MARKUP + _text_of((meta["curator"], meta["base_url"]))  # every entry names them
    header = FILE_MARKUP + _text_of(meta.get(key) for key in ("title", "rights", "icon"))
    header += _markdown_size(meta["description"])
    total = PAGE_MARKUP + (MAIN_OUTPUTS + TAG_OUTPUTS * len(labels)) * header
    tag_headers = [labels[tag["id"]] + _markdown_size(tag.get("description")) for tag in tags]
    total += (MAIN_OUTPUTS + TAG_OUTPUTS) * sum(tag_headers)
    # A paged feed of n entries has at most n / feed_entries + 2 documents, each with a header:
    # the second of the two is counted here, the others a share at a time with each event.
    page_header = header + max(tag_headers, default=0)
    total += (PAGED_OUTPUTS + PAGED_TAG_OUTPUTS * len(labels)) * page_header
    page_share = -(-page_header // _feed_entries(meta.get("feed_entries")))
    yield total
    for event in data["events"]:
        place = event.get("place") or {}
        media = event.get("media") or {}
        texts = [
            event["title"],
            event["summary"],
            event.get("note"),
            event.get("display_date"),
            place.get("name"),
            *(media.get(key) for key in ("url", "alt", "caption", "credit")),
        ]
        texts += event.get("actors", ())
        own = 0
        for citation in event["sources"]:
            texts.append(citation.get("quote"))
            own += sources[citation["source"]]
        for revision in event.get("revisions", ()):
            texts += (revision["what"], revision.get("before"), revision.get("after"))
            own += sources.get(revision.get("source") or "", 0)
        own += _markdown_size("\n".join(text for text in texts if text))  # one pass over the event's text
        own += sum(labels[tag] for tag in event.get("tags", ()))
        total += (MAIN_OUTPUTS + TAG_OUTPUTS * len(event.get("tags", ()))) * (per_entry + own)
        total += (PAGED_OUTPUTS + PAGED_TAG_OUTPUTS * len(event.get("tags", ()))) * page_share
        yield total


def _feed_entries(value: object) -> int:
    """The entries a feed page holds: ``timeline.feed_entries`` (as validated), by default 50."""
    return int(value) if isinstance(value, str) and value.isdigit() and int(value) > 0 else 50


def _markdown_size(text: object) -> int:
    """``escaped_size``, for text rendered as Markdown: where it defines a link reference
    (``[r]: https://...``), each ``[`` may stand for a link that repeats the reference's address."""
    size = escaped_size(text)
    if isinstance(text, str) and "]:" in text:
        size *= 1 + text.count("[")
    return size
