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
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal, NamedTuple

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from pledge_timeline.dates import Span
from pledge_timeline.markdown import to_html
from pledge_timeline.model import Citation, Event, Media, Place, Revision, Source, Tag, Timeline, When
from pledge_timeline.outputs import ATOM_FEED, CALENDAR, JSON_FEED, PAGE, RSS_FEED
from pledge_timeline.render.chart import UNTAGGED_LABEL, Geometry, build_figure, geometry_of
from pledge_timeline.render.labels import day_label, html_datetime, source_link, webcal_url
from pledge_timeline.render.plotlyjs import (
    PLOTLYJS_FILE,
    plotlyjs_csp_hash,
    plotlyjs_source,
    render_plotlyjs,
)
from pledge_timeline.urls import is_web_url, parse_web_url

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
    """The files the page needs, by output path, for the build's ``formats``."""
    if plotlyjs == "sibling":
        return {PAGE: render_page_sibling, PLOTLYJS_FILE: render_plotlyjs}
    return {PAGE: render_page}


@dataclass(frozen=True, slots=True)
class LiveHook:
    """What ``serve --watch`` adds to the page it serves, and never to a built one: a script,
    allowed by its hash, and the same-origin event stream it follows (``connect-src 'self'``)."""

    script: str
    stream_url: str


def render_page_with(
    timeline: Timeline, path: str, *, plotlyjs: PlotlyJs = "inline", live: LiveHook | None = None
) -> bytes:
    geometry = geometry_of(timeline)
    figure = build_figure(timeline, geometry)
    app_js = Markup(app_script())
    inline_js = Markup(plotlyjs_source()) if plotlyjs == "inline" else None
    chunks = (
        _template_environment()
        .get_template("timeline.html.j2")
        .generate(
            page=page_view(timeline, path),
            event_items=event_items(timeline.chronological, lane_colors(geometry), relative_prefix(path)),
            zoom=zoom_view(geometry),
            counts=counts_view(geometry),
            marks=geometry.marks,
            eras=geometry.eras,
            untagged_label=UNTAGGED_LABEL,
            chart_id=CHART_ID,
            chart_height=figure["layout"]["height"],
            figure_data_id=FIGURE_DATA_ID,
            figure_json=Markup(safe_json(figure)),
            plotlyjs_inline=inline_js,
            plotlyjs_src=None if inline_js is not None else relative_prefix(path) + PLOTLYJS_FILE,
            theme_boot_js=Markup(THEME_BOOT_JS),
            app_js=app_js,
            live=live,
            live_js=Markup(live.script) if live is not None else None,
            csp=content_security_policy(inline_js is not None, app_js, bool(timeline.media_files), live),
        )
    )
    return encoded(chunks)


def encoded(chunks: Iterable[str]) -> bytes:
    """UTF-8 of the concatenated chunks, never holding the page as one ``str`` (one emoji makes
    a ``str`` four bytes a character) nor twice as bytes: ``BytesIO.getvalue`` hands over its
    buffer, where ``b"".join`` would hold every chunk and the whole page at once."""
    page = io.BytesIO()
    for chunk in chunks:
        page.write(chunk.encode("utf-8"))
    return page.getvalue()


