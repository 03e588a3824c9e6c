"""EDTF subset parsing: precision, qualifiers, labels; the `edtf` package is the oracle."""

from __future__ import annotations

import calendar
import time
from datetime import date

import pytest
from edtf import parse_edtf
from hypothesis import given
from hypothesis import strategies as st

from pledge_timeline.dates import DateSyntaxError, FuzzyDate, Precision, parse_date, parse_span


@pytest.mark.parametrize(
    ("text", "label", "first", "last", "exact"),
    [
        ("2015-09-16", "Sept 16, 2015", date(2015, 9, 16), date(2015, 9, 16), True),
        ("2015-09-22/2015-09-24", "Sept 22-24, 2015", date(2015, 9, 22), date(2015, 9, 24), True),
        ("2015-06", "June 2015", date(2015, 6, 1), date(2015, 6, 30), False),
        ("2015-22~", "Summer 2015 (approx.)", date(2015, 6, 1), date(2015, 8, 31), False),
        ("2015-24", "Winter 2015", date(2015, 12, 1), date(2016, 2, 29), False),
        ("2013", "2013", date(2013, 1, 1), date(2013, 12, 31), False),
        ("2015-09-10?", "Sept 10, 2015 (uncertain)", date(2015, 9, 10), date(2015, 9, 10), False),
        ("2015-09-10%", "Sept 10, 2015 (approx., uncertain)", date(2015, 9, 10), date(2015, 9, 10), False),
        ("2015-09-30/2015-10-02", "Sept 30 - Oct 2, 2015", date(2015, 9, 30), date(2015, 10, 2), True),
        ("2014-11/2015-02", "Nov 2014 - Feb 2015", date(2014, 11, 1), date(2015, 2, 28), False),
        ("2015-01/2015-09", "Jan-Sept 2015", date(2015, 1, 1), date(2015, 9, 30), False),
    ],
)
def test_spans_keep_precision_and_label_honestly(
    text: str, label: str, first: date, last: date, exact: bool
) -> None:
    span = parse_span(text)
    assert (span.label, span.first_day, span.last_day, span.is_exact) == (label, first, last, exact)
    assert span.edtf == text


def test_a_qualified_season_keeps_its_qualifier() -> None:
    season = parse_date("2015-22~")
    assert (season.precision, season.approximate, season.uncertain) == (Precision.SEASON, True, False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2015-02-29", "'2015-02-29' is not a valid date (February 2015 has 28 days)"),
        (
            "2015-13",
            "'2015-13' is not a valid date (month 13 does not exist; seasons are 21-24 and take no day)",
        ),
        ("15-09-16", "'15-09-16' is not an EDTF date"),
        ("2015-09-16/", "'2015-09-16/' is an open interval"),
    ],
)
def test_impossible_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(DateSyntaxError) as caught:
        parse_span(text)
    assert str(caught.value).startswith(message)


days = st.dates(min_value=date(1000, 1, 1), max_value=date(2999, 12, 31))
qualifiers = st.sampled_from(["", "?", "~", "%"])


@given(day=days, precision=st.sampled_from(["day", "month", "year"]), qualifier=qualifiers)
def test_bounds_agree_with_the_edtf_package(day: date, precision: str, qualifier: str) -> None:
    text = {"day": f"{day:%Y-%m-%d}", "month": f"{day:%Y-%m}", "year": f"{day:%Y}"}[precision] + qualifier
    ours = parse_date(text)
    theirs = parse_edtf(text)
    assert ours.first_day == date(*theirs.lower_strict()[:3])
    assert ours.last_day == date(*theirs.upper_strict()[:3])
    assert ours.edtf == text


@given(day=days, qualifier=qualifiers)
def test_every_real_day_parses_and_round_trips(day: date, qualifier: str) -> None:
    parsed = parse_date(f"{day.isoformat()}{qualifier}")
    assert parsed == FuzzyDate(
        day.year, day.month, day.day, approximate=qualifier in "~%" and bool(qualifier),
        uncertain=qualifier in "?%" and bool(qualifier),
    )  # fmt: skip


@given(year=st.integers(1000, 2999), month=st.integers(1, 12), day=st.integers(29, 31))
def test_days_past_the_end_of_the_month_are_refused(year: int, month: int, day: int) -> None:
    if day <= calendar.monthrange(year, month)[1]:
        assert parse_date(f"{year}-{month:02d}-{day:02d}").day == day
    else:
        with pytest.raises(DateSyntaxError):
            parse_date(f"{year}-{month:02d}-{day:02d}")


def test_parsing_is_fast_enough_for_large_timelines() -> None:
    """Not a timing assertion: a sanity check that the regex parser is not pyparsing-slow."""
    started = time.process_time()
    for day in range(1, 29):
        parse_span(f"2015-02-{day:02d}/2015-03-{day:02d}")
    assert time.process_time() - started < 1.0
