"""The chart's lanes: one per thread of the story, and the rows its events are stacked on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pledge_timeline.model import Event, Timeline

UNTAGGED_LANE = ""
UNTAGGED_LABEL = "Untagged"
"""The lane of events without a tag, named as its checkbox on the page is."""
LANE_COLORS = (
    "#3b7dd8", "#d9480f", "#2a8a2a", "#9467bd", "#a66f00",
    "#c2428f", "#138a8a", "#7f7f7f", "#8d6e63", "#5c6bc0",
)  # fmt: skip
"""Mid-tone colors with at least 3.6:1 contrast on both the light and the dark background."""


LABEL_SPACE = 1.0
LANE_GAP = 0.5


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


def _occupied(event: Event, padding: float) -> tuple[float, float]:
    """The days an event's mark covers, in proleptic ordinals, padded so marks never touch."""
    span = event.when.span
    if is_point(event):
        middle = span.first_day.toordinal() + 0.5
        return middle - padding, middle + padding
    return span.first_day.toordinal() - padding / 2, span.last_day.toordinal() + 1 + padding / 2


def is_point(event: Event) -> bool:
    """An exact single day is a point; anything longer or vaguer is drawn as a span."""
    return not event.when.is_fuzzy and event.when.span.first_day == event.when.span.last_day


def stack(
    lanes: Iterable[Lane], padding: float, top: float = LABEL_SPACE
) -> tuple[tuple[LaneBand, ...], dict[str, float]]:
    """Greedy interval packing inside each lane; lanes one below another, each under its label,
    the first lane's rows from ``top`` down."""
    rows: dict[str, float] = {}
    bands: list[LaneBand] = []
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
