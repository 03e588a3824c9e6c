"""init, import and the hints for new users, on exact output; quotes, eras and the feed id year."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from conftest import FIXTURES, REPO
from pledge_timeline.cli import cli
from pledge_timeline.render.jsonfeed import render_json_feed
from pledge_timeline.render.timelinejs import render_timelinejs
from pledge_timeline.validate import load_timeline

IMPORTS = FIXTURES / "import"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_init_writes_a_timeline_that_checks_and_builds(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["init", str(tmp_path / "story")])
    assert (result.exit_code, result.output) == (
        0,
        f"wrote {tmp_path}/story/events.yaml\nwrote {tmp_path}/story/events.schema.json\n"
        f"next: edit {tmp_path}/story/events.yaml, then run pledge-timeline check and "
        "pledge-timeline build\n",
    )
    assert (tmp_path / "story/events.schema.json").read_bytes() == (REPO / "events.schema.json").read_bytes()
    events = str(tmp_path / "story/events.yaml")
    assert runner.invoke(cli, ["check", events]).output == "ok: 5 events, 2 sources\n"
    built = runner.invoke(cli, ["build", events, "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "out/timelinejs.json").exists()


def test_the_template_shows_each_feature_once() -> None:
    timeline = load_timeline(REPO / "src/pledge_timeline/templates/events.yaml")
    precisions = {str(e.when.span.precision) for e in timeline.events}
    assert precisions == {"day", "month", "season"}
    assert any(e.when.span.approximate for e in timeline.events)
    assert any(e.when.span.end is not None for e in timeline.events)
    assert any(e.when.is_timed and e.when.timezone for e in timeline.events)
    assert any(e.tags for e in timeline.events)
    assert any(e.revisions for e in timeline.events)
    quotes = [c.quote for e in timeline.events for c in e.citations]
    assert None in quotes
    assert any(quotes)
    assert timeline.eras
    assert timeline.id_year == "2024"


def test_init_never_overwrites(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "events.yaml").write_text("mine\n", encoding="utf-8")
    result = runner.invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{tmp_path}/events.yaml already exists; init writes only new files, so nothing was written\n"
    )
    assert (tmp_path / "events.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "events.schema.json").exists()


def test_check_without_events_yaml_points_to_init_and_import(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value: File 'events.yaml' does not exist. Start a timeline with "
        "'pledge-timeline init', or bring one in with 'pledge-timeline import SOURCE' "
        "(TimelineJS JSON, a TimelineJS sheet as CSV, iCalendar)."
    )


def test_import_prints_its_report(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(IMPORTS / "calendar.ics", tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["import", "calendar.ics", "--source-url", "https://example.org/cal.ics"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "imported 5 events, 0 eras, 3 tags from calendar.ics (iCalendar) into events.yaml\n"
        "every event cites calendar.ics without a quote (source 'imported', dated 2024-01-06 from the "
        "calendar's newest DTSTAMP)\n"
        "changed or dropped: 1 x ATTENDEE properties dropped\n"
        "changed or dropped: 1 x URLs kept as a link at the end of the event's text\n"
        "changed or dropped: 1 x alarms (VALARM) dropped\n"
        "changed or dropped: 3 x events had no description; their summary repeats the title\n"
        "changed or dropped: 1 x recurring events imported once, at their first occurrence\n"
        "changed or dropped: 1 x times kept to the minute; their seconds were dropped\n"
        "edit before publishing: timeline.base_url (https://example.org/timeline/), timeline.curator, "
        "timeline.rights\n"
    )
    assert runner.invoke(cli, ["check"]).output == "ok: 5 events, 1 source\n"
    assert load_timeline(tmp_path / "events.yaml").sources[0].url == "https://example.org/cal.ics"


def test_import_refuses_to_overwrite_without_force(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "events.yaml"
    target.write_text("mine\n", encoding="utf-8")
    args = ["import", str(IMPORTS / "calendar.ics"), "-o", str(target)]
    result = runner.invoke(cli, args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert (
        result.stderr
        == f"{target} already exists; pass --force to overwrite it, or -o FILE; nothing was written\n"
    )
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert runner.invoke(cli, [*args, "--force"]).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# yaml-language-server")


def test_import_errors_are_located_and_nothing_is_written(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "events.yaml"
    result = runner.invoke(cli, ["import", str(IMPORTS / "cosmic.json"), "-o", str(target)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "cosmic.json:4:20: events[0].start_date: year -13800000000 is before the common era; "
        "BCE dates are not supported; this date cannot be imported\n"
        "cosmic.json:5:20: events[1].start_date: year -3500 is before the common era; "
        "BCE dates are not supported; this date cannot be imported\n"
        "cosmic.json:6:20: events[2].start_date: year 1 is out of range: a date must fall between "
        "0003-01-01 and 9998-12-31; this date cannot be imported\n"
        "3 problems found\n"
    )
    assert not target.exists()


def test_import_format_can_be_forced_and_options_are_checked(runner: CliRunner, tmp_path: Path) -> None:
    source = str(IMPORTS / "calendar.ics")
    forced = runner.invoke(cli, ["import", source, "--from", "sheet", "-o", str(tmp_path / "x.yaml")])
    assert forced.exit_code == 1
    assert forced.stderr == (
        "calendar.ics:1:1: header: not a TimelineJS sheet: the first row needs the Year and "
        "Headline columns\n1 problem found\n"
    )
    zone = runner.invoke(
        cli, ["import", source, "--timezone", "Mars/Olympus", "-o", str(tmp_path / "x.yaml")]
    )
    assert zone.exit_code == 2
    assert zone.stderr.splitlines()[-1] == (
        "Error: Invalid value for --timezone: 'Mars/Olympus' is not an IANA time zone "
        "(e.g. America/Los_Angeles)"
    )


MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def _check(runner: CliRunner, tmp_path: Path, text: str) -> tuple[int, str]:
    (tmp_path / "events.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["check", str(tmp_path / "events.yaml")])
    return result.exit_code, result.stderr.replace(f"{tmp_path}/", "")


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("'602'", "'602' is not an EDTF date: years take four digits, months and days two; write '0602'"),
        (
            "1963-8-9",
            "'1963-8-9' is not an EDTF date: years take four digits, months and days two; write '1963-08-09'",
        ),
        ("'-3500'", "'-3500' is a year before the common era; BCE dates are not supported"),
    ],
)
def test_date_errors_say_how_to_write_the_date(
    runner: CliRunner, tmp_path: Path, date: str, message: str
) -> None:
    text = MINIMAL.replace("date: 2015-22~", f"date: {date}")
    assert _check(runner, tmp_path, text) == (
        1,
        f"events.yaml:21:11: events[0].date: {message}\n1 problem found\n",
    )


def test_a_schemeless_link_says_to_add_https(runner: CliRunner, tmp_path: Path) -> None:
    text = MINIMAL.replace("url: https://news.example.com/a.html", "url: //news.example.com/a.html")
    assert _check(runner, tmp_path, text) == (
        1,
        "events.yaml:17:10: sources[0].url: '//news.example.com/a.html' has no scheme; "
        "write 'https://news.example.com/a.html'\n1 problem found\n",
    )


def test_a_citation_may_leave_out_its_quote_unless_quotes_are_required(
    runner: CliRunner, tmp_path: Path
) -> None:
    unquoted = MINIMAL.replace("        quote: earlier this summer\n", "")
    assert _check(runner, tmp_path, unquoted) == (0, "")
    required = unquoted.replace("  rights: CC0\n", "  rights: CC0\n  require_quotes: true\n")
    assert _check(runner, tmp_path, required) == (
        1,
        "events.yaml:26:9: events[0].sources[0]: missing quote: timeline.require_quotes asks every "
        "citation for a short verbatim quote\n1 problem found\n",
    )


def test_the_shipped_story_requires_quotes_and_pins_its_id_year() -> None:
    story = load_timeline(REPO / "events.yaml")
    assert story.id_year == "2015"
    assert all(c.quote for e in story.events for c in e.citations)
    assert "require_quotes: true" in (REPO / "events.yaml").read_text(encoding="utf-8")


def test_feed_ids_take_the_timelines_year(tmp_path: Path) -> None:
    def first_id(text: str) -> str:
        (tmp_path / "events.yaml").write_text(text, encoding="utf-8")
        feed = orjson.loads(render_json_feed(load_timeline(tmp_path / "events.yaml"), "feed.json"))
        return str(feed["items"][0]["id"])

    assert first_id(MINIMAL) == "tag:timeline.example.org,2015:letter-sent"  # the earliest source's year
    pinned = MINIMAL.replace("  rights: CC0\n", "  rights: CC0\n  id_year: 2014\n")
    assert first_id(pinned) == "tag:timeline.example.org,2014:letter-sent"


def test_eras_reach_the_json_feed_and_timelinejs(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "sources:\n  - id: paper",
        "eras:\n  - title: The visit\n    date: 2015-09~/2015-10\nsources:\n  - id: paper",
        1,
    )
    (tmp_path / "events.yaml").write_text(text, encoding="utf-8")
    timeline = load_timeline(tmp_path / "events.yaml")
    feed = orjson.loads(render_json_feed(timeline, "feed.json"))
    assert feed["_pledge_timeline"] == {
        "eras": [
            {
                "title": "The visit",
                "edtf": "2015-09~/2015-10",
                "label": "Sept-Oct 2015 (approx.)",
                "first_day": "2015-09-01",
                "last_day": "2015-10-31",
            }
        ]
    }
    slides = orjson.loads(render_timelinejs(timeline, "timelinejs.json"))
    assert slides["eras"] == [
        {
            "start_date": {"year": 2015, "month": 9},
            "end_date": {"year": 2015, "month": 10},
            "text": {"headline": "The visit"},
            "_pledge_timeline": {"date": "2015-09~/2015-10"},
        }
    ]


def test_a_written_file_that_fails_its_check_is_not_left_behind(tmp_path: Path) -> None:
    from pledge_timeline.writer.newfile import write_new_file

    def refuse(written: Path) -> None:
        assert written.read_bytes() == b"data"
        raise ValueError("invalid")

    with pytest.raises(ValueError, match="invalid"):
        write_new_file(tmp_path / "events.yaml", b"data", check=refuse)
    assert list(tmp_path.iterdir()) == []
