"""The Plotly figure of timeline.html: lanes by tag, honest spans, corrections tied to events.

Exact days are points and exact ranges solid bars; fuzzy dates (a month, a season, anything
approximate or uncertain) are faded, hatched bars over their whole period, never a point.
Corrections are their own markers joined to the event they correct.

Above ``AGGREGATE_ABOVE`` events a mark per event would be unreadable and slow to draw (10,000
SVG points take seconds), so the chart counts instead: each lane is a strip of periods (a day,
month, year, decade or century: the finest that gives at most ``MAX_BINS`` periods over the
story), with the events dated within a period counted above the line (exact dates, solid) and
below it (fuzzy dates, hatched), a bar's thickness growing with its count. An event whose dates
run across periods (a winter, a month range) is counted in a hatched or solid bar over all of
them, on its own row, so a fuzzy date is never pinned to a period it may not be in. Corrections
are counted per period. Hover labels give the counts and examples; a click jumps to the first
event of the bar in the list, which stays complete.

The figure is plain JSON data (dicts and lists), the way plotly.js takes it: plotly's Python
package is not imported, so the page costs no plotly import or validation at build time. The
tests validate every kind of figure with ``plotly.graph_objects.Figure`` instead.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Any

from pledge_timeline.dates import FuzzyDate
from pledge_timeline.markdown import to_plain
from pledge_timeline.model import Event, Revision, Timeline, When
from pledge_timeline.render.labels import day_label

UNTAGGED_LANE = ""
UNTAGGED_LABEL = "Other"
LANE_COLORS = (
    "#3b7dd8", "#d9480f", "#2a8a2a", "#9467bd", "#a66f00",
    "#c2428f", "#138a8a", "#7f7f7f", "#8d6e63", "#5c6bc0",
)  # fmt: skip
"""Mid-tone colors with at least 3.6:1 contrast on both the light and the dark background."""

DAY_MS = 86_400_000
HOVER_SUMMARY_CHARS = 120
HOVER_LINE_CHARS = 60


# --- the chart ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lane:
    """A thread of the story: the events whose first tag is ``key``."""

    key: str
    label: str
    color: str
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class LaneBand:
    """Where a lane sits on the y axis: a label line, then ``rows`` rows from ``top`` down."""

    lane: Lane
    top: float
    rows: float


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

    @property
    def zoomed(self) -> bool:
        return self.initial != self.whole


LABEL_SPACE = 1.0
LANE_GAP = 0.5
ROW_PX = 30
ROW_PX_COUNTS = 20
"""Rows are shorter when the chart counts: its bars are thin or thick by count anyway."""
CORRECTION_OFFSET = 0.42
"""Corrections sit just below their event's row, joined to it by a dotted line."""
FOCUS_SHARE = 0.6
"""The initial view zooms to the shortest window holding this share of the events..."""
FOCUS_RATIO = 0.25
"""...when that window is shorter than this share of the whole story..."""
FOCUS_CROWD = 8
"""...and holds at least this many events: a few events never crowd the whole view."""


def lanes_of(timeline: Timeline) -> tuple[Lane, ...]:
    """One lane per tag that is some event's first tag, in the tags' order; untagged last."""
    by_key: dict[str, list[Event]] = {}
    for event in timeline.chronological:
        key = event.tags[0].id if event.tags else UNTAGGED_LANE
        by_key.setdefault(key, []).append(event)
    labels = [(tag.id, tag.label) for tag in timeline.tags] + [(UNTAGGED_LANE, UNTAGGED_LABEL)]
    present = [(key, label) for key, label in labels if key in by_key]
    return tuple(
        Lane(key, label, LANE_COLORS[index % len(LANE_COLORS)], tuple(by_key[key]))
        for index, (key, label) in enumerate(present)
    )


def geometry_of(timeline: Timeline) -> Geometry:
    story = _extent(timeline)
    whole = _padded(*story)
    if len(timeline.events) > AGGREGATE_ABOVE:
        counts = counts_of(lanes_of(timeline), story)
        return Geometry(tuple(lane.band for lane in counts.lanes), {}, whole, whole, story, None, counts)
    focus = _busiest_window(timeline)
    if focus is not None and _days(focus) >= FOCUS_RATIO * _days(whole):
        focus = None
    initial = whole if focus is None else _padded(*focus)
    bands, rows = _stack(lanes_of(timeline), padding=max(0.25, _days(initial) * 0.012))
    return Geometry(bands, rows, whole, initial, story, focus)


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


