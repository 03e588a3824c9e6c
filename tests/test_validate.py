"""Validation: one problem per invalid file, each reported exactly, and hostile input refused fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO
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


PEAK_REPORTER = """
import atexit, sys

import resource

def report_peak_memory_and_cpu():
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write(f"PEAK-KIB {peak} CPU-S {usage.ru_utime + usage.ru_stime}\\n")

atexit.register(report_peak_memory_and_cpu)
from pledge_timeline.cli import main
sys.argv = ["pledge-timeline", "check", sys.argv[1]]
main()
"""


def _check_in_child(path: Path) -> tuple[float, int, str]:
    """Run `check` in a child process; return its own CPU seconds and peak RSS (KiB), and its stderr.

    CPU time, not wall time: it does not grow when a busy CI machine makes the child wait.
    """
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_REPORTER, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    errors, _, figures = proc.stderr.rpartition("PEAK-KIB ")
    peak, _, cpu = figures.partition(" CPU-S ")
    return float(cpu), int(peak), errors


def test_a_billion_laughs_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cpu_seconds, peak_kib, stderr = _check_in_child(bomb)
    assert "YAML aliases (*name) are not allowed" in stderr
    assert "Traceback" not in stderr
    assert cpu_seconds < 2.0
    assert peak_kib < 256 * 1024


def test_a_50_megabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    cpu_seconds, peak_kib, stderr = _check_in_child(big)
    assert stderr.startswith(f"{big}:1:1: (root): the file is 52.4 MB; the limit is 5 MiB")
    assert cpu_seconds < 2.0
    assert peak_kib < 256 * 1024


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("timeline: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(InvalidTimeline) as caught:
        load_timeline(deep)
    assert any("nested deeper than" in e.message for e in caught.value.errors)


def test_the_shipped_events_file_is_valid() -> None:
    timeline = load_timeline(REPO / "events.yaml")
    assert len(timeline.events) >= 20
    assert all(event.citations for event in timeline.events)


def test_the_fixtures_are_valid() -> None:
    for name in ("small.yaml", "hostile.yaml", "minimal.yaml"):
        assert load_timeline(FIXTURES / name).events
