"""Validation: one problem per invalid file, each reported exactly, and hostile input refused fast."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO
from hostile import HOSTILE, MAX_ADDRESS_SPACE, huge_file, tiny_values
from pledge_timeline.build import build
from pledge_timeline.errors import InvalidTimeline, TimelineError
from pledge_timeline.validate import load_timeline

INVALID = Path(__file__).parent / "invalid"
CASES = sorted(INVALID.glob("*.yaml"))


def test_the_invalid_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_each_invalid_file_reports_exactly_its_problem(case: Path) -> None:
    expected = case.with_suffix(".err").read_text(encoding="utf-8").splitlines()[:-1]
    with pytest.raises(InvalidTimeline) as caught:
        load_timeline(case, f"tests/invalid/{case.name}")
    assert [str(e) for e in caught.value.errors] == expected
    assert len(expected) == 1, "each corpus file holds exactly one problem"


def test_errors_carry_file_line_column_path_and_value() -> None:
    with pytest.raises(InvalidTimeline) as caught:
        load_timeline(INVALID / "impossible-day.yaml", "events.yaml")
    (error,) = caught.value.errors
    assert isinstance(error, TimelineError)
    assert (error.location.file, error.location.line, error.location.column) == ("events.yaml", 21, 11)
    assert error.path == ("events", 0, "date")
    assert error.value == "2015-02-30"


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("date: 2015-22~", "date: 2015-02-30").replace("source: paper", "source: papr")
    text = text.replace("timezone: America/Los_Angeles", "timezone: Mars/Base")
    bad = tmp_path / "events.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidTimeline) as caught:
        load_timeline(bad, "events.yaml")
    assert [e.path for e in caught.value.errors] == [
        ("timeline", "timezone"),
        ("events", 0, "date"),
        ("events", 0, "sources", 0, "source"),
    ]


def test_yaml_traps_keep_what_was_typed(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Letter sent", "title: no").replace("label: The pledge", "label: 012")
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    timeline = load_timeline(path)
    assert timeline.events[0].title == "no"
    assert timeline.tags[0].label == "012"
    assert timeline.sources[0].published.isoformat() == "2015-09-16"


HOSTILE_CPU_SECONDS = 10
"""A guard against a runaway (a file read whole, a hang), not the measurement: CPU time varies
with the machine, so how fast each file is refused (target: ``hostile.MAX_CPU_SECONDS``) is
what ``benchmarks/run.py`` measures; memory does not vary, and is held here."""


def _limit_the_child() -> None:
    # The kernel enforces both: past the CPU limit the child gets SIGXCPU (and dies), past 256 MB
    # of address space its allocations fail (MemoryError). The address space bounds its memory
    # from above, whatever it is resident.
    resource.setrlimit(resource.RLIMIT_CPU, (HOSTILE_CPU_SECONDS, HOSTILE_CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MAX_ADDRESS_SPACE, MAX_ADDRESS_SPACE))


def _check_within_limits(path: Path) -> str:
    """``check`` of ``path`` in a child held to 256 MB (and a CPU guard); its stderr, once it has
    refused the file (exit status 1) without a traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "pledge_timeline", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,  # a guard against a hang, not a measurement
        check=False,
        preexec_fn=_limit_the_child,
    )
    assert proc.returncode == 1, f"exit status {proc.returncode}: {proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    return proc.stderr


