"""Wording and links every output shares, so the calendar, feeds and page never disagree."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date
from functools import partial

from pledge_timeline.dates import FuzzyDate, Precision
from pledge_timeline.markdown import to_plain
from pledge_timeline.model import Citation, Event, Media, MediaFile, Revision, Source, When
from pledge_timeline.outputs import published_url
from pledge_timeline.render.memo import shared_for_event
from pledge_timeline.urls import is_web_url as is_web_url  # the renderers ask it here too

DESCRIPTION_MEMO = "description"
"""Each event's ``event_description`` in the build's memo: the calendar's DESCRIPTION and the
feeds' ``content_text``."""


def day_label(day: date) -> str:
    """``Sept 17, 2015``."""
    return FuzzyDate(day.year, day.month, day.day).label()


def correction_text(revision: Revision) -> str:
    """``Corrected Sept 17, 2015: what: before -> after (publisher)``, as plain text."""
    text = f"Corrected {day_label(revision.date)}: {revision.what}"
    if revision.before is not None and revision.after is not None:
        text += f": {revision.before} -> {revision.after}"
    elif revision.after is not None:
        text += f": now {revision.after}"
    elif revision.before is not None:
        text += f": was {revision.before}"
    if revision.source is not None:
        text += f" ({revision.source.publisher})"
    return text


def html_datetime(when: When) -> str | None:
    """A ``<time datetime>`` value, or None where any value would claim more than is known.

    A timed event gives its UTC start; a single certain day, month or year gives itself.
    Ranges, seasons and approximate or uncertain dates get none: HTML has no way to say them.
    """
    span = when.span
    if span.end is not None or span.approximate or span.uncertain:
        return None
    if when.is_timed:
        return when.start_instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    if when.precision is Precision.DAY:
        return span.first_day.isoformat()
    if when.precision is Precision.MONTH:
        return f"{span.first_day:%Y-%m}"
    if when.precision is Precision.YEAR:
        return f"{span.first_day:%Y}"
    return None


def source_link(source: Source) -> str | None:
    """The source's address if it is one to link to (see ``is_web_url``), else None."""
    return source.url if source.url is not None and is_web_url(source.url) else None


def webcal_url(url: str) -> str | None:
    """The ``webcal://`` form calendar apps open as a subscription (http and https alike)."""
    return "webcal://" + url.split("://", 1)[1] if is_web_url(url) else None


def media_address(base_url: str, picture: MediaFile) -> str:
    """The published address of an event's picture: ``<base_url>media/<sha256>.<ext>``."""
    return published_url(base_url, picture.path)


def shared_description(event: Event) -> str:
    """``event_description``, once per build (``DESCRIPTION_MEMO``)."""
    return shared_for_event(event, DESCRIPTION_MEMO, None, partial(event_description, event))


def event_description(event: Event) -> str:
    """Plain text: summary, when, where, who, media, sources with quotes and links, corrections,
    note. The summary and note are their Markdown as plain text (``markdown.to_plain``)."""
    paragraphs = [to_plain(event.summary), "\n".join(facts(event))]
    if event.media is not None:
        paragraphs.append("\n".join(media_lines(event.media)))
    paragraphs.append("\n".join(["Sources:", *(citation_text(c) for c in event.citations)]))
    if event.revisions:
        ordered = sorted(event.revisions, key=lambda r: r.date)
        paragraphs.append("\n".join(["Corrections:", *(f"- {correction_text(r)}" for r in ordered)]))
    if event.note:
        paragraphs.append(f"Note: {to_plain(event.note)}")
    return "\n\n".join(paragraphs)


def facts(event: Event) -> Iterator[str]:
    yield f"When: {event.when.label}"
    if event.place is not None:
        yield f"Where: {event.place.name}"
    if event.actors:
        yield f"Who: {', '.join(event.actors)}"


def media_lines(media: Media) -> Iterator[str]:
    """``Picture: its alt text``, or ``Link: its alt text <its address>``, then caption and credit."""
    if media.url is not None:
        yield f"Link: {media.alt} <{media.url}>"
    else:
        yield f"Picture: {media.alt}"
    if media.caption:
        yield media.caption
    if media.credit:
        yield f"Credit: {media.credit}"


def citation_text(citation: Citation) -> str:
    source = citation.source
    text = f"- {source.publisher}, “{source.title}” ({source.published_label})"
    if citation.quote is not None:
        text += f": “{citation.quote}”"
    link = source_link(source)
    if link is not None:
        text += f"\n  {link}"
    return text
