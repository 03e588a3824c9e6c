"""The Plotly figure of timeline.html: lanes by tag, honest spans, corrections tied to events.

Exact days are points and exact ranges solid bars; fuzzy dates (a month, a season, anything
approximate or uncertain) are faded, hatched bars over their whole period, never a point.
Corrections are their own markers joined to the event they correct.

Above ``AGGREGATE_ABOVE`` events a mark per event would be unreadable and slow to draw, and
a story whose marks need more than ``MARKS_MAX_PX`` (one and a half screens) of stacked rows
would be read a screen at a time, so the chart counts instead: each lane is a strip of periods (a day,
month, year, decade or century: the finest that gives at most ``MAX_BINS`` periods over the
story), with the events dated within a period counted above the line (exact dates, solid) and
below it (fuzzy dates, hatched), a bar's thickness growing with its count. An event whose dates
run across periods (a winter, a month range) is counted in a hatched or solid bar over all of
them, on its own row, so a fuzzy date is never pinned to a period it may not be in. Corrections
are counted per period. Hover labels give the counts and examples; a click jumps to the first
event of the bar in the list, which stays complete.

A filter on the page lays the lanes out again with only the matches (timeline.js, from the
figure's ``lanes`` data): the lanes without one go, the others close up at the top.

The figure is plain JSON data (dicts and lists), the way plotly.js takes it: plotly's Python
package is not imported, so the page costs no plotly import or validation at build time. The
tests validate every kind of figure with ``plotly.graph_objects.Figure`` instead.
"""

from pledge_timeline.render.chart.counts import (
    AGGREGATE_ABOVE,
    MAX_BINS,
    period_first_day,
    period_of,
    unit_for,
)
from pledge_timeline.render.chart.figure import build_figure, chart_height
from pledge_timeline.render.chart.geometry import MARKS_MAX_PX, Geometry, geometry_of
from pledge_timeline.render.chart.lanes import UNTAGGED_LABEL, Lane, LaneBand, lanes_of

__all__ = [
    "AGGREGATE_ABOVE",
    "MARKS_MAX_PX",
    "MAX_BINS",
    "UNTAGGED_LABEL",
    "Geometry",
    "Lane",
    "LaneBand",
    "build_figure",
    "chart_height",
    "geometry_of",
    "lanes_of",
    "period_first_day",
    "period_of",
    "unit_for",
]
