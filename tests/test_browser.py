"""timeline.html in a real browser: headless Debian Chromium driven by Playwright.

Needs (each test skips, saying which is missing): the ``playwright`` Python package (never
``playwright install``: the browser is Debian's ``/usr/bin/chromium``), ``npm ci`` in
``tests/js`` for axe-core and the Nu Html Checker, and Java to run the checker. Screenshots
go to ``tests/artifacts/`` (not committed).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, NoReturn

import pytest
from lxml import html

from conftest import FIXTURES, REPO, missing_tool
from pledge_timeline.model import Timeline
from pledge_timeline.render.html import render_page, render_page_sibling
from pledge_timeline.render.plotlyjs import PLOTLYJS_FILE, render_plotlyjs
from pledge_timeline.validate import load_timeline
from test_html import ERAS, big_timeline, crowded_timeline, era_timeline, plain_timeline, repeated_timeline

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("PLEDGE_TIMELINE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NODE_MODULES = REPO / "tests" / "js" / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = REPO / "tests" / "artifacts"
EVENTS_FILE = REPO / "events.yaml"

MARKS_JS = """() => Array.from(document.querySelectorAll('#timeline-chart .point'))
  .filter((mark) => !mark.closest('.rangeslider-container'))
  .map((mark) => {
    const trace = mark.closest('.trace').__data__[0].trace;
    const box = mark.getBoundingClientRect();
    return {kind: trace.meta.kind, id: trace.customdata[mark.__data__.i][0],
            x: box.x + box.width / 2, y: box.y + box.height / 2};
  })"""
"""Every mark drawn in the main plot (not the range slider), with its event id and center."""

VISIBLE_ITEMS_JS = """() => Array.from(document.querySelectorAll('#event-list > li'))
  .filter((li) => !li.hidden).map((li) => li.id)"""
HOVER_TEXT_JS = "document.querySelector('#timeline-chart .hoverlayer').textContent || ''"


def _missing(reason: str) -> NoReturn:
    """Skip locally; fail in CI (.ci/run sets PLEDGE_TIMELINE_REQUIRE_TOOLS=1)."""
    missing_tool(reason)


@dataclass
class Site:
    """The rendered pages, written to a temporary output folder."""

    folder: Path
    timelines: dict[str, Timeline] = field(default_factory=dict)

    def read(self, name: str) -> bytes:
        return (self.folder / f"{name}.html").read_bytes()

    def url(self, name: str, fragment: str = "") -> str:
        return (self.folder / f"{name}.html").as_uri() + (f"#{fragment}" if fragment else "")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("site")
    result = Site(folder)
    sources = {
        "small": FIXTURES / "small.yaml",
        "hostile": FIXTURES / "hostile.yaml",
        "events": EVENTS_FILE,
        "rich": FIXTURES / "rich.yaml",
    }
    for name, source in sources.items():
        timeline = load_timeline(source)
        result.timelines[name] = timeline
        (folder / f"{name}.html").write_bytes(render_page(timeline, "timeline.html"))
        for picture in timeline.media_files:
            (folder / picture.path).parent.mkdir(exist_ok=True)
            (folder / picture.path).write_bytes(picture.data)
    crowded = crowded_timeline(result.timelines["small"])
    result.timelines["crowded"] = crowded
    (folder / "crowded.html").write_bytes(render_page(crowded, "timeline.html"))
    derived = {
        "story-x10": repeated_timeline(result.timelines["events"], 10),
        "plain": plain_timeline(result.timelines["small"]),
        "eras": era_timeline(result.timelines["small"]),
    }
    for name, timeline in derived.items():
        result.timelines[name] = timeline
        (folder / f"{name}.html").write_bytes(render_page(timeline, "timeline.html"))
    big = big_timeline(result.timelines["small"])
    result.timelines["big"] = big
    (folder / "big.html").write_bytes(render_page(big, "timeline.html"))
    sibling = folder / "sibling"
    sibling.mkdir()
    (sibling / "timeline.html").write_bytes(render_page_sibling(result.timelines["small"], "timeline.html"))
    (sibling / PLOTLYJS_FILE).write_bytes(render_plotlyjs(result.timelines["small"], PLOTLYJS_FILE))
    lonely = folder / "lonely"
    lonely.mkdir()
    (lonely / "timeline.html").write_bytes(render_page_sibling(result.timelines["small"], "timeline.html"))
    return result


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright import sync_api
    except ImportError:
        _missing("the playwright package is missing: pip install playwright (never `playwright install`)")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: apt-get install chromium fonts-wqy-microhei")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Opened:
    """A page and everything it did: requests, console errors, uncaught errors, dialogs."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def marks(self, kind: str | None = "event") -> list[dict[str, Any]]:
        marks: list[dict[str, Any]] = self.page.evaluate(MARKS_JS)
        return [m for m in marks if kind is None or m["kind"] == kind]

    def visible_items(self) -> list[str]:
        items: list[str] = self.page.evaluate(VISIBLE_ITEMS_JS)
        return items


