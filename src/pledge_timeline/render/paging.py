"""A feed cut into a subscription document and RFC 5005 archive documents.

Which document an entry is in depends only on its rank in the order entries entered the
record, ``published`` then entry id, never on ``updated``: a correction changes its entry's
``updated`` and so the text of the one document that holds it, and nothing else. Archive pages
are filled oldest first, ``size`` entries each (``timeline.feed_entries``); the subscription
document holds the rest, 1 to ``size`` entries, so every entry is in exactly one document, and
a feed of at most ``size`` entries has no archives at all. Adding entries that are newer than
every archived one only fills the subscription document, and when it overflows, the next
archive page: a full page never changes.

Links (all absolute): the subscription document has ``prev-archive`` to the newest archive
page; archive page n has ``current`` (the subscription document), ``prev-archive`` to page
n - 1 (but page 1) and ``next-archive`` to page n + 1. So that the newest full page need not
change when the page after it fills, page k + 1 is always published, empty until it is filled
(``open_page``: Atom and RSS, whose archives link forwards; a JSON Feed's ``next_url`` only
leads back, from the subscription document to page k, and from page n to page n - 1).

Within a document, entries keep the feed's order (newest event first). A document's ``updated``
is its newest entry's (the open page's that of the page before it), and an archive page's RSS
``lastBuildDate`` too, so that no archive page's text depends on the build time, and no
document's on entries in another document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial

from pledge_timeline.outputs import archive_path
from pledge_timeline.render.entries import Entry, Feed, FeedLink
from pledge_timeline.render.memo import shared

MEMO_KIND = "feed pages"
"""A feed's entries cut into documents (``partition``): the same for Atom, RSS and JSON Feed."""


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    """Where the document is published: the feed's own path, or an archive path."""
    feed: Feed


def paged(
    feed: Feed, path: str, size: int, url: Callable[[str], str], *, feed_type: str, open_page: bool
) -> Iterator[Page]:
    """The subscription document first, then archive pages 1, 2, ... (the open page last)."""
    if len(feed.entries) <= size:
        yield Page(path, feed)
        return
    pages = shared(feed.entries, MEMO_KIND, (feed.id, size), partial(partition, feed.entries, size))
    archived = len(pages) - 1

    def link(page: int, rel: str) -> FeedLink:
        return FeedLink(url(archive_path(path, page)), rel, type=feed_type)

    current = FeedLink(feed.self_url, "current", type=feed_type)
    newest = pages[archived]
    latest = max(entry.updated for entry in newest)
    yield Page(path, replace(feed, entries=newest, updated=latest, paging=(link(archived, "prev-archive"),)))
    updated = feed.updated
    for number in range(1, archived + 2 if open_page else archived + 1):
        entries = pages[number - 1] if number <= archived else ()
        if entries:
            updated = max(entry.updated for entry in entries)
        links = [current]
        if number > 1:
            links.append(link(number - 1, "prev-archive"))
        if number < archived or (number == archived and open_page):
            links.append(link(number + 1, "next-archive"))
        page_path = archive_path(path, number)
        yield Page(
            page_path,
            replace(
                feed,
                self_url=url(page_path),
                entries=entries,
                updated=updated,
                build_time=updated,
                paging=tuple(links),
                archive=True,
            ),
        )


def partition(entries: tuple[Entry, ...], size: int) -> tuple[tuple[Entry, ...], ...]:
    """Archive pages 1 to k, then the subscription document's entries, each in the feed's order."""
    ranked = sorted(entries, key=archive_order)
    archived = (len(ranked) - 1) // size
    page_of = {entry.id: min(rank // size, archived) for rank, entry in enumerate(ranked)}
    pages: list[list[Entry]] = [[] for _ in range(archived + 1)]
    for entry in entries:
        pages[page_of[entry.id]].append(entry)
    return tuple(tuple(page) for page in pages)


def archive_order(entry: Entry) -> tuple[object, ...]:
    """The order entries entered the record: what fills the archive pages, oldest first."""
    return (entry.published, entry.id)
