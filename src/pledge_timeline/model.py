"""The validated timeline: what every renderer reads. Built only by ``validate``.

Time policy, applied the same way by every output:
- a day-precision timestamp (a revision date, a source's publication date) stands for
  12:00 UTC that day (``noon_utc``), so it is the same calendar day in every zone from
  UTC-11 to UTC+11;
- an event's ``published`` is its ``recorded`` date, else the first day by which one of its
  sources had surely appeared (a source dated only "Sept 16-20" counts from Sept 20, so no
  stamp claims a day nobody knows); its ``updated`` is its latest revision, else ``published``;
- a timed event's start and end instants come from ``When.instants`` (``wallclock``): the
  calendar, the labels, the page and the feeds never work them out on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cached_property
from operator import attrgetter

from pledge_timeline import wallclock
from pledge_timeline.dates import Precision, Span, qualifier_note
from pledge_timeline.outputs import permalink, published_url
from pledge_timeline.urls import host_of


def noon_utc(day: date) -> datetime:
    return datetime.combine(day, _NOON_UTC)


_NOON_UTC = time(12, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Tag:
    id: str
    label: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    published_span: Span
    """When it was published, with its precision: a day, or a window when the day is unknown."""
    url: str | None = None
    archive: str | None = None
    """Name of a local copy of the article (e.g. a file in shared/seeds)."""

    @property
    def published(self) -> date:
        """The earliest day it may have been published."""
        return self.published_span.first_day

    @property
    def certainly_out_by(self) -> date:
        """The first day it had surely been published: the date an honest timestamp can use."""
        return self.published_span.last_day

    @property
    def published_label(self) -> str:
        return self.published_span.label


@dataclass(frozen=True, slots=True)
class Citation:
    source: Source
    quote: str | None = None
    """None where the source is cited without a quote (unless ``timeline.require_quotes``)."""


@dataclass(frozen=True, slots=True)
class Era:
    """A named period (a presidency, a campaign): a band behind the events, not an event."""

    title: str
    span: Span


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A local picture, read and checked while the file was validated (see ``media``)."""

    path: str
    """Its place in the output folder, ``media/<sha256>.<ext>``."""
    media_type: str
    width: int
    height: int
    data: bytes = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Media:
    """An event's picture (``file``) or a link to something on the web (``url``), never both."""

    alt: str
    file: MediaFile | None = None
    url: str | None = None
    caption: str | None = None
    credit: str | None = None


@dataclass(frozen=True, slots=True)
class Revision:
    """A dated correction: what changed, from what to what, on whose word."""

    date: date
    what: str
    source: Source | None = None
    before: str | None = None
    after: str | None = None

    @property
    def timestamp(self) -> datetime:
        return noon_utc(self.date)


@dataclass(frozen=True, slots=True)
class When:
    """An event's date (with its precision), and a wall-clock time where one is known."""

    span: Span
    display: str | None = None
    start_time: time | None = None
    end_time: time | None = None
    timezone: str | None = None
    fold: int = 0
    """Which occurrence of a repeated ``start_time`` (PEP 495: 0 the first, 1 the second)."""
    end_fold: int = 0
    """Which occurrence of a repeated ``end_time``."""
    label: str = field(init=False, repr=False, compare=False)
    """``display`` if the curator gave one, else the span's label, plus the time if any."""

    def __post_init__(self) -> None:
        # Derived once here: every output shows it, some several times.
        object.__setattr__(self, "label", self._label())

    @property
    def is_timed(self) -> bool:
        return self.start_time is not None

    def _label(self) -> str:
        if self.display:
            return self.display
        if self.start_time is None:
            return self.span.label
        start, end = self.instants(self.timezone or "UTC")
        if end is None:
            return f"{self.span.label}, {start:%H:%M} {wallclock.zone_name(start)}"
        start_zone, end_zone = wallclock.zone_name(start), wallclock.zone_name(end)
        first, last = self.span.start, self.span.end or self.span.start
        if first == last:
            if start_zone == end_zone:
                return f"{first.label()}, {start:%H:%M}-{end:%H:%M} {end_zone}"
            return f"{first.label()}, {start:%H:%M} {start_zone} - {end:%H:%M} {end_zone}"
        # Over several days the times are one continuous span, never daily hours.
        start_text = f"{first.label(with_year=first.year != last.year)}, {start:%H:%M}"
        if start_zone != end_zone:
            start_text += f" {start_zone}"
        return f"{start_text} - {last.label()}, {end:%H:%M} {end_zone}"

    @property
    def inline_label(self) -> str:
        """The label for use inside brackets: ``Summer 2015, approx.``, not ``Summer 2015 (approx.)``."""
        label = self.label
        note = qualifier_note(self.span.approximate, self.span.uncertain)
        if self.display is None and note and label.endswith(note):
            return f"{label.removesuffix(note)}, {note.strip(' ()')}"
        return label

    def instants(self, default_zone: str) -> tuple[datetime, datetime | None]:
        """The start and end instants of a timed event, in its zone (``default_zone`` if it names
        none): every output's times come from here (see ``wallclock``)."""
        if self.start_time is None:
            raise ValueError("an event without a time has no instants")
        zone = self.timezone or default_zone
        start = wallclock.instant(self.span.first_day, self.start_time, zone, self.fold)
        if self.end_time is None:
            return start, None
        return start, wallclock.instant(self.span.last_day, self.end_time, zone, self.end_fold)

    @property
    def start_instant(self) -> datetime:
        """Aware start for timed events; noon UTC on the first day otherwise."""
        if self.start_time is None or self.timezone is None:
            return noon_utc(self.span.first_day)
        return self.instants(self.timezone)[0]

    @property
    def end_instant(self) -> datetime | None:
        if self.end_time is None or self.timezone is None:
            return None
        return self.instants(self.timezone)[1]

    @property
    def is_fuzzy(self) -> bool:
        """Never to be shown as an exact day: coarser than a day, or approximate/uncertain."""
        return not self.span.is_exact

    @property
    def precision(self) -> Precision:
        return self.span.precision


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    title: str
    when: When
    summary: str
    citations: tuple[Citation, ...]
    tags: tuple[Tag, ...] = ()
    actors: tuple[str, ...] = ()
    place: Place | None = None
    revisions: tuple[Revision, ...] = ()
    recorded: date | None = None
    note: str | None = None
    media: Media | None = None
    published: datetime = field(init=False, repr=False, compare=False)
    """Its ``recorded`` day, else the first day by which one of its sources had surely appeared."""
    updated: datetime = field(init=False, repr=False, compare=False)
    """Its latest revision, else ``published``."""
    sort_key: tuple[date, date, str] = field(init=False, repr=False, compare=False)
    """Its first day, last day and id: the timeline's chronological order."""
    dated_title: str = field(init=False, repr=False, compare=False)
    """``Cisco pledges $10 billion (June 2015)``: the title with its honest date."""

    def __post_init__(self) -> None:
        # Derived once here: every output reads them, for every event and tag subset.
        published = self._first_published()
        object.__setattr__(self, "published", published)
        object.__setattr__(self, "updated", max([published, *(r.timestamp for r in self.revisions)]))
        span = self.when.span
        object.__setattr__(self, "sort_key", (span.first_day, span.last_day, self.id))
        object.__setattr__(self, "dated_title", f"{self.title} ({self.when.inline_label})")

    def _first_published(self) -> datetime:
        if self.recorded is not None:
            return noon_utc(self.recorded)
        return noon_utc(min(s.certainly_out_by for s in self.sources))

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(map(_SOURCE, self.citations))

    @property
    def sequence(self) -> int:
        return len(self.revisions)


