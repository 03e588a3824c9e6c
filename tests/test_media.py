"""An event's ``media``: a local picture checked by its bytes and published under its content
hash, or a link card; carried by the page, the feeds and the calendar."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import icalendar
import pytest
import vobject
from click.testing import CliRunner
from lxml import etree, html
from PIL import Image

from conftest import FIXTURES
from pledge_timeline.build import build
from pledge_timeline.cli import cli
from pledge_timeline.model import Timeline
from pledge_timeline.render.atom import render_atom
from pledge_timeline.render.html import render_page
from pledge_timeline.render.ical import render_calendar
from pledge_timeline.render.jsonfeed import render_json_feed
from pledge_timeline.render.rss import render_rss
from pledge_timeline.serve import Resource
from pledge_timeline.validate import load_timeline

MINIMAL_SUMMARY = "    summary: A letter went out.\n"
PNG = (FIXTURES / "media" / "skyline.png").read_bytes()
PNG_NAME = f"media/{hashlib.sha256(PNG).hexdigest()}.png"
BASE = "https://timeline.example.org/rich/"


def image_bytes(kind: str, size: tuple[int, int] = (12, 7)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(data, format=kind)
    return data.getvalue()


def events_with_media(folder: Path, media: str) -> Path:
    """minimal.yaml with ``media`` (YAML lines at the event's indentation) on its event."""
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    assert MINIMAL_SUMMARY in text
    events = folder / "events.yaml"
    events.write_text(text.replace(MINIMAL_SUMMARY, MINIMAL_SUMMARY + media), encoding="utf-8")
    return events


def check(events: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", str(events)])
    return result.exit_code, result.output.replace(str(events), "events.yaml")


# --- check --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "media_type", "extension"),
    [
        ("PNG", "image/png", "png"),
        ("JPEG", "image/jpeg", "jpg"),
        ("WEBP", "image/webp", "webp"),
        ("GIF", "image/gif", "gif"),
        ("AVIF", "image/avif", "avif"),
    ],
)
def test_each_published_format_is_read_with_its_size(
    tmp_path: Path, kind: str, media_type: str, extension: str
) -> None:
    data = image_bytes(kind)
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "picture.bin").write_bytes(data)
    events = events_with_media(tmp_path, "    media: {file: pictures/picture.bin, alt: A red square}\n")
    (event,) = load_timeline(events).events
    assert event.media is not None
    assert event.media.file is not None
    picture = event.media.file
    assert (picture.media_type, picture.width, picture.height) == (media_type, 12, 7)
    assert picture.path == f"media/{hashlib.sha256(data).hexdigest()}.{extension}"
    assert picture.data == data


def test_the_bytes_decide_the_type_not_the_name(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(PNG)
    events = events_with_media(tmp_path, "    media: {file: photo.jpg, alt: A skyline}\n")
    (event,) = load_timeline(events).events
    assert event.media is not None
    assert event.media.file is not None
    assert (event.media.file.media_type, event.media.file.path) == ("image/png", PNG_NAME)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'
NOT_AN_IMAGE = "is not a PNG, JPEG, WebP, GIF or AVIF image (judged by its content, not its name)"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("drawing.svg", SVG, f"'drawing.svg' {NOT_AN_IMAGE}"),
        ("drawing.png", SVG, f"'drawing.png' {NOT_AN_IMAGE}"),
        ("notes.png", b"just some text\n", f"'notes.png' {NOT_AN_IMAGE}"),
        ("empty.png", b"", f"'empty.png' {NOT_AN_IMAGE}"),
        ("picture.bmp", None, f"'picture.bmp' {NOT_AN_IMAGE}"),
        ("picture.tiff", None, f"'picture.tiff' {NOT_AN_IMAGE}"),
    ],
)
def test_anything_but_a_published_image_is_refused_where_it_is_named(
    tmp_path: Path, name: str, data: bytes | None, message: str
) -> None:
    kind = {"picture.bmp": "BMP", "picture.tiff": "TIFF"}.get(name)
    (tmp_path / name).write_bytes(image_bytes(kind) if kind else data or b"")
    events = events_with_media(tmp_path, f"    media:\n      file: {name}\n      alt: A picture\n")
    assert check(events) == (1, f"events.yaml:24:13: events[0].media.file: {message}\n1 problem found\n")


def test_a_picture_over_10_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with (tmp_path / "huge.png").open("wb") as file:
        file.write(PNG)
        file.truncate(10 * 1024 * 1024 + 1)  # sparse: no 10 MB written
    events = events_with_media(tmp_path, "    media: {file: huge.png, alt: Too big}\n")
    assert check(events) == (
        1,
        "events.yaml:23:19: events[0].media.file: "
        "'huge.png' is 10,485,761 bytes; at most 10 MB (10,485,760)\n"
        "1 problem found\n",
    )