Opener = Callable[..., Opened]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Opener]:
    contexts: list[Any] = []

    def open_(
        url: str, *, color_scheme: str = "light", wait_for_chart: bool = True, **options: Any
    ) -> Opened:
        context = browser.new_context(
            color_scheme=color_scheme, **{"viewport": {"width": 1280, "height": 900}, **options}
        )
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("console", lambda message: message.type == "error" and opened.errors.append(message.text))
        page.on("pageerror", lambda error: opened.errors.append(str(error)))
        page.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        if wait_for_chart:
            page.wait_for_selector("#timeline-chart .main-svg")
        return opened

    yield open_
    for context in contexts:
        context.close()


def _wait_for_marks(opened: Opened, count: int) -> None:
    opened.page.wait_for_function(
        f"() => ({MARKS_JS})().filter((m) => m.kind === 'event').length === {count}", timeout=5000
    )


def test_pictures_load_from_beside_the_page_and_a_link_card_loads_nothing(
    site: Site, open_page: Opener
) -> None:
    opened = open_page(site.url("rich"))
    page = opened.page
    pictures = [site.folder / p.path for p in site.timelines["rich"].media_files]
    for event_id in ("forum", "photo", "letter"):
        page.evaluate(f"document.getElementById('{event_id}').scrollIntoView()")
        page.wait_for_timeout(100)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.media img'))"
        ".every((image) => image.complete && image.naturalWidth > 0)"
    )
    assert sorted(opened.requests) == sorted([site.url("rich"), *(p.as_uri() for p in pictures)])
    assert opened.errors == []
    sizes = page.evaluate(
        "Array.from(document.querySelectorAll('.media img')).map((i) => [i.naturalWidth, i.naturalHeight])"
    )
    assert sorted(sizes) == [[160, 90], [320, 180]]
    assert page.is_visible("#letter .link-card")


@pytest.mark.parametrize("name", ["small", "events", "crowded", "big"])
def test_page_opens_offline_without_errors(site: Site, open_page: Opener, name: str) -> None:
    opened = open_page(site.url(name))
    assert opened.requests == [site.url(name)]
    assert opened.errors == []


@pytest.mark.parametrize("name", ["small", "events"])
def test_chart_draws_every_event_once(site: Site, open_page: Opener, name: str) -> None:
    opened = open_page(site.url(name))
    drawn = sorted(m["id"] for m in opened.marks())
    assert drawn == sorted(e.id for e in site.timelines[name].events)
    corrections = sum(len(e.revisions) for e in site.timelines[name].events)
    assert len(opened.marks("correction")) == corrections


VALIDATE_JS = """() => {
  const figure = JSON.parse(document.getElementById('timeline-figure').textContent);
  const merged = (base, extra) => {
    const result = JSON.parse(JSON.stringify(base));
    for (const [key, value] of Object.entries(extra)) {
      const both = [result[key], value].every((v) => v && typeof v === 'object' && !Array.isArray(v));
      result[key] = both ? merged(result[key], value) : value;
    }
    return result;
  };
  return Object.values(figure.themes)
    .map((theme) => Plotly.validate(figure.traces, merged(figure.layout, theme)) || []);
}"""
FEATURES_JS = """() => {
  const chart = document.getElementById('timeline-chart');
  const layout = chart._fullLayout;
  return {
    types: [...new Set(chart._fullData.map((t) => t.type))].sort(),
    hidden: chart._fullData.filter((t) => t.visible !== true).length,
    patterns: chart._fullData.filter((t) => t.marker && t.marker.pattern && t.marker.pattern.shape === '/')
      .length,
    symbols: [...new Set(chart._fullData.filter((t) => t.marker && t.marker.symbol)
      .map((t) => t.marker.symbol))].sort(),
    offsets: chart._fullData.filter((t) => Array.isArray(t.offset)).length,
    slider: layout.xaxis.rangeslider.visible
      && document.querySelector('#timeline-chart .rangeslider-container') !== null,
    tickformatstops: layout.xaxis.tickformatstops.length,
    annotations: document.querySelectorAll('#timeline-chart .annotation').length,
    shapes: document.querySelectorAll('#timeline-chart .shapelayer path').length,
    legend: document.querySelectorAll('#timeline-chart .legend .traces').length,
    modebar: document.querySelectorAll('#timeline-chart .modebar-btn').length,
  };
}"""


