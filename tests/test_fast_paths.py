"""The shortcuts taken for speed give exactly what the plain code gives."""

from __future__ import annotations

import calendar
import os
import unicodedata
import zoneinfo
from collections.abc import Callable

import pytest

from pledge_timeline.dates import DateSyntaxError, days_in_month, parse_span
from pledge_timeline.document import (
    FieldProblem,
    check_nonblank,
    check_nonblank_text,
    check_text,
    is_time_zone,
)


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
            except FieldProblem:
                allowed = False
            assert allowed == _text_is_allowed(value), hex(code_point)


@pytest.mark.parametrize(
    "value", ["text", " padded ", "", " ", "\u3000", "a\tb", "\t", "\x00", "é\u200b", "\ufffe"]
)
def test_check_nonblank_text_is_check_text_then_check_nonblank(value: str) -> None:
    def outcome(check: Callable[[str], str]) -> str:
        try:
            return check(value)
        except FieldProblem as error:
            return f"{error.kind}: {error}"

    assert outcome(check_nonblank_text) == outcome(lambda v: check_nonblank(check_text(v)))


def _names_under_the_time_zone_path() -> set[str]:
    names: set[str] = set()
    for root in zoneinfo.TZPATH:
        for folder, folders, files in os.walk(root):
            names.update(os.path.relpath(os.path.join(folder, name), root) for name in [*folders, *files])
    return names


def test_is_time_zone_accepts_exactly_the_available_time_zones() -> None:
    available = zoneinfo.available_timezones()
    lookalikes = {
        *(name.lower() for name in available),
        *(f"{name}/" for name in available),
        *("posixrules", "right/UTC", "posix/Europe/Paris", "Europe//Paris", "./UTC", "Europe/../UTC"),
        *("", "/", "Mars/Base", "/etc/localtime", "UTC\x00", "America", "zone.tab", "tzdata.zi"),
    }
    for name in sorted(available | lookalikes | _names_under_the_time_zone_path()):
        assert is_time_zone(name) == (name in available), name


def test_days_in_month_is_calendars() -> None:
    for year in (1, 1600, 1900, 2000, 2015, 2016, 2100, 9999):
        for month in range(1, 13):
            assert days_in_month(year, month) == calendar.monthrange(year, month)[1]


def test_a_cached_parse_still_refuses_bad_dates_every_time() -> None:
    for _ in range(2):
        with pytest.raises(DateSyntaxError):
            parse_span("2015-02-30")
    assert parse_span("2015-22~") is parse_span("2015-22~")
