"""Property tests: every generated valid timeline passes; every mutation fails cleanly or passes."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from pledge_timeline.errors import InvalidTimeline
from pledge_timeline.validate import load_timeline

YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML (and so the error lines) counts
ERROR_LINE = re.compile(r"^events\.yaml:\d+:\d+: \S.*: .+$")
SLUG = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,5}){0,2}", fullmatch=True)
TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"), blacklist_characters="\ufeff"
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")


@st.composite
def edtf_dates(draw: st.DrawFn) -> str:
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
    form = draw(st.sampled_from(["day", "month", "year", "season", "range"]))
    qualifier = draw(st.sampled_from(["", "?", "~", "%"]))
    if form == "range":
        end = draw(st.dates(min_value=day, max_value=date(2100, 12, 31)))
        return f"{day.isoformat()}/{end.isoformat()}"
    body = {
        "day": day.isoformat(),
        "month": f"{day:%Y-%m}",
        "year": f"{day:%Y}",
        "season": f"{day:%Y}-{draw(st.integers(21, 24))}",
    }[form]
    return body + qualifier


@st.composite
def timelines(draw: st.DrawFn) -> dict[str, Any]:
    tag_ids = draw(st.lists(SLUG, min_size=1, max_size=3, unique=True))
    source_ids = draw(st.lists(SLUG, min_size=1, max_size=3, unique=True))
    event_ids = draw(st.lists(SLUG, min_size=len(tag_ids), max_size=6, unique=True))
    events = []
    for index, event_id in enumerate(event_ids):
        event: dict[str, Any] = {
            "id": event_id,
            "title": draw(TEXT),
            "date": draw(edtf_dates()),
            "summary": draw(TEXT),
            "tags": [tag_ids[index % len(tag_ids)]],
            "sources": [{"source": draw(st.sampled_from(source_ids)), "quote": draw(TEXT)}],
        }
        if draw(st.booleans()):
            event["place"] = {
                "name": draw(TEXT),
                "lat": draw(st.floats(-90, 90)),
                "lon": draw(st.floats(-180, 180)),
            }
        if draw(st.booleans()):
            event["revisions"] = [
                {"date": "2015-09-17", "what": draw(TEXT), "before": draw(TEXT), "after": draw(TEXT)}
            ]
        events.append(event)
    return {
        "timeline": {
            "title": draw(TEXT),
            "description": draw(TEXT),
            "base_url": "https://example.org/t/",
            "timezone": draw(st.sampled_from(["UTC", "America/Los_Angeles", "Asia/Shanghai"])),
            "curator": draw(TEXT),
            "rights": "CC0",
        },
        "tags": [{"id": t, "label": draw(TEXT)} for t in tag_ids],
        "sources": [
            {"id": s, "title": draw(TEXT), "publisher": draw(TEXT), "published": "2015-09-16"}
            for s in source_ids
        ],
        "events": events,
    }


def _write(tmp: Path, text: str) -> Path:
    path = tmp / "events.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=timelines())
def test_any_valid_generated_timeline_passes(tmp_path: Path, data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    timeline = load_timeline(_write(tmp_path, text), "events.yaml")
    assert [e.id for e in timeline.events] == [e["id"] for e in data["events"]]
    assert [e.title for e in timeline.events] == [e["title"] for e in data["events"]]
    assert [e.when.span.edtf for e in timeline.events] == [e["date"] for e in data["events"]]


BASE_TEXT = (FIXTURES / "small.yaml").read_text(encoding="utf-8")


@st.composite
def mutations(draw: st.DrawFn) -> str:
    text = BASE_TEXT
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "swap-lines", "duplicate-line"]))
        if kind == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 30)) :]
        elif kind == "insert":
            junk = draw(st.text(alphabet=string.printable + "&*!|>%@`\"'{}[]:-#\t\u00e9\u4e60", max_size=12))
            text = text[:position] + junk + text[position:]
        else:
            lines = text.splitlines(keepends=True)
            index = draw(st.integers(0, len(lines) - 1))
            other = draw(st.integers(0, len(lines) - 1))
            if kind == "swap-lines":
                lines[index], lines[other] = lines[other], lines[index]
            else:
                lines.insert(other, lines[index])
            text = "".join(lines)
    return text


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutations())
def test_any_mutation_passes_or_fails_with_located_errors(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    try:
        load_timeline(path, "events.yaml")
    except InvalidTimeline as invalid:
        assert invalid.errors  # noqa: PT017 - a mutation may be valid, so no pytest.raises
        for error in invalid.errors:
            assert ERROR_LINE.match(str(error)), str(error)
            assert 1 <= error.location.line <= len(YAML_LINE_BREAK.findall(text)) + 2
            assert error.location.column >= 1