@pytest.mark.parametrize("name", ["small", "hostile", "crowded", "events", "big"])
def test_the_bundle_has_everything_the_figure_uses(site: Site, open_page: Opener, name: str) -> None:
    """The page ships plotly's basic partial bundle: nothing the figure asks for may be missing."""
    opened = open_page(site.url(name))
    assert opened.page.evaluate(VALIDATE_JS) == [[], []]  # every attribute known, and used
    assert opened.errors == []
    figure = opened.page.evaluate("JSON.parse(document.getElementById('timeline-figure').textContent)")
    features = opened.page.evaluate(FEATURES_JS)
    lanes = len(figure["layout"]["annotations"])
    assert features["types"] == sorted({trace["type"] for trace in figure["traces"]})
    assert features["hidden"] == 0
    fuzzy = [t for t in figure["traces"] if "pattern" in t.get("marker", {})]
    assert features["patterns"] == len(fuzzy)
    symbols = {t["marker"]["symbol"] for t in figure["traces"] if "symbol" in t.get("marker", {})}
    assert features["symbols"] == sorted(symbols)
    assert features["offsets"] == len([t for t in figure["traces"] if "offset" in t])
    assert features["slider"] is True
    assert features["tickformatstops"] == 3
    assert features["annotations"] == lanes
    assert features["shapes"] == len(figure["themes"]["light"]["shapes"]) > 0
    assert features["legend"] == lanes
    assert features["modebar"] > 3


def test_big_chart_draws_counts_not_events(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("big"))
    figure = opened.page.evaluate("JSON.parse(document.getElementById('timeline-figure').textContent)")
    counts = [p[0] for t in figure["traces"] if t["meta"]["kind"] == "count" for p in t["customdata"]]
    fixes = [
        p[0] for t in figure["traces"] if t["meta"]["kind"] == "correction-count" for p in t["customdata"]
    ]
    assert opened.marks() == []
    assert sorted(m["id"] for m in opened.marks("count")) == sorted(counts)
    assert sorted(m["id"] for m in opened.marks("correction-count")) == sorted(fixes)
    assert len(counts) < len(site.timelines["big"].events) / 4


def test_big_chart_hover_gives_the_count(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("big"))
    mark = opened.marks("count")[0]
    opened.page.mouse.move(mark["x"], mark["y"])
    opened.page.wait_for_function(f"() => ({HOVER_TEXT_JS}).includes(' with ')", timeout=3000)
    label = opened.page.evaluate(HOVER_TEXT_JS)
    assert "Click to go to the first of them in the list." in label


def test_big_chart_filter_recounts(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("big"))
    page = opened.page
    page.fill("#filter-text", "big-0002")
    page.wait_for_function(
        "() => document.getElementById('filter-status').textContent === 'Showing 1 of 600 events.'"
    )
    page.wait_for_function(
        f"() => ({MARKS_JS})().filter((m) => m.kind === 'count').length === 1", timeout=5000
    )
    assert [m["id"] for m in opened.marks("count")] == ["big-0002"]
    shown = page.evaluate(
        "document.getElementById('timeline-chart').data.filter((t) => t.meta.kind === 'count')"
        ".map((t) => t.customdata.map((p) => p[1]))"
    )
    (label,) = [label for labels in shown for label in labels]
    assert label.startswith("<b>1 of ")
    page.get_by_label("State visit").uncheck()
    page.fill("#filter-text", "")
    page.wait_for_function(
        "() => !document.getElementById('filter-status').textContent.startsWith('Showing 1 ')"
    )
    members = page.evaluate(
        "document.getElementById('timeline-chart').data.filter((t) => t.meta.kind === 'count')"
        ".flatMap((t) => t.customdata.flatMap((p) => p[2]))"
    )
    assert sorted(members) == sorted(opened.visible_items())
    assert len(members) < len(site.timelines["big"].events)


def test_clicking_a_count_jumps_to_its_first_event(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("big"))
    mark = [m for m in opened.marks("count") if m["y"] < 880][-1]  # on screen, far down the list
    opened.page.mouse.click(mark["x"], mark["y"])
    opened.page.wait_for_function(f"() => location.hash === '#{mark['id']}'", timeout=3000)
    opened.page.wait_for_timeout(200)
    assert _in_viewport(opened.page, mark["id"])


