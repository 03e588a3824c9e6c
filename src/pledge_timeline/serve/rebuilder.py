"""``--watch``: rebuild when the events file changes; an invalid edit is reported and the last
good build stays in place and keeps being served."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Final

from pledge_timeline.build import BuildOptions, BuildReport, load, write
from pledge_timeline.errors import InvalidTimeline
from pledge_timeline.runtime import collection_paused
from pledge_timeline.serve.live import LiveReload, Problems

WATCH_POLL_MS: Final = 300
"""How often the watcher also compares the file itself, catching edits notify missed."""
WATCH_STEP_MS: Final = 20
"""A change is reported once the file has been quiet this long: an open page waits for it."""

RebuildProblem = InvalidTimeline | OSError


def build_id(source: bytes | None, options: BuildOptions) -> str:
    """Names a build by what it is made from: the same file and options, the same page."""
    return hashlib.sha256(repr((source, options)).encode()).hexdigest()[:32]


def problem_lines(problem: RebuildProblem) -> tuple[str, ...]:
    """One line a problem, as ``check`` prints them."""
    problems = problem.errors if isinstance(problem, InvalidTimeline) else (problem,)
    return tuple(str(line) for line in problems)


class Rebuilder:
    """Builds the events file into the output folder, and rebuilds it whenever it changes.

    A failed rebuild writes nothing (``build`` validates before writing), so the folder keeps
    the last good build; the same content is not rebuilt twice, so one bad edit is reported once.
    """

    def __init__(
        self,
        events_file: Path,
        out_dir: Path,
        options: BuildOptions,
        *,
        on_rebuilt: Callable[[BuildReport], None] = lambda report: None,
        on_failed: Callable[[RebuildProblem], None] = lambda problem: None,
        live: LiveReload | None = None,
    ) -> None:
        self.events_file = events_file
        self.out_dir = out_dir
        self.options = options
        self.on_rebuilt = on_rebuilt
        self.on_failed = on_failed
        self.live = live
        """Told of every build, good or not, when the open pages follow the file."""
        self.watching = threading.Event()
        """Set once the file watcher is armed: edits from then on are seen."""
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._last_source: bytes | None = None
        self._thread: threading.Thread | None = None

    def build(self) -> BuildReport:
        """Build now; raise InvalidTimeline (writing nothing) when the file is invalid."""
        with self._lock:
            # Read before building: if the file changes meanwhile, the watcher sees a difference.
            self._last_source = source = _read_or_none(self.events_file)
            with collection_paused():
                timeline = load(self.events_file, self.options)
                if self.live is None:
                    return write(timeline, self.out_dir, self.options)
                # The open pages need only the page: they get it while the files are written.
                modified = self.events_file.stat().st_mtime
                self.live.publish(timeline, build_id(source, self.options), modified)
                try:
                    return write(timeline, self.out_dir, self.options)
                except BaseException:
                    self.live.withdraw()
                    raise

    def rebuild_if_changed(self) -> None:
        if _read_or_none(self.events_file) == self._last_source:
            return
        try:
            report = self.build()
        except (InvalidTimeline, OSError) as problem:
            if self.live is not None:
                lines = problem_lines(problem)
                count = f"{len(lines)} problem{'' if len(lines) == 1 else 's'}"
                self.live.fail(Problems(lines, f"{self.events_file}: {count} found."))
            self.on_failed(problem)
        else:
            self.on_rebuilt(report)

    def start(self) -> None:
        """Watch the events file in a background thread until ``stop()``."""
        self._thread = threading.Thread(target=self._watch, name="pledge-timeline-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _watch(self) -> None:
        import watchfiles  # only --watch needs it

        folder = self.events_file.resolve().parent
        name = self.events_file.name
        for _changes in watchfiles.watch(
            folder,
            # The folder, not the file: editors that save by renaming replace the file's inode.
            watch_filter=lambda _change, path: Path(path).name == name,
            recursive=False,
            stop_event=self._stop,  # checked at every step, and between rebuilds
            step=WATCH_STEP_MS,
            rust_timeout=WATCH_POLL_MS,
            yield_on_timeout=True,
            # Moot here: only the main thread handles signals, so watchfiles never sees one in this
            # thread (its check is a no-op); Ctrl-C stops the server, and the server stops this.
            raise_interrupt=False,
        ):
            self.watching.set()
            self.rebuild_if_changed()


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
