"""What a feed says about the timeline, once, so that Atom, RSS and JSON Feed never disagree.

Identity: every entry id is a ``tag:`` URI (RFC 4151) made of the timeline's domain, the
timeline's own year (``Timeline.tag_year``: ``timeline.id_year``, else the year its earliest
source was published) and the event id, e.g. ``tag:timeline.example.org,2015:cisco-pledge``.
Nothing in it comes from a title, a URL path or an event's dates, so an id never changes
when an event is corrected, retitled or redated.

Dates: ``published`` is the event's first version, ``updated`` its latest revision; the
feed's ``updated`` is the newest entry's. All are UTC; day-precision dates are 12:00 UTC
(see ``model``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from html import escape

from pledge_timeline.markdown import to_html, to_plain
from pledge_timeline.model import Citation, Era, Event, Media, Revision, Source, Timeline, When
from pledge_timeline.outputs import PAGE
from pledge_timeline.render.labels import (
    correction_text,
    html_datetime,
    is_web_url,
    media_address,
    shared_description,
    source_link,
)
from pledge_timeline.render.memo import shared, shared_for_event

GENERATOR = "pledge-timeline"
ENTRY_MEMO = "feed entry"
SOURCE_HTML_MEMO = "source html"
FEED_ENTRIES_MEMO = "feed entries"
"""A feed's entries, newest first: the same tuple for its Atom, RSS and JSON documents."""
MEMO_KINDS = (ENTRY_MEMO, SOURCE_HTML_MEMO, FEED_ENTRIES_MEMO)
"""What the feeds keep in the build's memo (``render.memo``): every feed format reads them."""


@dataclass(frozen=True, slots=True)
class FeedLink:
    href: str
    rel: str
    title: str | None = None
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class Category:
    """A tag: ``term`` is its id (Atom), ``label`` what readers show (Atom label, RSS, JSON)."""

    term: str
    label: str


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    event_id: str
    title: str
    url: str
    """The event's permalink: the entry's alternate link."""
    related: tuple[FeedLink, ...]
    """One ``rel="related"`` link per cited source that has a web address."""
    summary: str
    """The summary's Markdown as plain text."""
    summary_html: str
    """The summary's Markdown as HTML."""
    content_html: str
    content_text: str
    """What ``content_html`` says, as plain text: the calendar's DESCRIPTION."""
    enclosure: FeedLink | None
    """The event's picture, if it has one (``rel="enclosure"``, with its type and length)."""
    published: datetime
    updated: datetime
    categories: tuple[Category, ...]
    author: str
    when: When

    @property
    def links(self) -> tuple[FeedLink, ...]:
        enclosure = () if self.enclosure is None else (self.enclosure,)
        return (FeedLink(self.url, "alternate", type="text/html"), *self.related, *enclosure)


@dataclass(frozen=True, slots=True)
class Feed:
    id: str
    title: str
    subtitle: str
    self_url: str
    home_url: str
    language: str
    rights: str
    author: str
    updated: datetime
    """The newest entry's ``updated``: when the feed last changed."""
    build_time: datetime
    icon: str | None
    entries: tuple[Entry, ...]
    """Newest event first."""
    eras: tuple[Era, ...] = ()
    paging: tuple[FeedLink, ...] = ()
    """RFC 5005 links to the feed's other documents (``paging``): ``current``, ``prev-archive``,
    ``next-archive``."""
    archive: bool = False
    """An archive document (``<fh:archive/>``), not the subscription document."""

    def paging_link(self, rel: str) -> FeedLink | None:
        return next((link for link in self.paging if link.rel == rel), None)


def feed_for(timeline: Timeline, path: str) -> Feed:
    """The feed published at ``path`` (e.g. ``feed.atom`` or ``tags/pledge.rss``)."""
    return Feed(
        id=tag_uri(timeline, feed_name(path)),
        title=timeline.title,
        subtitle=timeline.description,
        self_url=timeline.url(path),
        home_url=timeline.url(PAGE),
        language=timeline.language,
        rights=timeline.rights,
        author=timeline.curator,
        updated=timeline.updated.astimezone(UTC),
        build_time=timeline.build_time.astimezone(UTC),
        icon=timeline.icon,
        entries=shared(timeline, FEED_ENTRIES_MEMO, feed_name(path), partial(newest_entries, timeline)),
        eras=timeline.eras,
    )


def newest_entries(timeline: Timeline) -> tuple[Entry, ...]:
    return tuple(memoized_entry(timeline, event) for event in timeline.newest_first)


def memoized_entry(timeline: Timeline, event: Event) -> Entry:
    """``entry_for``, once per build: Atom, RSS, JSON Feed and every tag feed share it."""
    context = (timeline.domain, timeline.base_url, timeline.curator)
    return shared_for_event(event, ENTRY_MEMO, context, partial(entry_for, timeline, event))


def feed_name(path: str) -> str:
    """``tags/pledge.atom`` -> ``tags/pledge``: the same name for every format of one feed."""
    stem, _, _ = path.rpartition(".")
    return stem or path