def test_a_picture_of_too_many_pixels_is_refused(tmp_path: Path) -> None:
    """Pillow's decompression bomb limit: the header says 10,000 x 10,000 pixels."""
    data = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(data, format="PNG")
    (tmp_path / "bomb.png").write_bytes(data.getvalue())
    events = events_with_media(tmp_path, "    media: {file: bomb.png, alt: Too many pixels}\n")
    assert check(events) == (
        1,
        "events.yaml:23:19: events[0].media.file: "
        "'bomb.png' has more pixels than a page should show (89,478,485 at most)\n1 problem found\n",
    )


def test_a_picture_of_exactly_10_mb_is_accepted(tmp_path: Path) -> None:
    with (tmp_path / "big.png").open("wb") as file:
        file.write(PNG)
        file.truncate(10 * 1024 * 1024)
    events = events_with_media(tmp_path, "    media: {file: big.png, alt: Just fits}\n")
    assert check(events) == (0, "ok: 1 event, 1 source\n")


@pytest.mark.parametrize(
    ("media", "message"),
    [
        (
            "    media: {file: missing.png, alt: Gone}\n",
            "23:19: events[0].media.file: "
            "'missing.png' does not exist (paths are relative to the events file)",
        ),
        ("    media: {file: folder, alt: A folder}\n", "23:19: events[0].media.file: 'folder' is not a file"),
        (
            "    media: {file: /etc/hostname, alt: Absolute}\n",
            "23:19: events[0].media.file: '/etc/hostname' is not relative; "
            "give the path from the events file's folder",
        ),
        (
            "    media: {file: skyline.png, url: 'https://example.org/v', alt: Both}\n",
            "23:37: events[0].media.url: give file or url, not both",
        ),
        (
            "    media: {alt: Neither}\n",
            "23:12: events[0].media: needs a file (a picture beside the events file) or a url",
        ),
        ("    media: {file: skyline.png}\n", "23:12: events[0].media: missing required key 'alt'"),
        (
            "    media: {url: 'javascript:alert(1)', alt: A script}\n",
            "23:18: events[0].media.url: 'javascript:alert(1)' is not an http(s) URL; "
            "only http:// and https:// links are published",
        ),
        (
            "    media: {file: skyline.png, alt: A, caption: '', credit: C}\n",
            "23:49: events[0].media.caption: is blank; write some text",
        ),
    ],
    ids=["missing", "folder", "absolute", "both", "neither", "no-alt", "script-url", "blank-caption"],
)
def test_media_problems_are_located(tmp_path: Path, media: str, message: str) -> None:
    (tmp_path / "folder").mkdir()
    shutil.copy(FIXTURES / "media" / "skyline.png", tmp_path)
    events = events_with_media(tmp_path, media)
    assert check(events) == (1, f"events.yaml:{message}\n1 problem found\n")


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.png")
    events = events_with_media(tmp_path, "    media: {file: pipe.png, alt: A pipe}\n")
    result = subprocess.run(
        [sys.executable, "-m", "pledge_timeline", "check", str(events)],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert (result.returncode, result.stderr.replace(str(events), "events.yaml")) == (
        1,
        "events.yaml:23:19: events[0].media.file: 'pipe.png' is not a file\n1 problem found\n",
    )


def test_a_path_with_a_nul_character_is_one_located_problem(tmp_path: Path) -> None:
    events = events_with_media(tmp_path, '    media: {file: "a\\0b.png", alt: A}\n')
    assert check(events) == (
        1,
        "events.yaml:23:19: events[0].media.file: contains the control character U+0000 "
        "at character 2, which XML and iCalendar cannot carry; remove it\n1 problem found\n",
    )


# --- build --------------------------------------------------------------------------------


def test_build_copies_each_picture_once_under_its_content_hash(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = build(FIXTURES / "rich.yaml", out)
    jpeg = (FIXTURES / "media" / "skyline-small.jpg").read_bytes()
    jpeg_name = f"media/{hashlib.sha256(jpeg).hexdigest()}.jpg"
    assert sorted(p.relative_to(out).as_posix() for p in (out / "media").iterdir()) == sorted(
        [PNG_NAME, jpeg_name]
    )
    assert (out / PNG_NAME).read_bytes() == PNG
    assert (out / jpeg_name).read_bytes() == jpeg
    written = {f.path: (f.size, f.items) for f in report.files}
    assert written[PNG_NAME] == (len(PNG), None)
    assert PNG_NAME in (out / ".pledge-timeline-manifest").read_text(encoding="utf-8")


def test_a_picture_no_longer_used_is_removed_by_the_next_build(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copy(FIXTURES / "media" / "skyline.png", folder)
    out = tmp_path / "out"
    build(events_with_media(folder, "    media: {file: skyline.png, alt: A skyline}\n"), out)
    assert (out / PNG_NAME).exists()
    report = build(events_with_media(folder, ""), out)
    assert PNG_NAME in report.removed
    assert not (out / PNG_NAME).exists()


def test_pictures_are_served_as_images_and_not_gzipped() -> None:
    resource = Resource.of(PNG_NAME, PNG, 0.0)
    assert (resource.content_type, resource.compressible) == ("image/png", False)
    assert Resource.of("feed.atom", b"", 0.0).compressible


# --- outputs ------------------------------------------------------------------------------


def test_feeds_carry_the_picture_as_an_enclosure(rich: Timeline) -> None:
    url = BASE + PNG_NAME
    atom = feedparser.parse(render_atom(rich, "feed.atom"))
    rss = feedparser.parse(render_rss(rich, "feed.rss"))
    for parsed in (atom, rss):
        assert not parsed.bozo, parsed.get("bozo_exception")
        entries = {entry.link.rsplit("#", 1)[1]: entry for entry in parsed.entries}
        assert [dict(e) for e in entries["forum"].enclosures] == [
            {"href": url, "type": "image/png", "length": str(len(PNG))}
        ]
        assert entries["letter"].enclosures == []
    channel = etree.fromstring(render_rss(rich, "feed.rss")).find("channel")
    assert channel is not None
    enclosure = channel.find("item[link='https://timeline.example.org/rich/timeline.html#forum']/enclosure")
    assert enclosure is not None
    assert dict(enclosure.attrib) == {"url": url, "length": str(len(PNG)), "type": "image/png"}
    items = {
        item["url"].rsplit("#", 1)[1]: item
        for item in json.loads(render_json_feed(rich, "feed.json"))["items"]
    }
    assert items["forum"]["image"] == url
    assert "image" not in items["letter"]


def test_feed_content_shows_the_picture_and_the_link_card(rich: Timeline) -> None:
    items = {
        item["url"].rsplit("#", 1)[1]: item
        for item in json.loads(render_json_feed(rich, "feed.json"))["items"]
    }
    forum = html.fragment_fromstring(items["forum"]["content_html"], create_parent="div")
    (image,) = forum.iter("img")
    assert dict(image.attrib) == {
        "src": BASE + PNG_NAME,
        "alt": "A drawn skyline at dusk",
        "width": "320",
        "height": "180",
    }
    assert forum.findtext(".//figcaption/small") == "Credit: Fixture Desk"
    letter = html.fragment_fromstring(items["letter"]["content_html"], create_parent="div")
    assert list(letter.iter("img")) == []
    (card,) = letter.xpath(".//figure//a")
    assert (card.get("href"), card.text) == (
        "https://video.example.com/watch?v=abc&t=1",
        "A video of the signing",
    )
    assert (
        "Link: A video of the signing <https://video.example.com/watch?v=abc&t=1>"
        in items["letter"]["content_text"]
    )


def test_the_calendar_carries_the_picture_as_an_rfc_7986_image(rich: Timeline) -> None:
    data = render_calendar(rich, "calendar.ics")
    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    image = events["forum@timeline.example.org"]["image"]
    assert str(image) == BASE + PNG_NAME
    assert dict(image.params) == {"VALUE": "URI", "FMTTYPE": "image/png", "DISPLAY": "FULLSIZE"}
    assert "image" not in events["letter@timeline.example.org"]
    calendar = vobject.readOne(data.decode("utf-8"))
    (forum,) = [e for e in calendar.vevent_list if e.uid.value == "forum@timeline.example.org"]
    assert forum.image.value == BASE + PNG_NAME
    assert forum.image.params["FMTTYPE"] == ["image/png"]
    description = str(events["forum@timeline.example.org"]["description"])
    assert (
        "Picture: A drawn skyline at dusk\nThe skyline, as drawn for this fixture.\nCredit: Fixture Desk"
        in (description)
    )


def test_the_page_shows_the_picture_lazily_and_sized_and_a_card_for_a_url(rich: Timeline) -> None:
    page = html.fromstring(render_page(rich, "timeline.html"))
    (image,) = page.xpath("//li[@id='forum']//figure[@class='media']/img")
    assert dict(image.attrib) == {
        "src": PNG_NAME,
        "alt": "A drawn skyline at dusk",
        "width": "320",
        "height": "180",
        "loading": "lazy",
        "decoding": "async",
    }
    caption = image.getparent().find("figcaption")
    assert caption.text_content() == "The skyline, as drawn for this fixture. Credit: Fixture Desk"
    assert page.xpath("//li[@id='letter']//img") == []
    (card,) = page.xpath("//li[@id='letter']//a[@class='link-card']")
    assert card.get("href") == "https://video.example.com/watch?v=abc&t=1"
    assert card.text_content() == "A video of the signingvideo.example.com"


def test_the_page_may_load_its_own_pictures_only_when_it_has_some(rich: Timeline, small: Timeline) -> None:
    def img_src(timeline: Timeline) -> str:
        page = html.fromstring(render_page(timeline, "timeline.html"))
        (policy,) = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
        return next(part.strip() for part in policy.split(";") if part.strip().startswith("img-src"))

    assert img_src(rich) == "img-src 'self' data:"
    assert img_src(small) == "img-src data:"
