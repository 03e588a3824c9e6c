"""The shortcuts taken for speed give exactly what the plain code gives."""

from __future__ import annotations

import calendar
import unicodedata
from pathlib import Path

import pytest
from pydantic_core import PydanticCustomError

from conftest import FIXTURES
from pledge_timeline.dates import DateSyntaxError, days_in_month, parse_span
from pledge_timeline.document import check_text
from pledge_timeline.loader import load_document, with_positions

INVALID = Path(__file__).parent / "invalid"
YAML_FILES = sorted([*FIXTURES.glob("*.yaml"), *INVALID.glob("*.yaml")])


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_loading_without_positions_gives_the_same_data(path: Path) -> None:
    full = load_document(path)
    fast = load_document(path, positions=False)
    assert fast.data == full.data
    assert fast.errors == full.errors
    assert fast.unreadable == full.unreadable
    if fast.positioned:  # the loader had something to report, so it kept the positions
        assert fast.values == full.values
        assert fast.keys == full.keys
    else:
        assert not full.errors
        assert fast.values == {}


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_positions_added_later_are_the_full_loaders(path: Path) -> None:
    full = load_document(path)
    later = with_positions(load_document(path, positions=False))
    assert later.positioned
    assert (later.data, later.values, later.keys, later.errors) == (
        full.data,
        full.values,
        full.keys,
        full.errors,
    )


def test_some_files_take_the_fast_path() -> None:
    assert not load_document(FIXTURES / "small.yaml", positions=False).positioned
    assert load_document(INVALID / "alias.yaml", positions=False).positioned


def _text_is_allowed(value: str) -> bool:
    """The rule check_text applies, one character at a time."""
    return all(
        char in "\t\n\r"
        or (unicodedata.category(char) not in {"Cc", "Cs", "Co", "Cn"} and char not in "\ufffe\uffff")
        for char in value
    )


def test_check_text_agrees_with_the_per_character_rule() -> None:
    code_points = [*range(0x10000), *range(0x10000, 0x110000, 7)]
    for code_point in code_points:
        char = chr(code_point)
        for value in (char, f"a{char}b", f"é{char}"):
            try:
                check_text(value)
                allowed = True
            except PydanticCustomError:
                allowed = False
            assert allowed == _text_is_allowed(value), hex(code_point)


def test_days_in_month_is_calendars() -> None:
    for year in (1, 1600, 1900, 2000, 2015, 2016, 2100, 9999):
        for month in range(1, 13):
            assert days_in_month(year, month) == calendar.monthrange(year, month)[1]


def test_a_cached_parse_still_refuses_bad_dates_every_time() -> None:
    for _ in range(2):
        with pytest.raises(DateSyntaxError):
            parse_span("2015-02-30")
    assert parse_span("2015-22~") is parse_span("2015-22~")
