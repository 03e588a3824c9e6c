"""Where everything sits: the lanes' rows (or counts), the x ranges, the opening view."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from pledge_timeline.model import Timeline
from pledge_timeline.render.chart.counts import AGGREGATE_ABOVE, Counts, counts_of
from pledge_timeline.render.chart.eras import ERA_SPACE, EraBand, era_bands
from pledge_timeline.render.chart.lanes import LABEL_SPACE, LaneBand, is_point, lanes_of, stack


@dataclass(frozen=True, slots=True)
class Geometry:
    """Everything about the chart's layout that depends on the data, computed once."""

    bands: tuple[LaneBand, ...]
    rows: dict[str, float]
    """Each event's y value."""
    whole: tuple[date, date]
    """The x range that shows the whole story (what the range slider spans)."""
    initial: tuple[date, date]
    """The x range shown first: the busiest weeks when most events crowd into them."""
    story: tuple[date, date]
    """The first and last day of the story (what the whole-story button says)."""
    focus: tuple[date, date] | None
    """The first and last day of the busiest weeks, when the chart opens on them."""
    counts: Counts | None = None
    """For a story of more than ``AGGREGATE_ABOVE`` events: what each lane counts, and where."""
    eras: tuple[EraBand, ...] = ()
    """The timeline's eras, by first day: bands behind the lanes, labelled on a line above them."""

    @property
    def zoomed(self) -> bool:
        return self.initial != self.whole

    @property
    def marks(self) -> frozenset[str]:
        """The kinds of mark drawn, so the key explains those and no others: ``point``, ``span``,
        ``fuzzy`` and ``correction``; counted, ``exact``, ``fuzzy``, ``across`` and ``correction``;
        and ``era``."""
        events = [event for band in self.bands for event in band.lane.events]
        kinds = {"correction"} if any(event.revisions for event in events) else set()
        if self.eras:
            kinds.add("era")
        if self.counts is None:
            for event in events:
                kinds.add("fuzzy" if event.when.is_fuzzy else "point" if is_point(event) else "span")
            return frozenset(kinds)
        for lane in self.counts.lanes:
            for group in lane.groups:
                kinds.add("across" if group.first != group.last else "fuzzy" if group.fuzzy else "exact")
        return frozenset(kinds)

    @property
    def y_bottom(self) -> float:
        last = self.bands[-1]
        return last.top + last.rows - 0.5

    @property
    def height(self) -> int:
        """Enough pixels for every row, the legend above and the range slider below."""
        return height_for(self.y_bottom, counted=self.counts is not None)


ROW_PX = 30
ROW_PX_COUNTS = 20
"""Rows are shorter when the chart counts: its bars are thin or thick by count anyway."""
BASE_PX = 184
"""The mode bar's strip, a legend of up to ``LEGEND_PX``, the axis and the range slider."""
LEGEND_PX = 60
"""The legend's height in ``BASE_PX``: two rows; timeline.js adds what a taller one needs."""
MARKS_MAX_PX = 1350
"""A chart with a mark per event is at most one and a half screens of 900 pixels: a story whose
marks would need more rows is charted as counts (they fit), even under ``AGGREGATE_ABOVE``."""


def height_for(y_bottom: float, *, counted: bool) -> int:
    """The chart's height in pixels when its lowest row is at ``y_bottom`` (timeline.js agrees)."""
    row_px = ROW_PX_COUNTS if counted else ROW_PX
    return int(BASE_PX + row_px * (y_bottom + 0.6) * 1.16)


FOCUS_SHARE = 0.6
"""The initial view zooms to the shortest window holding this share of the events..."""
FOCUS_RATIO = 0.25
"""...when that window is shorter than this share of the whole story..."""
FOCUS_CROWD = 8
"""...and holds at least this many events: a few events never crowd the whole view."""


def geometry_of(timeline: Timeline) -> Geometry:
    story = _extent(timeline)
    eras = era_bands(timeline.eras)
    whole = _padded(min([story[0], *(e.first for e in eras)]), max([story[1], *(e.last for e in eras)]))
    lanes = lanes_of(timeline)
    top = LABEL_SPACE + (ERA_SPACE if eras else 0)
    if len(timeline.events) <= AGGREGATE_ABOVE:
        focus = _busiest_window(timeline)
        if focus is not None and _days(focus) >= FOCUS_RATIO * _days(whole):
            focus = None
        initial = whole if focus is None else _padded(*focus)
        bands, rows = stack(lanes, padding=padding_for(initial), top=top)
        marks = Geometry(bands, rows, whole, initial, story, focus, eras=eras)
        if marks.height <= MARKS_MAX_PX:
            return marks
    counts = counts_of(lanes, story, top=top)
    bands = tuple(lane.band for lane in counts.lanes)
    return Geometry(bands, {}, whole, whole, story, None, counts, eras=eras)


def padding_for(view: tuple[date, date]) -> float:
    """The days kept free around a mark, so marks on one row never touch in ``view``."""
    return max(0.25, _days(view) * 0.012)


def _days(window: tuple[date, date]) -> int:
    return (window[1] - window[0]).days


def _extent(timeline: Timeline) -> tuple[date, date]:
    days = [e.when.span.first_day for e in timeline.events]
    days += [e.when.span.last_day for e in timeline.events]
    days += [r.date for e in timeline.events for r in e.revisions]
    return min(days), max(days)


def _padded(first: date, last: date) -> tuple[date, date]:
    margin = max(3, round((last - first).days * 0.06))
    start = max(1, first.toordinal() - margin)
    end = min(date.max.toordinal(), last.toordinal() + margin + 1)
    return date.fromordinal(start), date.fromordinal(end)


def _busiest_window(timeline: Timeline) -> tuple[date, date] | None:
    """The shortest run of days in which ``FOCUS_SHARE`` of the events start (earliest wins).

    It ends at the last exact day of those events, so a state visit is not cut in half;
    long vague spans (a season, a year) do not stretch it.
    """
    events = timeline.chronological
    count = math.ceil(len(events) * FOCUS_SHARE)
    if count < FOCUS_CROWD or count >= len(events):
        return None
    starts = [e.when.span.first_day for e in events]
    best = min(range(len(events) - count + 1), key=lambda i: (starts[i + count - 1] - starts[i], i))
    chosen = events[best : best + count]
    exact_ends = [e.when.span.last_day for e in chosen if not e.when.is_fuzzy]
    return starts[best], max([starts[best + count - 1], *exact_ends])