def _occupied(event: Event, padding: float) -> tuple[float, float]:
    """The days an event's mark covers, in proleptic ordinals, padded so marks never touch."""
    span = event.when.span
    if _is_point(event):
        middle = span.first_day.toordinal() + 0.5
        return middle - padding, middle + padding
    return span.first_day.toordinal() - padding / 2, span.last_day.toordinal() + 1 + padding / 2


def _is_point(event: Event) -> bool:
    """An exact single day is a point; anything longer or vaguer is drawn as a span."""
    return not event.when.is_fuzzy and event.when.span.first_day == event.when.span.last_day


def _stack(lanes: Iterable[Lane], padding: float) -> tuple[tuple[LaneBand, ...], dict[str, float]]:
    """Greedy interval packing inside each lane; lanes one below another, each under its label."""
    rows: dict[str, float] = {}
    bands: list[LaneBand] = []
    top = LABEL_SPACE
    for lane in lanes:
        row_ends: list[float] = []
        for event in lane.events:
            start, end = _occupied(event, padding)
            row = next((i for i, row_end in enumerate(row_ends) if row_end <= start), len(row_ends))
            if row == len(row_ends):
                row_ends.append(end)
            row_ends[row] = end
            rows[event.id] = top + row
        bands.append(LaneBand(lane, top, len(row_ends)))
        top += len(row_ends) + LANE_GAP + LABEL_SPACE
    return tuple(bands), rows


def build_figure(timeline: Timeline, geometry: Geometry | None = None) -> dict[str, Any]:
    """The figure as plain JSON data: traces, layout, both color themes, config and views."""
    geometry = geometry or geometry_of(timeline)
    if geometry.counts is None:
        traces = [trace for band in geometry.bands for trace in _lane_traces(band.lane, geometry.rows)]
    else:
        traces = [trace for lane in geometry.counts.lanes for trace in _count_traces(lane, geometry.counts)]
    return {
        "config": _config(),
        "layout": _base_layout(geometry),
        "themes": {"light": _theme_layout(LIGHT, geometry), "dark": _theme_layout(DARK, geometry)},
        "traces": traces,
        "views": {
            "initial": [day.isoformat() for day in geometry.initial],
            "whole": [day.isoformat() for day in geometry.whole],
        },
    }


def _scatter(**properties: Any) -> dict[str, Any]:
    return {**properties, "type": "scatter"}


def _bar(**properties: Any) -> dict[str, Any]:
    return {**properties, "type": "bar"}


def _lane_traces(lane: Lane, rows: dict[str, float]) -> list[dict[str, Any]]:
    points = [e for e in lane.events if _is_point(e)]
    spans = [e for e in lane.events if not _is_point(e)]
    corrected = [e for e in lane.events if e.revisions]
    traces = [
        _legend_trace(lane),
        _span_trace(lane, rows, [e for e in spans if not e.when.is_fuzzy], fuzzy=False),
        _span_trace(lane, rows, [e for e in spans if e.when.is_fuzzy], fuzzy=True),
        _point_trace(lane, rows, points),
        _connector_trace(lane, rows, corrected),
        _correction_trace(lane, rows, corrected),
    ]
    return [trace for trace in traces if trace is not None]


def _common(lane: Lane, kind: str) -> dict[str, Any]:
    return {
        "legendgroup": "lane-" + lane.key,
        "name": plotly_text(lane.label),
        "showlegend": kind == "legend",
        "meta": {"kind": kind, "lane": lane.key},
    }


def _legend_trace(lane: Lane) -> dict[str, Any]:
    """A trace with no drawn point that gives every lane the same kind of legend entry."""
    return _scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={"color": lane.color, "size": 12, "symbol": "square"},
        hoverinfo="skip",
        **_common(lane, "legend"),
    )


def _bar_marker(lane: Lane, *, fuzzy: bool) -> dict[str, Any]:
    if fuzzy:
        return {
            "color": _rgba(lane.color, 0.18),
            "line": {"color": lane.color, "width": 1.5},
            "pattern": {"shape": "/", "fgcolor": lane.color, "size": 8, "solidity": 0.25},
        }
    return {"color": lane.color, "line": {"color": lane.color, "width": 1}}


