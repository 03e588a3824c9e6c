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
from pledge_timeline.cli import cli, parse_size


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


def test_the_command_leaves_what_is_alive_to_the_exit_unwalked() -> None:
    """The command's last step freezes what is still alive, so the interpreter's exit neither
    walks nor frees it object by object; output and exit status are as before."""
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from pledge_timeline.cli import main\n"
        "sys.argv = ['pledge-timeline', 'check', sys.argv[1]]\n"
        "main()\n"
    )
    command = [sys.executable, "-c", script, str(FIXTURES / "minimal.yaml")]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    assert (proc.returncode, proc.stdout) == (0, "ok: 1 event, 1 source\nfrozen at exit: True\n")


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


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("64MiB", 64 * 2**20),
        ("64 mib", 64 * 2**20),
        ("50MB", 50 * 10**6),
        ("1GiB", 2**30),
        ("2kb", 2000),
        ("3KiB", 3072),
        ("1048576", 2**20),
        ("12B", 12),
    ],
)
def test_sizes_read_exactly(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    "text", ["", "0", "0MiB", "1.5MiB", "-1", "64Mb2", "MiB", "64 MiBs", "64 TiB", "1e6"]
)
def test_anything_else_is_not_a_size(text: str) -> None:
    with pytest.raises(ValueError, match="is not a size such as 64MiB"):
        parse_size(text)


@pytest.mark.parametrize("command", ["check", "build", "serve"])
def test_a_bad_max_input_size_is_a_usage_error(runner: CliRunner, command: str, tmp_path: Path) -> None:
    result = runner.invoke(cli, [command, str(FIXTURES / "small.yaml"), "--max-input-size", "lots"])
    assert result.exit_code == 2
    assert "Invalid value for '--max-input-size': 'lots' is not a size such as 64MiB" in result.stderr
    assert not (tmp_path / "out").exists()


def test_max_input_size_refuses_a_larger_file_located(runner: CliRunner, tmp_path: Path) -> None:
    small = FIXTURES / "small.yaml"
    size = small.stat().st_size
    result = runner.invoke(cli, ["check", str(small), "--max-input-size", str(size - 1)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{small}:1:1: (root): the file is ")
    assert result.stderr.endswith(" (--max-input-size raises it)\n1 problem found\n")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(small), "--out", str(out), "--max-input-size", str(size - 1)])
    assert result.exit_code == 1
    assert not out.exists()
    result = runner.invoke(cli, ["check", str(small), "--max-input-size", str(size)])
    assert (result.exit_code, result.output) == (0, "ok: 5 events, 2 sources\n")


def test_a_file_over_the_default_limit_needs_max_input_size(runner: CliRunner, tmp_path: Path) -> None:
    # over 32 MiB only by its padding: a comment after the content
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    padded = tmp_path / "events.yaml"
    padded.write_text(text + "#" + "x" * (32 * 2**20 - len(text.encode()) + 1) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", str(padded)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"{padded}:1:1: (root): the file is 32.0 MiB; the limit is 32 MiB (--max-input-size raises it)\n"
        "1 problem found\n",
    )
    result = runner.invoke(cli, ["check", str(padded), "--max-input-size", "33MiB"])
    assert (result.exit_code, result.output) == (0, "ok: 1 event, 1 source\n")
