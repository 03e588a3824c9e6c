"""Output amplification: every text field has a length limit, and a file whose outputs would pass
the size budget is refused at the event where they do; what is accepted builds within it."""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO
from pledge_timeline import budget, limits
from pledge_timeline.build import render_each
from pledge_timeline.cli import cli
from pledge_timeline.document import json_schema
from pledge_timeline.errors import InvalidTimeline
from pledge_timeline.to_model import build_model
from pledge_timeline.validate import load_timeline, validate_timeline

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
sys.path.insert(0, str(REPO / "benchmarks"))
try:
    from worst_case import amplifying_file  # type: ignore[import-not-found]
finally:
    sys.path.remove(str(REPO / "benchmarks"))


def _fields(schema: dict[str, Any], path: str = "") -> dict[str, dict[str, Any]]:
    """Every scalar field of the schema, by its path (``events[].title``)."""
    types = schema.get("type")
    if types == "object" or (isinstance(types, list) and "object" in types):
        found: dict[str, dict[str, Any]] = {}
        for key, field in schema["properties"].items():
            found |= _fields(field, f"{path}.{key}" if path else key)
        return found
    if schema.get("type") == "array":
        return _fields(schema["items"], f"{path}[]")
    return {path: schema}


def test_every_text_field_has_a_length_limit_in_the_schema_and_the_readme() -> None:
    fields = _fields(json_schema())
    assert len(fields) >= 40
    unlimited = [path for path, field in fields.items() if "maxLength" not in field]
    assert unlimited == []
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for limit in (
        limits.MAX_ID,
        limits.MAX_SHORT_TEXT,
        limits.MAX_LONG_TEXT,
        limits.MAX_URL,
        limits.MAX_CODE,
    ):
        assert f"{limit:,} characters" in readme
    assert f"{budget.MAX_OUTPUT_BYTES >> 30} GiB" in readme


def test_the_story_is_far_below_every_limit() -> None:
    fields = _fields(json_schema())
    data = validate_timeline(REPO / "events.yaml")
    longest = _longest(data)
    for path, length in longest.items():
        assert length * 3 <= fields[path]["maxLength"], path
    assert budget.estimated_output_bytes(data) * 100 < budget.MAX_OUTPUT_BYTES


def _longest(value: object, path: str = "") -> dict[str, int]:
    if isinstance(value, dict):
        found: dict[str, int] = {}
        for key, item in value.items():
            for field, length in _longest(item, f"{path}.{key}" if path else key).items():
                found[field] = max(found.get(field, 0), length)
        return found
    if isinstance(value, list):
        found = {}
        for item in value:
            for field, length in _longest(item, f"{path}[]").items():
                found[field] = max(found.get(field, 0), length)
        return found
    return {path: len(str(value))}


