"""The command line on exact output, like a user sees it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, REPO
from pledge_timeline import __version__
from pledge_timeline.cli import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_check_prints_counts(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", str(FIXTURES / "small.yaml")])
    assert (result.exit_code, result.output) == (0, "ok: 5 events, 2 sources\n")


def test_check_defaults_to_events_yaml_in_the_current_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(FIXTURES / "minimal.yaml", tmp_path / "events.yaml")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["check"])
    assert (result.exit_code, result.output) == (0, "ok: 1 event, 1 source\n")


def test_check_reports_located_errors_and_exits_1(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("date: 2015-22~", "date: 2015-02-30")
    text = text.replace("    summary: A letter went out.\n", "    sumary: A letter went out.\n")
    (tmp_path / "events.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["check", "events.yaml"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "events.yaml:21:11: events[0].date: '2015-02-30' is not a valid date (February 2015 has 28 days)\n"
        "events.yaml:22:5: events[0].sumary: unknown key 'sumary' (did you mean 'summary'?)\n"
        "2 problems found\n"
    )


def test_a_missing_file_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_an_unknown_command_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["frobnicate"]).exit_code == 2


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert (result.exit_code, result.output) == (0, f"pledge-timeline, version {__version__}\n")


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("check", "build", "schema", "serve"):
        assert f"  {command} " in result.output


def test_schema_prints_the_committed_schema(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.output == (REPO / "events.schema.json").read_text(encoding="utf-8")


def test_python_dash_m_works() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pledge_timeline", "check", str(FIXTURES / "minimal.yaml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (proc.returncode, proc.stdout) == (0, "ok: 1 event, 1 source\n")


def test_check_validates_without_building_the_model() -> None:
    """Importing the model and building it would only slow down every check."""
    script = (
        "import sys\n"
        "from pledge_timeline.cli import cli\n"
        "cli.main(['check', sys.argv[1]], standalone_mode=False)\n"
        "print('pledge_timeline.model' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(FIXTURES / "small.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, "ok: 5 events, 2 sources\nFalse\n")


def test_no_traceback_for_a_folder_given_as_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
