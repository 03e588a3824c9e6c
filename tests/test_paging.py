"""Paged feeds (RFC 5005): the subscription documents and their archive pages, as built."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import pytest
from lxml import etree

from conftest import FIXTURES, REPO, missing_tool
from pledge_timeline.build import BuildOptions, build, formats
from pledge_timeline.model import Revision, Timeline
from pledge_timeline.outputs import archive_path
from pledge_timeline.render.entries import tag_uri
from pledge_timeline.render.feeddoc import HISTORY_NAMESPACE
from pledge_timeline.serve import TimelineServer
from pledge_timeline.validate import load_timeline
from pledge_timeline.writer import MANIFEST
from test_serve import running

SCHEMAS = Path(__file__).parent / "schemas"
ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = ("feed.atom", "feed.rss", "feed.json")
EPOCH = 1_700_000_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Timeline:
    """300 synthetic events (benchmarks/generate.py): pages of 50 in the main feeds."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    timeline = load_timeline(generate.write_events_file(300, tmp_path_factory.mktemp("paged")))
    return replace(timeline, source_date_epoch=EPOCH)


def feed_documents(timeline: Timeline) -> dict[str, bytes]:
    """Every document of every paged feed the build writes (``build.formats``), by path."""
    documents = {}
    for output in formats():
        if output.pages is None:
            continue
        paths = [(timeline, output.path)]
        if output.tag_path is not None:
            paths += [
                (timeline.restricted_to(tag), output.tag_path.format(tag=tag.id)) for tag in timeline.tags
            ]
        for subset, path in paths:
            documents |= {page: data for page, data, _ in output.pages(subset, path)}
    return documents


@pytest.fixture(scope="module")
def documents(generated: Timeline) -> dict[str, bytes]:
    return feed_documents(generated)


def path_of(timeline: Timeline, url: str) -> str:
    assert url.startswith(timeline.base_url), url
    return url.removeprefix(timeline.base_url)


def parsed(data: bytes) -> Any:
    result = feedparser.parse(data)
    assert not result.bozo, result.get("bozo_exception")
    return result


def links(timeline: Timeline, path: str, data: bytes) -> dict[str, str]:
    """The document's paging links (and ``self``), as paths; JSON Feed's ``next_url`` as ``next``."""
    if path.endswith(".json"):
        document = json.loads(data)
        found = {"self": document["feed_url"]}
        if "next_url" in document:
            found["next"] = document["next_url"]
    else:
        root = etree.fromstring(data)
        home = root if root.tag == f"{ATOM}feed" else root.find("channel")
        found = {link.get("rel"): link.get("href") for link in home.findall(f"{ATOM}link")}
    return {rel: path_of(timeline, href) for rel, href in found.items() if rel != "alternate"}


def entry_ids(path: str, data: bytes) -> list[str]:
    """The ids of the document's entries (read with lxml: feedparser, which the reader tests
    below use, takes seconds for these few hundred documents)."""
    if path.endswith(".json"):
        return [item["id"] for item in json.loads(data)["items"]]
    root = etree.fromstring(data)
    found = (
        root.findall(f"{ATOM}entry/{ATOM}id") if path.endswith(".atom") else root.findall("channel/item/guid")
    )
    return [str(element.text) for element in found]


def is_archive(path: str, data: bytes) -> bool:
    if path.endswith(".json"):
        return False
    return etree.fromstring(data).find(f".//{{{HISTORY_NAMESPACE}}}archive") is not None


def walk(timeline: Timeline, documents: dict[str, bytes], path: str) -> list[str]:
    """The documents of the feed at ``path``, newest first: the subscription document, then each
    archive page it leads to (``prev-archive``, or JSON Feed's ``next_url``), checking the links back."""
    chain = [path]
    back = "next" if path.endswith(".json") else "prev-archive"
    while back in (found := links(timeline, chain[-1], documents[chain[-1]])):
        chain.append(found[back])
        assert chain[-1] in documents, f"{chain[-2]} links to {chain[-1]}, which the build does not write"
        assert len(chain) <= len(documents)
    return chain


