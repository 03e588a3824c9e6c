"""The published file names (fixed and documented) and the URLs made from them.

Every module names an output from here, so a link in one output can never point at a name
another output does not use.
"""

from __future__ import annotations

PAGE = "timeline.html"
CALENDAR = "calendar.ics"
ATOM_FEED = "feed.atom"
RSS_FEED = "feed.rss"
JSON_FEED = "feed.json"
TIMELINEJS = "timelinejs.json"
TAG_CALENDAR = "tags/{tag}.ics"
TAG_ATOM_FEED = "tags/{tag}.atom"
TAG_RSS_FEED = "tags/{tag}.rss"
ARCHIVE_FOLDER = "archive"
"""Where a paged feed's archive documents go: ``archive/feed.3.atom``, ``archive/tags/pledge.1.rss``.

A page number follows the feed's name after a dot, which no tag id (a slug) contains, so the
names of two feeds' pages never meet, and no archive name is a subscription feed's."""


def folder_url(base_url: str) -> str:
    """``base_url`` ending in ``/``, as every URL made from it expects."""
    return base_url if base_url.endswith("/") else base_url + "/"


def published_url(base_url: str, path: str) -> str:
    """Absolute URL of a published file, e.g. ``published_url(base, 'feed.atom')``."""
    return base_url.rstrip("/") + "/" + path


def archive_path(path: str, page: int) -> str:
    """The archive document ``page`` (1 is the oldest) of the feed published at ``path``:
    ``archive_path("feed.atom", 3) == "archive/feed.3.atom"``."""
    stem, dot, suffix = path.rpartition(".")
    if not dot or page < 1:
        raise ValueError(f"no archive page {page} of {path!r}")
    return f"{ARCHIVE_FOLDER}/{stem}.{page}.{suffix}"


def permalink(base_url: str, event_id: str) -> str:
    """The event's entry on the page: what the calendar and the feeds link to."""
    return published_url(base_url, f"{PAGE}#{event_id}")
