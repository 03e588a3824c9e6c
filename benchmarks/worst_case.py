"""The largest outputs the limits allow: build the worst files that ``check`` still accepts.

``python benchmarks/worst_case.py`` finds, for each shape, the most events a file of that shape
can have before ``check`` refuses it (``budget.MAX_OUTPUT_BYTES``), builds it in a fresh process
and prints its input size, output size, wall time and peak RSS against the budget (see
README.md, "The output budget"). It asserts nothing; it prints MET or NOT MET.

Every shape fills every field it uses to its length limit with characters markup escapes, and has
every event cite the one source and carry tags, so each event repeats as much text as it can:
``(citations per event, tags, tags per event)``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHAPES = {
    "one citation, one tag": (1, 1, 1),
    "30 tags on each event": (1, 30, 30),
    "50 citations": (50, 1, 1),
}
TIME_BUDGET_S = 60.0
MEMORY_BUDGET = 1536 << 20


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a YAML double-quoted scalar


def amplifying_file(events: int, citations: int, tags: int, tags_per_event: int, text: str = "<") -> str:
    """A file of ``events`` short events whose outputs are as large as the limits let them be."""
    from pledge_timeline import limits

    url = "https://e.example/" + "&" * (limits.MAX_URL - 18)
    short = _quoted((text * limits.MAX_SHORT_TEXT)[: limits.MAX_SHORT_TEXT])
    long = _quoted((text * limits.MAX_LONG_TEXT)[: limits.MAX_LONG_TEXT])
    lines = [
        "timeline:",
        f"  title: {short}",
        f"  description: {long}",
        "  base_url: https://x.example/",
        "  timezone: UTC",
        f"  curator: {short}",
        f"  rights: {short}",
        "tags:",
        *(f"  - {{id: t{t}, label: {short}}}" for t in range(tags)),
        "sources:",
        f"  - {{id: s, title: {short}, publisher: {short}, published: 2015-01-01, url: '{url}'}}",
        "events:",
    ]
    cites = ", ".join(["{source: s, quote: q}"] * citations)
    for event in range(events):
        tagged = ", ".join(f"t{(event + k) % tags}" for k in range(tags_per_event))
        lines.append(
            f"  - {{id: e{event}, title: t, date: '2015', summary: s, tags: [{tagged}], sources: [{cites}]}}"
        )
    return "\n".join(lines) + "\n"


def largest_accepted(shape: tuple[int, int, int], path: Path) -> int:
    """The most events a file of ``shape`` has while ``check`` accepts it; written to ``path``."""
    from pledge_timeline.errors import InvalidTimeline
    from pledge_timeline.validate import validate_timeline

    def accepted(events: int) -> bool:
        path.write_text(amplifying_file(events, *shape), encoding="utf-8")
        try:
            validate_timeline(path)
        except InvalidTimeline:
            return False
        return True

    low, high = shape[1], 1
    while accepted(high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if accepted(middle) else (low, middle)
    accepted(low)
    return low


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args()
    from pledge_timeline.budget import MAX_OUTPUT_BYTES

    with tempfile.TemporaryDirectory() as folder:
        for name, shape in SHAPES.items():
            path = Path(folder) / "events.yaml"
            events = largest_accepted(shape, path)
            out = Path(folder) / "out"
            started = time.perf_counter()
            child = subprocess.Popen(
                [sys.executable, "-m", "pledge_timeline", "build", str(path), "--out", str(out)],
                stdout=subprocess.DEVNULL,
            )
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = time.perf_counter() - started
            written = sum(file.stat().st_size for file in out.rglob("*") if file.is_file())
            peak = usage.ru_maxrss * 1024
            verdict = written <= MAX_OUTPUT_BYTES and elapsed <= TIME_BUDGET_S and peak <= MEMORY_BUDGET
            print(
                f"{name}: {events:,} events, {path.stat().st_size / 1e6:.2f} MB in, "
                f"{written / 1e6:,.0f} MB out, "
                f"{elapsed:.1f} s, peak RSS {peak >> 20} MiB, exit {os.waitstatus_to_exitcode(status)}: "
                f"{'MET' if verdict else 'NOT MET'} (budget: {MAX_OUTPUT_BYTES >> 30} GiB, "
                f"{TIME_BUDGET_S:.0f} s, {MEMORY_BUDGET >> 20} MiB)"
            )
            subprocess.run(["rm", "-rf", str(out)], check=True)


if __name__ == "__main__":
    main()
