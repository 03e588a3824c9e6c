"""The local server as calendar apps and feed readers use it, and rebuilds while it serves.

Every server here listens on 127.0.0.1, port 0 (a free port), in a thread of the test; every
network call and every wait has a timeout, so a broken server fails a test instead of hanging it.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import queue
import re
import resource
import select
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import FIXTURES, REPO
from pledge_timeline.build import BuildOptions, BuildReport, build
from pledge_timeline.cli import cli
from pledge_timeline.render.labels import webcal_url
from pledge_timeline.serve import (
    STOP_SIGNALS,
    Rebuilder,
    RebuildProblem,
    StopSignals,
    TimelineServer,
    accepts_gzip,
    content_type_of,
    subscription_lines,
    target_to_relative_path,
)
from pledge_timeline.serve.connections import Connection, ConnectionPool, Outcome
from pledge_timeline.writer import MANIFEST, read_manifest

TIMEOUT = 10.0
EPOCH = 1_450_000_000
TITLE = "title: Small fixture timeline\n"


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("built") / "out"
    build(FIXTURES / "small.yaml", out_dir, BuildOptions(source_date_epoch=EPOCH))
    return out_dir


@pytest.fixture
def out(events: Path, built_once: Path) -> Path:
    """The build of ``events``, copied: each test may change its own folder."""
    return Path(shutil.copytree(built_once, events.parent / "out"))


@contextmanager
def running(out_dir: Path) -> Iterator[TimelineServer]:
    server = TimelineServer(out_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)
        assert not thread.is_alive()


@pytest.fixture
def server(out: Path) -> Iterator[TimelineServer]:
    with running(out) as serving:
        yield serving


def fetch(
    server: TimelineServer, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def raw_request(server: TimelineServer, target: bytes, method: bytes = b"GET") -> tuple[int, bytes, bytes]:
    """Status, header block and body, with the target sent byte for byte (no client normalising)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
        sock.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head, body


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def replace_file(path: Path, text: str) -> None:
    """Save the way many editors do: a temporary file renamed over the old one."""
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- what a subscriber gets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("calendar.ics", "text/calendar; charset=utf-8"),
        ("feed.atom", "application/atom+xml; charset=utf-8"),
        ("feed.rss", "application/rss+xml; charset=utf-8"),
        ("feed.json", "application/feed+json; charset=utf-8"),
        ("timelinejs.json", "application/json; charset=utf-8"),
        ("timeline.html", "text/html; charset=utf-8"),
        ("tags/pledge.ics", "text/calendar; charset=utf-8"),
        ("tags/visit.atom", "application/atom+xml; charset=utf-8"),
        ("tags/press.rss", "application/rss+xml; charset=utf-8"),
    ],
)
def test_each_output_is_served_whole_with_its_content_type(
    server: TimelineServer, out: Path, path: str, content_type: str
) -> None:
    response, body = fetch(server, "/" + path)
    assert response.status == 200
    assert response.getheader("Content-Type") == content_type
    assert body == (out / path).read_bytes()
    assert response.getheader("Content-Length") == str(len(body))
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_plotly_beside_the_page_is_javascript() -> None:
    assert content_type_of("plotly.min.js") == "application/javascript; charset=utf-8"
    assert content_type_of("notes.bin") == "application/octet-stream"


def test_a_query_string_is_ignored_as_calendar_apps_add_cache_busters(server: TimelineServer) -> None:
    response, _ = fetch(server, "/calendar.ics?nocache=12345")
    assert response.status == 200


def test_the_root_redirects_to_the_page(server: TimelineServer) -> None:
    response, body = fetch(server, "/")
    assert (response.status, response.getheader("Location"), body) == (302, "/timeline.html", b"")


