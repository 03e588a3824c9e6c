"""Dates that keep their precision: a parser for the EDTF level 1 subset timelines use.

Accepted (Library of Congress EDTF, ISO 8601-2):
  2015-09-16   day          2015-06    month        2015    year
  2015-22      season (21 spring, 22 summer, 23 autumn, 24 winter)
  a trailing ``?`` (uncertain), ``~`` (approximate) or ``%`` (both) on any of them,
  and an interval of two of them: ``2015-09-22/2015-09-24``.

The ``edtf`` package parses the same notation, but takes about 3.6 ms a date, rejects a
qualified season (``2015-22~``) and loses the ``%`` qualifier, so this module parses the
subset itself; the tests use ``edtf`` as an oracle where it agrees.

Seasons are northern-hemisphere meteorological seasons: spring is March-May, summer
June-August, autumn September-November, winter December to February of the next year.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"


_PRECISION_RANK = {precision: rank for rank, precision in enumerate(Precision)}
"""Finest first: a span's precision is the coarser of its two ends'."""


class DateSyntaxError(ValueError):
    """A date string that is not in the accepted EDTF subset, with a reason a person can act on."""


SEASON_NAMES = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}
SEASON_FIRST_MONTH = {21: 3, 22: 6, 23: 9, 24: 12}
MONTH_LABELS = (
    "Jan", "Feb", "March", "April", "May", "June",
    "July", "Aug", "Sept", "Oct", "Nov", "Dec",
)  # fmt: skip

# ASCII digits only, as in the JSON Schema's patterns: Python's \d also matches "٢٠١٥".
_DATE_RE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?(?P<q>[?~%])?", flags=re.ASCII
)


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """One EDTF date: a day, month, season or year, perhaps approximate or uncertain."""

    year: int
    month: int | None = None
    day: int | None = None
    season: int | None = None
    approximate: bool = False
    uncertain: bool = False

    @property
    def precision(self) -> Precision:
        if self.season is not None:
            return Precision.SEASON
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def is_qualified(self) -> bool:
        return self.approximate or self.uncertain

    @property
    def first_day(self) -> date:
        if self.season is not None:
            return date(self.year, SEASON_FIRST_MONTH[self.season], 1)
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> date:
        """The last day the date may stand for (inclusive)."""
        if self.season is not None:
            first = self.first_day
            after = _add_months(first, 3)
            return after - timedelta(days=1)
        if self.day is not None:
            return self.first_day
        if self.month is not None:
            return date(self.year, self.month, days_in_month(self.year, self.month))
        return date(self.year, 12, 31)

    @property
    def edtf(self) -> str:
        if self.season is not None:
            text = f"{self.year:04d}-{self.season:02d}"
        elif self.day is not None:
            text = f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        elif self.month is not None:
            text = f"{self.year:04d}-{self.month:02d}"
        else:
            text = f"{self.year:04d}"
        return text + _qualifier(self.approximate, self.uncertain)

    def label(self, *, with_year: bool = True) -> str:
        """Human label without the qualifier, e.g. ``Sept 16, 2015``, ``Summer 2015``."""
        year = f"{self.year}"
        if self.season is not None:
            return f"{SEASON_NAMES[self.season]} {year}" if with_year else SEASON_NAMES[self.season]
        if self.month is None:
            return year
        month = MONTH_LABELS[self.month - 1]
        if self.day is None:
            return f"{month} {year}" if with_year else month
        return f"{month} {self.day}, {year}" if with_year else f"{month} {self.day}"


@dataclass(frozen=True, slots=True)
class Span:
    """A date or an interval of two dates, as written in EDTF."""

    start: FuzzyDate
    end: FuzzyDate | None = None
    first_day: date = field(init=False, repr=False, compare=False)
    last_day: date = field(init=False, repr=False, compare=False)
    """Inclusive: the last day the span may cover."""
    edtf: str = field(init=False, repr=False, compare=False)
    is_exact: bool = field(init=False, repr=False, compare=False)
    """True when every end is a certain, exact day: the only dates shown as days."""
    label: str = field(init=False, repr=False, compare=False)
    """``Sept 16, 2015``, ``Sept 22-24, 2015``, ``Summer 2015 (approx.)``."""

    def __post_init__(self) -> None:
        # Derived once here: every output reads them of every event's span, some several times
        # (and spans are shared: ``parse_span`` keeps them).
        object.__setattr__(self, "first_day", self.start.first_day)
        object.__setattr__(self, "last_day", (self.end or self.start).last_day)
        edtf = self.start.edtf if self.end is None else f"{self.start.edtf}/{self.end.edtf}"
        object.__setattr__(self, "edtf", edtf)
        exact = _is_certain_day(self.start) and (self.end is None or _is_certain_day(self.end))
        object.__setattr__(self, "is_exact", exact)
        note = qualifier_note(self.approximate, self.uncertain)
        object.__setattr__(self, "label", _range_label(self.start, self.end) + note)

    @property
    def approximate(self) -> bool:
        return self.start.approximate or (self.end is not None and self.end.approximate)

    @property
    def uncertain(self) -> bool:
        return self.start.uncertain or (self.end is not None and self.end.uncertain)

    @property
    def precision(self) -> Precision:
        """The coarsest precision of the two ends."""
        if self.end is None:
            return self.start.precision
        return max(self.start.precision, self.end.precision, key=_PRECISION_RANK.__getitem__)


def _is_certain_day(day: FuzzyDate) -> bool:
    """``precision is Precision.DAY and not is_qualified``."""
    return day.season is None and day.day is not None and not (day.approximate or day.uncertain)


_PARSED_CACHE = 1 << 16
"""Dates parsed and kept: validation, cross-checks and the model each read every date, and every
output labels it. Room for the distinct dates of a file at the default input limit, so that none
is parsed twice in one command (what that saves: benchmarks/README.md)."""


def qualifier_note(approximate: bool, uncertain: bool) -> str:
    notes = [word for flag, word in ((approximate, "approx."), (uncertain, "uncertain")) if flag]
    return f" ({', '.join(notes)})" if notes else ""


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """``calendar.monthrange(year, month)[1]``, without computing the weekday."""
    return 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month - 1]


@lru_cache(maxsize=_PARSED_CACHE)
def parse_date(text: str) -> FuzzyDate:
    """Parse one EDTF date (no interval); raise DateSyntaxError with a reason."""
    match = _DATE_RE.fullmatch(text)
    if match is None:
        raise DateSyntaxError(_not_edtf_message(text))
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    approximate, uncertain = match["q"] in ("~", "%"), match["q"] in ("?", "%")
    if month is not None and 21 <= month <= 24 and day is None:
        season = FuzzyDate(year, season=month, approximate=approximate, uncertain=uncertain)
        return _within_supported_days(season, text)
    if month is not None and not 1 <= month <= 12:
        raise DateSyntaxError(
            f"'{text}' is not a valid date (month {month:02d} does not exist; "
            "seasons are 21-24 and take no day)"
        )
    if month is not None and day is not None:
        days = days_in_month(year, month)
        if not 1 <= day <= days:
            raise DateSyntaxError(
                f"'{text}' is not a valid date ({calendar.month_name[month]} {year} has {days} days)"
            )
    return _within_supported_days(
        FuzzyDate(year, month, day, approximate=approximate, uncertain=uncertain), text
    )


_UNPADDED_RE = re.compile(
    r"(?P<year>\d{1,4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?(?P<q>[?~%])?", re.ASCII
)
_BCE_RE = re.compile(r"-\d+(?:-\d{1,2}){0,2}[?~%]?", re.ASCII)


def _not_edtf_message(text: str) -> str:
    """Why ``text`` is no EDTF date, with the spelling that means what it most likely says."""
    if _BCE_RE.fullmatch(text):
        return f"'{text}' is a year before the common era; BCE dates are not supported"
    if match := _UNPADDED_RE.fullmatch(text):
        padded = f"{int(match['year']):04d}"
        for part in ("month", "day"):
            if match[part] is not None:
                padded += f"-{int(match[part]):02d}"
        padded += match["q"] or ""
        return f"'{text}' is not an EDTF date: years take four digits, months and days two; write '{padded}'"
    return (
        f"'{text}' is not an EDTF date "
        "(write YYYY, YYYY-MM, YYYY-MM-DD or a season YYYY-21..24, optionally ending in ?, ~ or %)"
    )


FIRST_SUPPORTED_DAY = date(3, 1, 1)
LAST_SUPPORTED_DAY = date(9998, 12, 31)
"""Two years short of Python's first and one of its last: a calendar describes a zone's clock
changes from the start of the year before a timed event's to the end of the year after (in UTC,
which can fall a day outside them), and writes the day after a span's last (DTEND)."""