def test_hovering_an_event_shows_its_title_and_date_label(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("small"))
    events = {e.id: e for e in site.timelines["small"].events}
    for mark in opened.marks():
        opened.page.mouse.move(mark["x"], mark["y"])
        event = events[mark["id"]]
        opened.page.wait_for_function(
            f"(title) => ({HOVER_TEXT_JS}).includes(title)",
            arg=event.title,
            timeout=3000,
        )
        label = opened.page.evaluate("document.querySelector('#timeline-chart .hoverlayer').textContent")
        assert event.when.label in label
        assert all(source.publisher in label for source in event.sources)


def test_clicking_an_event_jumps_to_its_entry(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("small"))
    mark = next(m for m in opened.marks() if m["id"] == "roundtable")
    opened.page.mouse.click(mark["x"], mark["y"])
    opened.page.wait_for_function("() => location.hash === '#roundtable'", timeout=3000)
    assert _in_viewport(opened.page, "roundtable")


def test_on_a_touch_screen_the_first_tap_shows_the_label_and_the_second_jumps(
    site: Site, open_page: Opener
) -> None:
    opened = open_page(
        site.url("small"), viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = opened.page
    page.evaluate("document.getElementById('timeline-chart').scrollIntoView()")
    mark = next(m for m in opened.marks() if m["id"] == "roundtable")
    page.touchscreen.tap(mark["x"], mark["y"])
    page.wait_for_function(f"() => ({HOVER_TEXT_JS}).includes('CEO roundtable')", timeout=3000)
    assert page.evaluate("location.hash") == ""
    page.touchscreen.tap(mark["x"], mark["y"])
    page.wait_for_function("() => location.hash === '#roundtable'", timeout=3000)


def test_filter_box_narrows_chart_and_list_together(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("small"))
    opened.page.fill("#filter-text", "seattle")
    _wait_for_marks(opened, 2)
    assert sorted(m["id"] for m in opened.marks()) == ["roundtable", "xi-in-seattle"]
    assert sorted(opened.visible_items()) == ["roundtable", "xi-in-seattle"]
    assert opened.page.text_content("#filter-status") == "Showing 2 of 5 events."
    opened.page.fill("#filter-text", "")
    _wait_for_marks(opened, 5)
    assert len(opened.visible_items()) == 5


def test_tag_toggles_narrow_chart_and_list_together(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("small"))
    opened.page.get_by_label("State visit").uncheck()
    _wait_for_marks(opened, 3)
    expected = ["article-published", "cisco-pledge", "letter-sent"]
    assert sorted(m["id"] for m in opened.marks()) == expected
    assert sorted(opened.visible_items()) == expected
    opened.page.get_by_role("button", name="Show all").click()
    _wait_for_marks(opened, 5)


def test_legend_hides_and_shows_a_lane(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("small"))
    legend_item = opened.page.locator("#timeline-chart .legend .traces", has_text="State visit")
    legend_item.locator(".legendtoggle").click()
    _wait_for_marks(opened, 3)
    assert "roundtable" not in [m["id"] for m in opened.marks()]
    legend_item.locator(".legendtoggle").click()
    _wait_for_marks(opened, 5)


def test_fragment_scrolls_to_and_highlights_the_event(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("small", "roundtable"))
    page = opened.page
    assert page.evaluate("window.scrollY") > 0
    assert _in_viewport(page, "roundtable")
    assert page.evaluate("document.querySelector(':target').id") == "roundtable"
    highlighted = page.evaluate("getComputedStyle(document.getElementById('roundtable')).backgroundColor")
    ordinary = page.evaluate("getComputedStyle(document.getElementById('cisco-pledge')).backgroundColor")
    assert highlighted != ordinary


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp-on", "csp-off"])
def test_hostile_text_runs_no_script_and_shows_as_text(
    site: Site, open_page: Opener, bypass_csp: bool
) -> None:
    """With the page's Content-Security-Policy off too: the escaping alone must hold."""
    opened = open_page(site.url("hostile"), bypass_csp=bypass_csp)
    page = opened.page
    page.evaluate("document.getElementById('hostile-markdown').scrollIntoView()")
    page.wait_for_function("() => document.querySelector('.media img').complete")
    for mark in opened.marks():
        page.mouse.move(mark["x"], mark["y"])
        page.wait_for_timeout(150)
    page.mouse.move(5, 5)
    assert opened.dialogs == []
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert opened.errors == []
    injected = "main img:not(.media > img), main svg:not(#timeline-chart svg), i, b, iframe"
    assert page.evaluate(f"document.querySelectorAll('{injected}').length") == 0
    assert page.evaluate("document.scripts.length") == len(
        html.fromstring(site.read("small")).xpath("//script")
    )
    assert page.evaluate("document.querySelectorAll('.media > img').length") == 1
    assert page.get_attribute(".media > img", "alt") == '"><script>window.pwned=1</script>'
    hrefs = page.evaluate("Array.from(document.querySelectorAll('main a[href]')).map((a) => a.href)")
    assert all(href.startswith(("https:", "file:", "mailto:")) for href in hrefs), hrefs
    assert page.text_content("#script-title h3") == "</script><script>alert(1)</script>"
    summary = page.text_content("#hostile-markdown .summary")
    assert "<script>window.pwned=1</script> <img src=x onerror=alert(1)>" in summary
    assert page.text_content("#hostile-link-card .card-title") == "<script>window.pwned=1</script>"
    legend = page.evaluate("document.querySelector('#timeline-chart .legend').textContent")
    assert "<img src=x onerror=alert(1)>" in legend


def test_hostile_hover_label_is_text(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("hostile"))
    mark = next(m for m in opened.marks() if m["id"] == "script-title")
    opened.page.mouse.move(mark["x"], mark["y"])
    opened.page.wait_for_function(
        "() => document.querySelector('#timeline-chart .hoverlayer').textContent.includes('alert(1)')"
    )
    label = opened.page.evaluate("document.querySelector('#timeline-chart .hoverlayer').textContent")
    assert "</script><script>alert(1)</script>" in label
    assert "<img src=x onerror=alert(1)>" in label


def test_page_works_without_javascript(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("small"), java_script_enabled=False, wait_for_chart=False)
    page = opened.page
    assert len(opened.visible_items()) == 5
    assert not page.is_visible("#filters")
    assert page.is_visible(".chart-fallback")


def test_crowded_story_opens_zoomed_and_a_button_shows_all(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("crowded"))
    page = opened.page
    views = page.evaluate("JSON.parse(document.getElementById('timeline-figure').textContent).views")
    shown = "document.getElementById('timeline-chart')._fullLayout.xaxis.range.map((d) => d.slice(0, 10))"
    assert page.evaluate(shown) == views["initial"]
    page.get_by_role("button", name="Whole story").click()
    page.wait_for_function(f"() => ({shown}).join() === {json.dumps(','.join(views['whole']))}")
    page.get_by_role("button", name="Busiest weeks").click()
    page.wait_for_function(f"() => ({shown}).join() === {json.dumps(','.join(views['initial']))}")


def test_dark_scheme_themes_page_and_chart(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("small"), color_scheme="dark")
    page = opened.page
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(21, 23, 26)"
    assert page.evaluate("document.getElementById('timeline-chart')._fullLayout.paper_bgcolor") == "#15171a"
    page.emulate_media(color_scheme="light")
    page.wait_for_function(
        "() => document.getElementById('timeline-chart')._fullLayout.paper_bgcolor === '#ffffff'"
    )


def test_print_shows_every_event_and_no_controls(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("small"))
    page = opened.page
    page.fill("#filter-text", "seattle")
    page.emulate_media(media="print")
    assert not page.is_visible("#filters")
    assert not page.is_visible("#timeline-chart")
    assert page.evaluate(
        "Array.from(document.querySelectorAll('#event-list > li')).every((li) => li.offsetHeight > 0)"
    )


def test_sibling_plotlyjs_loads_from_beside_the_page(site: Site, open_page: Opener) -> None:
    url = (site.folder / "sibling" / "timeline.html").as_uri()
    opened = open_page(url)
    assert opened.requests == [url, (site.folder / "sibling" / PLOTLYJS_FILE).as_uri()]
    assert opened.errors == []
    assert len(opened.marks()) == 5


def test_missing_sibling_plotlyjs_leaves_a_working_list(site: Site, open_page: Opener) -> None:
    opened = open_page((site.folder / "lonely" / "timeline.html").as_uri(), wait_for_chart=False)
    page = opened.page
    page.wait_for_function(
        "() => document.querySelector('.chart-fallback').textContent.includes('could not be loaded')"
    )
    page.fill("#filter-text", "seattle")
    page.wait_for_function(
        "() => document.getElementById('filter-status').textContent === 'Showing 2 of 5 events.'"
    )
    assert sorted(opened.visible_items()) == ["roundtable", "xi-in-seattle"]
    assert all("plotly.min.js" in error or "ERR_FILE_NOT_FOUND" in error for error in opened.errors)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ["small", "hostile", "events", "big", "rich"])
