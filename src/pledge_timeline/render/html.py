"""timeline.html: the story as an interactive Plotly chart above a plain chronological list.

The page works offline, straight from file://: plotly.js (the vendored basic bundle, see
``plotlyjs``) is inlined (or, for hosting, written beside the page as ``plotly.min.js``), nothing
else is loaded, and a Content-Security-Policy forbids any fetch. The list is the page's text
alternative and needs no JavaScript; the chart, the filter box and the tag toggles are
enhancements on top of it.

Loading order: the figure's data, plotly.js and the page's script come right after the chart,
before the list, so the chart is drawn while a long list is still being parsed; the script sets
up the filter once the list is there. Above ``chart.AGGREGATE_ABOVE`` events the chart counts
events per period and the list's entries get ``content-visibility: auto``.

Determinism: ``chart`` builds the figure as plain data and the page serialises it with sorted
keys and a fixed div id, so the same data always gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from pledge_timeline.dates import Span
from pledge_timeline.model import Event, Revision, Source, Tag, Timeline
from pledge_timeline.outputs import ATOM_FEED, CALENDAR, JSON_FEED, PAGE, RSS_FEED
from pledge_timeline.render.chart import Geometry, build_figure, geometry_of
from pledge_timeline.render.labels import day_label, html_datetime, is_web_url, webcal_url
from pledge_timeline.render.plotlyjs import (
    PLOTLYJS_FILE,
    plotlyjs_csp_hash,
    plotlyjs_source,
    render_plotlyjs,
)

PlotlyJs = Literal["inline", "sibling"]
CHART_ID = "timeline-chart"
FIGURE_DATA_ID = "timeline-figure"
FEEDS = (
    (ATOM_FEED, "application/atom+xml", "Atom feed"),
    (RSS_FEED, "application/rss+xml", "RSS feed"),
    (JSON_FEED, "application/feed+json", "JSON Feed"),
)


# --- public renderers -----------------------------------------------------------------


def render_page(timeline: Timeline, path: str) -> bytes:
    """The self-contained page: plotly.js inlined, nothing else needed."""
    return render_page_with(timeline, path, plotlyjs="inline")


def render_page_sibling(timeline: Timeline, path: str) -> bytes:
    """The page loading ``plotly.min.js`` from beside it (publish ``render_plotlyjs`` too)."""
    return render_page_with(timeline, path, plotlyjs="sibling")


def page_renderers(plotlyjs: PlotlyJs = "inline") -> dict[str, Callable[[Timeline, str], bytes]]:
    """The files the page needs, by output path, for the build's ``main_renderers``."""
    if plotlyjs == "sibling":
        return {PAGE: render_page_sibling, PLOTLYJS_FILE: render_plotlyjs}
    return {PAGE: render_page}


def render_page_with(timeline: Timeline, path: str, *, plotlyjs: PlotlyJs = "inline") -> bytes:
    geometry = geometry_of(timeline)
    figure = build_figure(timeline, geometry)
    app_js = Markup(app_script())
    inline_js = Markup(plotlyjs_source()) if plotlyjs == "inline" else None
    chunks = (
        _template_environment()
        .get_template("timeline.html.j2")
        .generate(
            page=page_view(timeline, path),
            events=[event_view(timeline, event) for event in timeline.chronological],
            lane_colors={event.id: band.lane.color for band in geometry.bands for event in band.lane.events},
            zoom=zoom_view(geometry),
            counts=counts_view(geometry),
            chart_id=CHART_ID,
            chart_height=figure["layout"]["height"],
            figure_data_id=FIGURE_DATA_ID,
            figure_json=Markup(safe_json(figure)),
            plotlyjs_inline=inline_js,
            plotlyjs_src=None if inline_js is not None else relative_prefix(path) + PLOTLYJS_FILE,
            theme_boot_js=Markup(THEME_BOOT_JS),
            app_js=app_js,
            csp=content_security_policy(inline_js is not None, app_js),
        )
    )
    return encoded(chunks)


def encoded(chunks: Iterable[str], batch: int = 4096) -> bytes:
    """UTF-8 of the concatenated chunks, never holding the page as one ``str``: one emoji makes
    a ``str`` four bytes a character, so a 100 MB page would take 400 MB more at its peak."""
    parts: list[bytes] = []
    pending: list[str] = []
    for chunk in chunks:
        pending.append(chunk)
        if len(pending) == batch:
            parts.append("".join(pending).encode("utf-8"))
            pending.clear()
    parts.append("".join(pending).encode("utf-8"))
    return b"".join(parts)