@dataclass(frozen=True)
class Timeline:
    title: str
    description: str
    language: str
    base_url: str
    timezone: str
    curator: str
    rights: str
    tags: tuple[Tag, ...]
    sources: tuple[Source, ...]
    events: tuple[Event, ...]
    icon: str | None = None
    eras: tuple[Era, ...] = ()
    id_year: str | None = None
    """``timeline.id_year``: the year in every feed entry id; see ``tag_year``."""
    feed_entries: int = 50
    """The most entries a feed document carries; older entries go to archive pages of this size."""
    source_date_epoch: int | None = field(default=None, compare=False)
    """Set by the build from SOURCE_DATE_EPOCH; overrides ``build_time``."""

    @cached_property
    def tag_year(self) -> str:
        """The year of every ``tag:`` URI: ``timeline.id_year``, else the year the earliest source
        was published. A feed's ids must never change, so ``init`` and ``import`` write
        ``id_year``: without it, adding an older source would change every id."""
        if self.id_year is not None:
            return self.id_year
        return f"{min(source.published for source in self.sources).year:04d}"

    @cached_property
    def domain(self) -> str:
        """The host of ``base_url``: the naming authority for UIDs and tag: URIs."""
        return host_of(self.base_url)

    def url(self, path: str) -> str:
        """Absolute URL of a published file, e.g. ``url('feed.atom')``."""
        return published_url(self.base_url, path)

    def permalink(self, event: Event) -> str:
        return permalink(self.base_url, event.id)

    @cached_property
    def chronological(self) -> tuple[Event, ...]:
        """Oldest first; ties broken by last day, then id."""
        return tuple(sorted(self.events, key=attrgetter("sort_key")))

    @cached_property
    def newest_first(self) -> tuple[Event, ...]:
        """Newest event first, deterministically: by start, end, then id (ascending on ties)."""
        # A reversed sort keeps tied events in their chronological (id) order, and takes
        # linear time on the chronological order, which is already sorted.
        return tuple(sorted(self.chronological, key=_days, reverse=True))

    @cached_property
    def updated(self) -> datetime:
        """The newest entry's ``updated``: what feeds and the calendar call 'last changed'.

        Validation guarantees every timeline, and every tag, has at least one event. Cached:
        renderers read it (through ``build_time``) once per entry.
        """
        return max(e.updated for e in self.events)

    @property
    def build_time(self) -> datetime:
        """DTSTAMP and generator time: SOURCE_DATE_EPOCH if set, else the data's own ``updated``."""
        if self.source_date_epoch is not None:
            return datetime.fromtimestamp(self.source_date_epoch, UTC)
        return self.updated

    @property
    def media_files(self) -> tuple[MediaFile, ...]:
        """Each local picture once, by its output path (the build writes them)."""
        files = {e.media.file.path: e.media.file for e in self.chronological if e.media and e.media.file}
        return tuple(files.values())

    def events_tagged(self, tag: Tag) -> tuple[Event, ...]:
        return tuple(e for e in self.events if tag in e.tags)

    def restricted_to(self, tag: Tag) -> Timeline:
        """The same timeline with only the events that carry ``tag`` (for tags/<tag>.*)."""
        return Timeline(
            title=f"{self.title}: {tag.label}",
            description=tag.description or self.description,
            language=self.language,
            base_url=self.base_url,
            timezone=self.timezone,
            curator=self.curator,
            rights=self.rights,
            tags=self.tags,
            sources=self.sources,
            events=self.events_tagged(tag),
            icon=self.icon,
            eras=self.eras,
            id_year=self.tag_year,
            feed_entries=self.feed_entries,
            source_date_epoch=self.source_date_epoch,
        )


_SOURCE = attrgetter("source")


def _days(event: Event) -> tuple[date, date]:
    first, last, _ = event.sort_key
    return (first, last)