def feeds_of(timeline: Timeline) -> list[str]:
    return [*FEEDS, *(f"tags/{tag.id}.{kind}" for tag in timeline.tags for kind in ("atom", "rss"))]


def test_every_event_is_in_exactly_one_document_of_each_feed(
    generated: Timeline, documents: dict[str, bytes]
) -> None:
    assert len(generated.events) == 300
    for feed in feeds_of(generated):
        subset = (
            generated
            if not feed.startswith("tags/")
            else generated.restricted_to(
                next(t for t in generated.tags if feed == f"tags/{t.id}.{feed.rpartition('.')[2]}")
            )
        )
        chain = walk(generated, documents, feed)
        ids = [entry for page in chain for entry in entry_ids(page, documents[page])]
        assert sorted(ids) == sorted(tag_uri(generated, event.id) for event in subset.events), feed
        assert len(entry_ids(feed, documents[feed])) <= generated.feed_entries
    main_atom = walk(generated, documents, "feed.atom")
    assert main_atom == ["feed.atom", *(archive_path("feed.atom", n) for n in (5, 4, 3, 2, 1))]
    assert [len(entry_ids(p, documents[p])) for p in main_atom] == [50] * 6


def test_archive_links_chain_both_ways(generated: Timeline, documents: dict[str, bytes]) -> None:
    for feed in ("feed.atom", "feed.rss"):
        pages = walk(generated, documents, feed)[1:][::-1]  # oldest first
        open_page = archive_path(feed, len(pages) + 1)
        assert open_page in documents
        assert entry_ids(open_page, documents[open_page]) == []
        for number, page in enumerate([*pages, open_page], start=1):
            assert page == archive_path(feed, number)
            found = links(generated, page, documents[page])
            assert found["self"] == page
            assert found["current"] == feed
            assert found.get("prev-archive") == (archive_path(feed, number - 1) if number > 1 else None)
            assert found.get("next-archive") == (
                archive_path(feed, number + 1) if page != open_page else None
            )
            assert is_archive(page, documents[page])
        assert not is_archive(feed, documents[feed])
        assert "next-archive" not in links(generated, feed, documents[feed])
    json_pages = walk(generated, documents, "feed.json")
    assert json_pages == ["feed.json", *(archive_path("feed.json", n) for n in (5, 4, 3, 2, 1))]
    assert {links(generated, p, documents[p])["self"] for p in json_pages} == {"feed.json"}


def test_archive_pages_are_filled_oldest_first(generated: Timeline, documents: dict[str, bytes]) -> None:
    by_id = {tag_uri(generated, e.id): e for e in generated.events}
    order = sorted(generated.events, key=lambda e: (e.published, tag_uri(generated, e.id)))
    pages = walk(generated, documents, "feed.atom")[::-1]
    for number, page in enumerate(pages):
        events = sorted((by_id[i] for i in entry_ids(page, documents[page])), key=order.index)
        assert events == order[number * 50 : (number + 1) * 50]


def added(timeline: Timeline, count: int) -> Timeline:
    """``count`` new events, recorded after every other (what a curator adds to a live timeline)."""
    template = timeline.events[0]
    new = tuple(
        replace(
            template,
            id=f"added-event-{n}",
            title=f"Added event {n}",
            revisions=(),
            recorded=date(2031, 1, 1) + timedelta(days=n),
        )
        for n in range(count)
    )
    return replace(timeline, events=(*timeline.events, *new))


def full_archive_pages(documents: dict[str, bytes], size: int) -> dict[str, bytes]:
    return {
        path: data
        for path, data in documents.items()
        if path.startswith("archive/") and len(entry_ids(path, data)) == size
    }