def test_axe_finds_no_serious_violations(site: Site, open_page: Opener, name: str, color_scheme: str) -> None:
    if not AXE_JS.exists():
        _missing(f"{AXE_JS} is missing: run npm ci in tests/js")
    # The page's Content-Security-Policy would (rightly) refuse the injected axe script.
    opened = open_page(site.url(name), color_scheme=color_scheme, bypass_csp=True)
    opened.page.add_script_tag(path=str(AXE_JS))
    violations = opened.page.evaluate("async () => (await axe.run(document)).violations")
    serious = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
            "help": v["help"],
        }
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], json.dumps(serious, indent=1)


def test_nu_html_checker_reports_no_errors(site: Site) -> None:
    java = shutil.which("java")
    if java is None:
        _missing("java is missing: apt-get install default-jre-headless")
    if not VNU_JAR.exists():
        _missing(f"{VNU_JAR} is missing: run npm ci in tests/js")
    pages = [*sorted(site.folder.glob("*.html")), site.folder / "sibling" / "timeline.html"]
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "text", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ["events", "rich"])
def test_screenshots_for_a_person_to_look_at(
    site: Site, open_page: Opener, color_scheme: str, name: str
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    opened = open_page(site.url(name), color_scheme=color_scheme)
    opened.page.wait_for_timeout(300)
    desktop = ARTIFACTS / f"timeline-{name}-{color_scheme}.png"
    opened.page.screenshot(path=str(desktop), full_page=True)
    phone = open_page(site.url(name), color_scheme=color_scheme, viewport={"width": 390, "height": 844})
    phone.page.wait_for_timeout(300)
    mobile = ARTIFACTS / f"timeline-{name}-{color_scheme}-phone.png"
    phone.page.screenshot(path=str(mobile), full_page=True)
    assert desktop.stat().st_size > 10_000
    assert mobile.stat().st_size > 10_000
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390


def _in_viewport(page: Any, element_id: str) -> bool:
    top = page.evaluate("(id) => document.getElementById(id).getBoundingClientRect().top", element_id)
    return bool(0 <= top < page.evaluate("window.innerHeight"))


CHART_BOX_JS = """() => {
  const box = document.getElementById('timeline-chart').getBoundingClientRect();
  return {top: box.top + window.scrollY, height: box.height};
}"""


def test_a_story_of_300_events_fits_in_one_and_a_half_screens(site: Site, open_page: Opener) -> None:
    """The story ten times over is counted, not marked 300 times over a chart of 5,000 pixels; the
    story itself keeps a mark per event."""
    opened = open_page(site.url("story-x10"))
    box = opened.page.evaluate(CHART_BOX_JS)
    assert box["height"] <= 1.5 * 900
    assert opened.marks() == []
    members = opened.page.evaluate(
        "document.getElementById('timeline-chart').data.filter((t) => t.meta.kind === 'count')"
        ".flatMap((t) => t.customdata.flatMap((p) => p[2]))"
    )
    assert sorted(members) == sorted(e.id for e in site.timelines["story-x10"].events)
    story = open_page(site.url("events"))
    assert story.page.evaluate(CHART_BOX_JS)["height"] <= 1.5 * 900
    assert len(story.marks()) == len(site.timelines["events"].events)


def _lanes_of_figure(page: Any) -> list[dict[str, Any]]:
    lanes: list[dict[str, Any]] = page.evaluate(
        "JSON.parse(document.getElementById('timeline-figure').textContent).lanes.lanes"
    )
    return lanes


def test_a_filter_lays_the_matches_out_at_the_top_in_view(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("events"))
    page = opened.page
    timeline = site.timelines["events"]
    last_lane = _lanes_of_figure(page)[-1]
    target = last_lane["events"][-1][0]
    title = next(e.title for e in timeline.events if e.id == target)
    before = next(m for m in opened.marks() if m["id"] == target)
    assert before["y"] > page.evaluate("window.innerHeight")  # far down the chart, out of view
    page.fill("#filter-text", title)
    page.wait_for_function("() => !document.getElementById('filter-status').textContent.includes(' all ')")
    shown = opened.visible_items()
    _wait_for_marks(opened, len(shown))
    marks = opened.marks()
    assert sorted(m["id"] for m in marks) == sorted(shown)
    assert page.evaluate("window.scrollY") == 0
    plot = page.evaluate(
        "(() => { const b = document.querySelector('#timeline-chart .nsewdrag').getBoundingClientRect();"
        " return [b.left, b.top, b.right, b.bottom]; })()"
    )
    height = page.evaluate("window.innerHeight")
    assert all(plot[0] < m["x"] < plot[2] and plot[1] < m["y"] < min(plot[3], height) for m in marks)
    lanes = {e.id: (e.tags[0].label if e.tags else "Untagged") for e in timeline.events}
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('#timeline-chart .annotation')).map((a) => a.textContent)"
    )
    order = [tag.label for tag in timeline.tags] + ["Untagged"]
    assert labels == [label for label in order if label in {lanes[i] for i in shown}]
    page.fill("#filter-text", "")
    _wait_for_marks(opened, len(timeline.events))
    assert next(m for m in opened.marks() if m["id"] == target)["y"] == before["y"]


