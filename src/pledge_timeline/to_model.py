"""The model of a validated events file: what ``validate`` has passed, as ``model`` objects.

Only a build needs it: ``check`` validates without importing the model.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

from pledge_timeline import wallclock
from pledge_timeline.dates import make_span, parse_date, parse_span
from pledge_timeline.document import DEFAULT_FEED_ENTRIES, DEFAULT_LANGUAGE, as_day
from pledge_timeline.model import (
    Citation,
    Era,
    Event,
    Media,
    MediaFile,
    Place,
    Revision,
    Source,
    Tag,
    Timeline,
    When,
)
from pledge_timeline.outputs import folder_url
from pledge_timeline.records import EventDoc, TimelineDoc


def build_model(data: TimelineDoc, media: dict[str, MediaFile] | None = None) -> Timeline:
    """The model of a validated file; ``media`` has the pictures validation read, by path."""
    tags = {t["id"]: Tag(t["id"], t["label"], t.get("description")) for t in data.get("tags", [])}
    sources = {
        s["id"]: Source(
            s["id"], s["title"], s["publisher"], parse_span(s["published"]), s.get("url"), s.get("archive")
        )
        for s in data["sources"]
    }
    meta = data["timeline"]
    return Timeline(
        title=meta["title"],
        description=meta["description"],
        language=meta.get("language", DEFAULT_LANGUAGE),
        base_url=folder_url(meta["base_url"]),
        timezone=meta["timezone"],
        curator=meta["curator"],
        rights=meta["rights"],
        icon=meta.get("icon"),
        id_year=meta.get("id_year"),
        eras=tuple(Era(era["title"], parse_span(era["date"])) for era in data.get("eras", ())),
        feed_entries=int(meta.get("feed_entries") or DEFAULT_FEED_ENTRIES),  # check_count passed it
        tags=tuple(tags.values()),
        sources=tuple(sources.values()),
        events=tuple(_model_events(data["events"], tags, sources, meta["timezone"], media or {})),
    )


def _model_events(
    records: list[EventDoc],
    tags: dict[str, Tag],
    sources: dict[str, Source],
    default_zone: str,
    media: dict[str, MediaFile],
) -> Iterator[Event]:
    for record in records:
        span = parse_span(record["date"])
        end = record.get("end")
        if end is not None:
            span = make_span(span.start, parse_date(end))
        start_time, end_time = record.get("time"), record.get("end_time")
        place = record.get("place")
        yield Event(
            id=record["id"],
            title=record["title"],
            when=When(
                span=span,
                display=record.get("display_date"),
                start_time=time.fromisoformat(start_time) if start_time else None,
                end_time=time.fromisoformat(end_time) if end_time else None,
                timezone=(record.get("timezone") or default_zone) if start_time else None,
                fold=wallclock.FOLDS[record.get("fold") or "earlier"],
                end_fold=wallclock.FOLDS[record.get("end_fold") or "earlier"],
            ),
            summary=record["summary"],
            citations=tuple(Citation(sources[c["source"]], c.get("quote")) for c in record["sources"]),
            tags=tuple(tags[t] for t in record.get("tags", ())),
            actors=tuple(record.get("actors", ())),
            place=(
                Place(place["name"], _coordinate(place.get("lat")), _coordinate(place.get("lon")))
                if place
                else None
            ),
            revisions=tuple(
                Revision(
                    as_day(r["date"]),
                    r["what"],
                    sources[source] if (source := r.get("source")) else None,
                    r.get("before"),
                    r.get("after"),
                )
                for r in sorted(record.get("revisions", ()), key=lambda r: r["date"])
            ),
            recorded=as_day(recorded) if (recorded := record.get("recorded")) else None,
            note=record.get("note"),
            media=_media(record, media),
        )


def _media(record: EventDoc, files: dict[str, MediaFile]) -> Media | None:
    media = record.get("media")
    if not media:
        return None
    file = media.get("file")
    return Media(
        alt=media["alt"],
        file=files[file] if file else None,
        url=media.get("url"),
        caption=media.get("caption"),
        credit=media.get("credit"),
    )


def _coordinate(text: str | None) -> float | None:
    return None if text is None else float(text)  # text that check_number passed