def test_etag_and_last_modified_answer_304(server: TimelineServer, out: Path) -> None:
    response, _ = fetch(server, "/feed.atom")
    etag, last_modified = response.getheader("ETag"), response.getheader("Last-Modified")
    assert etag is not None
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert last_modified == formatdate((out / "feed.atom").stat().st_mtime, usegmt=True)

    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": last_modified},
    ):
        not_modified, body = fetch(server, "/feed.atom", headers)
        assert (not_modified.status, body) == (304, b""), headers
        assert not_modified.getheader("ETag") == etag
        assert not_modified.getheader("Last-Modified") == last_modified

    a_day_earlier = formatdate(parsedate_to_datetime(last_modified).timestamp() - 86_400, usegmt=True)
    for headers in (
        {"If-None-Match": '"something-else"'},
        {"If-Modified-Since": a_day_earlier},
        {"If-Modified-Since": "not a date"},
        # If-None-Match wins over If-Modified-Since: a changed tag means changed content.
        {"If-None-Match": '"something-else"', "If-Modified-Since": last_modified},
    ):
        modified, body = fetch(server, "/feed.atom", headers)
        assert (modified.status, body) == (200, (out / "feed.atom").read_bytes()), headers


def test_the_etag_follows_the_content(server: TimelineServer, events: Path, out: Path) -> None:
    before, _ = fetch(server, "/calendar.ics")
    unchanged, _ = fetch(server, "/calendar.ics")
    assert unchanged.getheader("ETag") == before.getheader("ETag")

    text = events.read_text(encoding="utf-8")
    events.write_text(text.replace(TITLE, "title: Renamed timeline\n"), encoding="utf-8")
    build(events, out, BuildOptions(source_date_epoch=EPOCH))
    after, body = fetch(server, "/calendar.ics", {"If-None-Match": str(before.getheader("ETag"))})
    assert after.status == 200
    assert b"Renamed timeline" in body
    assert after.getheader("ETag") != before.getheader("ETag")


def test_head_sends_the_headers_of_get_and_no_body(server: TimelineServer, out: Path) -> None:
    got, _ = fetch(server, "/calendar.ics")
    headed, _ = fetch(server, "/calendar.ics", method="HEAD")
    assert headed.status == 200
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Vary"):
        assert headed.getheader(name) == got.getheader(name), name
    assert headed.getheader("Content-Length") == str(len((out / "calendar.ics").read_bytes()))
    status, _, body = raw_request(server, b"/calendar.ics", method=b"HEAD")
    assert (status, body) == (200, b"")  # not one byte after the headers
    status, _, body = raw_request(server, b"/nope.ics", method=b"HEAD")
    assert (status, body) == (404, b"")


