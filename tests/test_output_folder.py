"""The output folder under attack and under failure: links inside it, full disks, a damaged
manifest, and builds killed at every step of putting a build in place."""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, missing_tool
from pledge_timeline import writer
from pledge_timeline.build import build
from pledge_timeline.cli import cli
from pledge_timeline.manifest import parse_manifest

SMALL = FIXTURES / "small.yaml"
MINIMAL = FIXTURES / "minimal.yaml"


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _build(events: Path, out: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["build", str(events), "--out", str(out)])
    return result.exit_code, result.stdout, result.stderr


def _changed(tmp_path: Path, events: Path = SMALL, *, extra_tag: bool = False) -> Path:
    """``events`` with another title (every output changes) and maybe one more tag."""
    text = events.read_text(encoding="utf-8")
    text = text.replace("title: Small fixture timeline", "title: Changed timeline")
    text = text.replace("title: Minimal timeline", "title: Changed timeline")
    if extra_tag:
        text = text.replace(
            "tags:\n  - id: pledge\n", "tags:\n  - id: extra\n    label: Extra\n  - id: pledge\n"
        )
        text = text.replace("tags: [pledge]", "tags: [pledge, extra]", 1)
    changed = tmp_path / "changed.yaml"
    changed.write_text(text, encoding="utf-8")
    return changed


# --- 4: links inside the output folder -------------------------------------------------------------


def test_a_symlinked_tags_folder_is_refused_and_nothing_is_written_through_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(SMALL, out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pledge.ics").write_text("theirs", encoding="utf-8")
    (elsewhere / ".pledge.ics.abcdefgh.tmp").write_text("theirs too", encoding="utf-8")
    shutil.rmtree(out / "tags")
    (out / "tags").symlink_to(elsewhere, target_is_directory=True)
    before, theirs = _snapshot(out), _snapshot(elsewhere)
    code, stdout, stderr = _build(_changed(tmp_path), out)
    assert (code, stdout) == (1, "")
    assert stderr == (
        f"pledge-timeline: cannot write {out}/tags: it is a symbolic link "
        "(the build never writes through a link in the output folder)\n"
    )
    assert _snapshot(elsewhere) == theirs
    assert _snapshot(out) == before
    assert (out / "tags").is_symlink()


def test_a_symlinked_output_is_refused_and_its_target_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(SMALL, out)
    victim = tmp_path / "victim.atom"
    victim.write_text("precious", encoding="utf-8")
    (out / "feed.atom").unlink()
    (out / "feed.atom").symlink_to(victim)
    code, _, stderr = _build(_changed(tmp_path), out)
    assert code == 1
    assert stderr == (
        f"pledge-timeline: cannot write {out}/feed.atom: it is a symbolic link "
        "(the build never writes through a link in the output folder)\n"
    )
    assert victim.read_text(encoding="utf-8") == "precious"


def test_files_named_like_temp_files_are_never_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "tags").mkdir()
    theirs = [out / ".calendar.ics.abcdefgh.tmp", out / "tags" / ".pledge.ics.12345678.tmp"]
    for path in theirs:
        path.write_text("not this build's", encoding="utf-8")
    assert _build(SMALL, out)[0] == 0
    assert _build(_changed(tmp_path), out)[0] == 0
    assert all(path.read_text(encoding="utf-8") == "not this build's" for path in theirs)


# --- 5: OS errors -----------------------------------------------------------------------------------