def safe_json(value: object) -> str:
    """JSON that can sit inside ``<script>``: no ``<``, ``>``, ``&`` or line separators."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def content_security_policy(
    inline_plotlyjs: bool, app_js: str, pictures: bool = False, live: LiveHook | None = None
) -> str:
    """Allow only this page's own scripts and no fetch at all; a sibling plotly.js is 'self', and
    so are the events' pictures (``media/``), if there are any: never an image from elsewhere.
    A page served live also runs the live script and reads its stream from its own origin.

    The inlined plotly.js is the vendored file, which ``plotlyjs_bytes`` checks against its
    recorded sha256 when it reads it, behind the compile hint: a corrupt bundle stops the build
    instead of being blocked.
    """
    scripts = [_csp_hash(THEME_BOOT_JS), _csp_hash(app_js)]
    if inline_plotlyjs:
        scripts.append(plotlyjs_csp_hash())
    else:
        scripts.insert(0, "'self'")
    if live is not None:
        scripts.append(_csp_hash(live.script))
    return "; ".join(
        (
            "default-src 'none'",
            "script-src " + " ".join(scripts),
            *(("connect-src 'self'",) if live is not None else ()),
            "style-src 'unsafe-inline'",
            "img-src 'self' data:" if pictures else "img-src data:",
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
class PageLink:
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
    calendar: PageLink
    feeds: tuple[PageLink, ...]
    alternates: tuple[PageLink, ...]
    tags: tuple[Tag, ...]
    has_untagged: bool
    event_count: int


def page_view(timeline: Timeline, path: str) -> PageView:
    prefix = relative_prefix(path)
    feeds = tuple(PageLink(prefix + name, label, kind) for name, kind, label in FEEDS)
    calendar_url = timeline.url(CALENDAR)
    alternates = (
        *(PageLink(timeline.url(name), f"{timeline.title} ({label})", kind) for name, kind, label in FEEDS),
        PageLink(calendar_url, f"{timeline.title} (calendar)", "text/calendar"),
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
        calendar=PageLink(prefix + CALENDAR, "Download the calendar (.ics)", "text/calendar"),
        feeds=feeds,
        alternates=alternates,
        tags=timeline.tags,
        has_untagged=any(not event.tags for event in timeline.events),
        event_count=len(timeline.events),
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


# --- the list of events -----------------------------------------------------------------
# Written here rather than in the template, which would escape and look up attributes once per
# expression for every event (the cost: benchmarks/README.md). Every value goes through
# ``markup_escape``, which writes what the template's autoescape would, so the page is the same.


def markup_escape(text: str) -> str:
    """``markupsafe.escape(text)``, character for character, as a plain ``str``: a third faster,
    without the ``Markup`` object."""
    if "&" in text or ">" in text or "<" in text or "'" in text or '"' in text:  # most text has none
        return (
            text.replace("&", "&amp;")
            .replace(">", "&gt;")
            .replace("<", "&lt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    return text


def lane_colors(geometry: Geometry) -> dict[str, str]:
    """Each event's lane color, by event id: the edge of its entry in the list."""
    return {event.id: band.lane.color for band in geometry.bands for event in band.lane.events}


def event_items(events: Iterable[Event], colors: Mapping[str, str], prefix: str = "") -> Iterator[str]:
    """Each event's ``<li>``, in the order given; a source cited by many events is written once.
    ``prefix`` leads from the page to the output folder (``relative_prefix``)."""
    openings: dict[str, _Opening] = {}
    for event in events:
        yield event_item(event, colors[event.id], openings, prefix)


def event_item(event: Event, lane_color: str, openings: dict[str, _Opening], prefix: str = "") -> str:
    """The event's ``<li>``; ``openings`` keeps each source's part of a citation, by source id.
    The summary and note are their Markdown's HTML (``markdown.to_html``)."""
    anchor, title = markup_escape(event.id), markup_escape(event.title)
    tag_ids = markup_escape(" ".join(tag.id for tag in event.tags))
    lane = f' style="--lane: {markup_escape(lane_color)}"' if lane_color else ""
    citations = "".join(_citation_html(citation, openings) for citation in event.citations)
    return (
        f'<li id="{anchor}" class="event" data-tags="{tag_ids}" tabindex="-1"{lane}>\n'
        f'<article aria-labelledby="{anchor}-title">\n'
        f'<h3 id="{anchor}-title"><a class="permalink" href="#{anchor}">{title}</a></h3>\n'
        f'<p class="meta">\n{_when_html(event.when)}{_place_html(event.place)}</p>\n'
        f'<div class="summary">\n{to_html(event.summary)}\n</div>\n'
        f"{_media_html(event.media, prefix)}{_note_html(event.note)}{_actors_html(event.actors)}"
        f'<h4>Sources</h4>\n<ul class="sources">\n{citations}</ul>\n'
        f"{_corrections_html(event.revisions)}{_tags_html(event.tags)}"
        "</article>\n</li>"
    )


def _when_html(when: When) -> str:
    label = markup_escape(when.label)
    machine_readable = html_datetime(when)
    shown = label
    if machine_readable:
        shown = f'<time datetime="{markup_escape(machine_readable)}">{label}</time>'
    if when.is_fuzzy:
        return f'<span class="fuzzy" title="Approximate or not known to the day">~ {shown}</span>\n'
    if machine_readable:
        return f"{shown}\n"
    return f"<span>{label}</span>\n"


def _place_html(place: Place | None) -> str:
    if place is None or not place.name:
        return ""
    return f'· <span class="place">{markup_escape(place.name)}</span>\n'


def _note_html(note: str | None) -> str:
    if not note:
        return ""
    return f'<div class="note">\n<span class="label">Curator\'s note:</span>\n{to_html(note)}\n</div>\n'


