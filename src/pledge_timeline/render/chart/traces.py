"""The figure's traces: a mark per event (or per count), each lane in its own color."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from pledge_timeline.model import Event, When
from pledge_timeline.render.chart.counts import (
    COUNT_HALF,
    INSET,
    SPREAD_WIDTH,
    THINNEST,
    CorrectionGroup,
    Counts,
    Group,
    LaneCounts,
    period_end,
    period_first_day,
)
from pledge_timeline.render.chart.hover import (
    correction_count_hover_html,
    correction_hover_html,
    group_hover_html,
    hover_html,
    plotly_text,
)
from pledge_timeline.render.chart.lanes import Lane, is_point

DAY_MS = 86_400_000
CORRECTION_OFFSET = 0.42
"""Corrections sit just below their event's row, joined to it by a dotted line."""


def _scatter(**properties: Any) -> dict[str, Any]:
    return {**properties, "type": "scatter"}


def _bar(**properties: Any) -> dict[str, Any]:
    return {**properties, "type": "bar"}


def lane_traces(lane: Lane, rows: dict[str, float]) -> list[dict[str, Any]]:
    points = [e for e in lane.events if is_point(e)]
    spans = [e for e in lane.events if not is_point(e)]
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
    if is_point(event):
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


def count_traces(counts: LaneCounts, chart: Counts) -> list[dict[str, Any]]:
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