def tag_uri(timeline: Timeline, specific: str) -> str:
    # RFC 4151 only asks that the domain was held by the tagger in that year.
    return f"tag:{timeline.domain},{timeline.tag_year}:{specific}"


def entry_for(timeline: Timeline, event: Event) -> Entry:
    return Entry(
        id=tag_uri(timeline, event.id),
        event_id=event.id,
        title=entry_title(event),
        url=timeline.permalink(event),
        related=related_links(event),
        summary=to_plain(event.summary),
        summary_html=to_html(event.summary),
        content_html=content_html(timeline, event),
        content_text=shared_description(event),
        enclosure=enclosure(timeline, event),
        published=event.published.astimezone(UTC),
        updated=event.updated.astimezone(UTC),
        categories=tuple(Category(tag.id, tag.label) for tag in event.tags),
        author=timeline.curator,
        when=event.when,
    )


def entry_title(event: Event) -> str:
    """``Cisco pledges $10 billion (June 2015)``: the label never claims more than is known."""
    return event.dated_title


def related_links(event: Event) -> tuple[FeedLink, ...]:
    linked = ((source_link(source), source) for source in unique_sources(event))
    return tuple(FeedLink(link, "related", title=source_title(source)) for link, source in linked if link)


def unique_sources(event: Event) -> tuple[Source, ...]:
    """Each cited source once, in citation order (by id: hashing a whole source costs more)."""
    return tuple({source.id: source for source in event.sources}.values())


def source_title(source: Source) -> str:
    return f"{source.title} ({source.publisher})"


def enclosure(timeline: Timeline, event: Event) -> FeedLink | None:
    picture = event.media.file if event.media is not None else None
    if picture is None:
        return None
    address = media_address(timeline.base_url, picture)
    return FeedLink(address, "enclosure", type=picture.media_type, length=len(picture.data))


def content_html(timeline: Timeline, event: Event) -> str:
    """The entry's HTML: date, place, summary, picture, note, sources and corrections; the summary
    and note are their Markdown's HTML (``markdown.to_html``), everything else is escaped."""
    parts = [when_html(event.when)]
    if event.place is not None:
        parts.append(f'<p class="place">{escape(event.place.name)}</p>')
    parts.append(f'<div class="summary">\n{to_html(event.summary)}\n</div>')
    if event.media is not None:
        parts.append(media_html(timeline, event.media))
    if event.note:
        parts.append(f'<div class="note">\n{to_html(event.note)}\n</div>')
    parts.append(sources_html(timeline, event.citations))
    if event.revisions:
        parts.append(corrections_html(event.revisions))
    return "\n".join(parts)


def when_html(when: When) -> str:
    """The date label; ``data-edtf`` keeps the exact EDTF for machines, ``datetime`` only when honest."""
    machine = html_datetime(when)
    attribute = "" if machine is None else f' datetime="{machine}"'
    edtf = escape(when.span.edtf)
    return f'<p class="when" data-edtf="{edtf}"><time{attribute}>{escape(when.label)}</time></p>'


def sources_html(timeline: Timeline, citations: tuple[Citation, ...]) -> str:
    items = "".join(f"<li>{citation_html(timeline, c)}</li>" for c in citations)
    return f'<p>Sources:</p>\n<ul class="sources">{items}</ul>'


def citation_html(timeline: Timeline, citation: Citation) -> str:
    source = citation.source
    about = shared(source, SOURCE_HTML_MEMO, source.id, partial(source_html, source))
    if citation.quote is None:
        return about.removesuffix(": ")
    return f"{about}<q>{escape(citation.quote)}</q>"


def source_html(source: Source) -> str:
    """``<cite>title</cite>, publisher, date: ``, the same for every citation of the source."""
    title, link = escape(source.title), source_link(source)
    if link is not None:
        title = f'<a href="{escape(link)}">{title}</a>'
    return f"<cite>{title}</cite>, {escape(source.publisher)}, {escape(source.published_label)}: "


def corrections_html(revisions: tuple[Revision, ...]) -> str:
    ordered = sorted(revisions, key=lambda r: r.date)
    items = "".join(f"<li>{escape(correction_text(r))}</li>" for r in ordered)
    return f'<p>Corrections:</p>\n<ul class="corrections">{items}</ul>'


def media_html(timeline: Timeline, media: Media) -> str:
    """The picture (with its alt text, caption and credit), or a link to the media's address."""
    caption = media_caption_html(media)
    if media.file is not None:
        picture = media.file
        source = escape(media_address(timeline.base_url, picture))
        size = f'width="{picture.width}" height="{picture.height}"'
        image = f'<img src="{source}" alt="{escape(media.alt)}" {size}>'
        return f"<figure>{image}{caption}</figure>"
    url = media.url or ""
    shown = f'<a href="{escape(url)}">{escape(media.alt)}</a>' if is_web_url(url) else escape(media.alt)
    return f"<figure><p>{shown}</p>{caption}</figure>"


def media_caption_html(media: Media) -> str:
    parts = [escape(media.caption)] if media.caption else []
    if media.credit:
        parts.append(f"<small>Credit: {escape(media.credit)}</small>")
    return f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""
