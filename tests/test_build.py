"""`build`: render everything in memory, then write atomically; reproducible to the byte."""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, REPO
from pledge_timeline import writer
from pledge_timeline.build import build, formats, render_each
from pledge_timeline.cli import cli
from pledge_timeline.errors import InvalidTimeline
from pledge_timeline.validate import load_timeline

EXPECTED_MAIN = {"calendar.ics", "feed.atom", "feed.rss", "feed.json", "timelinejs.json", "timeline.html"}


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _write(out_dir: Path, files: dict[str, bytes]) -> None:
    """A build of ``files``: each staged, then all put in place."""
    with writer.OutputWriter(out_dir) as staging:
        for relative, data in files.items():
            staging.add(relative, data)
        staging.commit()


def _build_in_subprocess(
    out: Path,
    tz: str,
    extra_env: dict[str, str] | None = None,
    *,
    events: Path = FIXTURES / "small.yaml",
    locale: str = "C",
) -> None:
    env = {**os.environ, "TZ": tz, "LC_ALL": locale, "LANG": locale}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(extra_env or {})
    subprocess.run(
        [sys.executable, "-m", "pledge_timeline", "build", str(events), "--out", str(out)],
        check=True, env=env, capture_output=True,
    )  # fmt: skip


def test_every_documented_output_is_rendered() -> None:
    assert {output.path for output in formats()} == EXPECTED_MAIN
    files = {f.path for f in render_each(load_timeline(FIXTURES / "small.yaml"))}
    for tag in ("pledge", "visit", "press"):
        assert {f"tags/{tag}.ics", f"tags/{tag}.atom", f"tags/{tag}.rss"} <= files


def test_each_format_is_rendered_whole_before_the_next() -> None:
    """A big timeline never holds every format's per-event text at once (``Format.memo_kinds``)."""
    timeline = load_timeline(REPO / "events.yaml")
    order: list[str] = []
    for rendered in render_each(timeline):
        suffix = rendered.path.rpartition(".")[2]
        if suffix not in order:
            order.append(suffix)
        assert suffix == order[-1], f"{rendered.path} after the {order[-1]} outputs"
    assert order == ["ics", "atom", "rss", "json", "html"]


def test_outputs_rendered_alone_are_the_build_s() -> None:
    """The values a build shares between outputs are the values each output computes alone."""
    timeline = load_timeline(FIXTURES / "small.yaml")
    renderers = {output.path: output.render for output in formats()}
    renderers |= {output.tag_path: output.render for output in formats() if output.tag_path is not None}
    tags = {tag.id: timeline.restricted_to(tag) for tag in timeline.tags}
    for rendered in render_each(timeline):
        folder, _, name = rendered.path.partition("/")
        if folder == "tags":
            tag, _, suffix = name.rpartition(".")
            alone = renderers[f"tags/{{tag}}.{suffix}"](tags[tag], rendered.path)
        else:
            alone = renderers[rendered.path](timeline, rendered.path)
        assert rendered.data == alone, rendered.path


@pytest.mark.parametrize("enabled", [True, False])
def test_a_build_leaves_the_garbage_collector_as_it_found_it(enabled: bool, tmp_path: Path) -> None:
    """A program that builds (or checks) a timeline, and fails or not, keeps its own collector
    setting, though the library changes it while it works."""
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        build(FIXTURES / "small.yaml", tmp_path / "out")
        assert gc.isenabled() is enabled
        with pytest.raises(InvalidTimeline):
            build(REPO / "tests" / "invalid" / "alias.yaml", tmp_path / "out")
        assert gc.isenabled() is enabled
        result = CliRunner().invoke(cli, ["check", str(FIXTURES / "small.yaml")])
        assert result.exit_code == 0
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("events", [FIXTURES / "small.yaml", REPO / "events.yaml"], ids=["small", "events"])
def test_builds_in_different_time_zones_and_locales_are_byte_identical(tmp_path: Path, events: Path) -> None:
    _build_in_subprocess(tmp_path / "utc", "UTC", events=events, locale="C")
    _build_in_subprocess(tmp_path / "tokyo", "Asia/Tokyo", events=events, locale="C.UTF-8")
    _build_in_subprocess(tmp_path / "la", "America/Los_Angeles", events=events, locale="POSIX")
    utc = _snapshot(tmp_path / "utc")
    assert len(utc) > len(EXPECTED_MAIN)
    assert utc == _snapshot(tmp_path / "tokyo") == _snapshot(tmp_path / "la")


