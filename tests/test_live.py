"""``serve --watch``: the open page follows the file through a server-sent events stream.

Servers listen on 127.0.0.1, port 0; every read and wait has a timeout, so a broken server fails
a test instead of hanging it.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import queue
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from pledge_timeline.build import BuildOptions, BuildReport
from pledge_timeline.cli import cli
from pledge_timeline.render.html import packaged_script
from pledge_timeline.serve import STREAM_PATH, LiveReload, Rebuilder, RebuildProblem, TimelineServer
from pledge_timeline.writer import read_manifest
from test_browser import browser  # noqa: F401  (the fixture)
from test_serve import TIMEOUT, TITLE, replace_file, serving, wait_until

EPOCH = 1_450_000_000
BAD_DATE = ("date: 2015-22~", "date: 2015-02-30")
TABS = 50


def folder_bytes(out: Path) -> dict[str, bytes]:
    return {path: (out / path).read_bytes() for path in sorted(read_manifest(out).paths)}


def built_by_build(events: Path, folder: Path, *options: str) -> dict[str, bytes]:
    result = CliRunner().invoke(cli, ["build", str(events), "--out", str(folder), *options])
    assert result.exit_code == 0, result.output
    return folder_bytes(folder)


def check_lines(events: Path) -> list[str]:
    """What ``check`` prints for the file, one problem a line (without the count line)."""
    result = CliRunner().invoke(cli, ["check", str(events)])
    assert result.exit_code == 1
    *lines, count = result.stderr.splitlines()
    assert count.endswith("found")
    return lines


def port_of(printed: list[str]) -> int:
    line = next(line for line in printed if "serving them at" in line)
    return int(line.rsplit(":", 1)[1].strip().strip("/"))


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def policy_of(page: bytes) -> str:
    document = lxml_html.fromstring(page)
    (policy,) = document.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    return str(policy)


def stream_url_of(page: bytes) -> str:
    (url,) = lxml_html.fromstring(page).xpath("//script[@data-stream]/@data-stream")
    return str(url)


# --- nothing of it in out/, and only serve --watch offers it -----------------------------------------


def test_out_gets_exactly_what_build_writes_and_only_the_served_page_has_the_live_hook(
    events: Path,
) -> None:
    expected = built_by_build(events, events.parent / "built")
    with serving(events, "--watch") as (process, printed):
        out = events.parent / "out"
        assert folder_bytes(out) == expected
        port = port_of(printed)
        status, served = get(port, "/timeline.html")
        assert status == 200
        assert served != expected["timeline.html"]
        assert b"EventSource" in served
        for path, data in expected.items():
            assert STREAM_PATH.encode() not in data, path
            assert b"EventSource" not in data, path

        # The page keeps its policy: the same directives, plus the live script's hash and the stream.
        built_policy, live_policy = policy_of(expected["timeline.html"]), policy_of(served)
        digest = hashlib.sha256(packaged_script("live.js").encode()).digest()
        live_hash = "'sha256-" + base64.b64encode(digest).decode() + "'"
        assert "unsafe-inline" not in live_policy.split("script-src", 1)[1].split(";")[0]
        assert live_policy == built_policy.replace(
            "; style-src", f" {live_hash}; connect-src 'self'; style-src"
        )
        assert stream_url_of(served).startswith(STREAM_PATH + "?page=")

        # After a rebuild, still byte for byte what build writes.
        replace_file(events, events.read_text(encoding="utf-8").replace(TITLE, "title: Edited\n"))
        expected = built_by_build(events, events.parent / "built-again")
        wait_until(lambda: folder_bytes(out) == expected)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=TIMEOUT)


def test_without_watch_the_page_is_served_as_built_and_there_is_no_stream(events: Path) -> None:
    with serving(events) as (process, printed):
        port = port_of(printed)
        status, page = get(port, "/timeline.html")
        assert (status, page) == (200, (events.parent / "out" / "timeline.html").read_bytes())
        assert get(port, STREAM_PATH)[0] == 404
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=TIMEOUT)


# --- the stream -----------------------------------------------------------------------------------


class Stream:
    """One open page's event stream, read from a plain socket."""

    def __init__(self, port: int, url: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.sendall(
            f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        self.buffer = b""
        head = self._until(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 "), head
        assert b"Content-Type: text/event-stream" in head

    def _until(self, end: bytes) -> bytes:
        while end not in self.buffer:
            chunk = self.sock.recv(65536)
            assert chunk, f"the stream ended: {self.buffer!r}"
            self.buffer += chunk
        block, self.buffer = self.buffer.split(end, 1)
        return block

    def event(self) -> tuple[str, str]:
        """The next event's name and data (``retry:`` blocks are skipped)."""
        while True:
            fields = dict(line.split(": ", 1) for line in self._until(b"\n\n").decode().splitlines())
            if "event" in fields:
                return fields["event"], fields["data"]

    def close(self) -> None:
        self.sock.close()


@contextmanager
def live_server(events: Path) -> Iterator[tuple[TimelineServer, LiveReload, queue.Queue[Any]]]:
    """``serve --watch`` in this process; the queue gets each rebuild's report or problem."""
    options = BuildOptions(source_date_epoch=EPOCH)
    live = LiveReload(options)
    done: queue.Queue[BuildReport | RebuildProblem] = queue.Queue()
    out = events.parent / "out"
    rebuilder = Rebuilder(events, out, options, live=live, on_rebuilt=done.put, on_failed=done.put)
    rebuilder.build()
    server = TimelineServer(out, "127.0.0.1", 0, live=live)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    rebuilder.start()
    try:
        assert rebuilder.watching.wait(TIMEOUT)
        yield server, live, done
    finally:
        rebuilder.stop()
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)
        assert not thread.is_alive()


def current_stream_url(server: TimelineServer) -> str:
    status, page = get(server.port, "/timeline.html")
    assert status == 200
    return stream_url_of(page)


def test_50_tabs_follow_edits_a_closed_tab_leaves_and_problems_come_as_check_prints_them(
    events: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    good = events.read_text(encoding="utf-8")
    with live_server(events) as (server, live, done):
        first_url = current_stream_url(server)
        tabs = [Stream(server.port, first_url) for _ in range(TABS)]
        wait_until(lambda: live.streams == TABS)

        replace_file(events, good.replace(TITLE, "title: First edit\n"))
        assert isinstance(done.get(timeout=TIMEOUT), BuildReport)
        second_url = current_stream_url(server)
        assert second_url != first_url
        for tab in tabs:
            assert tab.event() == ("reload", second_url.split("=", 1)[1])

        # A tab closed mid-stream leaves; the others go on.
        tabs.pop().close()
        wait_until(lambda: live.streams == TABS - 1)

        replace_file(events, good.replace(*BAD_DATE))
        problem = done.get(timeout=TIMEOUT)
        assert not isinstance(problem, BuildReport)
        expected = check_lines(events)
        assert expected == [
            f"{events}:32:11: events[0].date: '2015-02-30' is not a valid date (February 2015 has 28 days)"
        ]
        for tab in tabs:
            name, data = tab.event()
            assert name == "problems"
            assert json.loads(data) == {"lines": expected, "summary": f"{events}: 1 problem found."}

        # A tab opened now sees the problems at once; the page it got is still the last good one.
        assert current_stream_url(server) == second_url
        late = Stream(server.port, second_url)
        assert late.event()[0] == "problems"
        tabs.append(late)

        # The fix: back to the content of the page shown, so "ok" (the overlay goes), no reload.
        replace_file(events, good.replace(TITLE, "title: First edit\n"))
        assert isinstance(done.get(timeout=TIMEOUT), BuildReport)
        for tab in tabs:
            assert tab.event() == ("ok", second_url.split("=", 1)[1])

        # A page of an older build gets "reload" as soon as it connects.
        stale = Stream(server.port, first_url)
        assert stale.event()[0] == "reload"
        stale.close()
        for tab in tabs:
            tab.close()
        wait_until(lambda: live.streams == 0)
    assert "Traceback" not in capfd.readouterr().err


def test_ctrl_c_stops_serve_with_open_streams_at_once_and_cleanly(events: Path) -> None:
    with serving(events, "--watch") as (process, printed):
        port = port_of(printed)
        status, page = get(port, "/timeline.html")
        assert status == 200
        tabs = [Stream(port, stream_url_of(page)) for _ in range(5)]
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
        assert time.monotonic() - started < TIMEOUT
    assert (process.returncode, stdout) == (0, "stopped\n")
    assert "Traceback" not in stderr
    for tab in tabs:
        while tab.sock.recv(65536):  # until the stream ends (a timeout fails the test)
            pass
        tab.close()


def test_a_build_that_cannot_be_written_withdraws_its_page(events: Path) -> None:
    good = events.read_text(encoding="utf-8")
    with live_server(events) as (server, _, done):
        before_url = current_stream_url(server)
        before_page = get(server.port, "/timeline.html")[1]
        tab = Stream(server.port, before_url)
        out = events.parent / "out"
        (out / "tags").rename(events.parent / "tags-away")
        (out / "tags").write_text("a file where the folder was", encoding="utf-8")
        replace_file(events, good.replace(TITLE, "title: Unwritable\n"))
        problem = done.get(timeout=TIMEOUT)
        assert isinstance(problem, OSError)
        assert tab.event()[0] == "reload"  # published while the files were being written
        assert tab.event() == ("reload", before_url.split("=", 1)[1])  # and withdrawn
        name, data = tab.event()
        assert name == "problems"
        assert json.loads(data)["lines"] == [str(problem)]
        assert get(server.port, "/timeline.html")[1] == before_page
        tab.close()


# --- in the browser -----------------------------------------------------------------------------


IN_VIEW_JS = """() => {
  const entry = document.querySelectorAll('#event-list > li:not([hidden])')[1];
  return {id: entry.id, top: entry.getBoundingClientRect().top, y: window.scrollY};
}"""
"""The second entry the filter shows: its id, where it is in the window, and the scroll offset."""


@pytest.mark.browser
def test_the_open_page_follows_edits_keeps_its_filter_and_shows_problems_over_the_last_good_build(
    events: Path,
    browser: Any,  # noqa: F811  (the fixture of test_browser)
) -> None:
    good = events.read_text(encoding="utf-8")
    assert good.count("title: Letter sent to companies\n") == 1
    with live_server(events) as (server, _, done):
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            page.goto(f"http://127.0.0.1:{server.port}/timeline.html")
            page.wait_for_selector("#timeline-chart .main-svg")
            page.fill("#filter-text", "letter")
            assert page.inner_text("#filter-status") == "Showing 2 of 5 events."
            page.evaluate("window.notReloaded = true")
            page.evaluate("document.querySelectorAll('#event-list > li:not([hidden])')[1].scrollIntoView()")
            in_view = page.evaluate(IN_VIEW_JS)
            assert in_view["y"] > 500  # the list is below the chart: the window has scrolled

            # A longer description pushes the list down: the entry in view must stay in view.
            edited = (
                good.replace(TITLE, "title: Edited timeline\n")
                .replace("title: Letter sent to companies\n", "title: Letter sent to the companies\n")
                .replace(
                    "  description: 'Every precision:",
                    "  description: '" + "A longer text. " * 80 + "Every precision:",
                )
            )
            replace_file(events, edited)
            page.wait_for_selector("h1:has-text('Edited timeline')", timeout=TIMEOUT * 1000)
            page.wait_for_selector("#event-list h3:has-text('Letter sent to the companies')")
            assert page.evaluate("window.notReloaded") is True  # updated in place
            assert page.input_value("#filter-text") == "letter"
            page.wait_for_selector("#timeline-chart .main-svg")
            assert page.inner_text("#filter-status") == "Showing 2 of 5 events."
            after = page.evaluate(IN_VIEW_JS)
            assert after["id"] == in_view["id"]
            assert abs(after["top"] - in_view["top"]) <= 2  # the same entry, where it was in the window
            assert isinstance(done.get(timeout=TIMEOUT), BuildReport)

            replace_file(events, edited.replace(*BAD_DATE))
            overlay = page.wait_for_selector("#live-problems", timeout=TIMEOUT * 1000)
            assert overlay is not None
            (line,) = check_lines(events)
            assert line.startswith(f"{events}:32:11: events[0].date: ")
            assert overlay.inner_text().splitlines()[-1] == line
            assert page.inner_text("h1") == "Edited timeline"  # the last good build, underneath

            replace_file(events, edited)
            page.wait_for_selector("#live-problems", state="detached", timeout=TIMEOUT * 1000)
            assert page.inner_text("h1") == "Edited timeline"
            assert errors == []  # no script or connection blocked by the page's policy
        finally:
            page.close()
