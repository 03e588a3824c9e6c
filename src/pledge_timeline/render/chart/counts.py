"""The chart of a big story: each lane's events and corrections counted per period."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pledge_timeline.dates import FuzzyDate
from pledge_timeline.model import Event, Revision
from pledge_timeline.render.chart.lanes import LABEL_SPACE, LANE_GAP, Lane, LaneBand
from pledge_timeline.render.labels import day_label

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


def counts_of(lanes: Iterable[Lane], story: tuple[date, date], top: float = LABEL_SPACE) -> Counts:
    """Group every lane's events and corrections by period; lay the lanes out one below another,
    the first from ``top`` down."""
    unit = unit_for(*story)
    result: list[LaneCounts] = []
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