def _fail_at(monkeypatch: pytest.MonkeyPatch, function: str, number: int | None, error: OSError) -> None:
    """``os.FUNCTION`` as the writer calls it fails with ``error`` at its ``number``-th call, or,
    when ``number`` is None, at every call for a path ending in the manifest."""
    real, calls = getattr(os, function), [0]

    def failing(path: object, *args: object, **kwargs: object) -> object:
        calls[0] += 1
        hit = str(path).endswith(writer.MANIFEST) if number is None else calls[0] == number
        if hit:
            raise error
        return real(path, *args, **kwargs)

    monkeypatch.setattr(writer.os, function, failing)


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.ENOSPC, "No space left on device"), (errno.EDQUOT, "Disk quota exceeded")],
)
def test_a_full_disk_is_one_line_and_the_folder_stays_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    out = tmp_path / "out"
    build(SMALL, out)
    before = _snapshot(out)
    _fail_at(monkeypatch, "chmod", 3, OSError(code, os.strerror(code)))
    exit_code, stdout, stderr = _build(_changed(tmp_path), out)
    monkeypatch.undo()
    assert (exit_code, stdout) == (1, "")
    assert stderr.count("\n") == 1
    assert stderr.startswith(f"pledge-timeline: cannot write {out}/")
    assert stderr.endswith(f": {reason}\n")
    assert _snapshot(out) == before


def _failing_syncfs(fd: int) -> int:
    ctypes.set_errno(errno.ENOSPC)
    return -1


@pytest.mark.parametrize("flush", ["syncfs", "fsync"])
def test_a_flush_that_finds_the_disk_full_is_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flush: str
) -> None:
    """Where a full disk is often found: the flush that cannot place what was written (delayed
    allocation): the staging folder's one ``syncfs``, or where there is none, a file's ``fsync``."""
    out = tmp_path / "out"
    build(SMALL, out)
    before = _snapshot(out)
    if flush == "syncfs":
        monkeypatch.setattr(writer.folders, "syncfs", _failing_syncfs)
    else:
        monkeypatch.setattr(writer.folders, "syncfs", None)
        _fail_at(monkeypatch, "fsync", 3, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    exit_code, stdout, stderr = _build(_changed(tmp_path), out)
    monkeypatch.undo()
    assert (exit_code, stdout) == (1, "")
    assert stderr.startswith(f"pledge-timeline: cannot write {out}")
    assert stderr.endswith(": No space left on device\n")
    assert stderr.count("\n") == 1
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changed.yaml", "out"]  # no staging left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs and /proc/self/fd are Linux's")
def test_every_output_is_on_the_disk_before_any_is_put_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One ``syncfs`` of the staging folder, once it holds every output and the manifest, while
    the output folder still holds the last build."""
    out = tmp_path / "out"
    build(SMALL, out)
    before = _snapshot(out)
    real_syncfs, seen = writer.folders.syncfs, []
    assert real_syncfs is not None, "Linux has syncfs"

    def syncfs(fd: int) -> int:
        staged = Path(os.readlink(f"/proc/self/fd/{fd}"))
        seen.append((_snapshot(staged), _snapshot(out)))
        return real_syncfs(fd)

    monkeypatch.setattr(writer.folders, "syncfs", syncfs)
    monkeypatch.setattr(os, "fsync", lambda fd: pytest.fail("no file is flushed on its own"))
    _build(_changed(tmp_path), out)
    monkeypatch.undo()
    [(staged, then)] = seen
    after = _snapshot(out)
    assert after != before
    assert staged.pop(writer.files.PARTIAL) is not None, "the mark of a staging folder not yet swapped"
    assert staged == after, "every output and the manifest, staged"
    assert then == before, "nothing in place yet"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs and /proc/self/fd are Linux's")
def test_where_there_is_no_syncfs_every_file_is_flushed_before_any_is_put_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(SMALL, out)
    before = _snapshot(out)
    real_fsync, flushed = os.fsync, []

    def fsync(fd: int) -> None:
        flushed.append((os.readlink(f"/proc/self/fd/{fd}"), _snapshot(out) == before))
        real_fsync(fd)

    monkeypatch.setattr(writer.folders, "syncfs", None)
    monkeypatch.setattr(os, "fsync", fsync)
    _build(_changed(tmp_path), out)
    monkeypatch.undo()
    after = _snapshot(out)
    assert after != before
    written = [name for name in after if before.get(name) != after[name]] + [writer.MANIFEST]
    assert sorted(Path(path).name for path, _ in flushed) == sorted(Path(name).name for name in written)
    assert all(untouched for _, untouched in flushed), "each flushed before anything was put in place"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs and /proc/self/fd are Linux's")
def test_the_staging_folder_is_flushed_ahead_while_the_next_outputs_are_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that the disk writes while the next outputs render: once enough is staged, a flush of
    the staging folder runs in another thread; the last flush, before the swap, still comes after
    every output."""
    out = tmp_path / "out"
    real_syncfs, seen = writer.folders.syncfs, []
    assert real_syncfs is not None, "Linux has syncfs"
    flushed = threading.Event()

    def syncfs(fd: int) -> int:
        seen.append((threading.current_thread() is threading.main_thread(), _staged(fd)))
        flushed.set()
        return real_syncfs(fd)

    monkeypatch.setattr(writer.folders, "syncfs", syncfs)
    monkeypatch.setattr(writer, "FLUSH_AHEAD_BYTES", 10)
    staging = writer.OutputWriter(out)
    staging.add("a.txt", b"0123456789")  # enough: a flush starts
    assert flushed.wait(10)
    staging.add("b.txt", b"short")  # not enough for another
    staging.commit()
    assert seen == [(False, ["a.txt"]), (True, sorted(["a.txt", "b.txt", writer.MANIFEST]))]
    assert (out / "a.txt").read_bytes() == b"0123456789"
    assert (out / "b.txt").read_bytes() == b"short"


