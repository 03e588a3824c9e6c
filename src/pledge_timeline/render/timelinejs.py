"""The timeline as TimelineJS3 JSON (``timelinejs.json``), for TimelineJS's own embed.

TimelineJS dates are a year, month, day, hour and minute, with no zone and no qualifier, so
each date is written at its precision where TimelineJS can hold it (a year stays a year, a
month a month) and as the smallest run of whole months that holds it where it cannot (a
season is its three months). Every slide's ``display_date`` is the timeline's own label
(``Summer 2015 (approx.)``), so TimelineJS shows the honest date. A timed event's hour and
minute are the wall clock of its zone.

TimelineJS ignores keys it does not know, so each slide carries an ``_pledge_timeline``
extension with what it cannot hold: the EDTF date, the curator's own display date, the time
zone (and which of a repeated time's two occurrences, ``fold``) and the tag ids.
``pledge-timeline import`` reads it back, so an export imports as the same events at the
same precision. A slide's ``group`` is the label of the event's first tag.
TimelineJS reads headlines and text as HTML: titles are escaped, summaries are their Markdown's
HTML, and an event's media is TimelineJS's ``media`` (a picture's published address).
"""

from __future__ import annotations

from html import escape
from typing import Any

import orjson

from pledge_timeline.dates import FuzzyDate, Span
from pledge_timeline.markdown import to_html
from pledge_timeline.model import Era, Event, Media, Timeline
from pledge_timeline.render.labels import media_address

EXTENSION = "_pledge_timeline"
"""The key of the extension in the document, on each event slide and on each era."""


def render_timelinejs(timeline: Timeline, path: str) -> bytes:
    options = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    return orjson.dumps(timelinejs_document(timeline), option=options)


def timelinejs_document(timeline: Timeline) -> dict[str, Any]:
    return {
        "title": {
            "text": {"headline": escape(timeline.title), "text": paragraphs_html(timeline.description)}
        },
        "events": [event_slide(event, timeline.base_url) for event in timeline.chronological],
        "eras": [era_slide(era) for era in timeline.eras],
        "scale": "human",
        EXTENSION: {
            "timezone": timeline.timezone,
            "tags": [
                {
                    "id": tag.id,
                    "label": tag.label,
                    **({"description": tag.description} if tag.description else {}),
                }
                for tag in timeline.tags
            ],
        },
    }


def event_slide(event: Event, base_url: str) -> dict[str, Any]:
    when = event.when
    span = when.span
    start = date_fields(span.start, last=False)
    end = end_fields(span)
    if when.start_time is not None:
        start |= {"hour": when.start_time.hour, "minute": when.start_time.minute}
        if when.end_time is not None:
            end = (end or date_fields(span.start, last=True)) | {
                "hour": when.end_time.hour,
                "minute": when.end_time.minute,
            }
    slide: dict[str, Any] = {"unique_id": event.id, "start_date": start}
    if end is not None:
        slide["end_date"] = end
    slide["display_date"] = when.label
    slide["text"] = {"headline": escape(event.title), "text": to_html(event.summary)}
    if event.media is not None:
        slide["media"] = media_slide(event.media, base_url)
    if event.tags:
        slide["group"] = event.tags[0].label
    extension: dict[str, Any] = {"date": span.edtf}
    if when.display is not None:
        extension["display_date"] = when.display
    if when.start_time is not None:
        extension["time"] = f"{when.start_time:%H:%M}"
        if when.end_time is not None:
            extension["end_time"] = f"{when.end_time:%H:%M}"
        extension["timezone"] = when.timezone
        if when.fold:
            extension["fold"] = "later"
        if when.end_fold:
            extension["end_fold"] = "later"
    extension["tags"] = [tag.id for tag in event.tags]
    slide[EXTENSION] = extension
    return slide


def media_slide(media: Media, base_url: str) -> dict[str, str]:
    """TimelineJS's media: a picture's published address (or the link), its caption and credit."""
    url = media_address(base_url, media.file) if media.file is not None else media.url or ""
    slide = {"url": url, "alt": media.alt}
    if media.caption:
        slide["caption"] = escape(media.caption)
    if media.credit:
        slide["credit"] = escape(media.credit)
    return slide


def era_slide(era: Era) -> dict[str, Any]:
    return {
        "start_date": date_fields(era.span.start, last=False),
        "end_date": date_fields(era.span.end or era.span.start, last=True),
        "text": {"headline": escape(era.title)},
        EXTENSION: {"date": era.span.edtf},
    }


def end_fields(span: Span) -> dict[str, int] | None:
    """The end TimelineJS needs: the span's end, or the last month of a lone season."""
    if span.end is not None:
        return date_fields(span.end, last=True)
    if span.start.season is not None:
        return date_fields(span.start, last=True)
    return None


def date_fields(date: FuzzyDate, *, last: bool) -> dict[str, int]:
    """A TimelineJS date at the date's precision; a season is its first (or last) month."""
    if date.season is not None:
        day = date.last_day if last else date.first_day
        return {"year": day.year, "month": day.month}
    fields = {"year": date.year}
    if date.month is not None:
        fields["month"] = date.month
    if date.day is not None:
        fields["day"] = date.day
    return fields


def paragraphs_html(text: str) -> str:
    """Plain text as HTML paragraphs: a blank line starts a new one."""
    blocks = [block.strip() for block in text.split("\n\n")]
    return "".join(f"<p>{escape(block)}</p>" for block in blocks if block)
