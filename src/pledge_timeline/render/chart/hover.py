"""Hover labels: plotly's small HTML subset, every piece of the story's text escaped."""

from __future__ import annotations

import textwrap
from html import escape

from pledge_timeline.markdown import to_plain
from pledge_timeline.model import Event, Revision, When
from pledge_timeline.render.chart.counts import EXAMPLES, CorrectionGroup, Group, period_label
from pledge_timeline.render.chart.lanes import Lane
from pledge_timeline.render.labels import day_label

HOVER_SUMMARY_CHARS = 120
HOVER_LINE_CHARS = 60


def plotly_text(text: str) -> str:
    """Plotly renders labels as a small HTML subset and decodes entities: escape to show text."""
    return escape(text, quote=False)


def hover_html(event: Event) -> str:
    """Title, date label, place, a one-line summary and the sources, each line escaped."""
    when = event.when.label
    lines = [f"<b>{plotly_text(event.title)}</b>", plotly_text(f"~ {when}" if event.when.is_fuzzy else when)]
    if event.place is not None:
        lines.append(plotly_text(event.place.name))
    lines += [plotly_text(line) for line in _wrapped(_shortened(to_plain(event.summary)))]
    publishers = ", ".join(dict.fromkeys(source.publisher for source in event.sources))
    lines.append("<i>" + plotly_text(f"Sources: {publishers}") + "</i>")
    return "<br>".join(lines)


def correction_hover_html(event: Event, revision: Revision) -> str:
    lines = [
        "<b>" + plotly_text(f"Corrected {day_label(revision.date)}") + "</b>",
        plotly_text(f"{revision.what} (in: {event.title})"),
    ]
    if revision.before is not None:
        lines.append(plotly_text(f"Was: {_shortened(revision.before)}"))
    if revision.after is not None:
        lines.append(plotly_text(f"Now: {_shortened(revision.after)}"))
    return "<br>".join(lines)


def group_hover_html(lane: Lane, unit: str, group: Group) -> str:
    """Lane and period, how many events and how they are dated, and the first few of them."""
    count = len(group.events)
    if group.first == group.last:
        period = period_label(unit, group.first)
        how = "exact dates"
        if group.fuzzy:
            how = "fuzzy dates (approximate, uncertain, a month, a season or a year)"
    else:
        period = f"{period_label(unit, group.first)} - {period_label(unit, group.last)}"
        how = (
            "fuzzy dates that run across, or may fall anywhere in, these periods"
            if group.fuzzy
            else "exact dates that run across these periods"
        )
    lines = [
        f"<b>{plotly_text(lane.label)}: {plotly_text(period)}</b>",
        plotly_text(f"{_event_count(count)} with {how}"),
        *_examples([(e.title, _when_text(e.when)) for e in group.events[:EXAMPLES]], count),
        "<i>Click to go to the first of them in the list.</i>",
    ]
    return "<br>".join(lines)


def correction_count_hover_html(lane: Lane, unit: str, group: CorrectionGroup) -> str:
    count = len(group.fixes)
    noun = "correction" if count == 1 else "corrections"
    examples = [
        (revision.what, f"{day_label(revision.date)}, in: {_shortened(event.title, 40)}")
        for event, revision in group.fixes[:EXAMPLES]
    ]
    lines = [
        f"<b>{plotly_text(f'{count} {noun}, {period_label(unit, group.period)}')}</b>",
        plotly_text(f"to events in {lane.label}"),
        *_examples(examples, count),
    ]
    return "<br>".join(lines)


def _when_text(when: When) -> str:
    return f"~ {when.label}" if when.is_fuzzy else when.label


def _event_count(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count:,} events"


def _examples(examples: list[tuple[str, str]], count: int) -> list[str]:
    """``• title (date)`` for each of the first ``EXAMPLES`` of ``count`` events or corrections,
    the title shortened so the line stays short, then how many more there are."""
    lines = [
        "• " + plotly_text(f"{_shortened(text, max(24, HOVER_LINE_CHARS - len(note)))} ({note})")
        for text, note in examples
    ]
    if count > EXAMPLES:
        lines.append(plotly_text(f"and {count - EXAMPLES:,} more"))
    return lines


def _shortened(text: str, limit: int = HOVER_SUMMARY_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a space where there is one."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, HOVER_LINE_CHARS, break_on_hyphens=False) or [""]