def test_gzip_when_the_client_accepts_it(server: TimelineServer, out: Path) -> None:
    plain, plain_body = fetch(server, "/feed.rss")
    zipped, zipped_body = fetch(server, "/feed.rss", {"Accept-Encoding": "br, gzip;q=0.8"})
    assert zipped.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(zipped_body) == plain_body == (out / "feed.rss").read_bytes()
    assert len(zipped_body) < len(plain_body)
    assert zipped.getheader("Content-Length") == str(len(zipped_body))
    assert plain.getheader("Content-Encoding") is None
    assert plain.getheader("Vary") == zipped.getheader("Vary") == "Accept-Encoding"
    # One tag per representation; either tag shows the client already has this content.
    assert plain.getheader("ETag") != zipped.getheader("ETag")
    for etag in (plain.getheader("ETag"), zipped.getheader("ETag")):
        response, _ = fetch(server, "/feed.rss", {"Accept-Encoding": "gzip", "If-None-Match": str(etag)})
        assert response.status == 304
        assert response.getheader("ETag") == zipped.getheader("ETag")

    headed, body = fetch(server, "/feed.rss", {"Accept-Encoding": "gzip"}, method="HEAD")
    assert (headed.getheader("Content-Length"), body) == (str(len(zipped_body)), b"")
    refused, body = fetch(server, "/feed.rss", {"Accept-Encoding": "gzip;q=0, identity"})
    assert (refused.getheader("Content-Encoding"), body) == (None, plain_body)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("GZIP", True),
        ("deflate, gzip;q=1.0", True),
        ("x-gzip", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, *", False),
        ("*;q=0", False),
        ("br, identity", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


# --- nothing but the output folder ------------------------------------------------------------------

TRAVERSALS = [
    b"/../secret.txt",
    b"/../../../../etc/passwd",
    b"/tags/../../secret.txt",
    b"/%2e%2e/secret.txt",
    b"/%2E%2E/%2E%2E/etc/passwd",
    b"/.%2e/secret.txt",
    b"/%2e%2e%2fsecret.txt",
    b"/..%2fsecret.txt",
    b"/..%2Fsecret.txt",
    b"/%252e%252e/secret.txt",
    b"/%252e%252e%252fsecret.txt",
    b"/..%255csecret.txt",
    b"/..\\secret.txt",
    b"/..%5csecret.txt",
    b"/%5c..%5csecret.txt",
    b"/%c0%ae%c0%ae/secret.txt",
    b"//etc/passwd",
    b"/%2fetc%2fpasswd",
    b"/%2F..%2Fsecret.txt",
    b"/calendar.ics%00.html",
    b"/calendar.ics\x00",
    b"/./calendar.ics",
    b"/tags/./pledge.ics",
    b"/tags/../calendar.ics",
    b"/tags%2fpledge.ics",
    b"http://127.0.0.1/../secret.txt",
    b"file:///etc/passwd",
    b"C:\\secret.txt",
    b"/C:/secret.txt",
    b"*",
]


@pytest.mark.parametrize("target", TRAVERSALS, ids=lambda target: target.decode("latin-1"))
def test_traversal_attempts_get_404(server: TimelineServer, out: Path, target: bytes) -> None:
    (out.parent / "secret.txt").write_text("the secret\n", encoding="utf-8")
    status, _, body = raw_request(server, target)
    assert status == 404
    assert b"secret" not in body


@pytest.mark.parametrize(
    "target",
    [
        "/nope.ics",
        "/CALENDAR.ICS",
        "/calendar.ics/",
        "/tags",
        "/tags/",
        "/tags/nope.ics",
        "/" + MANIFEST,
        "/events.yaml",
        "/notes.txt",
        "/.calendar.ics.abc123.tmp",
        "/.hidden",
    ],
)
def test_unknown_paths_dotfiles_and_files_not_built_get_404(
    server: TimelineServer, out: Path, target: str
) -> None:
    (out / "notes.txt").write_text("mine, not the build's\n", encoding="utf-8")
    (out / ".calendar.ics.abc123.tmp").write_bytes(b"half a calendar")
    (out / ".hidden").write_text("hidden\n", encoding="utf-8")
    response, body = fetch(server, target)
    assert (response.status, body) == (404, b"not found\n")


def test_a_symlink_out_of_the_folder_gets_404(server: TimelineServer, out: Path) -> None:
    outside = out.parent / "outside"
    outside.mkdir()
    (outside / "calendar.ics").write_text("BEGIN:VCALENDAR secret\n", encoding="utf-8")
    (outside / "pledge.ics").write_text("BEGIN:VCALENDAR secret\n", encoding="utf-8")
    (out / "calendar.ics").unlink()
    (out / "calendar.ics").symlink_to(outside / "calendar.ics")
    shutil.rmtree(out / "tags")
    (out / "tags").symlink_to(outside, target_is_directory=True)
    for target in ("/calendar.ics", "/tags/pledge.ics"):
        response, body = fetch(server, target)
        assert (response.status, body) == (404, b"not found\n"), target
    assert fetch(server, "/feed.atom")[0].status == 200


def test_a_symlink_that_stays_inside_the_folder_is_followed(server: TimelineServer, out: Path) -> None:
    (out / "feed.atom").rename(out / "kept.atom")
    (out / "feed.atom").symlink_to("kept.atom")
    response, body = fetch(server, "/feed.atom")
    assert (response.status, body) == (200, (out / "kept.atom").read_bytes())


@pytest.mark.parametrize(
    ("target", "relative"),
    [
        ("/", ""),
        ("/calendar.ics", "calendar.ics"),
        ("/tags/pledge.ics?x=1", "tags/pledge.ics"),
        ("/caf%C3%A9.ics", "café.ics"),
        ("/a%20b.ics", "a b.ics"),
        ("/%2e%2e/x", None),
        ("/a%2fb", None),
        ("/%ff.ics", None),
        ("/a//b", None),
        ("relative.ics", None),
    ],
)
def test_target_to_relative_path(target: str, relative: str | None) -> None:
    assert target_to_relative_path(target) == relative


def test_subscription_lines_list_only_what_was_built() -> None:
    lines = subscription_lines("http://127.0.0.1:8000/", ["calendar.ics", "feed.atom", "tags/a.ics"])
    assert lines == [
        "  calendar:  http://127.0.0.1:8000/calendar.ics",
        "             webcal://127.0.0.1:8000/calendar.ics",
        "  Atom feed: http://127.0.0.1:8000/feed.atom",
        "  per tag:   http://127.0.0.1:8000/tags/<tag>.ics, .atom, .rss",
    ]
    assert webcal_url("https://example.org/t/calendar.ics") == "webcal://example.org/t/calendar.ics"


# --- watching ---------------------------------------------------------------------------------------


def test_an_invalid_edit_keeps_the_last_good_build_and_the_next_valid_one_is_picked_up(
    events: Path, out: Path
) -> None:
    rebuilt: queue.Queue[BuildReport] = queue.Queue()
    failed: queue.Queue[RebuildProblem] = queue.Queue()
    rebuilder = Rebuilder(
        events, out, BuildOptions(source_date_epoch=EPOCH), on_rebuilt=rebuilt.put, on_failed=failed.put
    )
    good = events.read_text(encoding="utf-8")
    rebuilder.build()
    before = {path: (out / path).read_bytes() for path in read_manifest(out).paths}
    rebuilder.start()
    try:
        assert rebuilder.watching.wait(TIMEOUT)
        replace_file(events, good.replace("date: 2015-22~", "date: 2015-02-30"))
        problem = failed.get(timeout=TIMEOUT)
        assert [str(error) for error in getattr(problem, "errors", [problem])] == [
            f"{events}:32:11: events[0].date: '2015-02-30' is not a valid date (February 2015 has 28 days)"
        ]
        assert {path: (out / path).read_bytes() for path in read_manifest(out).paths} == before

        events.write_text(good.replace(TITLE, "title: Fixed timeline\n"), encoding="utf-8")
        report = rebuilt.get(timeout=TIMEOUT)
        assert b"Fixed timeline" in (out / "calendar.ics").read_bytes()
        assert {f.path for f in report.files} == set(before)
    finally:
        rebuilder.stop()
    assert failed.empty()
    assert rebuilt.empty()


# --- under load -------------------------------------------------------------------------------------

CLIENTS = 50
REQUESTS_PER_CLIENT = 100
FIRST_GATE, SECOND_GATE = 50, 90
"""Request numbers before which each client waits for the first and the second rebuild to finish."""


def versions_of_every_file(tmp_path: Path, texts: list[str]) -> list[dict[str, str]]:
    """For each text of the events file, built apart: output path -> digest of its bytes."""
    versions = []
    for number, text in enumerate(texts):
        folder = tmp_path / f"expected-{number}"
        folder.mkdir()
        (folder / "events.yaml").write_text(text, encoding="utf-8")
        report = build(folder / "events.yaml", folder / "out", BuildOptions(source_date_epoch=EPOCH))
        versions.append({f.path: digest((folder / "out" / f.path).read_bytes()) for f in report.files})
    return versions


def test_5000_requests_from_50_clients_while_watch_rebuilds_twice(tmp_path: Path, events: Path) -> None:
    original = events.read_text(encoding="utf-8")
    assert original.count(TITLE) == 1
    texts = [original, *(original.replace(TITLE, f"title: Edit {n} of the timeline\n") for n in (1, 2))]
    versions = versions_of_every_file(tmp_path, texts)
    calendars = [version["calendar.ics"] for version in versions]
    assert len(set(calendars)) == 3
    paths = sorted(versions[0])
    small_paths = [path for path in paths if path != "timeline.html"]

    out = events.parent / "out"
    rebuilt: queue.Queue[BuildReport] = queue.Queue()
    failures: list[RebuildProblem] = []
    rebuilder = Rebuilder(
        events, out, BuildOptions(source_date_epoch=EPOCH), on_rebuilt=rebuilt.put, on_failed=failures.append
    )
    rebuilder.build()

    lock = threading.Lock()
    completed = [0]
    errors: list[str] = []
    seen: list[tuple[int, str, str, str]] = []  # request number, path, body digest, ETag
    gates = [threading.Event(), threading.Event()]
    during_rebuilds: list[tuple[int, int]] = []  # requests completed when each edit was saved / built
    deadline = time.monotonic() + 120

    def pick(client: int, number: int) -> tuple[str, bool]:
        # The multi-megabyte page only now and then (it would dominate time and memory), spread
        # over all three builds; the rest are the calendars and feeds.
        if client % 5 == 0 and number == (client * 7) % REQUESTS_PER_CLIENT:
            return "timeline.html", client % 2 == 0
        return small_paths[(client + number) % len(small_paths)], (client + number) % 3 == 0

    def client(number_of_client: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        try:
            for number in range(REQUESTS_PER_CLIENT):
                if number in (FIRST_GATE, SECOND_GATE):
                    gate = gates[0 if number == FIRST_GATE else 1]
                    if not gate.wait(max(0.0, deadline - time.monotonic())):
                        errors.append(f"client {number_of_client}: no rebuild")
                        return
                path, zipped = pick(number_of_client, number)
                connection.request("GET", "/" + path, headers={"Accept-Encoding": "gzip"} if zipped else {})
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    errors.append(f"{path}: {response.status}")
                    continue
                if response.getheader("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                with lock:
                    seen.append((number, path, digest(body), str(response.getheader("ETag"))))
                    completed[0] += 1
        except Exception as error:
            errors.append(f"client {number_of_client}: {error!r}")
        finally:
            connection.close()

    def editor() -> None:
        try:
            for edit, (start_at, gate) in enumerate(((1000, gates[0]), (2500, gates[1])), start=1):
                wait_until(lambda start_at=start_at: completed[0] >= start_at or bool(errors), timeout=60)
                saved_at = completed[0]
                replace_file(events, texts[edit])
                report = rebuilt.get(timeout=30)
                during_rebuilds.append((saved_at, completed[0]))
                # what this rebuild wrote: the next one waits for the gate
                assert {f.path: digest((out / f.path).read_bytes()) for f in report.files} == versions[edit]
                gate.set()
        except BaseException as error:
            errors.append(f"editor: {error!r}")
            for gate in gates:
                gate.set()

    started = time.monotonic()
    with running(out) as server:
        rebuilder.start()
        try:
            assert rebuilder.watching.wait(TIMEOUT)
            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            threads.append(threading.Thread(target=editor))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(max(0.1, deadline - time.monotonic()))
            assert not any(thread.is_alive() for thread in threads), "the load test did not finish in time"
        finally:
            rebuilder.stop()
    elapsed = time.monotonic() - started

    assert errors == []
    assert failures == []
    assert completed[0] == len(seen) == CLIENTS * REQUESTS_PER_CLIENT
    # Both rebuilds ran while requests were being answered, not before or after the load.
    assert len(during_rebuilds) == 2
    for saved_at, built_at in during_rebuilds:
        assert 0 < saved_at < built_at < CLIENTS * REQUESTS_PER_CLIENT
    # Every body is one whole file of one build; after each rebuild, no client gets an older one.
    for number, path, body, _ in seen:
        allowed = versions if number < FIRST_GATE else versions[1:] if number < SECOND_GATE else versions[2:]
        assert body in {version[path] for version in allowed}, (number, path)
    assert {body for _, path, body, _ in seen if path == "calendar.ics"} == set(calendars)
    # An ETag never stands for two different bodies.
    bodies_by_etag: dict[str, set[str]] = {}
    for _, _, body, etag in seen:
        bodies_by_etag.setdefault(etag.removesuffix('-gzip"').strip('"'), set()).add(body)
    assert all(len(bodies) == 1 for bodies in bodies_by_etag.values())
    print(f"{len(seen)} requests, 2 rebuilds, in {elapsed:.1f} s")


IDLE_CONNECTIONS = 1000


def retransmissions(sock: socket.socket) -> int:
    """Segments the kernel had to send again on this connection, its SYN included (TCP_INFO)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return int(struct.unpack_from("I", info, 100)[0])  # tcpi_total_retrans


def answered(server: TimelineServer) -> tuple[int, int]:
    """A request on a new connection: its status, and how many segments had to be sent again."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request("GET", "/calendar.ics")
        response = connection.getresponse()
        response.read()
        assert connection.sock is not None
        return response.status, retransmissions(connection.sock)
    finally:
        connection.close()


@pytest.mark.skipif(not hasattr(socket, "TCP_INFO"), reason="TCP_INFO is Linux's")
def test_a_request_is_answered_through_a_burst_of_idle_connections(server: TimelineServer) -> None:
    # Issue 21: thousands of idle connections opened at once overflowed the listen queue (their
    # SYNs were dropped and sent again a second later, and so was a request's), and each one that
    # got in held a thread. Now none of them is dropped, and they wait without a thread each.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if min(hard, 4 * IDLE_CONNECTIONS) > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4 * IDLE_CONNECTIONS), hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 3 * IDLE_CONNECTIONS:
        pytest.skip("too few file descriptors for the burst")
    somaxconn = Path("/proc/sys/net/core/somaxconn")
    if somaxconn.exists() and int(somaxconn.read_text()) <= IDLE_CONNECTIONS:
        pytest.skip("net.core.somaxconn caps the listen queue below the burst")
    threads_before = threading.active_count()
    idle: list[socket.socket] = []
    try:
        for _ in range(IDLE_CONNECTIONS):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", server.port))
            idle.append(sock)
        assert answered(server) == (200, 0)  # right behind the burst
        deadline = time.monotonic() + 30
        poller = select.poll()
        for sock in idle:
            poller.register(sock, select.POLLOUT)
        waiting = len(idle)
        while waiting:  # every connection of the burst is established
            assert time.monotonic() < deadline, f"{waiting} connections never established"
            for fd, _ in poller.poll(1000):
                poller.unregister(fd)
                waiting -= 1
        assert answered(server) == (200, 0)  # while they are all open
        assert sum(retransmissions(sock) for sock in idle) == 0
        assert threading.active_count() - threads_before < 50
    finally:
        for sock in idle:
            sock.close()
    assert answered(server) == (200, 0)  # right after they all closed at once
    wait_until(lambda: server.connections.open_connections == 0)


def test_an_idle_connection_is_closed_after_the_idle_timeout_and_a_stream_never_is() -> None:
    def answer(connection: Connection) -> Outcome:
        assert connection.sock.recv(1) == b"s"
        return Outcome.STREAM

    pool = ConnectionPool(answer, lambda connection: None, workers=1, idle_timeout=0.3)
    idle, idle_client = socket.socketpair()
    stream, stream_client = socket.socketpair()
    try:
        pool.add(idle, None)
        pool.add(stream, None)
        stream_client.sendall(b"s")
        idle_client.settimeout(TIMEOUT)
        assert idle_client.recv(1) == b""  # closed by the pool
        stream_client.settimeout(1.0)
        with pytest.raises(TimeoutError):
            stream_client.recv(1)  # still open, well past the idle timeout
        assert pool.open_connections == 1
        stream_client.close()  # the client leaves: the pool closes its end
        wait_until(lambda: pool.open_connections == 0)
    finally:
        pool.close()
        idle_client.close()


# --- the command ------------------------------------------------------------------------------------


def test_serve_help_lists_its_options() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--out", "--host", "--port", "--watch", "--plotlyjs", "127.0.0.1", "8000"):
        assert option in result.output


def test_serving_an_invalid_file_prints_located_errors_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (FIXTURES / "small.yaml").read_text(encoding="utf-8")
    (tmp_path / "events.yaml").write_text(
        text.replace("date: 2015-22~", "date: 2015-02-30"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["serve", "events.yaml", "--port", "0"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "events.yaml:32:11: events[0].date: '2015-02-30' is not a valid date (February 2015 has 28 days)\n"
        "1 problem found\n"
    )
    assert not (tmp_path / "out").exists()


READY = "Ctrl-C to stop\n"


@contextmanager
def serving(
    events: Path, *options: str, inherit: str = ""
) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """``serve events.yaml --port 0 OPTIONS`` in a child process, and its lines up to "Ctrl-C to stop".

    ``inherit``: Python the child runs before it execs serve, to set the signal state serve inherits.
    """
    command = [sys.executable, "-m", "pledge_timeline", "serve", "events.yaml", "--port", "0", *options]
    if inherit:
        trampoline = f"import os, signal, sys; {inherit}; os.execv(sys.argv[1], sys.argv[1:])"
        command = [sys.executable, "-c", trampoline, *command]
    process = subprocess.Popen(
        command, cwd=events.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        received = b""
        deadline = time.monotonic() + 30
        while not received.endswith(READY.encode()):
            remaining = deadline - time.monotonic()
            assert remaining > 0, received
            # The pipe itself, not the text wrapper: a server that hangs must not hang the test.
            if select.select([process.stdout], [], [], remaining)[0]:
                chunk = os.read(process.stdout.fileno(), 65536)
                assert chunk, f"serve ended early: {process.communicate(timeout=TIMEOUT)}"
                received += chunk
        yield process, received.decode().splitlines(keepends=True)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=TIMEOUT)


def test_serve_prints_urls_that_work_and_stops_cleanly_on_ctrl_c(events: Path) -> None:
    with serving(events, "--watch") as (process, printed):
        assert "watching events.yaml for changes\n" in printed
        urls = [line.split()[-1] for line in printed if line.startswith("  calendar:")]
        assert len(urls) == 1
        assert urls[0].startswith("http://127.0.0.1:")
        assert f"{webcal_url(urls[0])}\n" in [line.lstrip() for line in printed]
        port = int(urls[0].split(":")[2].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        connection.request("GET", "/calendar.ics")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, (events.parent / "out/calendar.ics").read_bytes())
        connection.close()

        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0
    assert stdout == "stopped\n"
    assert "Traceback" not in stderr
    assert '"GET /calendar.ics HTTP/1.1" 200' in stderr


def test_serve_and_its_rebuilds_write_what_build_writes_with_the_same_options(events: Path) -> None:
    built = events.parent / "built"
    result = CliRunner().invoke(cli, ["build", str(events), "--out", str(built), "--plotlyjs", "sibling"])
    assert result.exit_code == 0, result.output
    expected = {path: (built / path).read_bytes() for path in read_manifest(built).paths}
    assert "plotly.min.js" in expected
    with serving(events, "--watch", "--plotlyjs", "sibling") as (process, printed):
        out = events.parent / "out"
        assert {path: (out / path).read_bytes() for path in read_manifest(out).paths} == expected
        port = int(next(line for line in printed if "serving them at" in line).split(":")[-1].strip("/\n"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        connection.request("GET", "/plotly.min.js")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, expected["plotly.min.js"])
        connection.close()
        # A rebuild builds with the same options: plotly.js stays beside the page.
        text = events.read_text(encoding="utf-8")
        replace_file(events, text.replace(TITLE, "title: Edited timeline\n"))
        wait_until(lambda: b"Edited timeline" in (out / "calendar.ics").read_bytes())
        assert "plotly.min.js" in read_manifest(out).paths
        assert b'src="plotly.min.js"' in (out / "timeline.html").read_bytes()
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=TIMEOUT)


@pytest.mark.parametrize("options", [("--watch",), ()], ids=["watch", "no-watch"])
@pytest.mark.parametrize("signal_number", STOP_SIGNALS, ids=lambda number: number.name)
def test_serve_stops_cleanly_on_a_signal_at_any_moment_after_it_is_ready(
    events: Path, signal_number: signal.Signals, options: tuple[str, ...]
) -> None:
    # At once: before serve_forever() has started and before the watcher has imported watchfiles;
    # then a little later, while the watcher starts. (Once all runs: the Ctrl-C test above.)
    for delay in (0.0, 0.1):
        with serving(events, *options) as (process, _):
            time.sleep(delay)
            process.send_signal(signal_number)
            stdout, stderr = process.communicate(timeout=TIMEOUT)
        assert (process.returncode, stdout, stderr) == (0, "stopped\n", ""), delay


@pytest.mark.parametrize(
    "inherit",
    [
        # What a non-interactive shell does to `command &`; Python then raises no KeyboardInterrupt.
        "signal.signal(signal.SIGINT, signal.SIG_IGN)",
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})",
    ],
    ids=["ignored", "blocked"],
)
def test_serve_stops_on_ctrl_c_even_if_it_was_started_with_sigint_ignored_or_blocked(
    events: Path, inherit: str
) -> None:
    with serving(events, "--watch", inherit=inherit) as (process, _):
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    assert (process.returncode, stdout, stderr) == (0, "stopped\n", "")


def test_stop_signals_restores_the_handlers_and_a_signal_before_serving_stops_it_at_once(
    out: Path,
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    server = TimelineServer(out, "127.0.0.1", 0)
    try:
        with StopSignals() as stop:
            assert signal.getsignal(signal.SIGTERM) != before
            signal.raise_signal(signal.SIGTERM)  # handled here, in the main thread, before serving
            started = time.monotonic()
            assert stop.serve(server) == signal.SIGTERM
            assert time.monotonic() - started < TIMEOUT
    finally:
        server.server_close()
    assert signal.getsignal(signal.SIGTERM) == before


# --- publishing: the pre-commit hook and the GitHub Pages workflow ----------------------------------


def test_the_pre_commit_hook_checks_the_events_file_it_is_given(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["language"], hook["pass_filenames"]) == ("pledge-timeline-check", "python", True)
    matches = re.compile(hook["files"]).search
    assert all(matches(name) for name in ("events.yaml", "events.yml", "story/events.yaml"))
    assert not any(matches(name) for name in ("events.yaml.bak", "other.yaml", "events.json"))

    program, *arguments = shlex.split(hook["entry"])
    assert program == "pledge-timeline"
    good = tmp_path / "story" / "events.yaml"
    good.parent.mkdir()
    shutil.copy(FIXTURES / "small.yaml", good)
    passed = CliRunner().invoke(cli, [*arguments, str(good)])
    assert (passed.exit_code, passed.output) == (0, "ok: 5 events, 2 sources\n")
    bad = tmp_path / "events.yml"
    bad.write_text(good.read_text(encoding="utf-8").replace("date: 2015-22~", "date: 2015-13"))
    failed = CliRunner().invoke(cli, [*arguments, str(bad)])
    assert failed.exit_code == 1
    assert failed.stderr.startswith(f"{bad}:32:11: events[0].date: ")


def test_the_pages_workflow_checks_builds_with_the_pages_url_and_deploys() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    assert steps[1]["with"]["python-version"] == "3.11"
    assert uses[-1] == "actions/upload-pages-artifact"
    assert steps[-1]["with"]["path"] == "out/"
    assert (
        runs.index("pip install .")
        < runs.index("pledge-timeline check")
        < runs.index("pledge-timeline build")
    )
    assert '--base-url "$base_url"' in runs
    assert "https://$owner.github.io/$repo/" in runs
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
