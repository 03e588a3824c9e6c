"""Read the TimelineJS Google Sheet template saved as CSV.

Columns (by header, in any order and case): Year, Month, Day, Time, End Year, End Month,
End Day, End Time, Display Date, Headline, Text, Media, Media Credit, Media Caption, Media
Thumbnail, Type, Group, Background. A row of Type ``title`` is the title slide, ``era`` an
era. Years and months are read as what they mean (``602``, ``8``); a Year cell holding a whole
date (``1963-8-9``, ``8/9/1963``) and a Time such as ``1:30 PM`` are read by python-dateutil.
Problems are located at the row's line and the column's number.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, time
from typing import Any

from dateutil import parser as dateparser

from pledge_timeline.dates import DateSyntaxError, parse_span
from pledge_timeline.errors import InvalidTimeline, Location, TimelineError
from pledge_timeline.importers.common import (
    Imported,
    ImportedEra,
    ImportedEvent,
    edtf_from_parts,
    whole_number,
)
from pledge_timeline.importers.text import markdown_link
from pledge_timeline.importers.timelinejs import (
    SECONDS_DROPPED,
    join_paragraphs,
    media_record,
    plain_text,
    to_markdown,
)

COLUMNS = (
    "year", "month", "day", "time", "end year", "end month", "end day", "end time", "display date",
    "headline", "text", "media", "media credit", "media caption", "media thumbnail", "type", "group",
    "background",
)  # fmt: skip
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))
"""Two days that differ in every part: what dateutil fills in from both was not in the text."""


class _SheetReader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[TimelineError] = []
        self.imported = Imported("sheet")

    def read(self, text: str) -> Imported:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [cell.strip().lower() for cell in next(reader, [])]
        if "year" not in header or "headline" not in header:
            message = "not a TimelineJS sheet: the first row needs the Year and Headline columns"
            self.errors.append(TimelineError(Location(self.name, 1, 1), ("header",), message))
            raise InvalidTimeline(self.errors)
        self.columns = {name: header.index(name) for name in COLUMNS if name in header}
        line = reader.line_num + 1
        for number, cells in enumerate(reader, start=1):
            row = {
                name: cells[index].strip() if index < len(cells) else ""
                for name, index in self.columns.items()
            }
            if any(row.values()):
                self.read_row(line, number, row)
            line = reader.line_num + 1
        if self.errors:
            raise InvalidTimeline(self.errors)
        return self.imported

    def markdown(self, html: str | None) -> str:
        return to_markdown(html, self.imported)

    def fail(self, line: int, row: int, column: str, message: str, value: object = None) -> None:
        index = self.columns.get(column, 0) if hasattr(self, "columns") else 0
        where = Location(self.name, line, index + 1)
        self.errors.append(TimelineError(where, ("rows", row, column.title()), message, value))

    def read_row(self, line: int, number: int, row: dict[str, str]) -> None:
        kind = row.get("type", "").lower()
        if kind == "title":
            self.imported.title = row.get("headline") or None
            self.imported.description = self.markdown(row.get("text")) or None
            return
        start = self.date(line, number, row, "")
        if start is None:
            return
        end = self.date(line, number, row, "end ") if row.get("end year") else None
        date, start_time = start
        end_time: time | None = None
        if end is not None:
            if end[0] != date:
                date = f"{date}/{end[0]}"
            end_time = end[1] if start_time is not None else None
        try:
            parse_span(date)
        except DateSyntaxError as problem:
            self.fail(line, number, "end year", str(problem), date)
            return
        if kind == "era":
            if not row.get("headline"):
                self.imported.notes.add("eras had no headline; they are called 'Untitled era'")
            self.imported.eras.append(ImportedEra(row.get("headline") or "Untitled era", date))
            return
        self.add_event(line, number, row, date, start_time, end_time)

    def add_event(
        self, line: int, number: int, row: dict[str, str], date: str, start: time | None, end: time | None
    ) -> None:
        title = " ".join(row.get("headline", "").split())
        if not title:
            title = row.get("display date") or "Untitled event"
            self.imported.notes.add("events had no headline; their title is their date or 'Untitled event'")
        summary = self.markdown(row.get("text"))
        kept_media = None
        if row.get("media"):
            kept_media = media_record(
                row["media"],
                plain_text(row.get("media caption")) or title,
                plain_text(row.get("media caption")),
                plain_text(row.get("media credit")),
                self.imported,
            )
        if row.get("media") and kept_media is None:
            self.imported.media_links += 1
            caption = self.markdown(row.get("media caption"))
            credit = self.markdown(row.get("media credit"))
            link = markdown_link("Media", row["media"])
            media = " ".join(
                p for p in (f"{link}:" if caption else link, caption, credit and f"({credit})") if p
            )
            summary = join_paragraphs(summary, media)
        for column in ("media thumbnail", "background"):
            if row.get(column):
                self.imported.notes.add(f"'{column.title()}' cells dropped")
        if not summary:
            summary = title
            self.imported.notes.add("events had no text; their summary repeats the headline")
        event = ImportedEvent(title, date, summary, Location(self.name, line, 1), ("rows", number))
        event.time, event.end_time = start, end
        event.display_date = row.get("display date") or None
        event.media = kept_media
        if row.get("group"):
            event.tags = [self.imported.tag_for(row["group"])]
        self.imported.events.append(event)

    def date(
        self, line: int, number: int, row: dict[str, str], prefix: str
    ) -> tuple[str, time | None] | None:
        year_cell = row.get(f"{prefix}year", "")
        try:
            parts: list[int | None] = [
                whole_number(row.get(f"{prefix}{key}", "")) for key in ("year", "month", "day")
            ]
        except ValueError:
            found = loose_date(year_cell)
            if found is None:
                self.fail(line, number, f"{prefix}year", f"'{year_cell}' is not a year or a date", year_cell)
                return None
            parts = list(found)
        year, month, day = parts
        if year is None:
            self.fail(line, number, f"{prefix}year", "no year: every TimelineJS row needs one", year_cell)
            return None
        try:
            date = edtf_from_parts(year, month, day)
        except DateSyntaxError as problem:
            self.fail(line, number, f"{prefix}year", f"{problem}; this row cannot be imported", year_cell)
            return None
        clock = row.get(f"{prefix}time", "")
        if not clock:
            return date, None
        parsed = loose_time(clock)
        if parsed is None:
            self.fail(line, number, f"{prefix}time", f"'{clock}' is not a time of day", clock)
            return None
        if day is None:
            self.imported.notes.add("times dropped from dates without a day")
            return date, None
        if parsed.second:
            self.imported.notes.add(SECONDS_DROPPED)
        return date, parsed.replace(second=0)


def loose_date(text: str) -> tuple[int, int | None, int | None] | None:
    """The year, month and day a date such as ``1963-8-9`` or ``August 1963`` gives (the parts it
    leaves out are None), or None if dateutil reads no date in it."""
    try:
        first, second = (dateparser.parse(text, default=default) for default in _DEFAULTS)
    except (ValueError, OverflowError):
        return None
    if first.year != second.year:
        return None
    month = first.month if first.month == second.month else None
    day = first.day if first.day == second.day and month is not None else None
    return first.year, month, day


def loose_time(text: str) -> time | None:
    try:
        parsed: Any = dateparser.parse(text, default=_DEFAULTS[0])
    except (ValueError, OverflowError):
        return None
    if parsed.date() != _DEFAULTS[0].date():
        return None
    return time(parsed.hour, parsed.minute, parsed.second)


def read_sheet(text: str, name: str) -> Imported:
    return _SheetReader(name).read(text)
