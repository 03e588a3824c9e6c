"""timelinejs.json in TimelineJS3's own embed (the npm package @knight-lab/timelinejs, pinned in
tests/js), in headless Chromium: every event is a slide, with its honest date label."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from conftest import REPO, missing_tool
from pledge_timeline.render.timelinejs import render_timelinejs
from pledge_timeline.validate import load_timeline
from test_browser import CHROMIUM, CHROMIUM_ARGS, NODE_MODULES

pytestmark = pytest.mark.browser

TIMELINEJS = NODE_MODULES / "@knight-lab" / "timelinejs" / "dist"
ARTIFACTS = REPO / "tests" / "artifacts"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<link rel="stylesheet" href="{css}">
<script src="{js}"></script>
</head><body>
<div id="timeline-embed" style="width: 1100px; height: 650px"></div>
<script>window.timeline = new TL.Timeline("timeline-embed", {data});</script>
</body></html>
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright import sync_api
    except ImportError:
        missing_tool("the playwright package is missing: pip install playwright (never `playwright install`)")
    if not CHROMIUM.exists():
        missing_tool(f"{CHROMIUM} is missing: apt-get install chromium")
    if not (TIMELINEJS / "js" / "timeline.js").exists():
        missing_tool("TimelineJS is missing: (cd tests/js && npm ci --ignore-scripts)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def test_timelinejs_shows_every_event_of_the_story(browser: Any, tmp_path: Path) -> None:
    story = load_timeline(REPO / "events.yaml")
    data = render_timelinejs(story, "timelinejs.json").decode("utf-8").replace("</", "<\\/")
    page_file = tmp_path / "embed.html"
    page_file.write_text(
        PAGE.format(
            css=(TIMELINEJS / "css" / "timeline.css").as_uri(),
            js=(TIMELINEJS / "js" / "timeline.js").as_uri(),
            data=data,
        ),
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 1100, "height": 650})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_file.as_uri())
    page.wait_for_function("document.querySelectorAll('.tl-timemarker').length > 0")
    markers = page.evaluate("document.querySelectorAll('.tl-timemarker').length")
    headlines = page.evaluate(
        "Array.from(document.querySelectorAll('.tl-slide-content .tl-headline')).map(h => h.textContent)"
    )
    dates = page.evaluate(
        "Array.from(document.querySelectorAll('.tl-slide-content .tl-headline-date')).map(h => h.textContent)"
    )
    eras = page.evaluate("document.querySelectorAll('.tl-timeera').length")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timelinejs-embed.png"))
    page.close()
    assert errors == []
    assert markers == len(story.events)
    assert eras == len(story.eras)
    assert {e.title for e in story.events} <= set(headlines)
    fuzzy = next(e for e in story.events if e.when.span.edtf == "2015-22~")
    assert fuzzy.when.label in dates
    assert orjson.loads(data.replace("<\\/", "</"))["events"]