def _span_trace(
    lane: Lane, rows: dict[str, float], events: list[Event], *, fuzzy: bool
) -> dict[str, Any] | None:
    if not events:
        return None
    return _bar(
        orientation="h",
        base=[e.when.span.first_day.isoformat() for e in events],
        x=[_span_days(e) * DAY_MS for e in events],
        y=[rows[e.id] for e in events],
        width=0.56,
        marker=_bar_marker(lane, fuzzy=fuzzy),
        customdata=[[e.id, hover_html(e)] for e in events],
        hovertemplate="%{customdata[1]}<extra></extra>",
        **_common(lane, "event"),
    )


def _span_days(event: Event) -> int:
    span = event.when.span
    return (span.last_day - span.first_day).days + 1


def _point_trace(lane: Lane, rows: dict[str, float], events: list[Event]) -> dict[str, Any] | None:
    if not events:
        return None
    return _scatter(
        mode="markers",
        x=[_point_x(e.when) for e in events],
        y=[rows[e.id] for e in events],
        marker={
            "color": lane.color,
            "size": 13,
            "symbol": "diamond",
            "line": {"width": 1, "color": "#ffffff"},
        },
        customdata=[[e.id, hover_html(e)] for e in events],
        hovertemplate="%{customdata[1]}<extra></extra>",
        **_common(lane, "event"),
    )


def _point_x(when: When) -> str:
    """Timed events at their local wall-clock time (the time their label shows); days at noon."""
    if when.is_timed:
        return when.start_instant.strftime("%Y-%m-%d %H:%M")
    return _noon(when.span.first_day)


def _anchor_x(event: Event) -> str:
    """Where a correction's dotted line starts: the end of the span, or the point itself."""
    if _is_point(event):
        return _point_x(event.when)
    return f"{event.when.span.last_day.isoformat()} 23:59"


def _connector_trace(lane: Lane, rows: dict[str, float], events: list[Event]) -> dict[str, Any] | None:
    if not events:
        return None
    xs: list[str | None] = []
    ys: list[float | None] = []
    ids: list[list[str]] = []
    for event in events:
        for revision in event.revisions:
            xs += [_anchor_x(event), _noon(revision.date), None]
            ys += [rows[event.id], rows[event.id] + CORRECTION_OFFSET, None]
            ids += [[event.id, ""]] * 3
    return _scatter(
        mode="lines",
        x=xs,
        y=ys,
        line={"color": lane.color, "width": 1, "dash": "dot"},
        hoverinfo="skip",
        customdata=ids,
        **_common(lane, "connector"),
    )


def _correction_marker(lane: Lane) -> dict[str, Any]:
    return {
        "color": lane.color,
        "size": 10,
        "symbol": "x-thin-open",
        "line": {"width": 2.5, "color": lane.color},
    }


def _correction_trace(lane: Lane, rows: dict[str, float], events: list[Event]) -> dict[str, Any] | None:
    if not events:
        return None
    points = [(e, r) for e in events for r in e.revisions]
    return _scatter(
        mode="markers",
        x=[_noon(r.date) for _, r in points],
        y=[rows[e.id] + CORRECTION_OFFSET for e, _ in points],
        marker=_correction_marker(lane),
        customdata=[[e.id, correction_hover_html(e, r)] for e, r in points],
        hovertemplate="%{customdata[1]}<extra></extra>",
        **_common(lane, "correction"),
    )


# --- big stories: counts per lane and period ----------------------------------------------

AGGREGATE_ABOVE = 500
"""Stories with more events than this are charted as counts per lane and period."""
MAX_BINS = 120
"""The finest period unit that cuts the story into at most this many periods is used."""
UNITS = ("day", "month", "year", "decade", "century")
COUNT_HALF = 0.9
"""The thickest count bar, in rows, above (exact dates) or below (fuzzy dates) a lane's line."""
SPREAD_ROW = 0.5
"""Events whose dates run across periods get half rows under their lane's counts..."""
SPREAD_WIDTH = 0.4
"""...and bars at most this thick."""
THINNEST = 0.15
"""A bar for one event: thin, but still there to hover and click."""
EXAMPLES = 3
"""Events named in a count's hover label."""
INSET = 0.03
"""The gap at each end of a count bar, as a share of one period."""