def test_source_date_epoch_sets_the_stamp_and_nothing_else_varies(tmp_path: Path) -> None:
    _build_in_subprocess(tmp_path / "a", "UTC", {"SOURCE_DATE_EPOCH": "1700000000"})
    _build_in_subprocess(tmp_path / "b", "Asia/Tokyo", {"SOURCE_DATE_EPOCH": "1700000000"})
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")
    assert b"DTSTAMP:20231114T221320Z" in (tmp_path / "a" / "calendar.ics").read_bytes()
    _build_in_subprocess(tmp_path / "c", "UTC")
    assert b"DTSTAMP:20231114T221320Z" not in (tmp_path / "c" / "calendar.ics").read_bytes()


def test_an_invalid_file_changes_nothing_in_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(FIXTURES / "small.yaml", out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    before = _snapshot(out)
    with pytest.raises(InvalidTimeline):
        build(REPO / "tests" / "invalid" / "impossible-day.yaml", out)
    assert _snapshot(out) == before


def test_an_invalid_file_never_creates_the_output_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidTimeline):
        build(REPO / "tests" / "invalid" / "alias.yaml", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_build_killed_part_way_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(FIXTURES / "small.yaml", out)
    before = _snapshot(out)
    shutil.copy(FIXTURES / "small.yaml", tmp_path / "events.yaml")
    changed = (tmp_path / "events.yaml").read_text(encoding="utf-8").replace("Small fixture", "Changed")
    (tmp_path / "events.yaml").write_text(changed, encoding="utf-8")
    calls = {"n": 0}
    real_write = writer.files.write_unflushed

    def dying_write(path: Path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the process is killed while writing the third file
        return real_write(path, data)

    monkeypatch.setattr(writer.files, "write_unflushed", dying_write)
    with pytest.raises(KeyboardInterrupt):
        build(tmp_path / "events.yaml", out)
    monkeypatch.undo()
    after = _snapshot(out)
    assert set(after) == set(before), "no temporary file is left behind"
    assert after == before, "outputs are moved into place only once every one is staged"
    build(tmp_path / "events.yaml", out)  # the next build repairs the set
    assert _snapshot(out) != before
    assert all(b"Small fixture" not in (out / name).read_bytes() for name in ("feed.atom", "calendar.ics"))


def test_stale_outputs_are_removed_but_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(FIXTURES / "small.yaml", out)
    (out / "tags" / "keep-me.txt").write_text("mine", encoding="utf-8")
    (out / "README.txt").write_text("mine", encoding="utf-8")
    assert (out / "tags" / "press.ics").exists()
    without_press = (FIXTURES / "small.yaml").read_text(encoding="utf-8")
    without_press = without_press.replace("  - id: press\n    label: Press coverage\n", "")
    without_press = without_press.replace("tags: [press]", "tags: [pledge]")
    (tmp_path / "events.yaml").write_text(without_press, encoding="utf-8")
    report = build(tmp_path / "events.yaml", out)
    assert set(report.removed) == {"tags/press.ics", "tags/press.atom", "tags/press.rss"}
    assert not (out / "tags" / "press.ics").exists()
    assert (out / "tags" / "keep-me.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "README.txt").exists()


def test_a_tampered_manifest_cannot_delete_files_outside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(FIXTURES / "small.yaml", out)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    with (out / writer.MANIFEST).open("a", encoding="utf-8") as manifest:
        manifest.write("../victim.txt\n/etc/hostname\n")
    build(FIXTURES / "small.yaml", out)
    assert victim.read_text(encoding="utf-8") == "precious"


def test_build_prints_one_line_per_file_and_a_total(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(FIXTURES / "minimal.yaml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != writer.MANIFEST)
    assert len(lines) == len(files) + 1
    for path in files:
        size = path.stat().st_size
        assert f"wrote {path} ({size} bytes, 1 event)" in lines
    total = sum(p.stat().st_size for p in files)
    assert lines[-1] == f"built {len(files)} files, {total} bytes, in {out}"


@pytest.mark.parametrize("url", ["ftp://x/", "https://", "https://x.org/a b", 'https://x.org/"<c>', "x.org"])
def test_build_base_url_must_be_a_publishable_http_url(tmp_path: Path, url: str) -> None:
    result = CliRunner().invoke(
        cli, ["build", str(FIXTURES / "minimal.yaml"), "--out", str(tmp_path / "out"), "--base-url", url]
    )
    assert result.exit_code == 2
    assert "--base-url" in result.stderr
    assert not (tmp_path / "out").exists()


KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from pledge_timeline import writer
from pledge_timeline.build import build

real_write, calls = writer.files.write_unflushed, [0]

def write_then_die(path, data):
    calls[0] += 1
    if calls[0] == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup handler can run
    return real_write(path, data)

writer.files.write_unflushed = write_then_die
build(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_build_killed_by_sigkill_is_repaired_by_the_next_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(FIXTURES / "small.yaml", out)
    before = _snapshot(out)
    changed = (FIXTURES / "small.yaml").read_text(encoding="utf-8").replace("Small fixture", "Changed")
    (tmp_path / "events.yaml").write_text(changed, encoding="utf-8")
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, str(tmp_path / "events.yaml"), str(out)], check=False
    )
    assert killed.returncode == -9
    staging = tmp_path / ".out.pledge-timeline-staging"
    assert len([p for p in staging.rglob("*") if p.is_file()]) >= 2, "what it staged before it died"
    assert _snapshot(out) == before, "nothing was put in place: every output is the last build's, whole"
    build(tmp_path / "events.yaml", out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.yaml", "out"]
    assert all(b"Small fixture" not in (out / name).read_bytes() for name in ("feed.atom", "calendar.ics"))


def _disk_full_at_chmod(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """The writer's ``number``-th temp file fails as if the disk were full."""
    real_chmod, calls = os.chmod, [0]

    def disk_full(path: str, mode: int) -> None:
        calls[0] += 1
        if calls[0] == number:
            raise OSError(28, "No space left on device")
        real_chmod(path, mode)

    monkeypatch.setattr(writer.os, "chmod", disk_full)


def test_a_write_that_fails_in_the_writers_thread_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(FIXTURES / "small.yaml", out)
    before = _snapshot(out)
    changed = (FIXTURES / "small.yaml").read_text(encoding="utf-8").replace("Small fixture", "Changed")
    (tmp_path / "events.yaml").write_text(changed, encoding="utf-8")
    _disk_full_at_chmod(monkeypatch, 3)
    with pytest.raises(OSError, match="No space left"):
        build(tmp_path / "events.yaml", out)
    monkeypatch.undo()
    assert _snapshot(out) == before, "no output moved into place, no temp file left"


def test_an_output_is_written_while_the_next_renders_and_one_at_most_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    release = threading.Event()
    real_write = writer.files.write_unflushed

    def slow_disk(path: Path, data: bytes) -> int:
        assert release.wait(10)
        return real_write(path, data)

    monkeypatch.setattr(writer.files, "write_unflushed", slow_disk)
    first, second_output = b"1" * writer.THREADED_BYTES, b"2" * writer.THREADED_BYTES
    staging = writer.OutputWriter(tmp_path / "out")
    staging.add("calendar.ics", first)  # returns while its write waits for the disk
    second = threading.Thread(target=staging.add, args=("feed.atom", second_output))
    second.start()
    second.join(0.5)
    assert second.is_alive(), "the next output waits for the last one's write"
    release.set()
    second.join(10)
    assert not second.is_alive()
    staging.commit()
    assert (tmp_path / "out" / "calendar.ics").read_bytes() == first
    assert (tmp_path / "out" / "feed.atom").read_bytes() == second_output


@pytest.mark.parametrize("in_thread", [False, True], ids=["small, by the caller", "large, by the thread"])
def test_a_failed_write_caught_by_the_caller_still_stops_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_thread: bool
) -> None:
    out = tmp_path / "out"
    _write(out, {"a.txt": b"old a", "b.txt": b"old b"})
    before = _snapshot(out)
    _disk_full_at_chmod(monkeypatch, 2)
    staging = writer.OutputWriter(out)
    new = b"n" * writer.THREADED_BYTES if in_thread else b"new"
    staging.add("a.txt", new)
    if in_thread:
        staging.add("b.txt", new)  # returns before its write fails; the next add reports it
    else:
        with pytest.raises(OSError, match="No space left"):
            staging.add("b.txt", new)
    with pytest.raises(OSError, match="No space left"):
        staging.add("c.txt", new)
    with pytest.raises(OSError, match="No space left"):
        staging.commit()
    staging.discard()
    assert _snapshot(out) == before


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open descriptors in /proc")
def test_staging_after_commit_is_refused_and_leaves_nothing_open(tmp_path: Path) -> None:
    out = tmp_path / "out"
    open_before = len(os.listdir("/proc/self/fd"))

    def stage_after_commit() -> None:
        with writer.OutputWriter(out) as staging:
            staging.add("a.txt", b"one")
            staging.commit()
            staging.add("b.txt", b"two")

    with pytest.raises(RuntimeError, match="after commit"):
        stage_after_commit()
    assert sorted(p.name for p in out.iterdir()) == [".pledge-timeline-manifest", "a.txt"]
    assert len(os.listdir("/proc/self/fd")) == open_before


def test_temp_files_that_are_not_ours_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    mine = out / ".notes.abcdefgh.tmp"
    mine.write_text("not an output of this tool", encoding="utf-8")
    build(FIXTURES / "small.yaml", out)
    assert mine.exists()


def test_a_second_build_reports_unchanged_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["build", str(FIXTURES / "minimal.yaml"), "--out", str(out)]
    CliRunner().invoke(cli, args)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert all(line.startswith(("unchanged ", "built ")) for line in result.output.splitlines())


def test_base_url_option_moves_every_link(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "build",
            str(FIXTURES / "small.yaml"),
            "--out",
            str(out),
            "--base-url",
            "https://news.example.net/t",
        ],
    )
    assert result.exit_code == 0, result.output
    for name in ("feed.atom", "feed.rss", "feed.json", "calendar.ics"):
        data = (out / name).read_text(encoding="utf-8")
        assert "https://news.example.net/t/timeline.html" in data.replace("\r\n ", "")
        assert "timeline.example.org/small" not in data.replace("\r\n ", "")


def test_plotlyjs_sibling_writes_the_library_beside_the_page_and_inline_removes_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fixture = str(FIXTURES / "minimal.yaml")
    sibling = CliRunner().invoke(cli, ["build", fixture, "--out", str(out), "--plotlyjs", "sibling"])
    assert sibling.exit_code == 0, sibling.output
    assert f"wrote {out / 'plotly.min.js'} (" in sibling.output
    assert b'src="plotly.min.js"' in (out / "timeline.html").read_bytes()
    assert (out / "timeline.html").stat().st_size < 200_000 < (out / "plotly.min.js").stat().st_size
    inline = CliRunner().invoke(cli, ["build", fixture, "--out", str(out)])
    assert inline.exit_code == 0, inline.output
    assert f"removed stale {out / 'plotly.min.js'}" in inline.output
    assert not (out / "plotly.min.js").exists()
    assert (out / "timeline.html").stat().st_size > 1_000_000


def test_a_render_that_fails_leaves_no_trace_not_even_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pledge_timeline import build as build_module

    real = build_module.render_each

    def failing(*args: object, **kwargs: object) -> object:
        for number, rendered in enumerate(real(*args, **kwargs)):  # type: ignore[arg-type]
            if number == 5:
                raise RuntimeError("a renderer failed")
            yield rendered

    monkeypatch.setattr(build_module, "render_each", failing)
    with pytest.raises(RuntimeError):
        build(FIXTURES / "small.yaml", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_same_output_staged_twice_is_refused(tmp_path: Path) -> None:
    def stage_twice() -> None:
        with writer.OutputWriter(tmp_path / "out") as staging:
            staging.add("a.txt", b"one")
            staging.add("a.txt", b"two")

    with pytest.raises(ValueError, match="twice"):
        stage_twice()
    assert not (tmp_path / "out").exists(), "what was staged, and the folder, are gone"


def test_two_builds_into_one_folder_take_turns(tmp_path: Path) -> None:
    import threading

    out = tmp_path / "out"
    first = writer.OutputWriter(out)
    first.add("calendar.ics", b"first")
    second_done = threading.Event()

    def second_build() -> None:
        _write(out, {"calendar.ics": b"second", "feed.atom": b"second"})
        second_done.set()

    thread = threading.Thread(target=second_build)
    thread.start()
    assert not second_done.wait(0.5), "the second build waits for the first to finish"
    first.commit()
    assert second_done.wait(10)
    thread.join()
    assert (out / "calendar.ics").read_bytes() == b"second"
    assert (out / "feed.atom").read_bytes() == b"second"
    assert sorted(p.name for p in out.iterdir()) == [".pledge-timeline-manifest", "calendar.ics", "feed.atom"]