@pytest.mark.parametrize("count", [1, 7, 50, 120])
def test_adding_events_changes_no_full_archive_page(
    generated: Timeline, documents: dict[str, bytes], count: int
) -> None:
    """300 events fill five pages and the subscription document: the first added event fills
    page 6, which was the open page; 120 fill two more."""
    full = full_archive_pages(documents, generated.feed_entries)
    assert {archive_path(feed, n) for feed in FEEDS for n in range(1, 6)} <= full.keys()
    after = feed_documents(added(generated, count))
    for path, data in full.items():
        assert after[path] == data, path
    assert after["feed.atom"] != documents["feed.atom"]
    assert len(full_archive_pages(after, generated.feed_entries)) > len(full)


def corrected(timeline: Timeline, event_id: str) -> Timeline:
    events = tuple(
        replace(e, revisions=(*e.revisions, Revision(date(2030, 6, 1), "A correction")))
        if e.id == event_id
        else e
        for e in timeline.events
    )
    return replace(timeline, events=events)


def test_correcting_an_entry_changes_only_its_page(generated: Timeline, documents: dict[str, bytes]) -> None:
    page = archive_path("feed.atom", 2)
    entry = entry_ids(page, documents[page])[10]
    event_id = entry.rpartition(":")[2]
    after = feed_documents(corrected(generated, event_id))
    changed = {path for path in documents if after[path] != documents[path]}
    holding = {path for path, data in documents.items() if entry in entry_ids(path, data)}
    assert {"archive/feed.2.atom", "archive/feed.2.rss", "archive/feed.2.json"} <= holding
    assert changed == holding
    assert len(holding) == 3 + 2 * len(next(t for t in generated.events if t.id == event_id).tags)


def test_the_story_keeps_one_page_per_feed(tmp_path: Path) -> None:
    report = build(REPO / "events.yaml", tmp_path / "out")
    written = {f.path for f in report.files}
    assert not any(path.startswith("archive/") for path in written)
    assert not (tmp_path / "out" / "archive").exists()
    story = load_timeline(REPO / "events.yaml")
    assert len(story.events) <= story.feed_entries
    atom = parsed((tmp_path / "out" / "feed.atom").read_bytes())
    assert len(atom.entries) == len(story.events)


# --- readers and validators accept every page ------------------------------------------------


def test_feedparser_and_the_atom_schema_accept_every_page(
    generated: Timeline, documents: dict[str, bytes]
) -> None:
    schema = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))
    json_feed = jsonschema.Draft7Validator(
        json.loads((SCHEMAS / "jsonfeed-1.1.json").read_text(encoding="utf-8")),
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )
    kinds = set()
    for path, data in documents.items():
        kind = path.rpartition(".")[2]
        kinds.add((kind, path.startswith("archive/")))
        if kind == "json":
            assert list(json_feed.iter_errors(json.loads(data))) == [], path
            continue
        result = parsed(data)
        assert result.version == ("atom10" if kind == "atom" else "rss20"), path
        if kind == "atom":
            assert schema.validate(etree.fromstring(data)), (path, schema.error_log)
    assert kinds == {(k, a) for k in ("atom", "rss", "json") for a in (False, True)}


def test_a_small_paged_feed_matches_golden_files(small: Timeline, assert_golden: Any) -> None:
    """The small fixture's five events in pages of two: two archive pages, the open third page,
    and a subscription document with the newest entry."""
    paged = replace(small, feed_entries=2)
    written = feed_documents(paged)
    names = sorted(p for p in written if not p.startswith("tags/") and not p.startswith("archive/tags/"))
    assert names == [
        "archive/feed.1.atom",
        "archive/feed.1.json",
        "archive/feed.1.rss",
        "archive/feed.2.atom",
        "archive/feed.2.json",
        "archive/feed.2.rss",
        "archive/feed.3.atom",
        "archive/feed.3.rss",
        "feed.atom",
        "feed.json",
        "feed.rss",
    ]
    for name in names:
        assert_golden(f"paged/{name.replace('/', '-')}", written[name])