@dataclass(frozen=True, slots=True)
class Group:
    """Events of one lane counted together: dated within one period, or across ``first..last``."""

    first: int
    last: int
    fuzzy: bool
    events: tuple[Event, ...]
    y: float


@dataclass(frozen=True, slots=True)
class CorrectionGroup:
    """A lane's corrections made in one period."""

    period: int
    fixes: tuple[tuple[Event, Revision], ...]
    y: float


@dataclass(frozen=True, slots=True)
class LaneCounts:
    band: LaneBand
    groups: tuple[Group, ...]
    corrections: tuple[CorrectionGroup, ...]


@dataclass(frozen=True, slots=True)
class Counts:
    """The chart of a big story: every event in exactly one group of its lane."""

    unit: str
    lanes: tuple[LaneCounts, ...]
    most: int
    """The size of the largest group: the thickest bars."""


def unit_for(first: date, last: date) -> str:
    """The finest of ``UNITS`` that cuts ``first..last`` into at most ``MAX_BINS`` periods."""
    for unit in UNITS:
        if period_of(unit, last) - period_of(unit, first) < MAX_BINS:
            return unit
    return UNITS[-1]


_YEARS = {"year": 1, "decade": 10, "century": 100}


def period_of(unit: str, day: date) -> int:
    """The index of the period (of ``unit``) that holds ``day``."""
    if unit == "day":
        return day.toordinal()
    if unit == "month":
        return day.year * 12 + day.month - 1
    return day.year // _YEARS[unit]