def test_a_filter_moves_the_lanes_of_counted_matches_to_the_top(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("story-x10"))
    page = opened.page
    timeline = site.timelines["story-x10"]
    last_lane = _lanes_of_figure(page)[-1]["key"]
    title = next(e.title for e in timeline.chronological if e.tags and e.tags[0].id == last_lane)
    page.fill("#filter-text", title)
    page.wait_for_function("() => !document.getElementById('filter-status').textContent.includes(' all ')")
    shown = set(opened.visible_items())
    first_tags = {e.tags[0].label for e in timeline.events if e.id in shown}
    expected = [tag.label for tag in timeline.tags if tag.label in first_tags]
    assert len(shown) >= 10  # the event and its nine copies
    page.wait_for_function(
        f"() => document.querySelectorAll('#timeline-chart .annotation').length === {len(expected)}"
    )
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('#timeline-chart .annotation')).map((a) => a.textContent)"
    )
    assert labels == expected
    assert labels[-1] == next(tag.label for tag in timeline.tags if tag.id == last_lane)
    marks = opened.marks("count")
    assert {m["id"] for m in marks} <= shown
    plot_top = page.evaluate(
        "document.querySelector('#timeline-chart .nsewdrag').getBoundingClientRect().top"
    )
    assert all(plot_top < m["y"] < page.evaluate("window.innerHeight") for m in marks)


