"""Wall-clock times in an IANA zone: the one place an event's start and end instants come from.

A time written on a day in a zone is one of three kinds:

- ordinary: the clocks show it once;
- in a gap: the clocks jump over it (02:30 on the day Los Angeles springs forward), so it
  never happens. ``check`` refuses it (``gap``), naming the jump and the nearest valid times;
- repeated: the clocks show it twice (01:30 on the day Los Angeles falls back), first in the
  offset before the change, then in the one after it. RFC 5545 (3.3.5) reads a repeated time
  as its first occurrence, and so does this tool unless the event says ``fold: later`` (for
  ``time``) or ``end_fold: later`` (for ``end_time``). Calendar clients disagree about
  repeated times written with a TZID, so the calendar writes such an event in UTC
  (``is_repeated``); its label still shows the local time and the zone in force.

``instant`` gives the aware datetime of a time that is not in a gap, with ``fold`` set as
PEP 495 reads it, so the zone's name and offset at it (``zone_name``) are the ones in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FOLDS = {"earlier": 0, "later": 1}
"""The values of ``fold``/``end_fold``, as PEP 495's ``fold`` (0 is the first occurrence)."""
_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)


def instant(day: date, wall: time, zone: str, fold: int = 0) -> datetime:
    """``wall`` on ``day`` in ``zone``: the ``fold``-th occurrence if the time is repeated."""
    moment = datetime.combine(day, wall, ZoneInfo(zone))  # with the fold of ``wall``
    return moment if moment.fold == fold else moment.replace(fold=fold)


def exists(moment: datetime) -> bool:
    """Whether the zone's clocks ever show ``moment``'s wall time (it is not in a gap)."""
    wall = moment.replace(tzinfo=None)  # naive: compared without its fold
    return moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == wall


def is_repeated(moment: datetime) -> bool:
    """Whether the zone's clocks show ``moment``'s wall time twice (it is in a fold)."""
    other = moment.replace(fold=1 - moment.fold)
    return other.utcoffset() != moment.utcoffset() and exists(moment)


def zone_name(moment: datetime) -> str:
    """The zone's name in force at ``moment`` (``PDT``); for a repeated time whose two occurrences
    share a name (Moscow's 2014 change: MSK both times), with the offset that tells them apart."""
    name = moment.tzname() or ""
    if is_repeated(moment) and moment.replace(fold=1 - moment.fold).tzname() == name:
        offset = moment.utcoffset() or timedelta(0)
        sign = "-" if offset < timedelta(0) else "+"
        minutes = abs(int(offset.total_seconds())) // 60
        return f"{name} (UTC{sign}{minutes // 60:02}:{minutes % 60:02})"
    return name


@dataclass(frozen=True, slots=True)
class Gap:
    """A wall time the clocks jump over, and the jump: from the first wall time that does not
    exist to the first that exists again (naive local times)."""

    day: date
    wall: time
    zone: str
    jumps_from: datetime
    jumps_to: datetime

    @property
    def message(self) -> str:
        """``02:30 does not exist on 2015-03-08 in America/Los_Angeles: clocks jump from 02:00 to
        03:00; write 01:59 or 03:00``."""
        before = _floor_minute(self.jumps_from - _SECOND)
        after = _ceil_minute(self.jumps_to)
        return (
            f"{self.wall:%H:%M} does not exist on {self.day.isoformat()} in {self.zone}: clocks jump "
            f"from {self._show(self.jumps_from)} to {self._show(self.jumps_to)}; "
            f"write {self._show(before)} or {self._show(after)}"
        )

    def _show(self, moment: datetime) -> str:
        """The wall time, with its day when that is not the event's, and seconds when it has them."""
        text = f"{moment:%H:%M:%S}" if moment.second else f"{moment:%H:%M}"
        return text if moment.date() == self.day else f"{moment.date().isoformat()} {text}"


def gap(day: date, wall: time, zone: str) -> Gap | None:
    """The gap ``wall`` on ``day`` falls in, in ``zone``, or None if the clocks show it."""
    moment = instant(day, wall, zone)
    if exists(moment):
        return None
    # In a gap, PEP 495 gives fold 0 the offset before the jump and fold 1 the one after it.
    before, after = moment.utcoffset(), moment.replace(fold=1).utcoffset()
    assert before is not None
    assert after is not None
    naive = moment.replace(tzinfo=None)
    low, high = naive - after, naive - before  # UTC: still before the jump, already after it
    while high - low > _SECOND:
        middle = (low + (high - low) / 2).replace(microsecond=0)
        if middle.replace(tzinfo=UTC).astimezone(moment.tzinfo).utcoffset() == before:
            low = middle
        else:
            high = middle
    return Gap(day, wall, zone, high + before, high + after)


def _floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _ceil_minute(moment: datetime) -> datetime:
    floor = _floor_minute(moment)
    return floor if floor == moment else floor + _MINUTE


def event_problems(
    first_day: date,
    last_day: date,
    times: tuple[time, time | None],
    folds: tuple[str | None, str | None],
    zone: str | None,
) -> list[tuple[str, str]]:
    """(key, message) for each problem with an event's times: a ``time`` or ``end_time`` in a
    gap, a ``fold``/``end_fold`` for a time that is not repeated, an end at or before the start.

    ``folds`` are the texts of ``fold``/``end_fold`` as written (None, or a value not in ``FOLDS``,
    counts as not given); ``zone`` is None when the event has no valid zone: then only the
    order of the wall times is checked.
    """
    keys = (("time", "fold", first_day), ("end_time", "end_fold", last_day))
    problems: list[tuple[str, str]] = []
    moments: list[datetime] = []
    for (key, fold_key, day), wall, fold in zip(keys, times, folds, strict=True):
        if wall is None:
            continue
        if zone is None:
            moments.append(datetime.combine(day, wall))
            continue
        skipped = gap(day, wall, zone)
        if skipped is not None:
            problems.append((key, skipped.message))
            continue
        moment = instant(day, wall, zone, FOLDS.get(fold or "", 0))
        if fold in FOLDS and not is_repeated(moment):
            problems.append(
                (
                    fold_key,
                    f"{fold_key} is only for a time the clocks show twice, and {wall:%H:%M} happens "
                    f"once on {day.isoformat()} in {zone}; remove {fold_key}",
                )
            )
        moments.append(moment)
    if len(moments) == 2 and not problems:
        problems += _order_problems(moments[0], moments[1], first_day != last_day)
    return problems


def _order_problems(start: datetime, end: datetime, show_days: bool) -> list[tuple[str, str]]:
    def show(moment: datetime) -> str:
        text = f"{moment.date().isoformat()} {moment:%H:%M}" if show_days else f"{moment:%H:%M}"
        return text if moment.tzinfo is None else f"{text} {zone_name(moment)}"

    # In UTC: two times of one zone compare by their wall times, whatever their folds.
    start_at, end_at = (m if m.tzinfo is None else m.astimezone(UTC) for m in (start, end))
    if end_at > start_at:
        return []
    if end_at == start_at:
        message = (
            f"end_time {show(end)} is the same instant as time {show(start)}; an event must end "
            "after it starts (leave end_time out when the event has no known end)"
        )
    else:
        message = f"end_time {show(end)} comes before time {show(start)}"
    if end.tzinfo is not None and end.fold == 0 and is_repeated(end):
        message += f"; if the end is the second {end:%H:%M}, write end_fold: later"
    return [("end_time", message)]