def test_the_issue_s_four_million_character_title_is_one_located_problem(tmp_path: Path) -> None:
    story = (REPO / "events.yaml").read_text(encoding="utf-8")
    sources = story.index("\nsources:\n")
    found = re.search(r"^    title: .*\n", story[sources:], flags=re.MULTILINE)
    assert found is not None
    title = found[0]  # sources[0]'s, cited throughout
    assert story.count(title) == 1
    path = tmp_path / "events.yaml"
    path.write_text(story.replace(title, f'    title: "{"<" * 4_000_000}"\n'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    line = story[: story.index(title)].count("\n") + 1
    assert result.exit_code == 1
    problem = f"{path}:{line}:12: sources[0].title: is 4,000,000 characters long; the limit is 500"
    assert result.stderr == f"{problem}\n1 problem found\n"


@pytest.mark.parametrize(
    ("old", "new", "limit", "where"),
    [
        ("title: Letter sent", "title: {}", limits.MAX_SHORT_TEXT, "20:12: events[0].title"),
        ("summary: A letter went out.", "summary: {}", limits.MAX_LONG_TEXT, "22:14: events[0].summary"),
        ("label: The pledge", "label: {}", limits.MAX_SHORT_TEXT, "11:12: tags[0].label"),
        (
            "quote: earlier this summer",
            "quote: {}",
            limits.MAX_LONG_TEXT,
            "26:16: events[0].sources[0].quote",
        ),
        (
            "url: https://news.example.com/a.html",
            "url: https://n.example/{}",
            limits.MAX_URL,
            "17:10: sources[0].url",
        ),
        ("  - id: letter-sent", "  - id: {}", limits.MAX_ID, "19:9: events[0].id"),
        ("publisher: The Paper", "publisher: {}", limits.MAX_SHORT_TEXT, "15:16: sources[0].publisher"),
    ],
)
def test_a_value_at_its_limit_passes_and_one_character_more_is_located(
    tmp_path: Path, old: str, new: str, limit: int, where: str
) -> None:
    prefix = len(new.format("")) - len(new.split(":", 1)[0]) - 2  # what the field holds besides the filler
    path = tmp_path / "events.yaml"
    path.write_text(MINIMAL.replace(old, new.format("a" * (limit - prefix))), encoding="utf-8")
    load_timeline(path)
    path.write_text(MINIMAL.replace(old, new.format("a" * (limit - prefix + 1))), encoding="utf-8")
    with pytest.raises(InvalidTimeline) as caught:
        load_timeline(path, "events.yaml")
    assert [str(e) for e in caught.value.errors] == [
        f"events.yaml:{where}: is {limit + 1:,} characters long; the limit is {limit:,}"
    ]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.integers(1, 6),
    citations=st.integers(1, 6),
    tags=st.integers(1, 5),
    data=st.data(),
    text=st.sampled_from(["<", "&", "\"'", "中", "🙂", "a"]),
)
def test_what_a_build_writes_stays_below_the_estimate_the_budget_limits(
    events: int, citations: int, tags: int, data: st.DataObject, text: str
) -> None:
    tags = min(tags, events)
    tags_per_event = data.draw(st.integers(1, tags))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.yaml"
        path.write_text(amplifying_file(events, citations, tags, tags_per_event, text), encoding="utf-8")
        doc = validate_timeline(path)
        written = sum(len(rendered.data) for rendered in render_each(build_model(doc)))
    assert written <= budget.estimated_output_bytes(doc)


def test_a_file_over_the_output_budget_is_refused_at_the_event_that_passes_it(tmp_path: Path) -> None:
    # 40 KB of short events, each citing a long-titled source and carrying 30 tags: 330 MB of
    # output at 50 events before the budget; so at a few thousand, the budget is passed.
    path = tmp_path / "events.yaml"
    events = 1
    while True:
        path.write_text(amplifying_file(events, 1, 30, 30), encoding="utf-8")
        if budget.estimated_output_bytes(validate_timeline(path)) > budget.MAX_OUTPUT_BYTES // 2:
            break
        events *= 2
    path.write_text(amplifying_file(events * 2, 1, 30, 30), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    problem, summary = result.stderr.splitlines()
    assert summary == "1 problem found"
    match = re.fullmatch(
        rf"{re.escape(str(path))}:(\d+):5: events\[(\d+)\]: the outputs come to about ([\d,]+) MiB with "
        r"this event, over the limit of 2,048 MiB: each event is written into 5 outputs and 3 more for each "
        r"of its tags, with the title, publisher and URL of every source it cites; use fewer tags or "
        r"citations, or shorter texts",
        problem,
    )
    assert match is not None, problem
    index = int(match[2])
    assert events <= index < events * 2
    path.write_text(amplifying_file(index, 1, 30, 30), encoding="utf-8")  # without that event
    assert CliRunner().invoke(cli, ["check", str(path)]).exit_code == 0


@pytest.mark.parametrize("links", ["[x][r]", "[r]", "[x][r] [y][r]\n"])
def test_markdown_links_to_a_reference_stay_below_the_estimate(tmp_path: Path, links: str) -> None:
    """A reference (``[r]: URL``) defined once and linked to hundreds of times in one summary
    repeats its address at every link: a 4.5 KB summary once wrote 12 MB beyond the estimate."""
    summary = links * (4000 // len(links)) + "\n\n[r]: https://e.example/" + "a" * 400
    path = tmp_path / "events.yaml"
    path.write_text(
        MINIMAL.replace("summary: A letter went out.", f"summary: {json.dumps(summary)}"), "utf-8"
    )
    doc = validate_timeline(path)
    written = sum(len(rendered.data) for rendered in render_each(build_model(doc)))
    assert written > 4 * 1024 * 1024  # the links are links: the address is repeated
    assert written <= budget.estimated_output_bytes(doc)


@pytest.mark.parametrize(
    ("media", "where"),
    [
        ("{{file: '{}.png', alt: x}}", "24:19: events[0].media.file"),
        ("{{url: 'https://n.example/{}', alt: x}}", "24:18: events[0].media.url"),
    ],
)
def test_an_over_long_media_address_is_one_problem_and_never_echoed(
    tmp_path: Path, media: str, where: str
) -> None:
    """The content checks (the picture's file, the link's address) skip a value already reported
    as too long: a second message would echo all of it."""
    minimal = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    value = "a" * 3_000
    path = tmp_path / "events.yaml"
    path.write_text(
        minimal.replace("    tags: [pledge]\n", f"    tags: [pledge]\n    media: {media.format(value)}\n"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert value not in result.stderr
    assert result.stderr.splitlines()[1:] == ["1 problem found"]
    line = result.stderr.splitlines()[0]
    assert re.fullmatch(
        rf"{re.escape(f'{path}:{where}')}: is 3,0\d\d characters long; the limit is [\d,]+", line
    )


@pytest.mark.parametrize("feed_entries", [1, 2, 50])
def test_paged_feeds_stay_below_the_estimate(tmp_path: Path, feed_entries: int) -> None:
    """Each archive page repeats the feed's header (its title, description, rights): with one
    entry a page, the longest description is written once per event and feed."""
    from pledge_timeline import limits

    path = tmp_path / "events.yaml"
    text = amplifying_file(60, 1, 3, 2, "a").replace(
        "timeline:\n", f"timeline:\n  feed_entries: {feed_entries}\n", 1
    )
    text = text.replace("a" * limits.MAX_LONG_TEXT, "<" * limits.MAX_LONG_TEXT, 1)  # the description
    path.write_text(text.replace("&" * (limits.MAX_URL - 18), "short", 1), "utf-8")  # the source's URL
    doc = validate_timeline(path)
    rendered = list(render_each(build_model(doc)))
    assert any(r.path.startswith("archive/") for r in rendered) == (feed_entries < 60)
    assert sum(len(r.data) for r in rendered) <= budget.estimated_output_bytes(doc)
