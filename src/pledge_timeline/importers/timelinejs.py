"""Read a TimelineJS3 JSON timeline (its ``title``, ``events`` and ``eras`` slides).

A slide's ``start_date`` and ``end_date`` hold a year, month, day, hour, minute and second as
numbers or text; each date keeps the precision it is given at (``{"year": 602}`` is the year
0602). Seconds are dropped and counted. A slide written by ``build``'s ``timelinejs.json``
carries an ``_pledge_timeline`` extension (see ``render.timelinejs``); its EDTF date, time
zone and tags are read back as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

from bs4 import BeautifulSoup

from pledge_timeline.dates import DateSyntaxError, parse_span
from pledge_timeline.document import FieldProblem, check_url, is_time_zone
from pledge_timeline.errors import DocPath, InvalidTimeline, Location, TimelineError
from pledge_timeline.importers.common import (
    Imported,
    ImportedEra,
    ImportedEvent,
    edtf_from_parts,
    whole_number,
)
from pledge_timeline.importers.text import html_to_markdown, markdown_link
from pledge_timeline.render.timelinejs import EXTENSION

Locate = Callable[[DocPath], Location]

SECONDS_DROPPED = "times kept to the minute; their seconds were dropped"


class _Reader:
    def __init__(self, locate: Locate) -> None:
        self.locate = locate
        self.errors: list[TimelineError] = []
        self.imported = Imported("timelinejs")

    def fail(self, path: DocPath, message: str, value: object = None) -> None:
        self.errors.append(TimelineError(self.locate(path), path, message, value))

    def read(self, data: object) -> Imported:
        if not isinstance(data, dict) or not isinstance(data.get("events"), list):
            self.fail((), "not a TimelineJS timeline: expected an object with an 'events' list")
            raise InvalidTimeline(self.errors)
        self.read_extension(data.get(EXTENSION))
        self.read_title(data.get("title"))
        for index, slide in enumerate(data["events"]):
            if isinstance(slide, dict):
                self.read_event(("events", index), slide)
            else:
                self.fail(("events", index), "expected an event slide (an object)", slide)
        for index, slide in enumerate(data.get("eras") or []):
            if isinstance(slide, dict):
                self.read_era(("eras", index), slide)
        if self.errors:
            raise InvalidTimeline(self.errors)
        return self.imported

    def read_extension(self, extension: object) -> None:
        if not isinstance(extension, dict):
            return
        zone = extension.get("timezone")
        if isinstance(zone, str) and is_time_zone(zone):
            self.imported.timezone = zone
        for tag in extension.get("tags") or []:
            if isinstance(tag, dict) and isinstance(tag.get("id"), str) and isinstance(tag.get("label"), str):
                description = tag.get("description")
                description = description if isinstance(description, str) else None
                self.imported.tags[tag["id"]] = (tag["label"], description)

    def read_title(self, slide: object) -> None:
        if not isinstance(slide, dict):
            return
        text = slide.get("text") or {}
        if isinstance(text, dict):
            self.imported.title = plain_text(text.get("headline")) or None
            self.imported.description = self.markdown(text.get("text")) or None
        if slide.get("media"):
            self.imported.notes.add("the title slide's media was dropped (a timeline has no media)")

    def read_event(self, path: DocPath, slide: dict[str, Any]) -> None:
        extension = _mapping(slide.get(EXTENSION))
        text = _mapping(slide.get("text"))
        when = self.when(path, slide, extension)
        if when is None:
            return
        date, start_time, end_time = when
        title = plain_text(text.get("headline"))
        if not title:
            title = plain_text(slide.get("display_date")) or "Untitled event"
            self.imported.notes.add("events had no headline; their title is their date or 'Untitled event'")
        summary = self.markdown(text.get("text"))
        media = slide.get("media")
        kept_media = None
        if isinstance(media, dict) and isinstance(media.get("url"), str) and media["url"].strip():
            kept_media = self.media(media, title)
            if kept_media is None:
                summary = join_paragraphs(summary, self.media_paragraph(media))
        if slide.get("background"):
            self.imported.notes.add("slide backgrounds dropped")
        if not summary:
            summary = title
            self.imported.notes.add("events had no text; their summary repeats the headline")
        event = ImportedEvent(title=title, date=date, summary=summary, where=self.locate(path), path=path)
        event.media = kept_media
        event.time, event.end_time = start_time, end_time
        zone = extension.get("timezone")
        if start_time is not None and isinstance(zone, str) and is_time_zone(zone):
            event.timezone = zone
            event.fold = "later" if extension.get("fold") == "later" else None
            event.end_fold = "later" if extension.get("end_fold") == "later" and end_time else None
        if isinstance(extension.get("display_date"), str):
            event.display_date = extension["display_date"]
        elif not extension and plain_text(slide.get("display_date")):
            event.display_date = plain_text(slide.get("display_date"))
        unique_id = slide.get("unique_id")
        if isinstance(unique_id, str | int) and str(unique_id).strip():
            event.id = str(unique_id).strip()
        event.tags = self.tags(slide, extension)
        self.imported.events.append(event)

    def tags(self, slide: dict[str, Any], extension: dict[str, Any]) -> list[str]:
        ids = extension.get("tags")
        if isinstance(ids, list) and all(isinstance(i, str) and i in self.imported.tags for i in ids):
            return list(ids)
        group = plain_text(slide.get("group"))
        return [self.imported.tag_for(group)] if group else []

    def media(self, media: dict[str, Any], title: str) -> dict[str, str] | None:
        """The event's ``media`` for a web address; None for one an events file cannot link to."""
        return media_record(
            media["url"].strip(),
            plain_text(media.get("alt")) or plain_text(media.get("caption")) or title,
            plain_text(media.get("caption")),
            plain_text(media.get("credit")),
            self.imported,
        )

    def media_paragraph(self, media: dict[str, Any]) -> str:
        self.imported.media_links += 1
        caption = self.markdown(media.get("caption"))
        credit = self.markdown(media.get("credit"))
        link = markdown_link(plain_text(media.get("title")) or "Media", media["url"].strip())
        return " ".join(
            part for part in (f"{link}:" if caption else link, caption, credit and f"({credit})") if part
        )

    def when(
        self, path: DocPath, slide: dict[str, Any], extension: dict[str, Any]
    ) -> tuple[str, time | None, time | None] | None:
        if isinstance(extension.get("date"), str):
            try:
                date = parse_span(extension["date"]).edtf
            except DateSyntaxError:
                pass
            else:
                return date, clock(extension.get("time")), clock(extension.get("end_time"))
        start = self.date_of((*path, "start_date"), slide.get("start_date"))
        if start is None:
            return None
        end = self.date_of((*path, "end_date"), slide.get("end_date")) if slide.get("end_date") else None
        date, start_time = start
        end_time: time | None = None
        if end is not None:
            end_date, end_time = end
            if end_date != date:
                date = f"{date}/{end_date}"
        if start_time is None:
            end_time = None
        try:
            parse_span(date)
        except DateSyntaxError as problem:
            self.fail(path, str(problem), date)
            return None
        return date, start_time, end_time

    def date_of(self, path: DocPath, value: object) -> tuple[str, time | None] | None:
        if not isinstance(value, dict):
            self.fail(path, "missing: every event needs a start_date with a year", value)
            return None
        try:
            year, month, day, hour, minute, second = (
                whole_number(str(value.get(key, "") or "").strip())
                for key in ("year", "month", "day", "hour", "minute", "second")
            )
        except ValueError as bad:
            self.fail(path, f"'{bad}' is not a whole number", value)
            return None
        if year is None:
            self.fail(path, "no year: every TimelineJS date needs one", value)
            return None
        try:
            date = edtf_from_parts(year, month, day)
        except DateSyntaxError as problem:
            self.fail(path, f"{problem}; this date cannot be imported", value)
            return None
        if hour is None:
            return date, None
        if day is None:
            self.imported.notes.add("times dropped from dates without a day")
            return date, None
        if second:
            self.imported.notes.add(SECONDS_DROPPED)
        try:
            return date, time(hour, minute or 0)
        except ValueError:
            self.fail(path, f"{hour}:{minute or 0:02d} is not a time of day", value)
            return None

    def read_era(self, path: DocPath, slide: dict[str, Any]) -> None:
        text = _mapping(slide.get("text"))
        title = plain_text(text.get("headline"))
        if not title:
            title = "Untitled era"
            self.imported.notes.add("eras had no headline; they are called 'Untitled era'")
        extension = slide.get(EXTENSION)
        if isinstance(extension, dict) and isinstance(extension.get("date"), str):
            self.imported.eras.append(ImportedEra(title, extension["date"]))
            return
        start = self.date_of((*path, "start_date"), slide.get("start_date"))
        end = self.date_of((*path, "end_date"), slide.get("end_date")) if slide.get("end_date") else None
        if start is None:
            return
        date = start[0] if end is None or end[0] == start[0] else f"{start[0]}/{end[0]}"
        try:
            parse_span(date)
        except DateSyntaxError as problem:
            self.fail(path, str(problem), date)
            return
        self.imported.eras.append(ImportedEra(title, date))

    def markdown(self, html: object) -> str:
        return to_markdown(html, self.imported)


def to_markdown(html: object, imported: Imported) -> str:
    """``html_to_markdown``; the elements it drops are noted for the report."""
    if not isinstance(html, str) or not html.strip():
        return ""
    markdown, dropped = html_to_markdown(html)
    for name, count in dropped.items():
        imported.notes.add(f"<{name}> elements dropped from the text", count)
    return markdown


def read_timelinejs(data: object, locate: Locate) -> Imported:
    return _Reader(locate).read(data)


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def media_record(url: str, alt: str, caption: str, credit: str, imported: Imported) -> dict[str, str] | None:
    """An events file's ``media`` (a link: the import copies no picture); None, and the report
    told, for an address that is not http(s), which the caller keeps as a link in the text."""
    try:
        check_url(url)  # as check judges the events file's media url
    except FieldProblem:
        return None
    imported.media_kept += 1
    record = {"url": url, "alt": alt}
    if caption:
        record["caption"] = caption
    if credit:
        record["credit"] = credit
    return record


def plain_text(value: object) -> str:
    """A headline's text: TimelineJS allows HTML in it; a title is plain text."""
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        return ""
    return " ".join(BeautifulSoup(value, "html.parser").get_text().split())


def clock(value: object) -> time | None:
    try:
        return time.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def join_paragraphs(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)
