"""What ``serve`` prints: the addresses to paste into a calendar app or a feed reader."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from pledge_timeline import outputs
from pledge_timeline.render.labels import webcal_url

SUBSCRIPTIONS: Final = (
    ("calendar", outputs.CALENDAR),
    ("Atom feed", outputs.ATOM_FEED),
    ("RSS feed", outputs.RSS_FEED),
    ("JSON Feed", outputs.JSON_FEED),
    ("page", outputs.PAGE),
)


def subscription_lines(base_url: str, built_paths: Iterable[str]) -> list[str]:
    """The URLs to paste, for the files this build wrote; the calendar also as ``webcal://``."""
    built = set(built_paths)
    lines = []
    for label, path in SUBSCRIPTIONS:
        if path not in built:
            continue
        lines.append(f"  {label + ':':<11}{base_url}{path}")
        if path.endswith(".ics"):
            lines.append(f"  {'':<11}{webcal_url(base_url + path)}")
    if any(path.startswith("tags/") for path in built):
        lines.append(f"  {'per tag:':<11}{base_url}tags/<tag>.ics, .atom, .rss")
    return lines
