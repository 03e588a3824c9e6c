"""The shortcuts taken for speed give exactly what the plain code gives."""

from __future__ import annotations

import calendar
import os
import unicodedata
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import FIXTURES
from pledge_timeline.dates import DateSyntaxError, days_in_month, parse_span
from pledge_timeline.document import (
    FieldProblem,
    check_nonblank,
    check_nonblank_text,
    check_text,
    is_time_zone,
)
from pledge_timeline.loader import MAX_DEPTH, load_document, with_positions

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


def _nested(depth: int) -> str:
    return "a: " + "[" * depth + "x" + "]" * depth + "\n"


TRICKY_YAML = {
    "deepest-allowed": _nested(MAX_DEPTH),
    "one-too-deep": _nested(MAX_DEPTH + 1),
    "deep-mappings": "a: " + "{b: " * (MAX_DEPTH + 1) + "c" + "}" * (MAX_DEPTH + 1) + "\n",
    "two-documents": "a: 1\n---\nb: 2\n",
    "explicit-document": "---\na: 1\n...\n",
    "null-key": "~: 1\n",
    "empty-key": ": 1\n",
    "quoted-null-key": "'null': 1\n",
    "duplicate-key": "a: 1\na: 2\n",
    "list-as-key": "? [a]\n: 1\n",
    "alias-as-key": "a: &x k\n*x : 1\n",
    "alias-in-list": "a: &x [1]\nb: [*x]\n",
    "tagged-key": "!!int 1: a\n",
    "str-tagged-key": "!!str 1: a\n",
    "tagged-list": "a: !!seq [1]\n",
    "bang-tagged-list": "a: ! [1]\n",
    "nulls": "a: ~\nb: null\nc:\nd: ''\ne: !!str null\nf: ! NULL\ng: [~, Null, '']\n",
    "scalar-root": "just text\n",
    "list-root": "- a\n- {b: c}\n",
}


@pytest.mark.parametrize("name", TRICKY_YAML)
def test_the_fast_pass_refuses_or_agrees_on_tricky_yaml(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(TRICKY_YAML[name], encoding="utf-8")
    full = load_document(path)
    fast = load_document(path, positions=False)
    assert (fast.data, fast.errors, fast.unreadable) == (full.data, full.errors, full.unreadable)
    assert fast.positioned == bool(full.errors or full.placeholders)


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


def test_every_source_address_of_a_big_file_is_split_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every output asks is_web_url of every citation; a cache smaller than a big file's set of
    # addresses (6,667 at 100,000 events) evicted each before its next use.
    from urllib.parse import urlsplit as real_urlsplit

    from pledge_timeline import urls
    from pledge_timeline.render import labels

    calls = [0]

    def counting_urlsplit(url: str) -> object:
        calls[0] += 1
        return real_urlsplit(url)

    monkeypatch.setattr(urls, "urlsplit", counting_urlsplit)
    labels.is_web_url.cache_clear()
    addresses = [f"https://news.example/{number}" for number in range(20_000)]
    for _ in range(3):  # as the calendar, the feeds and the page each cite them
        assert all(labels.is_web_url(address) for address in addresses)
    labels.is_web_url.cache_clear()
    assert calls[0] == len(addresses)