# --- serve ---------------------------------------------------------------------------------


@pytest.fixture
def paged_site(tmp_path: Path) -> Path:
    text = (FIXTURES / "small.yaml").read_text(encoding="utf-8")
    events = tmp_path / "events.yaml"
    events.write_text(text.replace("timeline:\n", "timeline:\n  feed_entries: 2\n", 1), encoding="utf-8")
    out = tmp_path / "out"
    build(events, out, BuildOptions(source_date_epoch=EPOCH))
    return out


@pytest.fixture
def server(paged_site: Path) -> Iterator[TimelineServer]:
    with running(paged_site) as server:
        yield server


def test_serve_serves_every_archive_page_with_its_type(paged_site: Path, server: TimelineServer) -> None:
    listed = (paged_site / MANIFEST).read_text(encoding="utf-8").split()
    archives = [name for name in listed if name.startswith("archive/")]
    assert "archive/feed.1.atom" in archives
    assert "archive/tags/pledge.1.rss" not in archives
    assert {name.rpartition(".")[2] for name in archives} == {"atom", "rss", "json"}
    types = {"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}
    for name in archives:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            connection.request("GET", "/" + name)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        assert response.status == 200, name
        assert response.getheader("Content-Type") == f"{types[name.rpartition('.')[2]]}; charset=utf-8"
        assert body == (paged_site / name).read_bytes()


# --- newsboat ------------------------------------------------------------------------------


def newsboat_reads(folder: Path, pages: dict[str, int]) -> tuple[dict[str, int], list[str]]:
    """Items newsboat stored per feed URL after ``newsboat -x reload`` of ``pages`` (file:// URLs),
    and the errors it logged."""
    urls = folder / "urls"
    urls.write_text("".join(f"{url}\n" for url in pages), encoding="utf-8")
    cache, log = folder / "cache.db", folder / "newsboat.log"
    command = ["newsboat", "-u", str(urls), "-c", str(cache), "-C", "/dev/null", "-x", "reload"]
    environment = {"HOME": str(folder), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    subprocess.run(
        [*command, "-l", "4", "-d", str(log)], check=True, env=environment, timeout=60, capture_output=True
    )
    with sqlite3.connect(cache) as database:
        feeds = {url: 0 for (url,) in database.execute("SELECT rssurl FROM rss_feed")}
        feeds |= dict(database.execute("SELECT feedurl, COUNT(*) FROM rss_item GROUP BY feedurl"))
    errors = [line for line in log.read_text(encoding="utf-8").splitlines() if "ERROR" in line]
    return feeds, errors


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_newsboat_reads_every_page(tmp_path: Path, kind: str) -> None:
    """Every document of the feed, the empty open page too, each with all its entries.

    Debian's newsboat 2.21 reads no JSON Feed at all ("could not parse file", for the story's
    unpaged feed.json too): JSON Feed pages are left to the schema test."""
    if shutil.which("newsboat") is None:
        missing_tool("newsboat is not installed (Debian package newsboat)")
    text = (FIXTURES / "small.yaml").read_text(encoding="utf-8")
    events = tmp_path / "events.yaml"
    events.write_text(text.replace("timeline:\n", "timeline:\n  feed_entries: 2\n", 1), encoding="utf-8")
    out = tmp_path / "out"
    report = build(events, out, BuildOptions(source_date_epoch=EPOCH))
    # One feed per run: newsboat files an item under the last feed that had its guid, and a tag
    # feed's entries are the main feed's.
    pages = {
        (out / built.path).as_uri(): built.items or 0
        for built in report.files
        if built.path in (f"feed.{kind}", *(f"archive/feed.{n}.{kind}" for n in range(1, 10)))
    }
    assert len(pages) == 4  # the subscription document, two archive pages and the open page
    feeds, errors = newsboat_reads(tmp_path, pages)
    assert errors == []
    assert feeds == pages
