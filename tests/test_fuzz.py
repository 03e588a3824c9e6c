"""Mutation fuzzing: seeded mutants of the story through ``check``, and each one it accepts
through ``build``. No traceback; every line ``check`` prints for a rejected mutant is one located
problem or the final count; every accepted mutant builds. Mutants that once failed are kept in
tests/fuzz/ with what ``check`` must print for them."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from fuzz import mutant
from pledge_timeline.build import render_each
from pledge_timeline.cli import cli
from pledge_timeline.model import Timeline
from pledge_timeline.validate import load_timeline

FIRST_SEED = 21_000
MUTANTS = 200
KEPT = Path(__file__).parent / "fuzz"
KEPT_CASES = sorted(KEPT.glob("*.yaml"))
UNSHOWN = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def _problem_lines(file: str, stderr: str) -> str | None:
    """Why ``check``'s stderr is not one located problem a line and then the count, if it is not."""
    *problems, summary = stderr.split("\n")[:-1] or [""]
    if summary != f"{len(problems)} problem{'' if len(problems) == 1 else 's'} found" or not problems:
        return f"the last line is not the count of the {len(problems)} lines before it: {summary!r}"
    located = re.compile(rf"{re.escape(file)}:[1-9]\d*:[1-9]\d*: \S.*?: \S.*")
    for line in problems:
        if located.fullmatch(line) is None:
            return f"not a located problem: {line!r}"
        if any(unicodedata.category(char) in UNSHOWN for char in line):
            return f"a character shown unescaped: {line!r}"
    return None


def failure_of(text: str, built: set[Timeline] | None = None) -> str | None:
    """What is wrong with how ``check``, then ``build`` if it accepts, handle ``text``, if anything.

    A mutant whose timeline is one in ``built`` (a change in a comment, say) renders the same
    bytes, so it is not rendered again; each one rendered is added to it."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.yaml"
        path.write_text(text, encoding="utf-8", newline="")
        check = runner.invoke(cli, ["check", str(path)])
        if check.exception is not None and not isinstance(check.exception, SystemExit):
            return f"check: {type(check.exception).__name__}: {check.exception}"
        if check.exit_code == 1:
            return "check printed to stdout" if check.stdout else _problem_lines(str(path), check.stderr)
        if check.exit_code != 0 or check.stderr or not check.stdout.startswith("ok: "):
            return f"check: exit {check.exit_code}, {check.stderr!r}"
        try:  # the build's steps (what ``build`` does, but write), on the file check accepted
            timeline = load_timeline(path)
            if built is None or timeline not in built:
                for _ in render_each(timeline, "sibling"):
                    pass
                if built is not None:
                    built.add(timeline)
        except Exception as error:  # any exception at all is the failure looked for
            return f"build: {type(error).__name__}: {error}"
    return None


def failures_of(seeds: Iterable[int]) -> Iterator[tuple[int, str]]:
    built = {load_timeline(REPO / "events.yaml")}  # the story itself: built by the other tests
    for seed in seeds:
        reason = failure_of(mutant(seed), built)
        if reason is not None:
            yield seed, reason


def test_mutants_of_the_story_fail_cleanly_or_build() -> None:
    assert list(failures_of(range(FIRST_SEED, FIRST_SEED + MUTANTS))) == []


def test_the_mutants_are_a_mix_of_rejected_and_accepted() -> None:
    """The fuzzing tests both sides: enough mutants are rejected, and enough are built."""
    rejected = 0
    for seed in range(FIRST_SEED, FIRST_SEED + 50):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "events.yaml"
            path.write_text(mutant(seed), encoding="utf-8", newline="")
            rejected += CliRunner().invoke(cli, ["check", str(path)]).exit_code == 1
    assert 10 <= rejected <= 45


def test_a_mutant_is_made_from_its_seed_alone() -> None:
    assert mutant(FIRST_SEED) == mutant(FIRST_SEED)
    assert len({mutant(seed) for seed in range(FIRST_SEED, FIRST_SEED + 20)}) >= 18  # a few change nothing


@pytest.mark.parametrize("case", KEPT_CASES, ids=[case.stem for case in KEPT_CASES])
def test_each_kept_mutant_prints_exactly_its_problems(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutants (of the story as it was then) that failed once: a traceback, a problem on two
    lines, a character shown raw. What check prints for them now (``.err``: its stderr)."""
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(cli, ["check", f"tests/fuzz/{case.name}"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    expected = case.with_suffix(".err").read_text(encoding="utf-8")
    assert (result.exit_code, result.stderr) == (1 if expected else 0, expected)
    assert failure_of(case.read_text(encoding="utf-8")) is None