def safe_json(value: object) -> str:
    """JSON that can sit inside ``<script>``: no ``<``, ``>``, ``&`` or line separators."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def content_security_policy(inline_plotlyjs: bool, app_js: str) -> str:
    """Allow only this page's own scripts and no fetch at all; a sibling plotly.js is 'self'.

    The inlined plotly.js's hash is the vendored file's recorded sha256, which ``plotlyjs_bytes``
    checks when it reads the file: a corrupt bundle stops the build instead of being blocked.
    """
    scripts = [_csp_hash(THEME_BOOT_JS), _csp_hash(app_js)]
    if inline_plotlyjs:
        scripts.append(plotlyjs_csp_hash())
    else:
        scripts.insert(0, "'self'")
    return "; ".join(
        (
            "default-src 'none'",
            "script-src " + " ".join(scripts),
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


THEME_BOOT_JS = 'document.documentElement.className = "js";'
"""Runs first, so that CSS can hide the JavaScript-only controls when scripts are off."""


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# --- what the template shows ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    label: str
    type: str | None = None


@dataclass(frozen=True, slots=True)
class PageView:
    title: str
    description: str
    language: str
    url: str
    curator: str
    rights: str
    updated_iso: str
    updated_label: str
    image: str | None
    webcal: str | None
    calendar: Link
    feeds: tuple[Link, ...]
    alternates: tuple[Link, ...]
    tags: tuple[Tag, ...]
    has_untagged: bool
    event_count: int


@dataclass(frozen=True, slots=True)
class SourceView:
    title: str
    publisher: str
    href: str | None
    published_iso: str | None
    published_label: str
    quote: str


@dataclass(frozen=True, slots=True)
class CorrectionView:
    date_iso: str
    date_label: str
    what: str
    before: str | None
    after: str | None
    source_title: str | None
    source_href: str | None


@dataclass(frozen=True, slots=True)
class EventView:
    id: str
    title: str
    when_label: str
    when_datetime: str | None
    fuzzy: bool
    place: str | None
    summary: str
    note: str | None
    tags: tuple[Tag, ...]
    tag_ids: str
    actors: tuple[str, ...]
    sources: tuple[SourceView, ...]
    corrections: tuple[CorrectionView, ...]
    permalink: str


def page_view(timeline: Timeline, path: str) -> PageView:
    prefix = relative_prefix(path)
    feeds = tuple(Link(prefix + name, label, kind) for name, kind, label in FEEDS)
    calendar_url = timeline.url(CALENDAR)
    alternates = (
        *(Link(timeline.url(name), f"{timeline.title} ({label})", kind) for name, kind, label in FEEDS),
        Link(calendar_url, f"{timeline.title} (calendar)", "text/calendar"),
    )
    updated = timeline.updated.date()
    return PageView(
        title=timeline.title,
        description=timeline.description,
        language=timeline.language,
        url=timeline.url(path),
        curator=timeline.curator,
        rights=timeline.rights,
        updated_iso=updated.isoformat(),
        updated_label=day_label(updated),
        image=timeline.icon if timeline.icon and is_web_url(timeline.icon) else None,
        webcal=webcal_url(calendar_url),
        calendar=Link(prefix + CALENDAR, "Download the calendar (.ics)", "text/calendar"),
        feeds=feeds,
        alternates=alternates,
        tags=timeline.tags,
        has_untagged=any(not event.tags for event in timeline.events),
        event_count=len(timeline.events),
    )


def event_view(timeline: Timeline, event: Event) -> EventView:
    return EventView(
        id=event.id,
        title=event.title,
        when_label=event.when.label,
        when_datetime=html_datetime(event.when),
        fuzzy=event.when.is_fuzzy,
        place=event.place.name if event.place else None,
        summary=event.summary,
        note=event.note,
        tags=event.tags,
        tag_ids=" ".join(tag.id for tag in event.tags),
        actors=event.actors,
        sources=tuple(source_view(c.source, c.quote) for c in event.citations),
        corrections=tuple(correction_view(r) for r in event.revisions),
        permalink=timeline.permalink(event),
    )


def source_view(source: Source, quote: str) -> SourceView:
    return SourceView(
        title=source.title,
        publisher=source.publisher,
        href=source.url if source.url and is_web_url(source.url) else None,
        published_iso=_exact_day(source.published_span),
        published_label=source.published_label,
        quote=quote,
    )


def correction_view(revision: Revision) -> CorrectionView:
    source = revision.source
    return CorrectionView(
        date_iso=revision.date.isoformat(),
        date_label=day_label(revision.date),
        what=revision.what,
        before=revision.before,
        after=revision.after,
        source_title=source.title if source else None,
        source_href=source.url if source and source.url and is_web_url(source.url) else None,
    )


@dataclass(frozen=True, slots=True)
class ZoomView:
    initial: str
    whole: str


def zoom_view(geometry: Geometry) -> ZoomView | None:
    """Labels for the two zoom buttons, when the chart opens zoomed in."""
    if geometry.focus is None:
        return None
    return ZoomView(_range_label(geometry.focus), _range_label(geometry.story))


@dataclass(frozen=True, slots=True)
class CountsView:
    unit: str
    events: str


def counts_view(geometry: Geometry) -> CountsView | None:
    """What the hint and the key say when the chart counts events instead of marking each."""
    if geometry.counts is None:
        return None
    return CountsView(geometry.counts.unit, f"{sum(len(b.lane.events) for b in geometry.bands):,}")


def _range_label(window: tuple[date, date]) -> str:
    first, last = window
    return f"{day_label(first)} - {day_label(last)}"


def _exact_day(span: Span) -> str | None:
    return span.first_day.isoformat() if span.is_exact and span.end is None else None


def relative_prefix(path: str) -> str:
    """``../`` per folder level of ``path``, so links to sibling outputs work from file://."""
    return "../" * path.count("/")


@cache
def app_script() -> str:
    """The page's own script (filter, themes, clicks), kept in a file so it can be linted."""
    env = _template_environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, "timeline.js")
    return source


@cache
def _template_environment() -> Environment:
    return Environment(
        loader=PackageLoader("pledge_timeline", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