def test_the_limits_leave_room_for_the_shipped_file() -> None:
    # the control: the same limits let a real check through (so a refusal below is the file's)
    proc = subprocess.run(
        [sys.executable, "-m", "pledge_timeline", "check", str(REPO / "events.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=_limit_the_child,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: ")


@pytest.mark.parametrize("name", ["alias bomb", "100,000 levels deep"])
def test_a_hostile_file_is_refused_within_the_memory_limit(tmp_path: Path, name: str) -> None:
    path, expected = HOSTILE[name](tmp_path)  # the other two: their exact messages, below
    stderr = _check_within_limits(path)
    assert any(part in stderr for part in expected), stderr


def test_a_file_over_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    big, (message,) = huge_file(tmp_path)
    assert _check_within_limits(big) == f"{message}1 problem found\n"


def test_a_file_at_the_limit_of_tiny_values_is_refused_at_its_start(tmp_path: Path) -> None:
    tiny, (message,) = tiny_values(tmp_path)
    assert tiny.stat().st_size == 32 * 2**20
    assert _check_within_limits(tiny).startswith(message)


def test_nesting_deeper_than_the_limit_is_an_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("timeline: " + "[" * 40 + "]" * 40 + "\n", encoding="utf-8")
    with pytest.raises(InvalidTimeline) as caught:
        load_timeline(deep)
    assert (
        f"{deep}:1:43: timeline{'[0]' * 32}: nested deeper than 32 levels" in str(caught.value).splitlines()
    )


def test_very_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    # PyYAML 6.0.4's libyaml stops at 1,000 levels with a syntax error before our own limit is
    # reached (its scanner reads every "[" ahead); older ones left it to our limit. Either way an
    # error with a place, not a RecursionError.
    deep = tmp_path / "deep.yaml"
    deep.write_text("timeline: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(InvalidTimeline) as caught:
        load_timeline(deep)
    messages = [e.message for e in caught.value.errors]
    assert any("nested deeper than 32 levels" in m or "exceeded maximum nesting depth" in m for m in messages)


def test_the_shipped_events_file_is_valid() -> None:
    timeline = load_timeline(REPO / "events.yaml")
    assert len(timeline.events) >= 20
    assert all(event.citations for event in timeline.events)


def test_the_fixtures_are_valid() -> None:
    for name in ("small.yaml", "hostile.yaml", "minimal.yaml"):
        assert load_timeline(FIXTURES / name).events


def _minimal_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "events.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(InvalidTimeline) as caught:
        load_timeline(path, "events.yaml")
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "date: 2015-22~",
            "date: 2015-09-16\n    time: '1\u0665:30'",
            "events.yaml:22:11: events[0].time: '1\u0665:30' is not a 24-hour time HH:MM",
        ),
        (
            "date: 2015-22~",
            "date: \u0662\u0660\u0661\u0665-09-16",
            "events.yaml:21:11: events[0].date: '\u0662\u0660\u0661\u0665-09-16' is not an EDTF date "
            "(write YYYY, YYYY-MM, YYYY-MM-DD or a season YYYY-21..24, optionally ending in ?, ~ or %)",
        ),
        (
            "published: 2015-09-16",
            "published: 2015-09-16\n    archive: a.html",  # control: a valid change
            None,
        ),
    ],
)
def test_digits_are_ascii_digits_as_in_the_schema(
    tmp_path: Path, old: str, new: str, expected: str | None
) -> None:
    """Python's ``\\d`` matches Arabic-Indic digits; the schema's (ECMA-262) does not, nor may we:
    a time such as '1\\u0665:30' passed `check` and then crashed `build`."""
    path = _minimal_with(tmp_path, old, new)
    if expected is None:
        assert load_timeline(path).events
    else:
        assert _problems(path) == [expected]


@pytest.mark.parametrize("text", ["47.6", "-47", "+47.5", ".5", "47.", "4.76e1", "-1.2E+1", "0"])
def test_a_coordinate_is_a_decimal_number(tmp_path: Path, text: str) -> None:
    path = _minimal_with(tmp_path, "    summary:", f"    place: {{name: Here, lat: '{text}'}}\n    summary:")
    (event,) = load_timeline(path).events
    assert event.place is not None
    assert event.place.lat == float(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nan", "expected a number, found 'nan'"),
        ("inf", "expected a number, found 'inf'"),
        ("1_0", "expected a number, found '1_0'"),
        ("0x10", "expected a number, found '0x10'"),
        ("\u0664\u0667", "expected a number, found '\u0664\u0667'"),
        ("-90.5", "-90.5 is out of range (at least -90)"),
        ("9e1", None),
        (" 12 ", "expected a number, found ' 12 '"),
        ("9.1e1", "9.1e1 is out of range (at most 90)"),
    ],
)
def test_a_coordinate_that_is_no_number_in_range_is_refused(
    tmp_path: Path, text: str, message: str | None
) -> None:
    path = _minimal_with(tmp_path, "    summary:", f"    place: {{name: Here, lat: '{text}'}}\n    summary:")
    if message is None:
        assert load_timeline(path).events[0].place is not None
    else:
        assert _problems(path) == [f"events.yaml:22:30: events[0].place.lat: {message}"]


def test_each_unknown_key_of_a_record_is_reported_and_a_typo_hides_its_missing_key(tmp_path: Path) -> None:
    path = _minimal_with(tmp_path, "    summary: A letter", "    sumary: A letter")
    path.write_text(path.read_text(encoding="utf-8") + "    colour: red\n", encoding="utf-8")
    assert _problems(path) == [
        "events.yaml:22:5: events[0].sumary: unknown key 'sumary' (did you mean 'summary'?)",
        "events.yaml:27:5: events[0].colour: unknown key 'colour'; expected one of: id, title, date, "
        "end, display_date, time, end_time, fold, end_fold, timezone, place, summary, tags, actors, sources, "
        "revisions, recorded, note, media",
    ]


def test_a_wrong_type_is_named_for_what_was_expected(tmp_path: Path) -> None:
    path = _minimal_with(
        tmp_path, "    tags: [pledge]", "    tags: pledge\n    place: [Here]\n    recorded: {day: 1}"
    )
    path.write_text(path.read_text(encoding="utf-8").replace("language: en", "language:"), encoding="utf-8")
    assert _problems(path) == [
        "events.yaml:4:12: timeline.language: is empty; write a value",
        "events.yaml:10:9: tags[0].id: tag 'pledge' is not used by any event; remove it or tag an event",
        "events.yaml:23:11: events[0].tags: expected a list, found 'pledge'",
        "events.yaml:24:12: events[0].place: expected a mapping of keys, found a list",
        "events.yaml:25:15: events[0].recorded: expected text, found a mapping",
    ]


