"""Eras: named periods of the story (a visit, a campaign), shaded and labelled behind the lanes.

An era spans whole days, first to last; an era with a fuzzy date (approximate, uncertain, a
month, a season) is shaded over the whole period it may cover, with dotted edges, the way a
fuzzy event is hatched over its whole period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pledge_timeline.model import Era
from pledge_timeline.render.chart.hover import plotly_text

ERA_SPACE = 1.0
"""A line at the top of the chart, above the first lane's label, for the eras' labels."""


@dataclass(frozen=True, slots=True)
class EraBand:
    title: str
    label: str
    """Its dates as the page words them."""
    first: date
    last: date
    fuzzy: bool


def era_bands(eras: Iterable[Era]) -> tuple[EraBand, ...]:
    """The eras in the order of their first day (then last day, then title)."""
    bands = [
        EraBand(era.title, era.span.label, era.span.first_day, era.span.last_day, not era.span.is_exact)
        for era in eras
    ]
    return tuple(sorted(bands, key=lambda band: (band.first, band.last, band.title)))


def era_shapes(bands: Iterable[EraBand], *, fill: str, edge: str, ink: str) -> list[dict[str, Any]]:
    """A shaded band per era from the top of the plot to its bottom, labelled at its top left."""
    return [
        {
            "type": "rect",
            "layer": "below",
            "name": "era",
            "xref": "x",
            "yref": "paper",
            "x0": band.first.isoformat(),
            "x1": _day_after(band.last).isoformat(),
            "y0": 0,
            "y1": 1,
            "fillcolor": fill,
            "line": {"width": 1, "color": edge, "dash": "dot" if band.fuzzy else "solid"},
            "label": {
                "text": plotly_text(("~ " if band.fuzzy else "") + band.title),
                "textposition": "top left",
                "font": {"size": 12, "color": ink},
                "padding": 4,
            },
        }
        for band in bands
    ]


def _day_after(day: date) -> date:
    return day if day == date.max else day + timedelta(days=1)
