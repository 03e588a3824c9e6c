"""The build: validate, then render each output and stage it on disk, and only then put them
all in place (``writer.OutputWriter``): in memory, the output being rendered and at most one
being written, and one format's shared per-event text (``render.memo``) at a time."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pledge_timeline import outputs
from pledge_timeline.loader import MAX_FILE_BYTES
from pledge_timeline.model import Timeline
from pledge_timeline.render import atom, entries, ical, jsonfeed, labels, memo, paging, rss, timelinejs
from pledge_timeline.render.html import PlotlyJs, page_renderers
from pledge_timeline.render.plotlyjs import PLOTLYJS_FILE
from pledge_timeline.runtime import collection_paused
from pledge_timeline.urls import check_base_url
from pledge_timeline.validate import load_timeline
from pledge_timeline.writer import OutputWriter

ASSETS = frozenset({PLOTLYJS_FILE})
Renderer = Callable[[Timeline, str], bytes]
"""A pure function from the validated timeline and the output's own path to its bytes."""
PagesRenderer = Callable[[Timeline, str], Iterator[tuple[str, bytes, int]]]
"""A paged feed: from the timeline and the subscription document's path, (path, bytes, entries)
of that document and of each of its archive pages (``render.paging``)."""


@dataclass(frozen=True, slots=True)
class RenderedFile:
    path: str
    data: bytes
    items: int | None
    """How many events it describes; None for an asset such as plotly.min.js or a picture."""


@dataclass(frozen=True, slots=True)
class BuiltFile:
    """An output the build wrote (or found already there): its bytes are on disk, not here."""

    path: str
    size: int
    items: int | None


@dataclass(frozen=True, slots=True)
class BuildReport:
    files: tuple[BuiltFile, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...] = ()
    """Files whose bytes were already there: left untouched, mtime and all."""
    warnings: tuple[str, ...] = ()
    """What was wrong in the output folder and was ignored (lines of a damaged manifest)."""

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True, slots=True)
class Format:
    """One format's outputs: the whole timeline's file, each tag's (if the format has them), and
    the kinds of the build's memo values they share, dropped once all of them are rendered."""

    path: str
    render: Renderer
    tag_path: str | None = None
    """``tags/{tag}.ics``: ``{tag}`` is replaced by the tag id."""
    memo_kinds: tuple[str, ...] = ()
    pages: PagesRenderer | None = None
    """For a paged feed: every document of it (``render`` is its subscription document's)."""


def formats(plotlyjs: PlotlyJs = "inline") -> tuple[Format, ...]:
    """Every output, by format, in the order the build renders them: the three feeds share their
    entries, so those are dropped after the last feed."""
    return (
        Format(outputs.CALENDAR, ical.render_calendar, outputs.TAG_CALENDAR, (ical.MEMO_KIND,)),
        Format(
            outputs.ATOM_FEED, atom.render_atom, outputs.TAG_ATOM_FEED, (atom.MEMO_KIND,), atom.atom_pages
        ),
        Format(outputs.RSS_FEED, rss.render_rss, outputs.TAG_RSS_FEED, (rss.MEMO_KIND,), rss.rss_pages),
        Format(
            outputs.JSON_FEED,
            jsonfeed.render_json_feed,
            memo_kinds=(*entries.MEMO_KINDS, paging.MEMO_KIND, labels.DESCRIPTION_MEMO),
            pages=jsonfeed.json_feed_pages,
        ),
        Format(outputs.TIMELINEJS, timelinejs.render_timelinejs),
        *(Format(path, render) for path, render in page_renderers(plotlyjs).items()),
    )


def render_each(timeline: Timeline, plotlyjs: PlotlyJs = "inline") -> Iterator[RenderedFile]:
    """Every output, one after the other, a format at a time (see ``formats``)."""
    subsets = [(tag, timeline.restricted_to(tag)) for tag in timeline.tags]
    with memo.build_scope() as shared:  # the renderers called below share it (render.memo)
        for output in formats(plotlyjs):
            yield from _render(output, timeline, output.path)
            if output.tag_path is not None:
                for tag, subset in subsets:
                    yield from _render(output, subset, output.tag_path.format(tag=tag.id))
            shared.forget(*output.memo_kinds)
    for picture in timeline.media_files:  # read while the file was validated; written as they are
        yield RenderedFile(picture.path, picture.data, None)


def _render(output: Format, timeline: Timeline, path: str) -> Iterator[RenderedFile]:
    if output.pages is not None:
        for page_path, data, entry_count in output.pages(timeline, path):
            yield RenderedFile(page_path, data, entry_count)
        return
    items = None if path in ASSETS else len(timeline.events)
    yield RenderedFile(path, output.render(timeline, path), items)


def source_date_epoch_from_env() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def prepare(timeline: Timeline, base_url: str | None, epoch: int | None) -> Timeline:
    if base_url:
        check_base_url(base_url)  # the one judge of base_url, as check's for the file's
        timeline = replace(timeline, base_url=outputs.folder_url(base_url))
    return replace(timeline, source_date_epoch=epoch)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How a build renders, beyond the events file: one object for ``build`` and ``serve``."""

    base_url: str | None = None
    """Overrides the file's ``timeline.base_url``."""
    source_date_epoch: int | None = None
    plotlyjs: PlotlyJs = "inline"
    max_input_bytes: int = MAX_FILE_BYTES
    """A larger events file is refused before it is read."""


def build(events_file: Path, out_dir: Path, options: BuildOptions = BuildOptions()) -> BuildReport:
    """Raise InvalidTimeline before anything is written (also when ``events_file`` is larger than
    ``options.max_input_bytes``); otherwise write every output."""
    with collection_paused():
        return write(load(events_file, options), out_dir, options)


def load(events_file: Path, options: BuildOptions = BuildOptions()) -> Timeline:
    """The validated timeline as the build renders it; raise InvalidTimeline."""
    with collection_paused():
        return prepare(
            load_timeline(events_file, max_bytes=options.max_input_bytes),
            options.base_url,
            options.source_date_epoch,
        )


def write(timeline: Timeline, out_dir: Path, options: BuildOptions = BuildOptions()) -> BuildReport:
    """Render every output of ``timeline`` (from ``load``) and put them all in place."""
    with collection_paused():
        built = []
        with OutputWriter(out_dir) as writer:
            for rendered in render_each(timeline, options.plotlyjs):
                writer.add(rendered.path, rendered.data)
                built.append(BuiltFile(rendered.path, len(rendered.data), rendered.items))
                del rendered  # the writer's thread holds it only until it is written
            result = writer.commit()
    return BuildReport(tuple(built), result.removed, result.unchanged, result.warnings)