def _staged(fd: int) -> list[str]:
    staged = _snapshot(Path(os.readlink(f"/proc/self/fd/{fd}")))
    return sorted(name for name in staged if name != writer.files.PARTIAL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs is Linux's")
def test_a_flush_ahead_that_fails_fails_the_build_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flush ahead is where the disk may first be found full; the kernel reports that once,
    so the build reports it, even though the last flush finds nothing wrong."""
    out = tmp_path / "out"
    build(SMALL, out)
    before = _snapshot(out)
    real_syncfs = writer.folders.syncfs
    assert real_syncfs is not None, "Linux has syncfs"

    def syncfs(fd: int) -> int:
        if threading.current_thread() is threading.main_thread():
            return real_syncfs(fd)
        return _failing_syncfs(fd)

    monkeypatch.setattr(writer.folders, "syncfs", syncfs)
    monkeypatch.setattr(writer, "FLUSH_AHEAD_BYTES", 1)
    exit_code, stdout, stderr = _build(_changed(tmp_path), out)
    monkeypatch.undo()
    assert (exit_code, stdout) == (1, "")
    assert stderr == f"pledge-timeline: cannot write {out}: No space left on device\n"
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changed.yaml", "out"]  # no staging left


def test_no_inode_for_the_manifest_leaves_no_output_it_does_not_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(SMALL, out)
    before = _snapshot(out)
    _fail_at(monkeypatch, "open", None, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    exit_code, _, stderr = _build(_changed(tmp_path, extra_tag=True), out)
    monkeypatch.undo()
    assert exit_code == 1
    assert stderr == f"pledge-timeline: cannot write {out}/{writer.MANIFEST}: No space left on device\n"
    assert _snapshot(out) == before
    listed = writer.read_manifest(out).paths
    assert set(before) - {writer.MANIFEST} == listed


@pytest.mark.parametrize("folder", ["", "tags"])
def test_a_read_only_folder_is_one_line_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    """We run as root, where chmod stops nothing: ``os.access`` answers as for a read-only mount."""
    out = tmp_path / "out"
    build(SMALL, out)
    before = _snapshot(out)
    read_only = (out / folder) if folder else out
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if Path(str(path)) == read_only and mode & os.W_OK:
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer.os, "access", access)
    exit_code, _, stderr = _build(_changed(tmp_path), out)
    monkeypatch.undo()
    assert exit_code == 1
    assert stderr == f"pledge-timeline: cannot write {read_only}: Permission denied\n"
    assert _snapshot(out) == before


def test_a_read_only_file_system_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build(SMALL, out)
    before = _snapshot(out)
    _fail_at(monkeypatch, "chmod", 1, OSError(errno.EROFS, os.strerror(errno.EROFS)))
    exit_code, _, stderr = _build(_changed(tmp_path), out)
    monkeypatch.undo()
    assert exit_code == 1
    assert stderr == f"pledge-timeline: cannot write {out}/calendar.ics: Read-only file system\n"
    assert _snapshot(out) == before


# --- 6: a damaged manifest --------------------------------------------------------------------------

BAD_LINES = [
    (b"tags", "names a folder"),
    (b".", "names the output folder itself"),
    (b"", None),
    (b"cal\x00endar.ics", "has a control character"),
    (b"feed\x1b[31m.atom", "has a control character"),
    (b"\xff\xfefeed.rss", "is not UTF-8"),
    (b"a" * 5000, "is longer than any path the build writes"),
    (b"/etc/hostname", "is an absolute path"),
    (b"../victim.txt", "leaves the output folder"),
    (b"tags/../../victim.txt", "leaves the output folder"),
]
NORMALISED = [
    (b"./calendar.ics", "calendar.ics"),
    (b"calendar.ics/", "calendar.ics"),
    (b"tags//pledge.ics", "tags/pledge.ics"),
    (b"./tags/./visit.atom", "tags/visit.atom"),
    (b"notes.txt", "notes.txt"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_LINES)
def test_a_line_that_is_not_a_plain_path_inside_the_folder_is_ignored_and_reported(
    line: bytes, reason: str | None
) -> None:
    manifest = parse_manifest(b"calendar.ics\ntags/pledge.ics\n" + line + b"\n", "M")
    assert manifest.paths == {"calendar.ics", "tags/pledge.ics"}
    if reason is None:
        assert manifest.problems == ()
    else:
        (problem,) = manifest.problems
        assert problem.startswith("M:3: ignored '")
        assert problem.endswith(f"': {reason}")
        assert problem.isprintable()
        assert len(problem) < 200


@pytest.mark.parametrize(("line", "path"), NORMALISED)
def test_a_line_is_normalised_to_a_plain_relative_path(line: bytes, path: str) -> None:
    assert parse_manifest(line + b"\n", "M") == parse_manifest(path.encode() + b"\n", "M")
    assert parse_manifest(line + b"\n", "M").paths == {path}


@pytest.mark.parametrize("line", [line for line, _ in BAD_LINES + NORMALISED])
def test_a_build_after_a_damaged_manifest_line_succeeds_and_keeps_every_fresh_output(
    tmp_path: Path, line: bytes
) -> None:
    out = tmp_path / "out"
    build(SMALL, out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    with (out / writer.MANIFEST).open("ab") as manifest:
        manifest.write(line + b"\n")
    changed = _changed(tmp_path)
    code, stdout, stderr = _build(changed, out)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "removed stale" not in stdout.replace(f"removed stale {out}/notes.txt\n", "")
    fresh = tmp_path / "fresh"
    build(changed, fresh)
    outputs = {name: data for name, data in _snapshot(out).items() if name != "notes.txt"}
    assert outputs == _snapshot(fresh), "every output is there, the current build's"
    assert victim.read_text(encoding="utf-8") == "precious"
    reported = [reason for bad, reason in BAD_LINES if bad == line and reason]
    if reported:
        assert stderr.startswith(f"warning: {out}/{writer.MANIFEST}:")
        assert stderr.endswith(f": {reported[0]}\n")
    else:
        assert stderr == ""


@pytest.mark.parametrize("contents", [[], ["x"]])
def test_a_manifest_that_is_a_folder_never_crashes_a_build(tmp_path: Path, contents: list[str]) -> None:
    out = tmp_path / "out"
    build(SMALL, out)
    (out / writer.MANIFEST).unlink()
    (out / writer.MANIFEST).mkdir()
    for name in contents:
        (out / writer.MANIFEST / name).write_text("mine", encoding="utf-8")
    code, _, stderr = _build(_changed(tmp_path), out)
    assert "Traceback" not in stderr
    if contents:
        assert (code, stderr) == (
            1,
            f"pledge-timeline: cannot write {out}/{writer.MANIFEST}: it is a folder, and not empty\n",
        )
        assert (out / writer.MANIFEST / "x").read_text(encoding="utf-8") == "mine"
    else:
        assert code == 0, stderr
        assert stderr == f"warning: {out}/{writer.MANIFEST}: ignored: it is a folder, not a file\n"
        assert (out / writer.MANIFEST).is_file()


def test_a_manifest_that_is_a_symlink_is_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(SMALL, out)
    elsewhere = tmp_path / "list.txt"
    elsewhere.write_text("calendar.ics\n", encoding="utf-8")
    (out / writer.MANIFEST).unlink()
    (out / writer.MANIFEST).symlink_to(elsewhere)
    code, _, stderr = _build(_changed(tmp_path), out)
    assert code == 0, stderr
    assert stderr == f"warning: {out}/{writer.MANIFEST}: ignored: it is a symbolic link\n"
    assert elsewhere.read_text(encoding="utf-8") == "calendar.ics\n"
    assert not (out / writer.MANIFEST).is_symlink()


# --- 7: a kill at any step of putting the build in place --------------------------------------------

STEPS = ("renameat2", "rename", "unlink", "rmdir")
"""Every system call that moves or removes a name once the outputs are written (a kill before
them, while the outputs are written, is ``test_build``'s)."""


USER_FILES = ("notes.txt", "tags/keep-me.txt", "mine/a.txt")
"""Entries of the output folder that no build wrote: each build carries them over."""


def _outputs_and_manifest(out: Path) -> tuple[dict[str, str], frozenset[str]]:
    files = _snapshot(out)
    for user_file in (*USER_FILES, writer.MANIFEST):
        files.pop(user_file, None)
    return files, writer.read_manifest(out).paths


def _old_build_and_user_files(events: Path, out: Path) -> None:
    build(events, out)
    for user_file in USER_FILES:
        (out / user_file).parent.mkdir(exist_ok=True)
        (out / user_file).write_text("mine", encoding="utf-8")


def _build_command(events: Path, out: Path, *strace: str) -> list[str]:
    return [*strace, sys.executable, "-m", "pledge_timeline", "build", str(events), "--out", str(out)]


def _calls(strace: str, template: Path, events: Path, work: Path) -> dict[str, int]:
    """How often a whole build over ``template`` makes each of ``STEPS``."""
    out, log = work / "out", work / "calls.txt"
    shutil.copytree(template, out, symlinks=True)
    trace = (strace, "-f", "-c", "-o", str(log), "-e", f"trace={','.join(STEPS)}")
    subprocess.run(_build_command(events, out, *trace), check=True, capture_output=True, timeout=120)
    calls = {}
    for line in log.read_text(encoding="utf-8").splitlines():  # % time, seconds, usecs/call, calls, ...
        fields = line.split()
        if fields and fields[-1] in STEPS:
            calls[fields[-1]] = int(fields[3])
    return calls


def test_a_build_killed_at_any_step_leaves_one_whole_build_and_the_next_build_completes(
    tmp_path: Path,
) -> None:
    """A build over a copy of the last one is killed (SIGKILL, by strace) at the N-th call of one
    system call, for each of them and every N a whole build makes; after each kill the folder
    holds exactly one build's outputs and a manifest that lists exactly them, and the next build
    completes and brings back every entry that is not an output."""
    strace = shutil.which("strace")
    if strace is None:
        missing_tool("strace is not installed (apt-get install strace)")
    old_events, new_events = MINIMAL, _changed(tmp_path, MINIMAL, extra_tag=True)
    build(new_events, tmp_path / "new")
    new, _ = _outputs_and_manifest(tmp_path / "new")
    template = tmp_path / "template" / "out"
    _old_build_and_user_files(old_events, template)
    old, _ = _outputs_and_manifest(template)
    assert set(new) > set(old)
    assert not set(new.items()) & set(old.items())
    calls = _calls(strace, template, new_events, tmp_path / "count")
    kills = [(step, number) for step in STEPS for number in range(1, calls.get(step, 0) + 1)]
    assert len(kills) > 20, calls

    def killed_at(kill: tuple[str, int]) -> tuple[str, int]:
        step, number = kill
        out = tmp_path / f"{step}-{number}" / "out"
        shutil.copytree(template, out, symlinks=True)
        inject = (
            strace,
            "-f",
            "-o",
            os.devnull,
            "-e",
            f"trace={step}",
            "-e",
            f"inject={step}:signal=KILL:when={number}",
        )
        run = subprocess.run(_build_command(new_events, out, *inject), capture_output=True, timeout=120)
        assert run.returncode in (-9, 137), (kill, run.returncode, run.stderr.decode())
        files, listed = _outputs_and_manifest(out)
        assert files in (old, new), f"a mix of two builds after a kill at {kill}"
        assert listed == set(files), f"the manifest does not list the outputs after a kill at {kill}"
        subprocess.run(_build_command(new_events, out), check=True, capture_output=True, timeout=120)
        assert _outputs_and_manifest(out) == (new, frozenset(new)), kill
        assert all((out / name).read_text(encoding="utf-8") == "mine" for name in USER_FILES), kill
        assert sorted(p.name for p in out.parent.iterdir()) == ["out"], kill
        return kill

    with ThreadPoolExecutor(max_workers=4) as pool:  # each run waits mostly on its own process
        assert list(pool.map(killed_at, kills)) == kills


# --- where the folders cannot be swapped ------------------------------------------------------------


def test_without_the_swap_outputs_are_moved_in_one_by_one_and_nothing_else_is_touched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pledge_timeline.writer import folders

    monkeypatch.setattr(folders, "renameat2", None)  # as on a system without it
    out = tmp_path / "out"
    build(SMALL, out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "tags" / "keep-me.txt").write_text("mine", encoding="utf-8")
    inode = out.stat().st_ino
    before = _snapshot(out)
    _fail_at(monkeypatch, "chmod", 2, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    assert _build(_changed(tmp_path), out)[0] == 1
    monkeypatch.undo()
    monkeypatch.setattr(folders, "renameat2", None)
    assert _snapshot(out) == before, "a failed build changes nothing"
    without_press = SMALL.read_text(encoding="utf-8").replace(
        "  - id: press\n    label: Press coverage\n", ""
    )
    (tmp_path / "events.yaml").write_text(without_press.replace("tags: [press]", "tags: [pledge]"), "utf-8")
    code, stdout, _ = _build(tmp_path / "events.yaml", out)
    assert code == 0
    assert f"removed stale {out}/tags/press.ics\n" in stdout
    assert out.stat().st_ino == inode, "the folder itself stays"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "tags" / "keep-me.txt").read_text(encoding="utf-8") == "mine"
    fresh = tmp_path / "fresh"
    build(tmp_path / "events.yaml", fresh)
    outputs = {k: v for k, v in _snapshot(out).items() if k not in ("notes.txt", "tags/keep-me.txt")}
    assert outputs == _snapshot(fresh)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changed.yaml", "events.yaml", "fresh", "out"]


def test_serve_reads_the_manifest_through_the_writers_reader(tmp_path: Path) -> None:
    """A damaged line no longer hides every file, and a normalised one is served."""
    from pledge_timeline.serve import OutputFolder

    out = tmp_path / "out"
    build(SMALL, out)
    listed = (out / writer.MANIFEST).read_bytes().replace(b"calendar.ics\n", b"./calendar.ics\n", 1)
    (out / writer.MANIFEST).write_bytes(listed + b"\xff\n")
    folder = OutputFolder(out)
    assert folder.built_paths() == writer.read_manifest(out).paths
    assert {"calendar.ics", "feed.atom", "tags/pledge.ics"} <= folder.built_paths()
    served = folder.read("calendar.ics")
    assert served is not None
    assert served.data == (out / "calendar.ics").read_bytes()


def test_an_unchanged_output_is_the_same_file_mtime_and_all(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(SMALL, out)
    os.utime(out / "calendar.ics", (1_000_000_000, 1_000_000_000))
    before = (out / "calendar.ics").stat()
    report = build(SMALL, out)
    after = (out / "calendar.ics").stat()
    assert "calendar.ics" in report.unchanged
    assert (after.st_ino, after.st_mtime) == (before.st_ino, before.st_mtime)