def period_first_day(unit: str, period: int) -> date:
    if unit == "day":
        return date.fromordinal(period)
    if unit == "month":
        return date(period // 12, period % 12 + 1, 1)
    return date(max(1, period * _YEARS[unit]), 1, 1)


def period_end(unit: str, period: int) -> date:
    """The day after the period (or Dec 31, 9999 for the last period there is)."""
    try:
        return period_first_day(unit, period + 1)
    except (ValueError, OverflowError):
        return date.max


def period_label(unit: str, period: int) -> str:
    """``Sept 16, 2015``, ``Sept 2015``, ``2015``, ``2010-2019``, ``1900-1999``."""
    first = period_first_day(unit, period)
    if unit == "day":
        return day_label(first)
    if unit == "month":
        return FuzzyDate(first.year, first.month).label()
    if unit == "year":
        return str(first.year)
    years = _YEARS[unit]
    return f"{period * years}-{period * years + years - 1}"


def counts_of(lanes: Iterable[Lane], story: tuple[date, date]) -> Counts:
    """Group every lane's events and corrections by period; lay the lanes out one below another."""
    unit = unit_for(*story)
    result: list[LaneCounts] = []
    top = LABEL_SPACE
    for lane in lanes:
        within: dict[tuple[int, bool], list[Event]] = {}
        across: dict[tuple[int, int, bool], list[Event]] = {}
        fixes: dict[int, list[tuple[Event, Revision]]] = {}
        for event in lane.events:
            span = event.when.span
            first, last = period_of(unit, span.first_day), period_of(unit, span.last_day)
            fuzzy = event.when.is_fuzzy
            if first == last:
                within.setdefault((first, fuzzy), []).append(event)
            else:
                across.setdefault((first, last, fuzzy), []).append(event)
            for revision in event.revisions:
                fixes.setdefault(period_of(unit, revision.date), []).append((event, revision))
        line = top + 0.5  # exact dates above it, fuzzy ones below: rows 0 and 1
        groups = [Group(p, p, fuzzy, tuple(events), line) for (p, fuzzy), events in sorted(within.items())]
        corrections = [CorrectionGroup(p, tuple(f), round(top + 1.8, 3)) for p, f in sorted(fixes.items())]
        below = top + (2.05 if corrections else 1.5)
        row_ends: list[int] = []
        for (first, last, fuzzy), events in sorted(across.items()):
            row = next((i for i, end in enumerate(row_ends) if end < first), len(row_ends))
            if row == len(row_ends):
                row_ends.append(last)
            row_ends[row] = last
            y = round(below + SPREAD_ROW * (row + 0.5), 3)
            groups.append(Group(first, last, fuzzy, tuple(events), y))
        rows = round(below + SPREAD_ROW * len(row_ends) + 0.5 - top, 3)
        result.append(LaneCounts(LaneBand(lane, top, rows), tuple(groups), tuple(corrections)))
        top = round(top + rows + LANE_GAP + LABEL_SPACE, 3)
    most = max((len(group.events) for lane in result for group in lane.groups), default=1)
    return Counts(unit, tuple(result), most)


def _count_traces(counts: LaneCounts, chart: Counts) -> list[dict[str, Any]]:
    lane = counts.band.lane
    within = [g for g in counts.groups if g.first == g.last]
    across = [g for g in counts.groups if g.first != g.last]
    traces = [
        _legend_trace(lane),
        _group_trace(lane, chart, [g for g in within if not g.fuzzy], align="above"),
        _group_trace(lane, chart, [g for g in within if g.fuzzy], align="below"),
        _group_trace(lane, chart, [g for g in across if not g.fuzzy], align="center"),
        _group_trace(lane, chart, [g for g in across if g.fuzzy], align="center"),
        _correction_count_trace(lane, chart, counts.corrections),
    ]
    return [trace for trace in traces if trace is not None]


def thickness(count: int, most: int, widest: float) -> float:
    """A count bar's thickness in rows (timeline.js computes the same for a filtered count)."""
    return round(THINNEST + (widest - THINNEST) * count / most, 4)


def _group_trace(lane: Lane, chart: Counts, groups: list[Group], *, align: str) -> dict[str, Any] | None:
    if not groups:
        return None
    widest = SPREAD_WIDTH if align == "center" else COUNT_HALF
    widths = [thickness(len(g.events), chart.most, widest) for g in groups]
    share = {"above": -1.0, "below": 0.0, "center": -0.5}[align]
    unit = chart.unit
    common = _common(lane, "count")
    # for timeline.js to redraw a filtered count as thickness() would, offset by align * width
    common["meta"].update(align=share, thinnest=THINNEST, widest=widest, most=chart.most)
    extents = [_inset(unit, period_first_day(unit, g.first), period_end(unit, g.last)) for g in groups]
    return _bar(
        orientation="h",
        base=[base for base, _ in extents],
        x=[length for _, length in extents],
        y=[g.y for g in groups],
        width=widths,
        offset=[round(share * width, 4) for width in widths],
        marker=_bar_marker(lane, fuzzy=groups[0].fuzzy),
        customdata=[
            [g.events[0].id, group_hover_html(lane, unit, g), [e.id for e in g.events]] for g in groups
        ],
        hovertemplate="%{customdata[1]}<extra></extra>",
        **common,
    )


def _inset(unit: str, first: date, after: date) -> tuple[str, int]:
    """A bar from ``first`` to ``after``, a hair (``INSET`` of a period) short at each end.

    The gap tells neighbouring bars apart: a year's count and the next year's, or two bars of
    events that run across years, end to end on one row.
    """
    typical = {"day": 1, "month": 30, "year": 365, "decade": 3652, "century": 36524}[unit]
    hours = max(1, round(typical * 24 * INSET))
    start = datetime.combine(first, time()) + timedelta(hours=hours)
    length = ((after - first).days * 24 - 2 * hours) * 3_600_000
    return start.isoformat(sep=" ", timespec="minutes"), length  # strftime's %Y is not padded


def _correction_count_trace(
    lane: Lane, chart: Counts, groups: tuple[CorrectionGroup, ...]
) -> dict[str, Any] | None:
    if not groups:
        return None
    unit = chart.unit
    return _scatter(
        mode="markers",
        x=[_noon(_middle(period_first_day(unit, g.period), period_end(unit, g.period))) for g in groups],
        y=[g.y for g in groups],
        marker={**_correction_marker(lane), "size": 8},
        customdata=[
            [g.fixes[0][0].id, correction_count_hover_html(lane, unit, g), [e.id for e, _ in g.fixes]]
            for g in groups
        ],
        hovertemplate="%{customdata[1]}<extra></extra>",
        **_common(lane, "correction-count"),
    )


def _middle(first: date, after: date) -> date:
    return date.fromordinal((first.toordinal() + after.toordinal() - 1) // 2)


def _noon(day: date) -> str:
    return f"{day.isoformat()} 12:00"


def _rgba(color: str, alpha: float) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _y_bottom(geometry: Geometry) -> float:
    last = geometry.bands[-1]
    return last.top + last.rows - 0.5


def _base_layout(geometry: Geometry) -> dict[str, Any]:
    initial = [day.isoformat() for day in geometry.initial]
    whole = [day.isoformat() for day in geometry.whole]
    return {
        "template": {"data": {"scatter": [{"type": "scatter"}]}},  # plotly's "none": no styling
        "height": chart_height(geometry),
        "autosize": True,
        "margin": {"l": 12, "r": 12, "t": 8, "b": 8, "pad": 0},
        "font": {"family": FONT_STACK, "size": 13},
        "barmode": "overlay",
        "hovermode": "closest",
        "dragmode": "zoom",
        "uirevision": "timeline",
        "showlegend": True,
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
            "itemclick": "toggle",
            "itemdoubleclick": "toggleothers",
        },
        "xaxis": {
            "type": "date",
            "range": initial,
            "showgrid": True,
            "showline": True,
            "ticks": "outside",
            "tickformatstops": [
                {"dtickrange": [None, "M1"], "value": "%b %-d<br>%Y"},
                {"dtickrange": ["M1", "M12"], "value": "%b<br>%Y"},
                {"dtickrange": ["M12", None], "value": "%Y"},
            ],
            "rangeslider": {"visible": True, "thickness": _slider_thickness(geometry), "range": whole},
            "automargin": True,
        },
        "yaxis": {
            "range": [_y_bottom(geometry) + 0.5, -0.1],
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
            "showticklabels": False,
            "ticks": "",
        },
        "annotations": [
            {
                "text": "<b>" + plotly_text(band.lane.label) + "</b>",
                "xref": "paper",
                "x": 0,
                "xanchor": "left",
                "yref": "y",
                "y": band.top - LABEL_SPACE / 2 - 0.27,
                "yanchor": "middle",
                "showarrow": False,
                "font": {"size": 13},
            }
            for band in geometry.bands
        ],
    }


def chart_height(geometry: Geometry) -> int:
    """Enough pixels for every row, the legend above and the range slider below."""
    row_px = ROW_PX if geometry.counts is None else ROW_PX_COUNTS
    return int(150 + row_px * (_y_bottom(geometry) + 0.6) * 1.16)


def _slider_thickness(geometry: Geometry) -> float:
    """A seventh of the plot, but no more than about 80 pixels on a tall chart of counts."""
    if geometry.counts is None:
        return 0.14
    return round(max(0.04, min(0.14, 80 / chart_height(geometry))), 3)


FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, '
    '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'
)


