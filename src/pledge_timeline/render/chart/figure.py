"""The figure as plotly.js takes it: traces, layout, both color themes, config and views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pledge_timeline.model import Event, Timeline
from pledge_timeline.render.chart.eras import era_shapes
from pledge_timeline.render.chart.geometry import (
    BASE_PX,
    LEGEND_PX,
    ROW_PX,
    ROW_PX_COUNTS,
    Geometry,
    geometry_of,
)
from pledge_timeline.render.chart.hover import plotly_text
from pledge_timeline.render.chart.lanes import LABEL_SPACE, LANE_GAP, is_point
from pledge_timeline.render.chart.traces import count_traces, lane_traces


def build_figure(timeline: Timeline, geometry: Geometry | None = None) -> dict[str, Any]:
    """The figure as plain JSON data: traces, layout, both color themes, config and views."""
    geometry = geometry or geometry_of(timeline)
    if geometry.counts is None:
        traces = [trace for band in geometry.bands for trace in lane_traces(band.lane, geometry.rows)]
    else:
        traces = [trace for lane in geometry.counts.lanes for trace in count_traces(lane, geometry.counts)]
    return {
        "config": _config(),
        "layout": _base_layout(geometry),
        "themes": {"light": _theme_layout(LIGHT, geometry), "dark": _theme_layout(DARK, geometry)},
        "traces": traces,
        "views": {
            "initial": [day.isoformat() for day in geometry.initial],
            "whole": [day.isoformat() for day in geometry.whole],
        },
        "lanes": _lanes_data(geometry),
    }


def _event_data(event: Event, row: float) -> list[Any]:
    """``[id, first day, last day, drawn as a point, row]``."""
    span = event.when.span
    return [event.id, span.first_day.isoformat(), span.last_day.isoformat(), is_point(event), row]


def _lanes_data(geometry: Geometry) -> dict[str, Any]:
    """What timeline.js needs to lay the lanes out again for the events a filter leaves, as
    ``stack`` and ``height_for`` would: matches on the top rows, empty lanes gone."""
    lanes: list[dict[str, Any]] = []
    for band in geometry.bands:
        lane: dict[str, Any] = {"key": band.lane.key, "top": band.top, "rows": band.rows}
        if geometry.counts is None:
            lane["events"] = [_event_data(e, geometry.rows[e.id]) for e in band.lane.events]
        lanes.append(lane)
    return {
        "firstTop": geometry.bands[0].top if geometry.bands else LABEL_SPACE,
        "lanes": lanes,
        "labelSpace": LABEL_SPACE,
        "laneGap": LANE_GAP,
        "rowPx": ROW_PX if geometry.counts is None else ROW_PX_COUNTS,
        "basePx": BASE_PX,
        "modebarPx": MODEBAR_PX,
        "legendPx": LEGEND_PX,
    }


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
            # below the mode bar's strip at the top, even where the legend wraps (a phone)
            "yref": "container",
            "y": legend_y(geometry.height),
            "yanchor": "top",
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
            "range": [geometry.y_bottom + 0.5, -0.1],
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


MODEBAR_PX = 34
"""The strip at the top of the chart that plotly's mode bar (zoom, pan, reset...) covers."""


def legend_y(height: int) -> float:
    """The top of the legend, in the chart's height: just under the mode bar."""
    return round(1 - MODEBAR_PX / height, 4)


def chart_height(geometry: Geometry) -> int:
    return geometry.height


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
    era: str
    """An era's shade: stronger than a lane's band, still light enough for marks over it."""


LIGHT = Palette(
    "#ffffff", "#1a1a1a", "#555555", "#e4e4e4", "rgba(0,0,0,0.04)", "#f3f4f6", "rgba(166,111,0,0.10)"
)
DARK = Palette(
    "#15171a", "#e8e8e8", "#a9b0b8", "#33373d", "rgba(255,255,255,0.05)", "#1f2226", "rgba(224,184,74,0.12)"
)


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
        "shapes": era_shapes(geometry.eras, fill=palette.era, edge=palette.muted, ink=palette.ink)
        + [
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
                "name": "lane-band",
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
