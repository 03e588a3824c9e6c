"""Markdown in ``summary`` and ``note``: what it renders, as HTML and as plain text, and which
links ``check`` refuses, each at its own line and column whatever the YAML scalar's style."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st
from lxml import etree, html

from conftest import FIXTURES
from pledge_timeline.cli import cli
from pledge_timeline.markdown import _PlainText, _renderer, is_plain, links, to_html, to_plain
from pledge_timeline.model import Timeline
from pledge_timeline.render.atom import render_atom
from pledge_timeline.render.html import render_page
from pledge_timeline.render.ical import render_calendar
from pledge_timeline.render.jsonfeed import render_json_feed
from pledge_timeline.render.rss import render_rss

MINIMAL_SUMMARY = "    summary: A letter went out.\n"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
REFUSED = "is refused: link only to http://, https:// or mailto: addresses"


def test_commonmark_paragraphs_emphasis_links_lists_and_code() -> None:
    text = (
        "One *two* **three** `four`.\n\n- [five](https://example.org/5)\n- six\n\n"
        "1. seven\n2. eight\n\nSee https://example.org/nine."
    )
    assert to_html(text) == (
        "<p>One <em>two</em> <strong>three</strong> <code>four</code>.</p>\n"
        '<ul>\n<li><a href="https://example.org/5">five</a></li>\n<li>six</li>\n</ul>\n'
        "<ol>\n<li>seven</li>\n<li>eight</li>\n</ol>\n"
        '<p>See <a href="https://example.org/nine">https://example.org/nine</a>.</p>'
    )


def test_plain_text_keeps_each_links_address() -> None:
    text = "Read the [Markdown link](https://example.org/a) or https://example.org/b.\n\n- one\n- two"
    assert to_plain(text) == (
        "Read the Markdown link <https://example.org/a> or https://example.org/b.\n\n- one\n- two"
    )


def test_raw_html_is_text() -> None:
    assert to_html("<b>bold</b> <script>alert(1)</script>") == (
        "<p>&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    assert to_plain("<b>bold</b>") == "<b>bold</b>"


def test_no_image_and_no_heading() -> None:
    """An image would make the page fetch; a heading would break the page's outline."""
    html = to_html("# Not a heading\n\n![alt](https://example.org/i.png)")
    assert "<img" not in html
    assert "<h1" not in html
    assert "<p># Not a heading</p>" in html


def test_only_addresses_with_a_scheme_become_links() -> None:
    html = to_html("www.example.org, example.org, ftp://example.org and https://example.org")
    assert html.count("<a ") == 1
    assert '<a href="https://example.org">' in html


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox(1))",
        "[x](relative/page.html)",
        "[x](//evil.example/)",
        "<javascript:alert(1)>",
        "[x]\n\n[x]: javascript:alert(1)",
    ],
)
def test_a_refused_link_is_never_rendered_as_one(text: str) -> None:
    assert "<a " not in to_html(text)
    assert [link.href for link in links(text)] != []


def test_links_are_found_on_their_markdown_line() -> None:
    text = "[a](https://a.example/)\nand [b](x.html)\n\n- [c](mailto:c@example.org)"
    assert [(link.href, link.line) for link in links(text)] == [
        ("https://a.example/", 0),
        ("x.html", 1),
        ("mailto:c@example.org", 3),
    ]


# Text that Markdown may read as syntax, as well as ordinary text.
MARKDOWNISH = st.lists(st.sampled_from([*"ab 1.-+*_`[]()<>!&#\\:/@\n\t\"'", "https://", "mailto:"])).map(
    "".join
)


@given(st.one_of(MARKDOWNISH, st.text()))
@example('A letter went out "earlier this summer".')
@example("2015. A year")
@example("- a")
@example("+ b")
@example("1) c")
@example("    indented")
@example("a\x00b")
@example("In June, Cisco pledged $10 billion; a line with a backslash \\ and a comma, too.")
def test_the_plain_text_shortcut_renders_what_markdown_it_does(text: str) -> None:
    if not is_plain(text):
        return
    assert to_html(text) == _renderer().render(text).rstrip("\n")
    assert to_plain(text) == "\n\n".join(_PlainText(_renderer().parse(text)).blocks())


def test_the_shortcut_is_taken_for_ordinary_text() -> None:
    assert is_plain("Xi Jinping (习近平) stays in Seattle, Tuesday through Thursday.")
    assert not is_plain("Two\n\nparagraphs")
    assert not is_plain("see https://example.org")


# --- check: each refused link at its own line and column ----------------------------------


def check_output(tmp_path: Path, block: str) -> str:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    assert MINIMAL_SUMMARY in text
    (tmp_path / "events.yaml").write_text(text.replace(MINIMAL_SUMMARY, block), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "events.yaml")])
    assert result.exit_code == 1
    return result.output.replace(str(tmp_path / "events.yaml"), "events.yaml")


@pytest.mark.parametrize(
    ("block", "where", "href"),
    [
        ("    summary: See [x](javascript:alert(1)) now.\n", "22:22", "javascript:alert(1)"),
        (
            "    summary: First line\n      second line [bad](data:text/html,hi)\n",
            "23:25",
            "data:text/html,hi",
        ),
        ("    summary: |\n      Para one.\n\n      Para two with [rel](foo/bar).\n", "25:27", "foo/bar"),
        (
            "    summary: >\n      Folded one\n      folded two\n      <vbscript:msgbox(1)>\n",
            "25:8",
            "vbscript:msgbox(1)",
        ),
        ('    summary: "One.\\n\\nTwo [x](javascript:void(0))."\n', "22:31", "javascript:void(0)"),
    ],
    ids=["plain", "plain-over-two-lines", "literal-block", "folded-block", "double-quoted"],
)
def test_a_refused_link_is_located_at_its_line(tmp_path: Path, block: str, where: str, href: str) -> None:
    assert check_output(tmp_path, block) == (
        f"events.yaml:{where}: events[0].summary: the link '{href}' {REFUSED}\n1 problem found\n"
    )


