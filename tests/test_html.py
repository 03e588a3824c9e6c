"""timeline.html without a browser: determinism, escaping, offline-ness, the figure's contents.

The golden file is the sibling-mode page (plotly.js not inlined), so it stays small and
reviewable; ``test_inline_page_is_the_sibling_page_plus_plotlyjs`` ties the two modes. The
vendored plotly.js bundle is checked against the plotly package here; every kind of figure is
validated by ``plotly.graph_objects`` here and by ``Plotly.validate`` in test_browser.py.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import markupsafe
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lxml_html

from conftest import FIXTURES, missing_tool
from pledge_timeline.dates import parse_span
from pledge_timeline.model import Citation, Era, Event, Revision, Source, Tag, Timeline, When
from pledge_timeline.render import plotlyjs
from pledge_timeline.render.chart import (
    AGGREGATE_ABOVE,
    MARKS_MAX_PX,
    MAX_BINS,
    build_figure,
    geometry_of,
    period_first_day,
    period_of,
    unit_for,
)
from pledge_timeline.render.html import (
    app_script,
    markup_escape,
    page_renderers,
    render_page,
    render_page_sibling,
    safe_json,
)
from pledge_timeline.render.plotlyjs import (
    BUNDLE,
    BUNDLE_SHA256,
    BUNDLE_VERSION,
    COMPILE_HINT,
    PLOTLYJS_FILE,
    CorruptBundleError,
    header_version,
    plotlyjs_bytes,
    plotlyjs_source,
    render_plotlyjs,
    sanitize_inline_js,
)

FORBIDDEN_IN_HTML = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


@pytest.fixture(scope="module")
def small_page(small: Timeline) -> bytes:
    return render_page(small, "timeline.html")


@pytest.fixture(scope="module")
def hostile_page(hostile: Timeline) -> bytes:
    return render_page_sibling(hostile, "timeline.html")


def crowded_timeline(base: Timeline) -> Timeline:
    """``base`` plus ten events in one fortnight of Sept 2015 and one in 2013: a crowded story."""
    source = base.sources[0]
    tag = base.tags[0]
    extra = [_event(f"crowd-{day}", f"2015-09-{day:02d}", source, tag) for day in range(10, 20)]
    extra.append(_event("long-before", "2013-10-29", source, tag))
    return replace(base, events=base.events + tuple(extra))


def _event(
    event_id: str, when: str, source: Source, tag: Tag | None, revisions: tuple[Revision, ...] = ()
) -> Event:
    return Event(
        id=event_id,
        title=f"Crowd event {event_id}",
        when=When(parse_span(when)),
        summary="One of many.",
        citations=(Citation(source, "a quote"),),
        tags=() if tag is None else (tag,),
        revisions=revisions,
    )


def repeated_timeline(base: Timeline, times: int) -> Timeline:
    """``base``'s events ``times`` over, copy ``k`` (from 1) under the id ``ID-k`` (as
    scripts/screenshots.py makes its 300-event page from the story)."""
    events = tuple(
        event if copy == 0 else replace(event, id=f"{event.id}-{copy}")
        for copy in range(times)
        for event in base.events
    )
    return replace(base, events=events)


def plain_timeline(base: Timeline) -> Timeline:
    """``base`` without corrections, its last event untagged."""
    events = [replace(event, revisions=()) for event in base.events]
    events[-1] = replace(events[-1], tags=())
    return replace(base, events=tuple(events))


ERAS = (
    ("The visit <b>week</b>", "2015-09-21/2015-09-27"),
    ("Summer", "2015-22~"),
    ("Before the letter", "2015-05-01/2015-05-31"),
)
"""Eras for the small story: exact, fuzzy, and one with no event in it; one title looks like markup."""


def era_timeline(base: Timeline) -> Timeline:
    """``base`` with ``ERAS``."""
    return replace(base, eras=tuple(Era(title, parse_span(when)) for title, when in ERAS))


BIG_DATES = (
    "{d}",  # an exact day
    "{d}/{d7}",  # an exact range in one month...
    "{y}-12-30/{y1}-01-02",  # ...and one that runs into the next year
    "{m}",  # a month
    "{y}-2{s}",  # a season (winter runs into the next year)
    "{y}",  # a year
    "{d}~",  # an approximate day
    "{m}?",  # an uncertain month
)


def big_timeline(base: Timeline, count: int = AGGREGATE_ABOVE + 100) -> Timeline:
    """``count`` synthetic events over 2001-2012, every kind of date, some untagged or corrected."""
    source = base.sources[0]
    events = []
    for index in range(count):
        day = date(2001, 1, 1) + timedelta(days=index * 7 % 4380)
        week = day + timedelta(days=min(7, 27 - day.day)) if day.day <= 20 else day
        pattern = BIG_DATES[index % len(BIG_DATES)]
        when = pattern.format(
            d=day.isoformat(),
            d7=week.isoformat(),
            y=day.year,
            y1=day.year + 1,
            m=f"{day:%Y-%m}",
            s=index % 4 + 1,
        )
        tag = None if index % 11 == 0 else base.tags[index % len(base.tags)]
        revisions = (Revision(day + timedelta(days=400), "A fix"),) if index % 9 == 0 else ()
        events.append(_event(f"big-{index:04d}", when, source, tag, revisions))
    return replace(base, events=tuple(events))


def _document(page: bytes) -> Any:
    return lxml_html.document_fromstring(page)


def _figure(page: bytes) -> dict[str, Any]:
    script = _document(page).get_element_by_id("timeline-figure")
    figure: dict[str, Any] = json.loads(script.text)
    return figure


def _event_points(figure: dict[str, Any]) -> list[tuple[str, str]]:
    """(event id, trace type) of every point drawn for an event."""
    return [
        (point[0], trace["type"])
        for trace in figure["traces"]
        if trace["meta"]["kind"] == "event"
        for point in trace["customdata"]
    ]


# --- determinism ----------------------------------------------------------------------


def test_same_bytes_on_every_render_and_in_every_time_zone(
    small: Timeline, small_page: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    for zone in ("Pacific/Kiritimati", "America/Los_Angeles", "UTC"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        assert render_page(small, "timeline.html") == small_page
    monkeypatch.undo()
    time.tzset()


def test_same_bytes_in_a_fresh_interpreter(small_page: bytes, tmp_path: Path) -> None:
    """Catches anything seeded per process: hash randomisation, random ids."""
    fixture = str(FIXTURES / "small.yaml")
    script = (
        "import sys; from pathlib import Path; from pledge_timeline.validate import load_timeline; "
        "from pledge_timeline.render.html import render_page; "
        f"page = render_page(load_timeline(Path({fixture!r})), 'timeline.html'); "
        "sys.stdout.buffer.write(page)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "TZ": "Asia/Tokyo"},
    )
    assert result.stdout == small_page


def test_sibling_page_matches_golden(small: Timeline, assert_golden: Any) -> None:
    assert_golden("timeline.sibling.html", render_page_sibling(small, "timeline.html"))


def test_inline_page_is_the_sibling_page_plus_plotlyjs(small: Timeline, small_page: bytes) -> None:
    sibling = render_page_sibling(small, "timeline.html").decode()
    inline = small_page.decode()
    without_js = inline.replace(
        "<script>" + plotlyjs_source() + "</script>", '<script src="plotly.min.js"></script>'
    )
    without_csp = re.sub(r'content="default-src[^"]*"', "", without_js)
    assert without_csp == re.sub(r'content="default-src[^"]*"', "", sibling)


# --- structure ------------------------------------------------------------------------


def test_page_has_landmarks_title_language_and_metadata(small: Timeline, small_page: bytes) -> None:
    doc = _document(small_page)
    assert doc.get("lang") == "en"
    assert doc.findtext(".//title") == small.title
    assert [h.text_content() for h in doc.findall(".//h1")] == [small.title]
    assert len(doc.findall(".//main")) == 1
    meta = {m.get("name") or m.get("property"): m.get("content") for m in doc.iter("meta")}
    assert meta["description"] == small.description
    assert meta["og:title"] == small.title
    assert meta["og:url"] == "https://timeline.example.org/small/timeline.html"
    assert "viewport" in meta


def test_header_links_every_feed_and_the_calendar(small_page: bytes) -> None:
    doc = _document(small_page)
    alternates = {link.get("type"): link.get("href") for link in doc.xpath("//link[@rel='alternate']")}
    assert alternates == {
        "application/atom+xml": "https://timeline.example.org/small/feed.atom",
        "application/rss+xml": "https://timeline.example.org/small/feed.rss",
        "application/feed+json": "https://timeline.example.org/small/feed.json",
        "text/calendar": "https://timeline.example.org/small/calendar.ics",
    }
    subscribe = [a.get("href") for a in doc.xpath("//nav[@aria-label='Subscribe']//a")]
    assert subscribe == [
        "webcal://timeline.example.org/small/calendar.ics",
        "calendar.ics",
        "feed.atom",
        "feed.rss",
        "feed.json",
    ]


def test_links_to_sibling_outputs_climb_out_of_subfolders(small: Timeline) -> None:
    doc = _document(render_page_sibling(small, "tags/pledge.html"))
    assert "../feed.atom" in [a.get("href") for a in doc.iter("a")]
    assert [s.get("src") for s in doc.iter("script") if s.get("src")] == ["../plotly.min.js"]


def test_list_has_every_event_in_chronological_order_with_anchor(small: Timeline, small_page: bytes) -> None:
    items = _document(small_page).xpath("//ol[@id='event-list']/li")
    assert [li.get("id") for li in items] == [e.id for e in small.chronological]
    for li, event in zip(items, small.chronological, strict=True):
        assert li.xpath(".//h3//a/@href") == [f"#{event.id}"]
        assert event.when.label in li.text_content()
        assert event.summary in li.text_content()


def test_only_exact_days_get_a_machine_readable_date(small: Timeline, small_page: bytes) -> None:
    doc = _document(small_page)
    for event in small.events:
        meta = doc.get_element_by_id(event.id).find_class("meta")[0]
        times = meta.findall(".//time")
        machine = [t.get("datetime") for t in times]
        if event.when.is_fuzzy:
            assert "~ " + event.when.label in meta.text_content()
            # only a certain month or year may say itself; never a day
            assert all(re.fullmatch(r"\d{4}(-\d{2})?", value) for value in machine), machine
        elif event.when.span.end is None:
            assert machine[0].startswith(event.when.span.first_day.isoformat())
        else:
            assert machine == [], "a range of days has no single machine-readable date"
    roundtable = doc.get_element_by_id("roundtable").find_class("meta")[0].find(".//time")
    assert roundtable.get("datetime") == "2015-09-23T16:00Z"


def test_sources_are_links_with_quotes(small_page: bytes) -> None:
    item = _document(small_page).get_element_by_id("cisco-pledge")
    link = item.xpath(".//ul[@class='sources']//a")[0]
    assert link.get("href") == "https://news.example.com/2015/09/16/fixture.html"
    assert (
        "In June, Cisco pledged $10 billion in investment in China"
        in item.xpath(".//blockquote")[0].text_content()
    )


def test_a_source_without_url_is_plain_text(small_page: bytes) -> None:
    item = _document(small_page).get_element_by_id("roundtable")
    assert item.xpath(".//ul[@class='sources']//a") == []
    assert "Wire copy" in item.xpath(".//ul[@class='sources']")[0].text_content()


def test_corrections_are_listed_with_their_date(small_page: bytes) -> None:
    item = _document(small_page).get_element_by_id("article-published")
    corrections = [" ".join(li.text_content().split()) for li in item.xpath(".//ul[@class='corrections']/li")]
    assert corrections[0].startswith("Corrected Sept 16, 2015: Length of Dell's pledge.")
    assert "Was: the next 10 years. Now: the next five years." in corrections[0]
    assert corrections[1].startswith("Corrected Sept 17, 2015: The agency that sent the letter.")


def test_only_http_urls_become_links(small: Timeline) -> None:
    evil = replace(small.sources[0], id="evil", url="javascript:alert(1)")
    event = replace(small.events[0], citations=(Citation(evil, "quote"),))
    page = render_page_sibling(replace(small, events=(event, *small.events[1:])), "timeline.html")
    hrefs = [a.get("href") for a in _document(page).iter("a")]
    assert not [href for href in hrefs if "javascript" in href]
    assert b"javascript:alert(1)" not in page


# --- escaping -------------------------------------------------------------------------


def test_hostile_text_is_text_everywhere(hostile: Timeline, hostile_page: bytes) -> None:
    doc = _document(hostile_page)
    assert [s.get("src") or s.get("type") or "inline" for s in doc.iter("script")] == [
        "inline",
        "application/json",
        "plotly.min.js",
        "inline",
    ]
    assert (
        doc.xpath("//body//img[not(parent::figure[@class='media'])] | //body//svg | //body//b | //body//i")
        == []
    )
    (picture,) = doc.xpath("//figure[@class='media']/img")
    assert picture.get("alt") == '"><script>window.pwned=1</script>'
    assert picture.get("src").startswith("media/")
    assert not [name for element in doc.iter() for name in element.attrib if name.startswith("on")]
    assert doc.findtext(".//h1") == hostile.title
    script_title = doc.get_element_by_id("script-title")
    assert script_title.findtext(".//h3/a") == "</script><script>alert(1)</script>"
    assert "<img src=x onerror=alert(1)>" in script_title.text_content()


def test_embedded_json_cannot_end_its_script(hostile_page: bytes) -> None:
    text = _document(hostile_page).get_element_by_id("timeline-figure").text
    assert not set("<>&") & set(text)
    assert "\u2028" not in text
    titles = [p[1] for t in json.loads(text)["traces"] for p in t.get("customdata", [])]
    assert any("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in title for title in titles)


def test_hover_labels_escape_event_text_for_plotly(hostile_page: bytes) -> None:
    """Plotly reads labels as a little HTML: event text must arrive as entities."""
    figure = _figure(hostile_page)
    hovers = [point[1] for trace in figure["traces"] for point in trace.get("customdata", [])]
    joined = "\n".join(hovers)
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in joined
    assert "&lt;img src=x onerror=alert(1)&gt;" in joined
    assert "<script" not in joined
    assert "<img" not in joined
    names = [trace["name"] for trace in figure["traces"]]
    assert "&lt;img src=x onerror=alert(1)&gt;" in names


@given(st.text(alphabet=st.sampled_from("&<>'\";#a ") | st.characters()))
def test_markup_escape_writes_exactly_what_autoescape_writes(text: str) -> None:
    assert markup_escape(text) == str(markupsafe.escape(text))


def test_safe_json_escapes_markup_and_line_separators() -> None:
    text = safe_json({"a": "</script><!-- & \u2028\u2029"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029"}


def test_inline_plotlyjs_has_no_forbidden_code_points_or_script_end() -> None:
    source = plotlyjs_source()
    assert FORBIDDEN_IN_HTML.search(source) is None
    assert "</script" not in source.lower()
    assert plotlyjs_bytes().startswith(b"/**")


def test_page_plotlyjs_is_the_compile_hint_then_the_vendored_file(small: Timeline) -> None:
    assert plotlyjs_source() == COMPILE_HINT + plotlyjs_bytes().decode()
    assert COMPILE_HINT == "//# allFunctionsCalledOnLoad\n"  # V8's spelling, on a line of its own
    assert render_plotlyjs(small, PLOTLYJS_FILE) == plotlyjs_source().encode()


def test_sanitize_inline_js_keeps_meaning() -> None:
    assert sanitize_inline_js('var a = "\x01\x1a\t";') == 'var a = "\\x01\\x1a\t";'
    assert sanitize_inline_js('s = "</SCRIPT>"') == 's = "<\\/SCRIPT>"'
    assert sanitize_inline_js("x = '\ufffe'") == "x = '\\ufffe'"


def test_whole_page_has_no_forbidden_code_points(small_page: bytes) -> None:
    assert FORBIDDEN_IN_HTML.search(small_page.decode()) is None


# --- offline --------------------------------------------------------------------------


def test_page_loads_nothing_from_anywhere(small_page: bytes) -> None:
    doc = _document(small_page)
    assert [s.get("src") for s in doc.iter("script") if s.get("src")] == []
    loaded = doc.xpath("//img | //iframe | //video | //audio | //source | //object | //embed")
    assert loaded == []
    links = [(link.get("rel"), link.get("href")) for link in doc.iter("link")]
    assert all(rel in ("alternate", "canonical") or href == "data:," for rel, href in links)
    styles = "".join(style.text for style in doc.iter("style"))
    assert "url(" not in styles
    assert "@import" not in styles
    assert "@font-face" not in styles


def test_content_security_policy_allows_exactly_the_page_scripts(small_page: bytes) -> None:
    doc = _document(small_page)
    policy = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    inline = [s.text or "" for s in doc.iter("script") if not s.get("src") and s.get("type") is None]
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(js.encode()).digest()).decode()}'" for js in inline}
    assert set(directives["script-src"].split()) == hashes
    assert "connect-src" not in directives  # falls back to default-src 'none'


def test_sibling_mode_publishes_plotlyjs_beside_the_page(small: Timeline) -> None:
    renderers = page_renderers("sibling")
    assert set(renderers) == {"timeline.html", PLOTLYJS_FILE}
    assert renderers[PLOTLYJS_FILE](small, PLOTLYJS_FILE) == plotlyjs_source().encode()
    policy = _document(renderers["timeline.html"](small, "timeline.html")).xpath(
        "//meta[@http-equiv='Content-Security-Policy']/@content"
    )[0]
    assert "script-src 'self'" in policy
    assert set(page_renderers()) == {"timeline.html"}


def test_page_script_is_valid_javascript(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        missing_tool("node is missing")
    script = tmp_path / "timeline.js"
    script.write_text(app_script(), encoding="utf-8")
    subprocess.run([node, "--check", str(script)], check=True)


def test_importing_the_renderer_does_not_import_plotly() -> None:
    code = "import sys, pledge_timeline.render.html; print('plotly' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- the figure -----------------------------------------------------------------------


def test_figure_has_every_event_exactly_once(small: Timeline) -> None:
    points = _event_points(build_figure(small))
    assert sorted(event_id for event_id, _ in points) == sorted(e.id for e in small.events)


def test_fuzzy_dates_are_spans_never_points(small: Timeline) -> None:
    figure = build_figure(small)
    kinds = dict(_event_points(figure))
    for event in small.events:
        if event.when.is_fuzzy:
            assert kinds[event.id] == "bar"
    fuzzy_bars = [t for t in figure["traces"] if t["type"] == "bar" and "pattern" in t["marker"]]
    assert sorted(p[0] for t in fuzzy_bars for p in t["customdata"]) == ["cisco-pledge", "letter-sent"]
    hover = {p[0]: p[1] for t in figure["traces"] if t["meta"]["kind"] == "event" for p in t["customdata"]}
    assert "~ Summer 2015 (approx.)" in hover["letter-sent"]


def test_exact_days_are_points_and_exact_ranges_solid_spans(small: Timeline) -> None:
    figure = build_figure(small)
    kinds = dict(_event_points(figure))
    assert kinds["article-published"] == "scatter"
    assert kinds["roundtable"] == "scatter"
    assert kinds["xi-in-seattle"] == "bar"
    bar = next(t for t in figure["traces"] if t["type"] == "bar" and t["customdata"][0][0] == "xi-in-seattle")
    assert bar["base"] == ["2015-09-22"]
    assert bar["x"] == [3 * 86_400_000]
    assert "pattern" not in bar["marker"]


def test_corrections_are_markers_tied_to_their_event(small: Timeline) -> None:
    figure = build_figure(small)
    corrections = [p for t in figure["traces"] if t["meta"]["kind"] == "correction" for p in t["customdata"]]
    assert sorted(p[0] for p in corrections) == ["article-published", "article-published", "letter-sent"]
    assert any("Corrected Sept 17, 2015" in p[1] for p in corrections)


def test_lanes_follow_the_first_tag_and_the_legend_has_one_entry_each(small: Timeline) -> None:
    figure = build_figure(small)
    legend = [t["name"] for t in figure["traces"] if t.get("showlegend")]
    assert legend == ["The pledge", "State visit", "Press coverage"]
    groups = {t["legendgroup"] for t in figure["traces"]}
    assert groups == {"lane-pledge", "lane-visit", "lane-press"}


def test_layout_is_offline_and_themed(small: Timeline) -> None:
    figure = build_figure(small)
    assert figure["config"]["showSendToCloud"] is False
    assert figure["config"]["displaylogo"] is False
    assert "layout" not in figure["layout"]["template"]  # "none": no fonts or colors from plotly
    assert figure["themes"]["dark"]["paper_bgcolor"] != figure["themes"]["light"]["paper_bgcolor"]
    assert figure["layout"]["xaxis"]["rangeslider"]["visible"] is True


def test_a_crowded_story_opens_on_its_busiest_weeks(small: Timeline) -> None:
    crowded = crowded_timeline(small)
    geometry = geometry_of(crowded)
    assert geometry.zoomed
    first, last = geometry.initial
    assert first.isoformat() <= "2015-09-10"
    assert last.isoformat() >= "2015-09-20"
    assert geometry.whole[0].year == 2013
    assert not geometry_of(small).zoomed
    page = render_page_sibling(crowded, "timeline.html")
    buttons = _document(page).xpath("//button[@data-view]/text()")
    assert buttons[1].startswith("Whole story: ")


def test_two_events_on_one_day_in_one_lane_get_separate_rows(small: Timeline) -> None:
    article = next(e for e in small.events if e.id == "article-published")
    same_day = replace(article, id="same-day", title="Same day", revisions=())
    geometry = geometry_of(replace(small, events=(*small.events, same_day)))
    assert geometry.rows["same-day"] != geometry.rows["article-published"]


# --- the vendored plotly.js -----------------------------------------------------------


def test_vendored_bundle_is_the_plotlyjs_version_plotly_bundles() -> None:
    """Refresh the bundle when plotly is upgraded: see pledge_timeline.render.plotlyjs."""
    from plotly.offline import get_plotlyjs_version

    vendored = plotlyjs_bytes().decode()
    assert header_version(vendored) == BUNDLE_VERSION == get_plotlyjs_version()
    assert vendored.startswith("/**\n* plotly.js (basic - minified) v")


def test_vendored_bundle_is_the_recorded_file() -> None:
    data = files("pledge_timeline").joinpath("vendor", BUNDLE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == BUNDLE_SHA256
    assert plotlyjs_bytes() == data
    license_text = files("pledge_timeline").joinpath("vendor", "plotly.js-LICENSE.txt").read_text()
    assert "MIT License" in license_text
    assert "Plotly" in license_text


def test_a_corrupt_bundle_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plotlyjs, "BUNDLE_SHA256", "0" * 64)
    with pytest.raises(CorruptBundleError, match="expected 0000"):
        plotlyjs.plotlyjs_bytes.__wrapped__()


def test_vendored_bundle_was_sanitised_when_vendored() -> None:
    source = plotlyjs_source()
    assert sanitize_inline_js(source) == source


def test_inline_plotlyjs_hash_in_the_policy_is_the_inlined_scripts() -> None:
    digest = base64.b64encode(hashlib.sha256(plotlyjs_source().encode()).digest()).decode()
    assert plotlyjs.plotlyjs_csp_hash() == f"'sha256-{digest}'"


# --- every figure is one plotly accepts --------------------------------------------------


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """As timeline.js merges a theme into the layout."""
    result = copy.deepcopy(base)
    for key, value in extra.items():
        both = isinstance(result.get(key), dict) and isinstance(value, dict)
        result[key] = _merged(result[key], value) if both else copy.deepcopy(value)
    return result


@pytest.mark.parametrize("name", ["small", "hostile", "crowded", "events", "big", "eras", "big-eras"])
def test_figure_is_valid_for_plotly(small: Timeline, hostile: Timeline, name: str) -> None:
    """plotly.graph_objects validates every property (a typo raises) and changes nothing."""
    import plotly.graph_objects as go

    from conftest import REPO
    from pledge_timeline.validate import load_timeline

    timelines = {
        "small": lambda: small,
        "hostile": lambda: hostile,
        "crowded": lambda: crowded_timeline(small),
        "events": lambda: load_timeline(REPO / "events.yaml"),
        "big": lambda: big_timeline(small),
        "eras": lambda: era_timeline(small),
        "big-eras": lambda: era_timeline(big_timeline(small)),
    }
    figure = build_figure(timelines[name]())
    for theme in figure["themes"].values():
        layout = _merged(figure["layout"], theme)
        checked = go.Figure(data=figure["traces"], layout=layout).to_plotly_json()
        assert checked["data"] == figure["traces"]
        assert checked["layout"] == layout


def test_building_the_figure_does_not_import_plotly(tmp_path: Path) -> None:
    fixture = str(FIXTURES / "small.yaml")
    code = (
        "import sys; from pathlib import Path; from pledge_timeline.validate import load_timeline; "
        "from pledge_timeline.render.html import render_page; "
        f"render_page(load_timeline(Path({fixture!r})), 'timeline.html'); print('plotly' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- big stories: counts instead of marks ---------------------------------------------


@pytest.fixture(scope="module")
def big(small: Timeline) -> Timeline:
    return big_timeline(small)


def _count_traces(figure: dict[str, Any], kind: str = "count") -> list[dict[str, Any]]:
    return [trace for trace in figure["traces"] if trace["meta"]["kind"] == kind]


def test_a_chart_marks_every_event_while_the_marks_fit_in_one_and_a_half_screens(small: Timeline) -> None:
    kinds = []
    for times in range(1, 13):
        timeline = repeated_timeline(small, times)
        geometry = geometry_of(timeline)
        kinds.append(geometry.counts is None)
        if geometry.counts is None:
            assert geometry.height <= MARKS_MAX_PX
            assert sorted(e for e, _ in _event_points(build_figure(timeline))) == sorted(
                e.id for e in timeline.events
            )
    assert kinds[0]
    assert not kinds[-1]
    assert kinds == sorted(kinds, reverse=True)  # marked up to some size, counted above it
    assert geometry_of(big_timeline(small, AGGREGATE_ABOVE + 1)).counts is not None


def test_big_chart_counts_every_event_once_and_draws_none_alone(big: Timeline) -> None:
    figure = build_figure(big)
    assert _event_points(figure) == []
    members = [
        member for trace in _count_traces(figure) for point in trace["customdata"] for member in point[2]
    ]
    assert sorted(members) == sorted(e.id for e in big.events)
    for trace in _count_traces(figure):
        for point in trace["customdata"]:
            assert point[0] == point[2][0]  # a click goes to the first in the list
            count = len(point[2])
            assert f"{count} event{'s' if count > 1 else ''} with " in point[1]


def test_big_chart_never_pins_a_fuzzy_date_to_a_period_it_may_not_be_in(big: Timeline) -> None:
    geometry = geometry_of(big)
    assert geometry.counts is not None
    unit = geometry.counts.unit
    events = {e.id: e for e in big.events}
    spanning = 0
    for trace in _count_traces(build_figure(big, geometry)):
        hatched = "pattern" in trace["marker"]
        for base, length, point in zip(trace["base"], trace["x"], trace["customdata"], strict=True):
            # a bar covers its periods, but for a small gap at each end
            start = datetime.fromisoformat(base)
            end = start + timedelta(milliseconds=length)
            periods = (period_of(unit, start.date()), period_of(unit, end.date()))
            first, after = period_first_day(unit, periods[0]), period_first_day(unit, periods[1] + 1)
            assert timedelta(0) < start - datetime.combine(first, datetime.min.time()) < timedelta(days=15)
            assert timedelta(0) < datetime.combine(after, datetime.min.time()) - end < timedelta(days=15)
            for member in point[2]:
                span = events[member].when.span
                assert first <= span.first_day, (member, base)
                assert span.last_day < after, (member, base)
                assert events[member].when.is_fuzzy == hatched, member
                if periods[0] != periods[1]:
                    spanning += 1
                    assert "run across" in point[1]
                else:
                    assert period_of(unit, span.first_day) == period_of(unit, span.last_day) == periods[0]
    assert spanning > 0


def test_big_chart_counts_every_correction(big: Timeline) -> None:
    figure = build_figure(big)
    corrected = [
        m for trace in _count_traces(figure, "correction-count") for p in trace["customdata"] for m in p[2]
    ]
    assert sorted(corrected) == sorted(e.id for e in big.events for _ in e.revisions)
    assert corrected


def test_big_chart_opens_on_the_whole_story_by_the_year(big: Timeline) -> None:
    geometry = geometry_of(big)
    assert geometry.counts is not None
    assert geometry.counts.unit == "year"
    assert geometry.initial == geometry.whole
    assert geometry.focus is None


@pytest.mark.parametrize(
    ("first", "last", "unit"),
    [
        ("2015-09-01", "2015-12-29", "day"),
        ("2015-09-01", "2015-12-30", "month"),
        ("2015-01-01", "2024-12-31", "month"),
        ("1995-01-01", "2026-02-28", "year"),
        ("1900-01-01", "2019-12-31", "year"),
        ("1900-01-01", "2020-01-01", "decade"),
        ("0800-01-01", "2020-01-01", "century"),
    ],
)
def test_period_unit_is_the_finest_with_at_most_max_bins(first: str, last: str, unit: str) -> None:
    assert unit_for(date.fromisoformat(first), date.fromisoformat(last)) == unit
    assert period_of(unit, date.fromisoformat(last)) - period_of(unit, date.fromisoformat(first)) < MAX_BINS


def test_big_page_says_it_counts_and_still_lists_everything(big: Timeline) -> None:
    doc = _document(render_page_sibling(big, "timeline.html"))
    hint = doc.find_class("hint")[0].text_content()
    assert f"This story has {len(big.events):,} events" in hint
    assert "per year" in hint
    assert "corrections made in a year" in doc.find_class("key")[0].text_content()
    listed = doc.xpath("//ol[@id='event-list']/li")
    assert [li.get("id") for li in listed] == [e.id for e in big.chronological]
    assert doc.get_element_by_id("event-list").get("class") == "events many"
    short = _document(render_page_sibling(replace(big, events=big.events[:30]), "timeline.html"))
    assert short.get_element_by_id("event-list").get("class") == "events"


def test_chart_scripts_come_before_the_list(small_page: bytes) -> None:
    """plotly.js is not held up by parsing a long list; the app script waits for the list itself."""
    doc = _document(small_page)
    order = [el.get("id") or el.tag for el in doc.iter("script", "ol")]
    assert order == ["script", "timeline-figure", "script", "script", "event-list"]


def test_count_bars_of_early_centuries_have_four_digit_years() -> None:
    """plotly.js reads four-digit years only: year 999 must be 0999, not 999 or 1999."""
    from datetime import date

    from pledge_timeline.render.chart.geometry import _padded
    from pledge_timeline.render.chart.traces import _inset

    start, _ = _inset("year", date(999, 1, 1), date(1000, 1, 1))
    assert start.startswith("0999-01-")
    start, _ = _inset("century", date(1, 1, 1), date(101, 1, 1))
    assert start == "0004-01-01 17:00"  # inset by 3% of a century
    assert _padded(date(1, 1, 2), date(9999, 12, 30)) == (date(1, 1, 1), date(9999, 12, 31))


def test_eras_are_bands_behind_the_lanes_and_a_list_on_the_page(small: Timeline) -> None:
    timeline = era_timeline(small)
    figure = build_figure(timeline)
    for theme in figure["themes"].values():
        bands = [shape for shape in theme["shapes"] if shape.get("name") == "era"]
        assert [(b["x0"], b["x1"], b["label"]["text"]) for b in bands] == [
            ("2015-05-01", "2015-06-01", "Before the letter"),
            ("2015-06-01", "2015-09-01", "~ Summer"),
            ("2015-09-21", "2015-09-28", "The visit &lt;b&gt;week&lt;/b&gt;"),
        ]
        assert {(b["layer"], b["yref"], b["y0"], b["y1"]) for b in bands} == {("below", "paper", 0, 1)}
        assert [b["line"]["dash"] for b in bands] == ["solid", "dot", "solid"]
    # the lanes start a line lower, under the eras' labels; the story's whole view takes them in
    assert figure["lanes"]["firstTop"] == build_figure(small)["lanes"]["firstTop"] + 1
    assert figure["views"]["whole"][0] < "2015-05-01"
    doc = _document(render_page(timeline, "timeline.html"))
    items = [" ".join(li.text_content().split()) for li in doc.xpath("//div[@class='eras']//li")]
    assert items == [
        "Before the letter: May 1-31, 2015",
        "Summer: ~ Summer 2015 (approx.)",
        "The visit <b>week</b>: Sept 21-27, 2015",
    ]
    assert doc.xpath("//div[@class='eras']//li//b") == []
    assert _document(render_page(small, "timeline.html")).xpath("//div[@class='eras']") == []
