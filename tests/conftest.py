"""Shared test fixtures; ``pytest --update-golden`` rewrites the golden files."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import settings

from pledge_timeline.model import Timeline
from pledge_timeline.validate import load_timeline

# Speed belongs in benchmarks/, not in a per-example deadline that a loaded machine can miss.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).parent.parent
EVENT_FILES = [
    REPO / "events.yaml",
    FIXTURES / "small.yaml",
    FIXTURES / "hostile.yaml",
    FIXTURES / "minimal.yaml",
    FIXTURES / "clock-changes.yaml",
    FIXTURES / "rich.yaml",
]
"""The shipped file and the fixtures: what the byte-for-byte oracle tests render."""


def missing_tool(reason: str) -> NoReturn:
    """Skip on a developer's machine; fail in CI, where .ci/run installs every test tool."""
    if os.environ.get("PLEDGE_TIMELINE_REQUIRE_TOOLS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def small() -> Timeline:
    """tests/fixtures/small.yaml: every kind of date, a timed event, revisions, CJK and emoji."""
    return load_timeline(FIXTURES / "small.yaml")


@pytest.fixture(scope="session")
def hostile() -> Timeline:
    """tests/fixtures/hostile.yaml: text that must come out as text, never markup or script."""
    return load_timeline(FIXTURES / "hostile.yaml")


@pytest.fixture(scope="session")
def rich() -> Timeline:
    """tests/fixtures/rich.yaml: Markdown in summaries and notes, two pictures and a link card."""
    return load_timeline(FIXTURES / "rich.yaml")


@pytest.fixture(scope="session")
def benchmark_mix(tmp_path_factory: pytest.TempPathFactory) -> Timeline:
    """1,000 synthetic events from benchmarks/generate.py: every precision, nine zones, CJK and
    emoji, revisions, several sources per event."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return load_timeline(generate.write_events_file(1000, tmp_path_factory.mktemp("mix")))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/* from the current renderers instead of comparing",
    )


@pytest.fixture
def assert_golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Compare bytes with tests/golden/NAME, or rewrite it under --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(name: str, data: bytes) -> None:
        golden = GOLDEN / name
        if update:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(data)
            return
        assert golden.exists(), f"no golden file {golden}; run pytest --update-golden"
        assert data == golden.read_bytes(), (
            f"{name} differs from {golden}; if intended, run pytest --update-golden"
        )

    return check


@pytest.fixture
def events(tmp_path: Path) -> Path:
    """tests/fixtures/small.yaml copied to ``site/events.yaml``, for a test to edit."""
    target = tmp_path / "site" / "events.yaml"
    target.parent.mkdir()
    shutil.copy(FIXTURES / "small.yaml", target)
    return target
