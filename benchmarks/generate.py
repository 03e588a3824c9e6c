"""Deterministic synthetic events files for the benchmarks, and their yaml2ics twins.

``python benchmarks/generate.py 1000 10000 --out benchmarks/data`` writes ``events-1000.yaml``...;
the same size and seed always give the same bytes. Every file is a valid events file (checked with
``load_timeline`` when written) with the mix a long-running story would have: exact days, day
ranges, months, month ranges, seasons, years, approximate/uncertain dates, timed events in nine
IANA zones (some with DST rules that changed over the years), tags, a source registry, actors,
places, revisions, curator notes and display dates, and some non-ASCII text.

Strings are written as JSON strings, which are valid YAML double-quoted scalars; that keeps the
writer fast and exact at 100,000 events without a YAML emitter.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

SEED = 20150916
GENERATOR_VERSION = "1"
FIRST_YEAR, LAST_YEAR = 1995, 2025
TAGS = (
    ("pledge", "The pledge"),
    ("visit", "State visit"),
    ("press", "Press coverage"),
    ("trade", "Trade"),
    ("security", "Cybersecurity"),
    ("courts", "Courts"),
    ("congress", "Congress"),
    ("companies", "Companies"),
)
ZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "Asia/Shanghai",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Tokyo",
)
ACTORS = (
    "Xi Jinping",
    "习近平",
    "Barack Obama",
    "Cisco",
    "Microsoft",
    "IBM",
    "Dell",
    "Apple",
    "Ministry of Commerce",
    "China Information Technology Security Evaluation Center",
    "US Department of Commerce",
    "Senate Commerce Committee",
)
PLACES = (
    ("Beijing", 39.9042, 116.4074),
    ("Seattle, Washington", 47.6062, -122.3321),
    ("Washington, D.C.", 38.9072, -77.0369),
    ("Hong Kong", 22.3193, 114.1694),
    ("Redmond, Washington", 47.674, -122.1215),
    ("Shanghai", 31.2304, 121.4737),
    ("London", 51.5072, -0.1276),
)
WORDS = (
    *("pledge", "companies", "security", "China", "technology", "forum", "agreement", "data"),
    *("encryption", "servers", "users", "regulators", "officials", "investment", "market"),
    *("access", "report", "correction", "agency", "letter", "roundtable", "negotiations"),
    *("visit", "trade", "review", "sanctions", "cloud", "network", "policy", "law", "court"),
    *("ruling", "hearing"),
)
PUBLISHERS = ("The New York Times", "Reuters", "Xinhua", "The Seattle Times", "Bloomberg", "Caixin")


def words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def sentence(rng: random.Random, low: int, high: int) -> str:
    text = words(rng, low, high)
    return text[0].upper() + text[1:]


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def random_day(rng: random.Random) -> date:
    first, last = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def edtf_day(day: date) -> str:
    return day.isoformat()


def when_lines(rng: random.Random) -> tuple[list[str], date]:
    """The date keys of one event, and its first day (sources are published after it)."""
    day = random_day(rng)
    month = f"{day.year:04d}-{day.month:02d}"
    qualifier = rng.choice(("~", "?", "%"))
    roll = rng.random()
    if roll < 0.30:
        return [f"date: {edtf_day(day)}"], day
    if roll < 0.42:  # timed, in a zone of its own or the timeline's
        lines = [
            f"date: {edtf_day(day)}",
            f"time: '{rng.randrange(6, 20):02d}:{rng.choice((0, 15, 30)):02d}'",
        ]
        if rng.random() < 0.6:
            lines.append(f"end_time: '{rng.randrange(20, 24):02d}:00'")
        if rng.random() < 0.7:
            lines.append(f"timezone: {rng.choice(ZONES)}")
        return lines, day
    if roll < 0.52:
        end = day + timedelta(days=rng.randint(1, 40))
        if rng.random() < 0.5:
            return [f"date: {edtf_day(day)}/{edtf_day(end)}"], day
        return [f"date: {edtf_day(day)}", f"end: {edtf_day(end)}"], day
    if roll < 0.64:
        return [f"date: {month}"], day.replace(day=1)
    if roll < 0.70:
        last = min(day.month + rng.randint(1, 4), 12)
        return [f"date: {month}/{day.year:04d}-{last:02d}"], day.replace(day=1)
    if roll < 0.80:
        season = rng.randint(21, 24)
        first_month = {21: 3, 22: 6, 23: 9, 24: 12}[season]
        return [f"date: {day.year:04d}-{season}{qualifier}"], date(day.year, first_month, 1)
    if roll < 0.85:
        return [f"date: {day.year:04d}"], date(day.year, 1, 1)
    if roll < 0.95:
        return [f"date: {edtf_day(day)}{qualifier}"], day
    return [f"date: {month}{qualifier}"], day.replace(day=1)


def source_days(count: int) -> list[date]:
    rng = random.Random(SEED + 1)
    return [random_day(rng) for _ in range(count)]


def header(size: int) -> Iterator[str]:
    yield "# yaml-language-server: $schema=../../events.schema.json"
    yield f"# generated by benchmarks/generate.py v{GENERATOR_VERSION}, seed {SEED}, {size} events"
    yield "timeline:"
    yield f"  title: {quoted(f'Synthetic timeline of {size:,} events')}"
    yield "  description: Benchmark data in the shape of a long-running news story; 习近平 😀."
    yield "  language: en"
    yield "  base_url: https://bench.example.org/timeline/"
    yield "  timezone: America/Los_Angeles"
    yield "  curator: Benchmark Desk"
    yield "  rights: CC0"
    yield "tags:"
    for tag_id, label in TAGS:
        yield f"  - id: {tag_id}"
        yield f"    label: {label}"
        if tag_id == "pledge":
            yield "    description: The security pledge China asked US tech companies to sign."


def sources(count: int, days: list[date]) -> Iterator[str]:
    rng = random.Random(SEED + 2)
    yield "sources:"
    for index in range(count):
        yield f"  - id: s{index:05d}"
        yield f"    title: {quoted(sentence(rng, 4, 9))}"
        yield f"    publisher: {PUBLISHERS[index % len(PUBLISHERS)]}"
        yield f"    published: {days[index].isoformat()}"
        if index % 3:
            yield f"    url: https://news.example.com/{days[index]:%Y/%m/%d}/s{index:05d}.html"
        if index % 7 == 0:
            yield f"    archive: s{index:05d}.txt"


def event(rng: random.Random, index: int, source_ids: list[tuple[str, date]]) -> Iterator[str]:
    date_lines, first = when_lines(rng)
    title = sentence(rng, 3, 8)
    if index % 97 == 0:
        title += " 习近平 😀"
    yield f"  - id: e{index:06d}-{rng.choice(WORDS).lower()}"
    yield f"    title: {quoted(title)}"
    for line in date_lines:
        yield f"    {line}"
    if index % 53 == 0 and "time" not in " ".join(date_lines):
        yield f"    display_date: {quoted('around ' + str(first.year))}"
    yield f"    summary: {quoted(sentence(rng, 10, 24) + '.')}"
    tags = [TAGS[index % len(TAGS)][0]] if index < len(TAGS) else []
    tags += [t for t, _ in rng.sample(TAGS, rng.randint(0, 2)) if t not in tags]
    if tags:
        yield f"    tags: [{', '.join(tags)}]"
    if rng.random() < 0.5:
        actors = rng.sample(ACTORS, rng.randint(1, 3))
        yield f"    actors: [{', '.join(quoted(a) for a in actors)}]"
    if rng.random() < 0.4:
        name, lat, lon = rng.choice(PLACES)
        if rng.random() < 0.7:
            yield f"    place: {{name: {quoted(name)}, lat: {lat}, lon: {lon}}}"
        else:
            yield f"    place: {{name: {quoted(name)}}}"
    yield "    sources:"
    cited = rng.sample(source_ids, 1 if rng.random() < 0.8 else 2)
    for source_id, _ in cited:
        yield f"      - source: {source_id}"
        yield f"        quote: {quoted(words(rng, 3, 8))}"
    latest = max(day for _, day in cited)
    if rng.random() < 0.15:
        yield "    revisions:"
        for _ in range(rng.randint(1, 2)):
            revised = latest + timedelta(days=rng.randint(0, 30))
            yield f"      - date: {revised.isoformat()}"
            yield f"        source: {cited[0][0]}"
            yield f"        what: {quoted(sentence(rng, 2, 5))}"
            if rng.random() < 0.7:
                yield f"        before: {quoted(words(rng, 2, 5))}"
                yield f"        after: {quoted(words(rng, 2, 5))}"
    if rng.random() < 0.05:
        yield f"    recorded: {latest.isoformat()}"
    if rng.random() < 0.05:
        yield f"    note: {quoted(sentence(rng, 6, 14) + '.')}"


def generate(size: int) -> str:
    """The events file with ``size`` events, identical for the same size on every machine."""
    source_count = max(20, size // 10)
    days = source_days(source_count)
    source_ids = [(f"s{i:05d}", days[i]) for i in range(source_count)]
    rng = random.Random(f"{SEED}-{size}")
    lines = [*header(size), *sources(source_count, days), "events:"]
    for index in range(size):
        lines.extend(event(rng, index, source_ids))
    return "\n".join(lines) + "\n"


def write_events_file(size: int, out_dir: Path, *, validate: bool = True) -> Path:
    """Write ``events-SIZE.yaml`` unless an identical one is there; validate what was written."""
    path = out_dir / f"events-{size}.yaml"
    text = generate(size)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return path
    out_dir.mkdir(parents=True, exist_ok=True)
    draft = path.with_suffix(".draft.yaml")
    draft.write_text(text, encoding="utf-8")
    if validate:
        check_valid(draft)
    draft.replace(path)
    return path


# --- story-like files ------------------------------------------------------------------------

STORY = Path(__file__).resolve().parent.parent / "events.yaml"


def story_like(size: int, story: str) -> str:
    """``story`` (the shipped events file) with its events repeated under new ids, ``size`` in all.

    The header, tags and sources are kept as they are; copy ``n`` of an event is that event with
    ``-n`` after its id (the first copy keeps the id). So every event reads like the story's own,
    with its quotes, revisions, notes and places: denser text than ``generate``'s mix.
    """
    head, marker, body = story.partition("\nevents:\n")
    if not marker:
        raise ValueError("the story has no top-level 'events:' list")
    blocks = ["  - id: " + block for block in body.split("  - id: ")[1:]]
    lines = [head, "events:"]
    for index in range(size):
        copy, block = divmod(index, len(blocks))
        text = blocks[block]
        if copy:
            first, rest = text.split("\n", 1)
            text = f"{first}-{copy}\n{rest}"
        lines.append(text.rstrip("\n"))
    return "\n".join(lines) + "\n"


def write_story_file(size: int, out_dir: Path, story: Path = STORY) -> Path:
    """Write ``story-SIZE.yaml`` unless an identical one is there; validate it with the tool's
    defaults (no limit lifted: a story-like file of this size must pass as it is)."""
    path = out_dir / f"story-{size}.yaml"
    text = story_like(size, story.read_text(encoding="utf-8"))
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return path
    out_dir.mkdir(parents=True, exist_ok=True)
    draft = path.with_suffix(".draft.yaml")
    draft.write_text(text, encoding="utf-8")
    from pledge_timeline.validate import load_timeline

    load_timeline(draft)
    draft.replace(path)
    return path


def input_limit(path: Path) -> int:
    """An input limit that lets ``path`` in: the default, or four times the size of a file over it
    (its one-letter values make a parser event per 15 bytes; the limit allows one per 32)."""
    from pledge_timeline.loader import MAX_FILE_BYTES

    size = path.stat().st_size
    return MAX_FILE_BYTES if size <= MAX_FILE_BYTES else size * 4


def check_valid(path: Path) -> None:
    """Raise InvalidTimeline if the file is not valid (with the limit a big file needs)."""
    from pledge_timeline.validate import load_timeline

    load_timeline(path, max_bytes=input_limit(path))


# --- yaml2ics ------------------------------------------------------------------------------


def yaml2ics_file(events_file: Path, out_dir: Path) -> Path:
    """The same events in yaml2ics's format, with what its calendar can carry of each event.

    yaml2ics (scientific-python/yaml2ics 0.3) reads ``name``, ``timezone`` and ``events``; each
    event's keys are ics.py ``Event`` arguments (summary, begin, end, uid, description, location,
    url, categories, status, created, last_modified, transparent) plus ``timezone``. The summary
    and description are the ones our calendar writes, so both tools format the same text.
    """
    from pledge_timeline.render.ical import event_summary
    from pledge_timeline.render.labels import event_description
    from pledge_timeline.validate import load_timeline

    timeline = load_timeline(events_file, max_bytes=input_limit(events_file))
    lines = [f"name: {quoted(timeline.title)}", f"timezone: {timeline.timezone}", "events:"]
    for item in timeline.chronological:
        when = item.when
        lines.append(f"  - summary: {quoted(event_summary(item))}")
        if when.start_time is not None and not when.is_fuzzy:
            lines.append(f"    begin: {when.span.first_day} {when.start_time:%H:%M:%S}")
            if when.end_time is not None:
                lines.append(f"    end: {when.span.last_day} {when.end_time:%H:%M:%S}")
            lines.append(f"    timezone: {when.timezone or timeline.timezone}")
        else:
            lines.append(f"    begin: {when.span.first_day}")
            if when.span.last_day != when.span.first_day:
                lines.append(f"    end: {when.span.last_day + timedelta(days=1)}")
        lines.append(f"    uid: {item.id}@{timeline.domain}")
        lines.append(f"    description: {quoted(event_description(item))}")
        if item.place is not None:
            lines.append(f"    location: {quoted(item.place.name)}")
        lines.append(f"    url: {timeline.permalink(item)}")
        if item.tags:
            lines.append(f"    categories: [{', '.join(quoted(t.label) for t in item.tags)}]")
        lines.append(f"    status: {'TENTATIVE' if when.is_fuzzy else 'CONFIRMED'}")
        lines.append(f"    created: {item.published.isoformat(sep=' ')}")
        lines.append(f"    last_modified: {item.updated.isoformat(sep=' ')}")
        lines.append("    transparent: true")
    path = out_dir / f"yaml2ics-{len(timeline.events)}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--yaml2ics", action="store_true", help="also write the yaml2ics twins")
    parser.add_argument(
        "--story", action="store_true", help="story-like files: the shipped events repeated (story-N.yaml)"
    )
    args = parser.parse_args(argv)
    for size in args.sizes:
        if args.story:
            path = write_story_file(size, args.out)
            print(f"{path} ({path.stat().st_size / 1e6:.1f} MB): valid")
            continue
        path = write_events_file(size, args.out)
        print(f"{path} ({path.stat().st_size / 1e6:.1f} MB): valid")
        if args.yaml2ics:
            print(yaml2ics_file(path, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
