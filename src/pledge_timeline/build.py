"""The build: validate, then render each output and stage it on disk, and only then put them
all in place (``writer.OutputWriter``): one output in memory at a time."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pledge_timeline import outputs
from pledge_timeline.model import Timeline
from pledge_timeline.render.atom import render_atom
from pledge_timeline.render.html import PlotlyJs, page_renderers
from pledge_timeline.render.ical import render_calendar
from pledge_timeline.render.jsonfeed import render_json_feed
from pledge_timeline.render.plotlyjs import PLOTLYJS_FILE
from pledge_timeline.render.rss import render_rss
from pledge_timeline.validate import load_timeline
from pledge_timeline.writer import OutputWriter

ASSETS = frozenset({PLOTLYJS_FILE})
Renderer = Callable[[Timeline, str], bytes]
"""A pure function from the validated timeline and the output's own path to its bytes."""


@dataclass(frozen=True, slots=True)
class RenderedFile:
    path: str
    data: bytes
    items: int | None
    """How many events it describes; None for an asset such as plotly.min.js."""


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

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


def main_renderers(plotlyjs: PlotlyJs = "inline") -> dict[str, Renderer]:
    """Outputs for the whole timeline, by their fixed file names.

    ``plotlyjs="sibling"`` writes ``plotly.min.js`` beside a small ``timeline.html``
    instead of inlining it.
    """
    return {
        outputs.CALENDAR: render_calendar,
        outputs.ATOM_FEED: render_atom,
        outputs.RSS_FEED: render_rss,
        outputs.JSON_FEED: render_json_feed,
        **page_renderers(plotlyjs),
    }


def tag_renderers() -> dict[str, Renderer]:
    """Per-tag outputs: ``{tag}`` in the name is replaced by the tag id."""
    return {
        outputs.TAG_CALENDAR: render_calendar,
        outputs.TAG_ATOM_FEED: render_atom,
        outputs.TAG_RSS_FEED: render_rss,
    }


def render_each(timeline: Timeline, plotlyjs: PlotlyJs = "inline") -> Iterator[RenderedFile]:
    """Every output, one after the other."""
    for path, render in main_renderers(plotlyjs).items():
        yield RenderedFile(path, render(timeline, path), None if path in ASSETS else len(timeline.events))
    for tag in timeline.tags:
        subset = timeline.restricted_to(tag)
        for pattern, render in tag_renderers().items():
            path = pattern.format(tag=tag.id)
            yield RenderedFile(path, render(subset, path), len(subset.events))


def source_date_epoch_from_env() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def prepare(timeline: Timeline, base_url: str | None, epoch: int | None) -> Timeline:
    if base_url:
        timeline = replace(timeline, base_url=outputs.folder_url(base_url))
    return replace(timeline, source_date_epoch=epoch)


def build(
    events_file: Path,
    out_dir: Path,
    *,
    base_url: str | None = None,
    source_date_epoch: int | None = None,
    plotlyjs: PlotlyJs = "inline",
) -> BuildReport:
    """Raise InvalidTimeline before anything is written; otherwise write every output."""
    timeline = prepare(load_timeline(events_file), base_url, source_date_epoch)
    built = []
    with OutputWriter(out_dir) as writer:
        for rendered in render_each(timeline, plotlyjs):
            writer.add(rendered.path, rendered.data)
            built.append(BuiltFile(rendered.path, len(rendered.data), rendered.items))
            del rendered  # one output in memory at a time
        result = writer.commit()
    return BuildReport(tuple(built), result.removed, result.unchanged)