def test_every_refused_link_of_a_note_is_reported_and_mailto_is_allowed(tmp_path: Path) -> None:
    block = (
        "    summary: Fine.\n"
        "    note: Write to [us](mailto:desk@example.org) or [x](JavaScript:alert(1)) and "
        "[y](//evil.example/) [z](https:no-host)\n"
    )
    assert check_output(tmp_path, block).splitlines() == [
        f"events.yaml:23:57: events[0].note: the link 'JavaScript:alert(1)' {REFUSED}",
        f"events.yaml:23:86: events[0].note: the link '//evil.example/' {REFUSED}",
        f"events.yaml:23:107: events[0].note: the link 'https:no-host' {REFUSED}",
        "3 problems found",
    ]


def test_the_same_address_twice_is_located_at_each(tmp_path: Path) -> None:
    block = "    summary: |\n      [a](x.html) and [b](x.html)\n      [c](x.html)\n"
    assert [line.split(": ")[0] for line in check_output(tmp_path, block).splitlines()[:-1]] == [
        "events.yaml:23:11",
        "events.yaml:23:27",
        "events.yaml:24:11",
    ]


def test_allowed_links_pass_check(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    block = "    summary: '[a](https://a.example/) <mailto:a@example.org> http://b.example/ *c*'\n"
    (tmp_path / "events.yaml").write_text(text.replace(MINIMAL_SUMMARY, block), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "events.yaml")])
    assert (result.exit_code, result.output) == (0, "ok: 1 event, 1 source\n")


def test_titles_stay_plain_text_everywhere(hostile: Timeline) -> None:
    event = next(e for e in hostile.events if e.id == "hostile-markdown")
    assert event.title == "<b>Markdown</b> *title* [stays](https://evil.example/) text"
    page = html.fromstring(render_page(hostile, "timeline.html"))
    assert page.get_element_by_id("hostile-markdown-title").text_content() == event.title
    atom = feedparser.parse(render_atom(hostile, "feed.atom"))
    (entry,) = [e for e in atom.entries if e.link.endswith("#hostile-markdown")]
    assert entry.title == f"{event.title} (Sept 17, 2015)"
    (vevent,) = [
        e
        for e in icalendar.Calendar.from_ical(render_calendar(hostile, "calendar.ics")).walk("VEVENT")
        if str(e["uid"]).startswith("hostile-markdown@")
    ]
    assert str(vevent["summary"]) == event.title
    item = next(
        i for i in json.loads(render_json_feed(hostile, "feed.json"))["items"] if i["url"] == entry.link
    )
    assert item["title"] == entry.title


def test_the_page_and_the_feeds_carry_the_html(rich: Timeline) -> None:
    expected = (
        "<strong>thirty</strong>",
        '<a href="https://news.example.com/pledge">security pledge</a>',
        "<ul>",
    )
    page = html.fromstring(render_page(rich, "timeline.html"))
    (summary,) = page.xpath("//li[@id='forum']//div[@class='summary']")
    assert summary.xpath("./p/strong/text()") == ["thirty"]
    assert summary.xpath("./ul/li/a/@href") == ["https://news.example.com/pledge"]
    assert summary.xpath("./p/a/@href") == ["https://news.example.com/forum-transcript"]
    (note,) = page.xpath("//li[@id='forum']//div[@class='note']")
    assert note.xpath("./p/a/@href") == ["https://news.example.com/schedule", "mailto:desk@example.org"]
    atom = etree.fromstring(render_atom(rich, "feed.atom"))
    atom_entry = atom.find(f"{ATOM}entry[{ATOM}id='tag:timeline.example.org,2015:forum']")
    assert atom_entry is not None
    for element in ("content", "summary"):
        assert atom_entry.find(f"{ATOM}{element}").get("type") == "html"
        assert all(piece in atom_entry.findtext(f"{ATOM}{element}") for piece in expected), element
    rss = etree.fromstring(render_rss(rich, "feed.rss"))
    item = rss.find("channel/item[guid='tag:timeline.example.org,2015:forum']")
    assert item is not None
    for element in ("description", f"{{{CONTENT}}}encoded"):
        assert all(piece in item.findtext(element) for piece in expected), element
    json_item = json_items(rich)["forum"]
    assert all(piece in json_item["content_html"] for piece in expected)


def test_the_calendar_and_content_text_carry_plain_text_with_each_address(rich: Timeline) -> None:
    expected = (
        "The forum met in Seattle, with thirty chief executives.\n\nWhat they discussed:\n\n"
        "- the security pledge <https://news.example.com/pledge>\n- encryption keys\n- market access\n\n"
        "Full text: https://news.example.com/forum-transcript\n\n"
    )
    note = (
        "Note: Times from the schedule <https://news.example.com/schedule>; write to mailto:desk@example.org."
    )
    events = icalendar.Calendar.from_ical(render_calendar(rich, "calendar.ics")).walk("VEVENT")
    (forum,) = [e for e in events if str(e["uid"]) == "forum@timeline.example.org"]
    description = str(forum["description"])
    assert description.startswith(expected)
    assert description.endswith(note)
    assert json_items(rich)["forum"]["content_text"] == description
    assert json_items(rich)["forum"]["summary"] == expected.rstrip("\n")


def json_items(timeline: Timeline) -> dict[str, Any]:
    items = json.loads(render_json_feed(timeline, "feed.json"))["items"]
    return {item["url"].rsplit("#", 1)[1]: item for item in items}
