"""The Plotly figure of timeline.html: lanes by tag, honest spans, corrections tied to events.

Exact days are points and exact ranges solid bars; fuzzy dates (a month, a season, anything
approximate or uncertain) are faded, hatched bars over their whole period, never a point.
Corrections are their own markers joined to the event they correct. plotly is imported only
when a figure is built, so commands that draw nothing never load it.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

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
    rows: int


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

    @property
    def zoomed(self) -> bool:
        return self.initial != self.whole


LABEL_SPACE = 1.0
LANE_GAP = 0.5
ROW_PX = 30
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
    return date.fromordinal(first.toordinal() - margin), date.fromordinal(last.toordinal() + margin + 1)


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
    import plotly.graph_objects as go  # imported here: slow, and only this page needs it

    geometry = geometry or geometry_of(timeline)
    traces = [trace for band in geometry.bands for trace in _lane_traces(go, band.lane, geometry.rows)]
    return {
        "config": _config(),
        "layout": go.Layout(_base_layout(geometry)).to_plotly_json(),
        "themes": {
            name: go.Layout(_theme_layout(palette, geometry)).to_plotly_json()
            for name, palette in (("light", LIGHT), ("dark", DARK))
        },
        "traces": [trace.to_plotly_json() for trace in traces],
        "views": {
            "initial": [day.isoformat() for day in geometry.initial],
            "whole": [day.isoformat() for day in geometry.whole],
        },
    }


def _lane_traces(go: Any, lane: Lane, rows: dict[str, float]) -> list[Any]:
    points = [e for e in lane.events if _is_point(e)]
    spans = [e for e in lane.events if not _is_point(e)]
    corrected = [e for e in lane.events if e.revisions]
    traces = [
        _legend_trace(go, lane),
        _span_trace(go, lane, rows, [e for e in spans if not e.when.is_fuzzy], fuzzy=False),
        _span_trace(go, lane, rows, [e for e in spans if e.when.is_fuzzy], fuzzy=True),
        _point_trace(go, lane, rows, points),
        _connector_trace(go, lane, rows, corrected),
        _correction_trace(go, lane, rows, corrected),
    ]
    return [trace for trace in traces if trace is not None]


def _common(lane: Lane, kind: str) -> dict[str, Any]:
    return {
        "legendgroup": "lane-" + lane.key,
        "name": plotly_text(lane.label),
        "showlegend": kind == "legend",
        "meta": {"kind": kind, "lane": lane.key},
    }


def _legend_trace(go: Any, lane: Lane) -> Any:
    """A trace with no drawn point that gives every lane the same kind of legend entry."""
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={"color": lane.color, "size": 12, "symbol": "square"},
        hoverinfo="skip",
        **_common(lane, "legend"),
    )


def _span_trace(go: Any, lane: Lane, rows: dict[str, float], events: list[Event], *, fuzzy: bool) -> Any:
    if not events:
        return None
    marker: dict[str, Any] = {"color": lane.color, "line": {"color": lane.color, "width": 1}}
    if fuzzy:
        marker = {
            "color": _rgba(lane.color, 0.18),
            "line": {"color": lane.color, "width": 1.5},
            "pattern": {"shape": "/", "fgcolor": lane.color, "size": 8, "solidity": 0.25},
        }
    return go.Bar(
        orientation="h",
        base=[e.when.span.first_day.isoformat() for e in events],
        x=[_span_days(e) * DAY_MS for e in events],
        y=[rows[e.id] for e in events],
        width=0.56,
        marker=marker,
        customdata=[[e.id, hover_html(e)] for e in events],
        hovertemplate="%{customdata[1]}<extra></extra>",
        **_common(lane, "event"),
    )


def _span_days(event: Event) -> int:
    span = event.when.span
    return (span.last_day - span.first_day).days + 1


def _point_trace(go: Any, lane: Lane, rows: dict[str, float], events: list[Event]) -> Any:
    if not events:
        return None
    return go.Scatter(
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


def _connector_trace(go: Any, lane: Lane, rows: dict[str, float], events: list[Event]) -> Any:
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
    return go.Scatter(
        mode="lines",
        x=xs,
        y=ys,
        line={"color": lane.color, "width": 1, "dash": "dot"},
        hoverinfo="skip",
        customdata=ids,
        **_common(lane, "connector"),
    )


def _correction_trace(go: Any, lane: Lane, rows: dict[str, float], events: list[Event]) -> Any:
    if not events:
        return None
    points = [(e, r) for e in events for r in e.revisions]
    return go.Scatter(
        mode="markers",
        x=[_noon(r.date) for _, r in points],
        y=[rows[e.id] + CORRECTION_OFFSET for e, _ in points],
        marker={
            "color": lane.color,
            "size": 10,
            "symbol": "x-thin-open",
            "line": {"width": 2.5, "color": lane.color},
        },
        customdata=[[e.id, correction_hover_html(e, r)] for e, r in points],
        hovertemplate="%{customdata[1]}<extra></extra>",
        **_common(lane, "correction"),
    )


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
        "template": "none",
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
            "rangeslider": {"visible": True, "thickness": 0.14, "range": whole},
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
    return int(150 + ROW_PX * (_y_bottom(geometry) + 0.6) * 1.16)


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
        "yaxis": axis,
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
    lines += [plotly_text(line) for line in _wrapped(_shortened(event.summary))]
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