KEY_JS = "Array.from(document.querySelectorAll('figcaption.key > span')).map((s) => s.textContent)"
DRAWN_KINDS_JS = """() => Array.from(document.getElementById('timeline-chart')._fullData)
  .filter((t) => t.meta.kind === 'event' || t.meta.kind === 'correction')
  .map((t) => t.meta.kind === 'correction' ? 'correction'
    : t.type === 'scatter' ? 'point' : t.marker.pattern.shape ? 'fuzzy' : 'span')"""


@pytest.mark.parametrize("name", ["small", "plain", "events"])
def test_the_key_explains_exactly_the_marks_drawn(site: Site, open_page: Opener, name: str) -> None:
    opened = open_page(site.url(name))
    words = {"point": "exact day", "span": "exact range", "fuzzy": "approximate", "correction": "correction"}
    key = opened.page.evaluate(KEY_JS)
    drawn = set(opened.page.evaluate(DRAWN_KINDS_JS))
    assert len(key) == len(drawn)
    for kind, word in words.items():
        assert any(word in entry for entry in key) == (kind in drawn), (kind, key)
    if name == "plain":
        assert "correction" not in drawn


def test_the_untagged_lane_and_its_checkbox_have_one_name(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("plain"))
    page = opened.page
    checkbox = page.evaluate(
        "document.querySelector(\"#filters input[value='']\").parentElement.textContent.trim()"
    )
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('#timeline-chart .annotation')).map((a) => a.textContent)"
    )
    legend = page.evaluate(
        "Array.from(document.querySelectorAll('#timeline-chart .legend .traces')).map((t) => t.textContent)"
    )
    assert checkbox == "Untagged"
    assert labels[-1] == checkbox
    assert legend[-1] == checkbox


