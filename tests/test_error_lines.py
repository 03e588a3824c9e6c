"""One problem, one line: every value an error echoes is shown escaped, never as a line break,
an escape sequence for the terminal or a bidi override."""

from __future__ import annotations

import json
import tempfile
import unicodedata
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from pledge_timeline.cli import cli
from pledge_timeline.errors import one_line

UNSHOWN = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def _check(tmp_path: Path, text: str) -> tuple[int, str, str]:
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    return result.exit_code, result.stdout, result.stderr.replace(str(path), "events.yaml")


def test_a_forged_line_in_an_id_stays_on_its_problem_s_line(tmp_path: Path) -> None:
    text = MINIMAL.replace("  - id: letter-sent", '  - id: "x\\nevents.yaml:1:1: (root): FORGED LINE"')
    text = text.replace("    tags: [pledge]", '    tags: [pledge, "p\\e[2J\\u202egnp"]')
    text = text.replace("    title: Letter sent\n", '    title: Letter sent\n    "ti\\u2028tle": x\n')
    exit_code, stdout, stderr = _check(tmp_path, text)
    assert (exit_code, stdout) == (1, "")
    assert stderr == (
        "events.yaml:19:9: events[0].id: 'x\\nevents.yaml:1:1: (root): FORGED LINE' is not a slug: use "
        "lowercase a-z, 0-9 and single hyphens, e.g. 'x-events-yaml-1-1-root-forged-line'\n"
        "events.yaml:21:5: events[0].ti\\u2028tle: unknown key 'ti\\u2028tle' (did you mean 'title'?)\n"
        "events.yaml:24:20: events[0].tags[1]: 'p\\x1b[2J\\u202egnp' is not a slug: use lowercase a-z, "
        "0-9 and single hyphens, e.g. 'p-2j-gnp'\n"
        "events.yaml:24:20: events[0].tags[1]: unknown tag 'p\\x1b[2J\\u202egnp'; add it to tags first\n"
        "4 problems found\n"
    )


def test_build_base_url_is_echoed_on_one_line(tmp_path: Path) -> None:
    url = "https://x.org/\nError: FORGED\u202e"
    result = CliRunner().invoke(
        cli, ["build", str(FIXTURES / "minimal.yaml"), "--out", str(tmp_path / "out"), "--base-url", url]
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for --base-url: 'https://x.org/\\nError: FORGED\\u202e' is not an http(s) "
        "URL; only http:// and https:// links are published"
    )


def test_one_line_escapes_controls_separators_and_format_characters_only() -> None:
    assert one_line("a\nb\r\tc\x1b[0m\x7f\x85") == "a\\nb\\r\\tc\\x1b[0m\\x7f\\x85"
    assert (
        one_line("\u2028\u2029\u202e\u200b\ufeff\U000e0001")
        == "\\u2028\\u2029\\u202e\\u200b\\ufeff\\U000e0001"
    )
    assert one_line("中文 é 🙂 \u00a0'\"\\") == "中文 é 🙂 \u00a0'\"\\"


@settings(max_examples=60, deadline=None)
@given(value=st.text(max_size=20))
def test_any_echoed_value_keeps_each_problem_on_one_line(value: str) -> None:
    text = MINIMAL.replace("  - id: letter-sent", f"  - id: {json.dumps(value)}")
    text = text.replace("    tags: [pledge]", f"    tags: [pledge, {json.dumps(value)}]")
    with tempfile.TemporaryDirectory() as folder:
        exit_code, _, stderr = _check(Path(folder), text)
    if exit_code == 0:
        return
    *problems, summary = stderr.split("\n")[:-1]
    assert summary == f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found"
    for problem in problems:
        assert problem.startswith("events.yaml:")
        assert not any(unicodedata.category(char) in UNSHOWN for char in problem), problem
