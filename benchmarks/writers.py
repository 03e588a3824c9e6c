"""Time each output's two possible writers at one size: the project's own text writer, and the
library end to end (icalendar for calendar.ics, feedgen for feed.atom and feed.rss), as
``tests/oracles.py`` drives them. Both write every entry of the timeline: the whole calendar,
and every document (subscription and archive pages) of each feed.

    python benchmarks/writers.py                  # 10,000 events, best of 3
    python benchmarks/writers.py --size 1000 --reps 5

Each writer runs in this one process, on a timeline loaded afresh each time (so no run reuses
another's per-event text), after a warm-up run; the figures are the fastest run's CPU time
(``time.process_time``: on a machine shared with other work, wall time says little).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import generate  # noqa: E402

from oracles import oracle_calendar, oracle_pages  # noqa: E402
from pledge_timeline.model import Timeline  # noqa: E402
from pledge_timeline.render.atom import atom_pages  # noqa: E402
from pledge_timeline.render.ical import render_calendar  # noqa: E402
from pledge_timeline.render.rss import rss_pages  # noqa: E402
from pledge_timeline.validate import load_timeline  # noqa: E402


def library_feed(kind: str) -> Callable[[Timeline], bytes]:
    def write(timeline: Timeline) -> bytes:
        return b"".join(data for _, data in oracle_pages(timeline, f"feed.{kind}"))

    return write


def own_feed(kind: str) -> Callable[[Timeline], bytes]:
    def write(timeline: Timeline) -> bytes:
        pages = (atom_pages if kind == "atom" else rss_pages)(timeline, f"feed.{kind}")
        return b"".join(data for _, data, _ in pages)

    return write


WRITERS: dict[str, tuple[Callable[[Timeline], bytes], Callable[[Timeline], bytes]]] = {
    "calendar.ics": (
        lambda t: render_calendar(t, "calendar.ics"),
        lambda t: oracle_calendar(t, "calendar.ics"),
    ),
    "feed.atom (all pages)": (own_feed("atom"), library_feed("atom")),
    "feed.rss (all pages)": (own_feed("rss"), library_feed("rss")),
}


def best_of(reps: int, events_file: Path, write: Callable[[Timeline], bytes]) -> tuple[float, bytes]:
    """The CPU time of the fastest of ``reps`` runs, each on a timeline loaded afresh (no text cached from
    another run), after one warm-up run; and what the writer wrote."""
    times, data = [], b""
    for _ in range(reps + 1):
        timeline = load_timeline(events_file)
        gc.collect()
        start = time.process_time()
        data = write(timeline)
        times.append(time.process_time() - start)
    return min(times[1:]), data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    events_file = generate.write_events_file(args.size, HERE / "data")
    print(f"{args.size:,} events; best of {args.reps} runs after a warm-up")
    print(f"{'output':<24}{'own writer':>12}{'library':>12}{'library/own':>13}{'bytes equal':>13}")
    for name, (own, library) in WRITERS.items():
        own_time, own_data = best_of(args.reps, events_file, own)
        library_time, library_data = best_of(args.reps, events_file, library)
        same = "yes" if own_data == library_data else "NO"
        print(
            f"{name:<24}{own_time:>10.3f} s{library_time:>10.3f} s{library_time / own_time:>12.1f}x{same:>13}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