PHONE_BOXES_JS = """() => {
  const box = (el) => { const b = el.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const chart = document.getElementById('timeline-chart');
  const main = (el) => !el.closest('.rangeslider-container');
  return {
    modebar: Array.from(chart.querySelectorAll('.modebar-btn')).map(box),
    legend: Array.from(chart.querySelectorAll('.legend .traces')).map(box),
    ticks: Array.from(chart.querySelectorAll('.xtick text')).filter(main).map(box),
    labels: Array.from(chart.querySelectorAll('.annotation-text')).map(box),
    width: document.documentElement.scrollWidth,
  };
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("name", ["events", "story-x10", "small"])
def test_on_a_phone_the_mode_bar_leaves_the_legend_and_no_label_overlaps(
    site: Site, open_page: Opener, name: str
) -> None:
    opened = open_page(site.url(name), viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = opened.page
    page.evaluate("document.getElementById('timeline-chart').scrollIntoView()")
    mark = (opened.marks() or opened.marks("count"))[0]
    page.touchscreen.tap(mark["x"], mark["y"])  # a tap shows the mode bar
    page.wait_for_function(
        "getComputedStyle(document.querySelector('#timeline-chart .modebar')).opacity === '1'"
    )
    boxes = page.evaluate(PHONE_BOXES_JS)
    assert boxes["width"] <= 390
    assert boxes["modebar"]
    assert boxes["legend"]
    assert len(boxes["ticks"]) >= 2
    assert not [(m, e) for m in boxes["modebar"] for e in boxes["legend"] if _overlap(m, e)]
    for group in ("ticks", "labels", "legend"):
        found = boxes[group]
        assert not [(a, b) for i, a in enumerate(found) for b in found[i + 1 :] if _overlap(a, b)], group
    assert all(box[0] >= 0 and box[2] <= 390 for box in boxes["ticks"] + boxes["labels"])


ERA_BANDS_JS = """() => {
  const chart = document.getElementById('timeline-chart');
  const xaxis = chart._fullLayout.xaxis;
  const plot = chart.querySelector('.nsewdrag').getBoundingClientRect();
  const shapes = chart._fullLayout.shapes.filter((s) => s.name === 'era');
  const paths = Array.from(chart.querySelectorAll('.layer-below .shapelayer path'));
  const labels = Array.from(chart.querySelectorAll('.shape-label-text'))
    .filter((t) => getComputedStyle(t).visibility !== 'hidden')
    .map((t) => { const b = t.getBoundingClientRect();
      return {text: t.textContent, box: [b.left, b.top, b.right, b.bottom]}; });
  return {
    plot: [plot.left, plot.top, plot.right, plot.bottom],
    eras: shapes.map((s) => ({x0: s.x0, x1: s.x1, title: s.label.text,
      left: plot.left + xaxis.d2p(s.x0), right: plot.left + xaxis.d2p(s.x1)})),
    below: paths.length,
    labels: labels,
    marks: chart.querySelectorAll('.layer-below .shapelayer path').length,
  };
}"""


def test_eras_are_shaded_labelled_bands_behind_the_lanes_and_a_list(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("eras"))
    page = opened.page
    assert page.evaluate("document.querySelectorAll('button[data-view]').length") == 0  # the whole story
    drawn = page.evaluate(ERA_BANDS_JS)
    eras = site.timelines["eras"].eras
    drawn_as = {era: escape(("" if era.span.is_exact else "~ ") + era.title, quote=False) for era in eras}
    assert sorted(e["title"] for e in drawn["eras"]) == sorted(drawn_as.values())
    for era in eras:
        (band,) = [e for e in drawn["eras"] if e["title"] == drawn_as[era]]
        assert band["x0"].startswith(era.span.first_day.isoformat())
        assert drawn["plot"][0] <= band["left"] < band["right"] <= drawn["plot"][2]
    assert drawn["below"] >= len(eras)  # drawn under the marks, with the lanes' bands
    texts = [label["text"] for label in drawn["labels"]]
    assert texts
    assert set(texts) <= {title for title, _ in ERAS} | {"~ " + title for title, _ in ERAS}
    assert "The visit <b>week</b>" in texts  # markup in a title is text
    boxes = [label["box"] for label in drawn["labels"]]
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if _overlap(a, b)]
    assert all(drawn["plot"][0] - 1 <= box[0] and box[2] <= drawn["plot"][2] + 1 for box in boxes)
    listed = page.evaluate("Array.from(document.querySelectorAll('.eras li')).map((li) => li.textContent)")
    assert listed == [
        f"{e.title}: {'~ ' if not e.span.is_exact else ''}{e.span.label}"
        for e in sorted(eras, key=lambda e: (e.span.first_day, e.span.last_day, e.title))
    ]
    assert any("named period" in entry for entry in page.evaluate(KEY_JS))
    plain = open_page(site.url("small"))
    assert plain.page.evaluate("document.querySelectorAll('.eras').length") == 0
    assert not any("named period" in entry for entry in plain.page.evaluate(KEY_JS))
    assert plain.page.evaluate(ERA_BANDS_JS)["eras"] == []


def test_era_bands_stay_behind_a_filtered_chart(site: Site, open_page: Opener) -> None:
    opened = open_page(site.url("eras"))
    page = opened.page
    page.fill("#filter-text", "seattle")
    _wait_for_marks(opened, 2)
    drawn = page.evaluate(ERA_BANDS_JS)
    assert len(drawn["eras"]) == len(ERAS)
    visit = next(e for e in drawn["eras"] if e["title"].startswith("The visit"))  # escaped markup
    assert all(visit["left"] <= m["x"] <= visit["right"] for m in opened.marks())
