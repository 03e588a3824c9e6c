"""Benchmark ``serve``: how soon an open page shows a save, and requests through a connection burst.

    python benchmarks/serving.py                 # both parts
    python benchmarks/serving.py --live          # only: save -> changed text on an open page
    python benchmarks/serving.py --burst         # only: requests while 3,000 idle connections come and go

**Live.** ``pledge-timeline serve FILE --watch --port 0`` in a child process, the page open in
headless Chromium (Playwright, ``/usr/bin/chromium``). Each of ``--reps`` edits renames a new
version of the file over the old one (as editors save) with a new timeline title, and times from
that rename to the moment the page's ``<h1>`` shows the new title, without a reload. For
``events.yaml`` (the story) and the generated 1,000-event file. Prints the median and range.

**Burst.** ``serve`` (no ``--watch``) in a child process; a client thread fetches
``/calendar.ics`` on a new connection every 10 ms, while ``--idle`` connections are opened at once
(non-blocking connects), held for a second, then all closed at once; three rounds. Prints the
slowest request and the 99th percentile.

The script asserts nothing: it prints MET or NOT MET against the targets of issues 19 and 21.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import write_events_file  # noqa: E402  (beside this script)

CHROMIUM = Path("/usr/bin/chromium")
FRAMES_JS = """() => {
  window.liveBenchmarkFrames = [];
  new MutationObserver(() => {
    const title = document.querySelector('h1').textContent;
    requestAnimationFrame(() => {
      window.liveBenchmarkFrames.push([title, performance.timeOrigin + performance.now()]);
    });
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
}"""
"""Records, for each change of the page, its title and the time of the next frame (the one that
shows it), on the wall clock: Playwright's own polling, through its driver, lags behind that on
a busy machine."""
LIVE_TARGETS = {"events.yaml (story)": 0.3, "1,000 events": 0.6}
BURST_TARGET = 0.2


@contextmanager
def serve(events: Path, *options: str) -> Iterator[int]:
    """``serve EVENTS --port 0 OPTIONS`` in a child process; its port, until Ctrl-C stops it."""
    command = [sys.executable, "-m", "pledge_timeline", "serve", events.name, "--port", "0", *options]
    process = subprocess.Popen(
        command, cwd=events.parent, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    port = 0
    for line in process.stdout:
        if match := re.search(r"serving them at http://127\.0\.0\.1:(\d+)/", line):
            port = int(match[1])
        if line.startswith("Ctrl-C to stop"):
            break
    try:
        yield port
    finally:
        process.send_signal(2)
        process.communicate(timeout=30)


def save(path: Path, text: str) -> None:
    draft = path.with_name(f".{path.name}.swp")
    draft.write_text(text, encoding="utf-8")
    os.replace(draft, path)


def live(source: Path, reps: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / "events.yaml"
        shutil.copy(source, events)
        text = events.read_text(encoding="utf-8")
        assert "\n  title: " in text
        times = []
        with serve(events, "--watch") as port, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/timeline.html")
            page.wait_for_selector("#timeline-chart .main-svg")
            page.evaluate(FRAMES_JS)
            for number in range(reps + 1):  # the first is a warm-up
                time.sleep(1.0)  # the previous chart is drawn; the watcher is idle
                started = time.time()
                save(events, text.replace("\n  title: ", f"\n  title: Edit{number} ", 1))
                page.wait_for_selector(f"h1:has-text('Edit{number} ')", timeout=30_000)
                frames = page.evaluate("window.liveBenchmarkFrames")
                shown = min(at for title, at in frames if title.startswith(f"Edit{number} "))
                if number:
                    times.append(shown / 1000 - started)
            assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
            browser.close()
    return times


OPENER = """
import resource, socket, sys
count, port = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, count + 256)), hard))
for line in sys.stdin:
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        sockets.append(sock)
    print("opened", flush=True)
    sys.stdin.readline()
    for sock in sockets:
        sock.close()
    print("closed", flush=True)
"""
"""Opens the idle connections in a process of its own, so that the client timing the requests
never waits for this one's Python to let it run."""


def burst(idle: int, rounds: int = 3) -> tuple[list[float], float, float]:
    """Every request's time, and the slowest right after opening and right after closing."""
    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / "events.yaml"
        shutil.copy(REPO / "events.yaml", events)
        with serve(events) as port:
            times: list[float] = []
            stop = threading.Event()

            def fetch() -> float:
                started = time.perf_counter()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/calendar.ics")
                connection.getresponse().read()
                connection.close()
                return time.perf_counter() - started

            def poll() -> None:
                while not stop.is_set():
                    times.append(fetch())
                    time.sleep(0.01)

            opener = subprocess.Popen(
                [sys.executable, "-c", OPENER, str(idle), str(port)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert opener.stdin is not None
            assert opener.stdout is not None
            poller = threading.Thread(target=poll)
            poller.start()
            after_open, after_close = 0.0, 0.0
            try:
                for _ in range(rounds):
                    opener.stdin.write("open\n")
                    opener.stdin.flush()
                    assert opener.stdout.readline() == "opened\n"
                    after_open = max(after_open, fetch())
                    time.sleep(1.0)
                    opener.stdin.write("close\n")
                    opener.stdin.flush()
                    assert opener.stdout.readline() == "closed\n"
                    after_close = max(after_close, fetch())
                    time.sleep(1.0)
            finally:
                stop.set()
                poller.join()
                opener.stdin.close()
                opener.wait(30)
    return times, after_open, after_close


def verdict(value: float, target: float) -> str:
    return f"{'MET' if value < target else 'NOT MET'} {value:.3f} s (target < {target} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="only the live-reload timings")
    parser.add_argument("--burst", action="store_true", help="only the connection burst")
    parser.add_argument("--reps", type=int, default=10, help="edits per file (default 10)")
    parser.add_argument("--idle", type=int, default=3000, help="idle connections per round (default 3000)")
    args = parser.parse_args(argv)
    both = not (args.live or args.burst)

    if args.live or both:
        if not CHROMIUM.exists():
            print(f"live: skipped, {CHROMIUM} is not installed")
        else:
            files = {
                "events.yaml (story)": REPO / "events.yaml",
                "1,000 events": write_events_file(1_000, HERE / "data"),
            }
            print(f"save -> changed text on an open page (median of {args.reps}, range)")
            for label, path in files.items():
                times = live(path, args.reps)
                median = statistics.median(times)
                print(f"  {label:<22} {median:.3f} s ({min(times):.3f}-{max(times):.3f})")
                print(f"    {verdict(median, LIVE_TARGETS[label])}")

    if args.burst or both:
        times, after_open, after_close = burst(args.idle)
        times.sort()
        p99 = times[int(0.99 * (len(times) - 1))]
        print(f"requests while {args.idle:,} idle connections open and close at once (3 rounds)")
        median = statistics.median(times)
        print(f"  {len(times)} requests: median {median:.3f} s, 99th percentile {p99:.3f} s")
        print(f"  right after opening {after_open:.3f} s, right after closing {after_close:.3f} s")
        print(f"    slowest: {verdict(max(times[-1], after_open, after_close), BURST_TARGET)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
