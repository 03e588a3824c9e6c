"""The shape of an events file's data once the schema (``document``) has passed it: typed dicts,
one per record. ``tests/test_schema.py`` compares their keys with the schema's records.
"""

from typing import NotRequired, TypedDict

# No ``from __future__ import annotations`` in this module: it would hide ``NotRequired`` from
# the typed dicts' ``__required_keys__``, which the tests compare with the schema.


class TimelineMetaDoc(TypedDict):
    title: str
    description: str
    language: NotRequired[str]
    base_url: str
    timezone: str
    curator: str
    rights: str
    icon: NotRequired[str | None]
    id_year: NotRequired[str | None]
    require_quotes: NotRequired[str]
    feed_entries: NotRequired[str]


class TagDoc(TypedDict):
    id: str
    label: str
    description: NotRequired[str | None]


class SourceDoc(TypedDict):
    id: str
    title: str
    publisher: str
    published: str
    url: NotRequired[str | None]
    archive: NotRequired[str | None]


class PlaceDoc(TypedDict):
    name: str
    lat: NotRequired[str | None]
    lon: NotRequired[str | None]


class CitationDoc(TypedDict):
    source: str
    quote: NotRequired[str | None]


class EraDoc(TypedDict):
    title: str
    date: str


class RevisionDoc(TypedDict):
    date: str
    what: str
    source: NotRequired[str | None]
    before: NotRequired[str | None]
    after: NotRequired[str | None]


class MediaDoc(TypedDict):
    file: NotRequired[str | None]
    url: NotRequired[str | None]
    alt: str
    caption: NotRequired[str | None]
    credit: NotRequired[str | None]


class EventDoc(TypedDict):
    id: str
    title: str
    date: str
    end: NotRequired[str | None]
    display_date: NotRequired[str | None]
    time: NotRequired[str | None]
    end_time: NotRequired[str | None]
    fold: NotRequired[str | None]
    end_fold: NotRequired[str | None]
    timezone: NotRequired[str | None]
    place: NotRequired[PlaceDoc | None]
    summary: str
    tags: NotRequired[list[str]]
    actors: NotRequired[list[str]]
    sources: list[CitationDoc]
    revisions: NotRequired[list[RevisionDoc]]
    recorded: NotRequired[str | None]
    note: NotRequired[str | None]
    media: NotRequired[MediaDoc | None]


class TimelineDoc(TypedDict):
    """An events file as the schema has passed it: every scalar still the text that was typed."""

    timeline: TimelineMetaDoc
    tags: NotRequired[list[TagDoc]]
    eras: NotRequired[list[EraDoc]]
    sources: list[SourceDoc]
    events: list[EventDoc]