def _within_supported_days(parsed: FuzzyDate, text: str) -> FuzzyDate:
    try:
        inside = parsed.first_day >= FIRST_SUPPORTED_DAY and parsed.last_day <= LAST_SUPPORTED_DAY
    except ValueError:  # year 0, or a season running into year 10000
        inside = False
    if not inside:
        raise DateSyntaxError(
            f"'{text}' is out of range: a date must fall between {FIRST_SUPPORTED_DAY.isoformat()} "
            f"and {LAST_SUPPORTED_DAY.isoformat()}"
        )
    return parsed


@lru_cache(maxsize=_PARSED_CACHE)
def parse_span(text: str) -> Span:
    """Parse an EDTF date or ``start/end`` interval; the end must not come before the start."""
    if text.count("/") > 1:
        raise DateSyntaxError(f"'{text}' has more than one '/'; an interval is START/END")
    if "/" not in text:
        return Span(parse_date(text))
    start_text, end_text = text.split("/")
    if ".." in (start_text, end_text) or "" in (start_text, end_text):
        raise DateSyntaxError(
            f"'{text}' is an open interval; give both ends (use a coarser or approximate end, "
            "such as 2015~, when it is not known)"
        )
    return make_span(parse_date(start_text), parse_date(end_text))


def make_span(start: FuzzyDate, end: FuzzyDate | None) -> Span:
    if end is not None and end.last_day < start.first_day:
        raise DateSyntaxError(f"the end {end.edtf} comes before the start {start.edtf}")
    return Span(start, end)


def _range_label(start: FuzzyDate, end: FuzzyDate | None) -> str:
    if end is None or end == start:
        return start.label()
    if start.precision is Precision.DAY and end.precision is Precision.DAY:
        if start.year == end.year and start.month == end.month:
            return f"{MONTH_LABELS[start.month - 1]} {start.day}-{end.day}, {start.year}"  # type: ignore[operator]
        if start.year == end.year:
            return f"{start.label(with_year=False)} - {end.label()}"
    if start.precision is end.precision is Precision.MONTH and start.year == end.year:
        return f"{start.label(with_year=False)}-{end.label()}"
    return f"{start.label()} - {end.label()}"


def _qualifier(approximate: bool, uncertain: bool) -> str:
    if approximate and uncertain:
        return "%"
    if approximate:
        return "~"
    return "?" if uncertain else ""


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