@dataclass(frozen=True, slots=True)
class Palette:
    paper: str
    ink: str
    muted: str
    grid: str
    band: str
    slider: str


LIGHT = Palette("#ffffff", "#1a1a1a", "#555555", "#e4e4e4", "rgba(0,0,0,0.04)", "#f3f4f6")
DARK = Palette("#15171a", "#e8e8e8", "#a9b0b8", "#33373d", "rgba(255,255,255,0.05)", "#1f2226")


def _theme_layout(palette: Palette, geometry: Geometry) -> dict[str, Any]:
    axis = {"gridcolor": palette.grid, "linecolor": palette.muted, "tickcolor": palette.muted}
    return {
        "paper_bgcolor": palette.paper,
        "plot_bgcolor": palette.paper,
        "font": {"color": palette.ink},
        "xaxis": {
            **axis,
            "rangeslider": {"bgcolor": palette.slider, "bordercolor": palette.grid, "borderwidth": 1},
        },
        "yaxis": {"linecolor": palette.muted},  # no grid or ticks to color
        "legend": {"bgcolor": "rgba(0,0,0,0)", "font": {"color": palette.ink}},
        "hoverlabel": {
            "bgcolor": palette.paper,
            "bordercolor": palette.muted,
            "font": {"color": palette.ink},
        },
        "modebar": {"bgcolor": "rgba(0,0,0,0)", "color": palette.muted, "activecolor": palette.ink},
        "shapes": [
            {
                "type": "rect",
                "layer": "below",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": band.top - LABEL_SPACE - LANE_GAP / 2 + 0.2,
                "y1": band.top + band.rows - 0.5 + LANE_GAP / 2,
                "fillcolor": palette.band,
                "line": {"width": 0},
            }
            for index, band in enumerate(geometry.bands)
            if index % 2 == 0
        ],
    }