def _media_html(media: Media | None, prefix: str) -> str:
    """The picture, lazily loaded and sized, or a card linking to the media's address (never
    loaded: the page fetches nothing from elsewhere); then caption and credit."""
    if media is None:
        return ""
    caption = _media_caption(media)
    if media.file is not None:
        picture = media.file
        image = (
            f'<img src="{markup_escape(prefix + picture.path)}" alt="{markup_escape(media.alt)}"'
            f' width="{picture.width}" height="{picture.height}" loading="lazy" decoding="async">'
        )
        return f'<figure class="media">\n{image}\n{caption}</figure>\n'
    url = media.url or ""
    host = parse_web_url(url).host if is_web_url(url) else url
    label = f'<span class="card-title">{markup_escape(media.alt)}</span>'
    address = f'<span class="card-host">{markup_escape(host)}</span>'
    if is_web_url(url):
        card = (
            f'<a class="link-card" href="{markup_escape(url)}" rel="noopener noreferrer">{label}{address}</a>'
        )
    else:
        card = f'<span class="link-card">{label}{address}</span>'
    return f'<figure class="media">\n{card}\n{caption}</figure>\n'


def _media_caption(media: Media) -> str:
    parts = [markup_escape(media.caption)] if media.caption else []
    if media.credit:
        parts.append(f'<span class="credit">Credit: {markup_escape(media.credit)}</span>')
    return f"<figcaption>{' '.join(parts)}</figcaption>\n" if parts else ""


def _actors_html(actors: tuple[str, ...]) -> str:
    if not actors:
        return ""
    return f'<p class="note"><span class="label">Who:</span> {markup_escape(", ".join(actors))}</p>\n'


def _citation_html(citation: Citation, openings: dict[str, _Opening]) -> str:
    source = citation.source
    opening = openings.get(source.id)
    if opening is None:
        opening = openings[source.id] = _source_opening(source)
    if citation.quote is None:
        return f"<li>\n{opening.about}\n</li>\n"
    quote = f"<p>“{markup_escape(citation.quote)}”</p></blockquote>"
    return f"<li>\n{opening.about}:\n{opening.blockquote}{quote}\n</li>\n"


class _Opening(NamedTuple):
    about: str
    """The source's title (a link if it has a web address), its publisher and date."""
    blockquote: str
    """The ``<blockquote>`` tag of a quote from it."""


def _source_opening(source: Source) -> _Opening:
    """A citation up to its quote: the source's title (a link if it has a web address), its
    publisher and date, and the quote's ``<blockquote>`` tag."""
    href = source_link(source)
    title = markup_escape(source.title)
    named = f'<a href="{markup_escape(href)}">{title}</a>' if href else title
    published = markup_escape(source.published_label)
    day = _exact_day(source.published_span)
    dated = f'<time datetime="{markup_escape(day)}">{published}</time>' if day else published
    cite = f' cite="{markup_escape(href)}"' if href else ""
    return _Opening(f"{named}, {markup_escape(source.publisher)}, {dated}", f"<blockquote{cite}>")


def _corrections_html(revisions: tuple[Revision, ...]) -> str:
    if not revisions:
        return ""
    items = "".join(_correction_html(revision) for revision in revisions)
    return f'<h4>Corrections</h4>\n<ul class="corrections">\n{items}</ul>\n'


def _correction_html(revision: Revision) -> str:
    day = revision.date
    when = f'<time datetime="{markup_escape(day.isoformat())}">{markup_escape(day_label(day))}</time>'
    text = f"<li><strong>Corrected {when}:</strong> {markup_escape(revision.what)}.\n"
    if revision.before is not None:
        text += f" Was: <del>{markup_escape(revision.before)}</del>."
    if revision.after is not None:
        text += f" Now: <ins>{markup_escape(revision.after)}</ins>."
    source = revision.source
    if source is not None and source.title:
        href = source_link(source)
        title = markup_escape(source.title)
        text += f' Source: <a href="{markup_escape(href)}">{title}</a>.' if href else f" Source: {title}."
    return f"{text}</li>\n"


def _tags_html(tags: tuple[Tag, ...]) -> str:
    if not tags:
        return ""
    items = "".join(f"<li>{markup_escape(tag.label)}</li>\n" for tag in tags)
    return f'<ul class="tags" aria-label="Tags">\n{items}</ul>\n'


def relative_prefix(path: str) -> str:
    """``../`` per folder level of ``path``, so links to sibling outputs work from file://."""
    return "../" * path.count("/")


def app_script() -> str:
    """The page's own script (filter, themes, clicks), kept in a file so it can be linted."""
    return packaged_script("timeline.js")


@cache
def packaged_script(name: str) -> str:
    """A script of the ``templates`` folder, as written there."""
    env = _template_environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
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