def test_a_number_field_says_it_wants_a_number(tmp_path: Path) -> None:
    path = _minimal_with(tmp_path, "    summary:", "    place: {name: Here, lon: [1]}\n    summary:")
    assert _problems(path) == ["events.yaml:22:30: events[0].place.lon: expected a number, found a list"]


@pytest.mark.parametrize(
    ("old", "new", "path", "value"),
    [
        ("date: 2015-22~", "date: '0000'", "events[0].date", "0000"),
        ("date: 2015-22~", "date: 0000-01-01", "events[0].date", "0000-01-01"),
        ("date: 2015-22~", "date: 9999-24", "events[0].date", "9999-24"),
        ("date: 2015-22~", "date: 9999-12-31", "events[0].date", "9999-12-31"),
        ("date: 2015-22~", "date: 0002-12-31", "events[0].date", "0002-12-31"),
        ("date: 2015-22~", "date: '9999'", "events[0].date", "9999"),
        ("date: 2015-22~", "date: 2015\n    end: '0000'", "events[0].end", "0000"),
        ("date: 2015-22~", "date: 2015\n    recorded: 0000-01-01", "events[0].recorded", "0000-01-01"),
        ("published: 2015-09-16", "published: '0000'", "sources[0].published", "0000"),
    ],
)
def test_a_day_python_cannot_hold_is_refused_not_a_crash(
    tmp_path: Path, old: str, new: str, path: str, value: str
) -> None:
    """Year 0 passed `check` and crashed `build`; with spans' days computed up front, it crashed `check`."""
    problems = _problems(_minimal_with(tmp_path, old, new))
    assert [p.split(": ", 1)[1] for p in problems] == [
        f"{path}: '{value}' is out of range: a date must fall between 0003-01-01 and 9998-12-31"
    ]


def test_the_first_and_last_days_held_build(tmp_path: Path) -> None:
    """The calendar describes a zone's clock changes from the year before a timed event's to the
    year after, moves times to UTC and writes the day after a span's last: all within Python's
    dates at both ends of the range. (A timed event in year 1 or 9999 crashed the calendar.)"""
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    head, event = text.split("events:\n")
    events = [
        event.replace("date: 2015-22~", "date: 0003-01-01/9998-12-31"),
        event.replace("letter-sent", "first-morning").replace(
            "date: 2015-22~", "date: 0003-01-01\n    time: '00:30'\n    timezone: Asia/Tokyo"
        ),
        event.replace("letter-sent", "last-night").replace(
            "date: 2015-22~", "date: 9998-12-31\n    time: '23:30'\n    timezone: Pacific/Honolulu"
        ),
    ]
    path = tmp_path / "events.yaml"
    path.write_text(head + "events:\n" + "".join(events), encoding="utf-8")
    build(path, tmp_path / "out")
    calendar = (tmp_path / "out" / "calendar.ics").read_bytes().decode("utf-8")
    assert "DTSTART;VALUE=DATE:00030101\r\nDTEND;VALUE=DATE:99990101\r\n" in calendar
    assert "DTSTART;TZID=Asia/Tokyo:00030101T003000\r\n" in calendar
    assert "DTSTART;TZID=Pacific/Honolulu:99981231T233000\r\n" in calendar


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a\u00a0b",  # no-break space
        "https://timeline\u3000example.org/",  # ideographic space
        "https://example.org/x\u2028y/",  # line separator
        "https://example.org/\ufeff",  # BOM
        "http\u017f://example.org/",  # long s: "s" only under Unicode case folding
    ],
)
def test_a_url_with_any_space_is_refused_as_the_schema_refuses_it(tmp_path: Path, url: str) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    path = tmp_path / "events.yaml"
    path.write_text(text.replace("url: https://news.example.com/a.html", f'url: "{url}"'), encoding="utf-8")
    shown = url.replace("\u2028", "\\u2028").replace("\ufeff", "\\ufeff")  # escaped: one problem, one line
    message = f"'{shown}' is not an http(s) URL; only http:// and https:// links are published"
    assert [p.split(": ", 1)[1] for p in _problems(path)] == [f"sources[0].url: {message}"]


def test_an_uppercase_scheme_is_a_url(tmp_path: Path) -> None:
    path = _minimal_with(tmp_path, "url: https://news.example.com/a.html", "url: HTTPS://NEWS.EXAMPLE.COM/")
    assert load_timeline(path).sources[0].url == "HTTPS://NEWS.EXAMPLE.COM/"
