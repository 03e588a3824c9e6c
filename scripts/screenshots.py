"""Screenshots of timeline.html for docs/screenshots/: the story and the story ten times over.

    python scripts/screenshots.py [--out docs/screenshots]

For each page (``story``: events.yaml; ``story-x10``: its events repeated ten times under new
ids, with two eras drawn from the story's own dates so the bands show), at 1280x900 and
390x844, in the light and the dark color scheme, it writes ``NAME-WIDTHxHEIGHT-SCHEME.png``:
the top of the page down to the end of the chart section (the header, the filters, the chart,
its key and the eras). It needs the test extra (playwright) and
Debian's chromium at /usr/bin/chromium (or ``PLEDGE_TIMELINE_CHROMIUM``); never
``playwright install``. The same input gives the same pictures, up to font rendering.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from pledge_timeline.dates import parse_span
from pledge_timeline.model import Era, Timeline
from pledge_timeline.render.html import render_page
from pledge_timeline.validate import load_timeline

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("PLEDGE_TIMELINE_CHROMIUM", "/usr/bin/chromium"))
VIEWPORTS = ((1280, 900), (390, 844))
SCHEMES = ("light", "dark")


def repeated(timeline: Timeline, times: int) -> Timeline:
    """The timeline's events ``times`` over, copy ``k`` (from 1) under the id ``ID-k``."""
    events = tuple(
        event if copy == 0 else replace(event, id=f"{event.id}-{copy}")
        for copy in range(times)
        for event in timeline.events
    )
    return replace(timeline, events=events)


STORY_ERAS = (
    ("The pledge reported and corrected", "2015-09-16/2015-09-18"),
    ("Xi Jinping\u2019s state visit", "2015-09-22/2015-09-28"),
)


def pages(events_file: Path) -> dict[str, Timeline]:
    story = load_timeline(events_file)
    eras = tuple(Era(title, parse_span(when)) for title, when in STORY_ERAS)
    return {"story": story, "story-x10": replace(repeated(story, 10), eras=story.eras + eras)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--events", type=Path, default=REPO / "events.yaml")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for name, timeline in pages(args.events).items():
            page_file = Path(folder) / f"{name}.html"
            page_file.write_bytes(render_page(timeline, "timeline.html"))
            for width, height in VIEWPORTS:
                for scheme in SCHEMES:
                    context = browser.new_context(
                        viewport={"width": width, "height": height},
                        color_scheme=scheme,
                        device_scale_factor=1,
                    )
                    page = context.new_page()
                    page.goto(page_file.as_uri())
                    page.wait_for_selector("#timeline-chart .main-svg")
                    page.wait_for_timeout(300)
                    bottom = page.evaluate(
                        "() => document.querySelector('.chart-section').getBoundingClientRect().bottom"
                        " + window.scrollY"
                    )
                    shot = args.out / f"{name}-{width}x{height}-{scheme}.png"
                    page.screenshot(
                        path=str(shot),
                        full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": bottom + 8},
                    )
                    print(f"{shot.relative_to(REPO) if shot.is_relative_to(REPO) else shot}: {bottom:.0f} px")
                    context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
