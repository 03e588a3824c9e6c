"""What every reader produces: the timeline it found, before it becomes an events file.

Each reader (``timelinejs``, ``sheet``, ``ics``) turns its format into an ``Imported``; a
problem that stops the import (a BCE date, a time with no zone) is a ``TimelineError`` at the
source's line and column, and the reader raises them all at once as ``InvalidTimeline``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from pledge_timeline.dates import FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY, DateSyntaxError, parse_date
from pledge_timeline.errors import DocPath, Location, TimelineError


@dataclass
class ImportedEvent:
    title: str
    date: str
    """An EDTF date or ``START/END`` interval."""
    summary: str
    """Markdown."""
    where: Location
    path: DocPath = ()
    """Where in the source it was read from, for a problem found later."""
    id: str | None = None
    """The source's own id (TimelineJS ``unique_id``), made a slug by the import."""
    display_date: str | None = None
    time: dt.time | None = None
    end_time: dt.time | None = None
    timezone: str | None = None
    """The zone of ``time``; None for a time the source gives without one (``--timezone``)."""
    fold: str | None = None
    end_fold: str | None = None
    """``later``: the second occurrence of a time the clocks repeat (see ``wallclock``)."""
    tags: list[str] = field(default_factory=list)
    """Tag ids, each in ``Imported.tags``."""
    place: dict[str, str] | None = None
    media: dict[str, str] | None = None
    """An events file's ``media`` record: ``url``, ``alt``, and ``caption`` and ``credit`` if any."""


@dataclass(frozen=True)
class ImportedEra:
    title: str
    date: str


@dataclass
class Notes:
    """What the import changed or could not carry, counted, for the report."""

    counts: Counter[str] = field(default_factory=Counter)
    """Message -> how many times; the messages say what happened to each (see ``report``)."""

    def add(self, message: str, times: int = 1) -> None:
        if times:
            self.counts[message] += times


@dataclass
class Imported:
    format: str
    """``timelinejs``, ``sheet`` or ``ics``."""
    title: str | None = None
    description: str | None = None
    events: list[ImportedEvent] = field(default_factory=list)
    eras: list[ImportedEra] = field(default_factory=list)
    tags: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """Tag id -> its label and description."""
    timezone: str | None = None
    """The zone the source names for the whole timeline, if any."""
    source_date: str | None = None
    """The day the source says it was made (an iCalendar's newest DTSTAMP), if any."""
    media_links: int = 0
    """Media kept as a link in the text: addresses an events file's ``media`` cannot take."""
    media_kept: int = 0
    """Media kept as the event's ``media`` (a link to it)."""
    notes: Notes = field(default_factory=Notes)

    def tag_for(self, label: str, description: str | None = None) -> str:
        """The id of the tag labelled ``label``, added if new (a TimelineJS group, a category)."""
        for tag_id, (known, _) in self.tags.items():
            if known == label:
                return tag_id
        tag_id = unique_slug(label, self.tags, fallback="tag")
        self.tags[tag_id] = (label, description)
        return tag_id


def slugify(text: str) -> str:
    """``"Xi's visit, 2015"`` -> ``xi-s-visit-2015``: ASCII letters and digits, single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def unique_slug(text: str, taken: object, *, fallback: str) -> str:
    """A slug of ``text`` not ``in taken``: ``-2``, ``-3``... added where needed."""
    base = slugify(text) or fallback
    slug, number = base, 1
    while slug in taken:  # type: ignore[operator]
        number += 1
        slug = f"{base}-{number}"
    return slug


def whole_number(text: str) -> int | None:
    """``"602"``, ``" 08 "``, ``602.0`` (a spreadsheet's number) -> the number; None if blank."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"[+-]?\d+(\.0*)?", text, flags=re.ASCII) is None:
        raise ValueError(text)
    return int(float(text)) if "." in text else int(text)


def edtf_from_parts(year: int, month: int | None, day: int | None) -> str:
    """The EDTF date of a year, month and day, at the precision given; raise ``DateSyntaxError``
    with a reason for a date the format cannot hold."""
    if year < 0:
        raise DateSyntaxError(f"year {year} is before the common era; BCE dates are not supported")
    if year < FIRST_SUPPORTED_DAY.year or year > LAST_SUPPORTED_DAY.year:
        raise DateSyntaxError(
            f"year {year} is out of range: a date must fall between {FIRST_SUPPORTED_DAY.isoformat()} "
            f"and {LAST_SUPPORTED_DAY.isoformat()}"
        )
    if day is not None and month is None:
        raise DateSyntaxError(f"a day ({day}) without a month")
    text = f"{year:04d}"
    if month is not None:
        if not 1 <= month <= 12:
            raise DateSyntaxError(f"month {month} does not exist")
        text += f"-{month:02d}"
    if day is not None:
        text += f"-{day:02d}"
    return parse_date(text).edtf  # raises for a day the month does not have


def error(where: Location, path: DocPath, message: str, value: object = None) -> TimelineError:
    return TimelineError(where, path, message, value)