def _config() -> dict[str, Any]:
    return {
        "displaylogo": False,
        "showSendToCloud": False,
        "showTips": False,
        "responsive": True,
        "scrollZoom": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
        "toImageButtonOptions": {"format": "svg", "filename": "timeline"},
    }


# --- hover labels ---------------------------------------------------------------------


def plotly_text(text: str) -> str:
    """Plotly renders labels as a small HTML subset and decodes entities: escape to show text."""
    return escape(text, quote=False)


def hover_html(event: Event) -> str:
    """Title, date label, place, a one-line summary and the sources, each line escaped."""
    when = event.when.label
    lines = [f"<b>{plotly_text(event.title)}</b>", plotly_text(f"~ {when}" if event.when.is_fuzzy else when)]
    if event.place is not None:
        lines.append(plotly_text(event.place.name))
    lines += [plotly_text(line) for line in _wrapped(_shortened(to_plain(event.summary)))]
    publishers = ", ".join(dict.fromkeys(source.publisher for source in event.sources))
    lines.append("<i>" + plotly_text(f"Sources: {publishers}") + "</i>")
    return "<br>".join(lines)


def correction_hover_html(event: Event, revision: Revision) -> str:
    lines = [
        "<b>" + plotly_text(f"Corrected {day_label(revision.date)}") + "</b>",
        plotly_text(f"{revision.what} (in: {event.title})"),
    ]
    if revision.before is not None:
        lines.append(plotly_text(f"Was: {_shortened(revision.before)}"))
    if revision.after is not None:
        lines.append(plotly_text(f"Now: {_shortened(revision.after)}"))
    return "<br>".join(lines)


def group_hover_html(lane: Lane, unit: str, group: Group) -> str:
    """Lane and period, how many events and how they are dated, and the first few of them."""
    count = len(group.events)
    if group.first == group.last:
        period = period_label(unit, group.first)
        how = "exact dates"
        if group.fuzzy:
            how = "fuzzy dates (approximate, uncertain, a month, a season or a year)"
    else:
        period = f"{period_label(unit, group.first)} - {period_label(unit, group.last)}"
        how = (
            "fuzzy dates that run across, or may fall anywhere in, these periods"
            if group.fuzzy
            else "exact dates that run across these periods"
        )
    lines = [
        f"<b>{plotly_text(lane.label)}: {plotly_text(period)}</b>",
        plotly_text(f"{_event_count(count)} with {how}"),
        *_examples([(e.title, _when_text(e.when)) for e in group.events[:EXAMPLES]], count),
        "<i>Click to go to the first of them in the list.</i>",
    ]
    return "<br>".join(lines)


def correction_count_hover_html(lane: Lane, unit: str, group: CorrectionGroup) -> str:
    count = len(group.fixes)
    noun = "correction" if count == 1 else "corrections"
    examples = [
        (revision.what, f"{day_label(revision.date)}, in: {_shortened(event.title, 40)}")
        for event, revision in group.fixes[:EXAMPLES]
    ]
    lines = [
        f"<b>{plotly_text(f'{count} {noun}, {period_label(unit, group.period)}')}</b>",
        plotly_text(f"to events in {lane.label}"),
        *_examples(examples, count),
    ]
    return "<br>".join(lines)


def _when_text(when: When) -> str:
    return f"~ {when.label}" if when.is_fuzzy else when.label


def _event_count(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count:,} events"


def _examples(examples: list[tuple[str, str]], count: int) -> list[str]:
    """``• title (date)`` for each of the first ``EXAMPLES`` of ``count`` events or corrections,
    the title shortened so the line stays short, then how many more there are."""
    lines = [
        "• " + plotly_text(f"{_shortened(text, max(24, HOVER_LINE_CHARS - len(note)))} ({note})")
        for text, note in examples
    ]
    if count > EXAMPLES:
        lines.append(plotly_text(f"and {count - EXAMPLES:,} more"))
    return lines


def _shortened(text: str, limit: int = HOVER_SUMMARY_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a space where there is one."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, HOVER_LINE_CHARS, break_on_hyphens=False) or [""]
