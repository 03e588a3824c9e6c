"""The short report an import prints: what came in, and what was dropped or changed."""

from __future__ import annotations

from typing import Any

from pledge_timeline.importers.assemble import FORMAT_NAMES, Assembled
from pledge_timeline.importers.common import Imported


def report_lines(imported: Imported, assembled: Assembled, source_name: str, target: str) -> list[str]:
    document: dict[str, Any] = assembled.document
    events, eras, tags = document["events"], document.get("eras", []), document.get("tags", [])
    lines = [
        f"imported {_count(len(events), 'event')}, {_count(len(eras), 'era')}, "
        f"{_count(len(tags), 'tag')} from {source_name} ({FORMAT_NAMES[imported.format]}) into {target}",
        f"every event cites {source_name} without a quote (source '{document['sources'][0]['id']}', "
        f"dated {document['sources'][0]['published']} from {assembled.source_date_from})",
    ]
    if imported.media_kept:
        lines.append(f"media: {_count(imported.media_kept, 'item')} kept as the event's media (a link to it)")
    if imported.media_links:
        lines.append(
            f"media: {_count(imported.media_links, 'item')} kept as links at the end of their text "
            "(not an http(s) address)"
        )
    changed = [(message, count) for message, count in sorted(imported.notes.counts.items())]
    if assembled.changed_ids:
        changed.append(("ids made slugs (lowercase a-z, 0-9, hyphens) or unique", assembled.changed_ids))
    for message, count in changed:
        lines.append(f"changed or dropped: {count} x {message}")
    timeline = document["timeline"]
    lines.append(
        f"edit before publishing: timeline.base_url ({timeline['base_url']}), timeline.curator, "
        "timeline.rights"
    )
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
