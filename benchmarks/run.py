"""Benchmark ``check`` and ``build`` on synthetic timelines, against yaml2ics and in a browser.

    python benchmarks/run.py                    # 1,000, 10,000 and 100,000 events, yaml2ics, browser
    python benchmarks/run.py --sizes 1000 10000 # choose sizes
    python benchmarks/run.py --smoke            # CI: 1,000 events, 1 repetition, no browser

Every timing is a child process started cold, the way a user runs the command: its wall time,
and its peak RSS from ``os.wait4``. Times are the median of ``--reps`` runs after one warm-up run,
at every size (``--big-reps`` takes fewer at 100,000 events). The builds of all sizes and
yaml2ics's calendars run in rounds, one of each per round, so that the ratios the targets compare
come from the same minutes. ``benchmarks/out/`` is emptied at the start of each run. See
benchmarks/README.md for what is measured.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

import hostile  # noqa: E402  (tests/hostile.py: the files the tests refuse, measured here)

WORKER = HERE / "_worker.py"
DATA = HERE / "data"
OUT = HERE / "out"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
STORY_SIZES = (10_000,)
"""Story-like files: the shipped events repeated under new ids (``generate.py --story``)."""
YAML2ICS_SIZES = (1_000, 10_000)
BIG = 100_000
CHROMIUM = Path("/usr/bin/chromium")
LOCAL_YAML2ICS = HERE / ".venv-yaml2ics" / "bin" / "yaml2ics"
GB = 1024**3

# Targets from issue 7.
SHIPPED_BUILD_S = 0.5
SHIPPED_CHECK_S = 0.2
YAML2ICS_SPEEDUP = 8.0
GROWTH_LIMIT = 11.0
MEMORY_LIMIT = 1 * GB
STORY_PAGE_S = 1.0
BIG_PAGE_S = 3.0
BIG_PAGE_EVENTS = 10_000


@dataclass
class Runs:
    """Repeated measurements of one command: wall seconds and peak RSS bytes of each run."""

    seconds: list[float] = field(default_factory=list)
    peak_rss: list[int] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> str:
        if len(self.seconds) < 2:
            return "1 run"
        return f"{len(self.seconds)} runs, {min(self.seconds):.2f}-{max(self.seconds):.2f}"

    @property
    def max_rss(self) -> int:
        return max(self.peak_rss)


@dataclass
class SizeResult:
    size: int
    file_bytes: int
    check: Runs
    build: Runs
    stages: dict[str, float]
    peaks: dict[str, int]
    stage_runs: int
    sizes: dict[str, int]
    tags: int
    files: int
    limit_lifted: bool
    out_dir: Path
    yaml2ics: Runs | None = None
    yaml2ics_bytes: int = 0


# --- measuring ----------------------------------------------------------------------------------


def timed_child(command: Sequence[str | Path], *, stdout: Path | None = None) -> tuple[float, int]:
    """Run ``command``; return its wall time and its own peak RSS (bytes). Raise if it fails."""
    with open(stdout or os.devnull, "wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen([str(c) for c in command], stdout=out, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(map(str, command))} exited {child.returncode}:\n{message}")
    return elapsed, usage.ru_maxrss * 1024  # Linux reports KiB


def repeat(run_once: Callable[[], tuple[float, int]], reps: int, warmup: bool) -> Runs:
    if warmup:
        run_once()
    runs = Runs()
    for _ in range(reps):
        seconds, rss = run_once()
        runs.seconds.append(seconds)
        runs.peak_rss.append(rss)
    return runs


def fresh_dir(label: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{label}-", dir=OUT))


RETIRED: list[Path] = []
"""Build folders done with, removed when the run ends (``remove_retired``)."""
KEEP_FREE = 30 * GB
"""Below this much free disk, a folder done with is removed at once instead."""


def retire(folder: Path) -> None:
    """A build folder no longer needed: removed when the run ends, disk space allowing, so
    that no timed build pays for removing another's files (see "What is measured")."""
    if shutil.disk_usage(OUT).free < KEEP_FREE:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        RETIRED.append(folder)


def remove_retired() -> None:
    while RETIRED:
        shutil.rmtree(RETIRED.pop(), ignore_errors=True)


def measure_cli(events_file: Path, label: str, reps: int, warmup: bool) -> tuple[Runs, Runs, Path]:
    """``check`` and ``build`` (into an empty folder each time); keep the last build's folder."""
    check = measure_check(events_file, reps, warmup)
    kept: list[Path] = []

    def build_once() -> tuple[float, int]:
        for old in kept:
            retire(old)
        kept[:] = [fresh_dir(label)]
        return timed_build(events_file, kept[0])

    build = repeat(build_once, reps, warmup)
    return check, build, kept[0]


def measure_sizes(args: argparse.Namespace, warmup: bool) -> list[SizeResult]:
    """Every size: its checks, then the builds of all sizes and yaml2ics's calendars in rounds.

    The machine's speed drifts by 30% over minutes, and the targets compare runs: our 10,000-event
    build with yaml2ics's, our 100,000-event build with our 10,000-event one. So each round runs one
    of each (a warm-up round first), and the medians being compared come from the same minutes.
    """
    sizes = sorted(args.sizes)
    tool = None if args.no_yaml2ics else find_yaml2ics(args.yaml2ics)
    files: dict[int, Path] = {}
    checks: dict[int, Runs] = {}
    for size in sizes:
        mark = time.perf_counter()
        files[size] = generate_in_child(size, yaml2ics=compared_with_yaml2ics(size, tool))
        print(f"\n{size:,} events: {files[size].relative_to(REPO)} ({mb(files[size].stat().st_size)}, "
              f"ready in {time.perf_counter() - mark:.1f} s) ...", flush=True)  # fmt: skip
        checks[size] = measure_check(files[size], reps_for(size, args), warmup)
        print(f"  check {checks[size].median:.2f} s ({checks[size].spread})", flush=True)
    rounds = Rounds(files, tool, args, warmup)
    rounds.run()
    results = []
    for size in sizes:
        reps = reps_for(size, args)
        stages, detail = measure_stages(files[size], f"size{size}", reps)
        result = SizeResult(
            size, files[size].stat().st_size, checks[size], rounds.builds[size], stages,
            detail["peaks"], reps, detail["sizes"], detail["tags"], detail["files"],  # type: ignore[arg-type]
            detail["limit_lifted"], rounds.kept[size],  # type: ignore[arg-type]
        )  # fmt: skip
        if size in rounds.yaml2ics:
            result.yaml2ics, result.yaml2ics_bytes = rounds.yaml2ics[size], rounds.yaml2ics_bytes[size]
        results.append(result)
    return results


@dataclass
class StoryResult:
    size: int
    file_bytes: int
    check: Runs | None = None
    build: Runs | None = None
    stages: dict[str, float] = field(default_factory=dict)
    problem: str = ""
    """Why check or build failed with the defaults, if they did."""


def measure_story(size: int, args: argparse.Namespace, warmup: bool) -> StoryResult:
    """``check`` and ``build`` of a story-like file with the tool's defaults (no option added)."""
    command = [sys.executable, HERE / "generate.py", str(size), "--story", "--out", DATA]
    subprocess.run([str(part) for part in command], check=True, stdout=subprocess.DEVNULL)
    events_file = DATA / f"story-{size}.yaml"
    result = StoryResult(size, events_file.stat().st_size)
    print(f"\nstory-like {size:,} events: {events_file.relative_to(REPO)} ({mb(result.file_bytes)}) ...",
          flush=True)  # fmt: skip
    try:
        result.check, result.build, _ = measure_cli(events_file, f"story{size}", args.reps, warmup)
        result.stages, _ = measure_stages(events_file, f"story{size}", args.reps)
    except RuntimeError as failure:
        result.problem = str(failure).splitlines()[-1]
    return result


def report_stories(stories: list[StoryResult]) -> None:
    if not stories:
        return
    print("\n== story-like files (the shipped events repeated), default options ==\n")
    rows = []
    for r in stories:
        if r.check is None or r.build is None:
            rows.append([f"{r.size:,}", mb(r.file_bytes), "FAILED", "", "", "", r.problem])
            continue
        rows.append([
            f"{r.size:,}", mb(r.file_bytes), f"{r.check.median:.2f} s", f"{r.check.max_rss / 2**20:.0f} MiB",
            f"{r.build.median:.2f} s", f"{r.build.max_rss / 2**20:.0f} MiB", r.build.spread,
        ])  # fmt: skip
    print(table(["events", "input", "check", "check RSS", "build", "build RSS", "build runs"], rows))
    measured = [r for r in stories if r.stages]
    if measured:
        print()
        names = list(measured[0].stages)
        print(table(
            ["stage / output", *(f"story {r.size:,}" for r in measured)],
            [[name, *(f"{r.stages.get(name, float('nan')):.3f}" for r in measured)] for name in names],
        ))  # fmt: skip


def generate_in_child(size: int, *, yaml2ics: bool) -> Path:
    """``generate.py`` writes and validates the file (and its yaml2ics twin) in a process of its
    own: a child's peak RSS counts its parent's memory at the fork (Linux keeps the high-water
    mark across ``exec``), so this process must stay small."""
    command = [sys.executable, HERE / "generate.py", str(size), "--out", DATA]
    subprocess.run([str(part) for part in [*command, *(["--yaml2ics"] if yaml2ics else [])]],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return DATA / f"events-{size}.yaml"


def compared_with_yaml2ics(size: int, tool: Path | None) -> bool:
    return tool is not None and size in YAML2ICS_SIZES


def reps_for(size: int, args: argparse.Namespace) -> int:
    return int(args.big_reps if size >= BIG else args.reps)


def measure_check(events_file: Path, reps: int, warmup: bool) -> Runs:
    python = sys.executable
    return repeat(lambda: timed_child([python, WORKER, "cli", "check", events_file]), reps, warmup)


def timed_build(events_file: Path, out_dir: Path) -> tuple[float, int]:
    return timed_child([sys.executable, WORKER, "cli", "build", events_file, "--out", out_dir])


class Rounds:
    """Builds of every size, and yaml2ics where it is compared, one of each per round."""

    def __init__(self, files: dict[int, Path], tool: Path | None, args: argparse.Namespace, warmup: bool):
        self.files = files
        self.args = args
        self.warmup = warmup
        self.builds = {size: Runs() for size in files}
        self.kept: dict[int, Path] = {}
        self.yaml2ics_sources = {  # written beside each file by generate_in_child
            size: DATA / f"yaml2ics-{size}.yaml" for size in files if compared_with_yaml2ics(size, tool)
        }
        self.tool = tool
        self.yaml2ics = {size: Runs() for size in self.yaml2ics_sources}
        self.yaml2ics_bytes: dict[int, int] = {}

    def run(self) -> None:
        total = max(reps_for(size, self.args) for size in self.files)
        print(f"\nbuilds{' and yaml2ics' if self.yaml2ics else ''}, one of each size per round "
              f"({'a warm-up round, then ' if self.warmup else ''}{total} timed):", flush=True)  # fmt: skip
        for index in range(-1 if self.warmup else 0, total):
            figures = []
            for size in self.files:
                if index >= reps_for(size, self.args):
                    continue
                seconds, rss = self.build(size)
                figures.append(f"{size:,} {seconds:.2f} s")
                if index >= 0:
                    self.builds[size].seconds.append(seconds)
                    self.builds[size].peak_rss.append(rss)
                if size in self.yaml2ics:
                    seconds, rss = self.run_yaml2ics(size)
                    figures.append(f"yaml2ics {size:,} {seconds:.2f} s")
                    if index >= 0:
                        self.yaml2ics[size].seconds.append(seconds)
                        self.yaml2ics[size].peak_rss.append(rss)
            label = "warm-up" if index < 0 else f"round {index + 1}"
            print(f"  {label}: {', '.join(figures)}", flush=True)

    def build(self, size: int) -> tuple[float, int]:
        """Into an empty folder; the last build's folder is kept (its page is timed later)."""
        if size in self.kept:
            retire(self.kept[size])
        self.kept[size] = fresh_dir(f"size{size}")
        return timed_build(self.files[size], self.kept[size])

    def run_yaml2ics(self, size: int) -> tuple[float, int]:
        assert self.tool is not None
        source = self.yaml2ics_sources[size]
        target = OUT / f"yaml2ics-{source.stem}.ics"
        result = timed_child([self.tool, source], stdout=target)
        self.yaml2ics_bytes[size] = target.stat().st_size
        return result


def measure_stages(events_file: Path, label: str, runs: int) -> tuple[dict[str, float], dict[str, object]]:
    """Median time of each stage and renderer over ``runs`` cold processes."""
    samples: list[dict[str, float]] = []
    last: dict[str, object] = {}
    for _ in range(runs):
        out_dir = fresh_dir(f"{label}-stages")
        result = subprocess.run(
            [sys.executable, str(WORKER), "stages", str(events_file), str(out_dir)],
            capture_output=True, text=True, check=False, cwd=REPO,
        )  # fmt: skip
        retire(out_dir)
        if result.returncode != 0:
            raise RuntimeError(f"stages worker failed on {events_file}:\n{result.stderr[-3000:]}")
        last = json.loads(result.stdout)
        samples.append(last["timings"])  # type: ignore[arg-type]
    medians = {name: statistics.median(s[name] for s in samples) for name in samples[0]}
    return medians, last


def find_yaml2ics(explicit: str | None) -> Path | None:
    for candidate in (explicit, os.environ.get("YAML2ICS"), LOCAL_YAML2ICS, shutil.which("yaml2ics")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


# --- the browser --------------------------------------------------------------------------------

DRAWN_PROBE = """
(() => {
  // Milestones after navigation start (performance.now(), ms), written on <html> at the end.
  const marks = {};
  const mark = (name) => { if (!(name in marks)) marks[name] = performance.now(); };
  let plotly;
  Object.defineProperty(window, "Plotly", {  // plotly.js done evaluating: it sets window.Plotly
    configurable: true,
    get() { return plotly; },
    set(value) { plotly = value; mark("plotly"); },
  });
  // the marks are published once the page is interactive and its DOM complete: the chart can
  // be drawn (and the page interactive) before a long list after it is parsed
  const publish = () => {
    if ("idle" in marks && "dcl" in marks) {
      document.documentElement.dataset.benchMarks = JSON.stringify(marks);
    }
  };
  document.addEventListener("DOMContentLoaded", () => { mark("dcl"); publish(); });
  const drawn = () =>
    document.querySelector(".main-svg") !== null &&
    document.querySelector(".main-svg .scatterlayer .trace, .gl-container canvas") !== null;
  const poll = () => {
    if (!drawn()) {
      requestAnimationFrame(poll);
      return;
    }
    mark("drawn");
    // interactive: the main thread is free again once the chart is in the DOM
    setTimeout(() => {
      mark("idle");
      publish();
    }, 0);
  };
  requestAnimationFrame(poll);
})();
"""
PAGE_MARKS = ("plotly", "dcl", "drawn", "idle")


def measure_page(page_file: Path, reps: int, warmup: bool) -> tuple[Runs, dict[str, float]]:
    """Navigation start -> chart drawn and the main thread free; also the median milestones."""
    from playwright.sync_api import sync_playwright

    runs = Runs()
    milestones: dict[str, list[float]] = {name: [] for name in PAGE_MARKS}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            for index in range(reps + (1 if warmup else 0)):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.add_init_script(DRAWN_PROBE)
                page.goto(page_file.resolve().as_uri(), wait_until="commit", timeout=120_000)
                # the page's CSP forbids eval, so no wait_for_function: the probe marks <html>
                page.wait_for_selector("html[data-bench-marks]", state="attached", timeout=120_000)
                marks = json.loads(page.get_attribute("html", "data-bench-marks") or "{}")
                context.close()
                if warmup and index == 0:
                    continue
                runs.seconds.append(marks["idle"] / 1000)
                runs.peak_rss.append(0)
                for name in PAGE_MARKS:
                    milestones[name].append(marks.get(name, float("nan")) / 1000)
        finally:
            browser.close()
    return runs, {name: statistics.median(values) for name, values in milestones.items()}


# --- reporting ----------------------------------------------------------------------------------


def mb(count: float) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e5 else f"{count / 1e3:.0f} kB"


def mib(count: float) -> str:
    return f"{count / 2**20:.0f} MiB"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def report_sizes(results: list[SizeResult]) -> None:
    print("\n== check and build (CLI, cold process each run; median wall time) ==\n")
    rows = []
    for r in results:
        rows.append([
            f"{r.size:,}", mb(r.file_bytes),
            f"{r.check.median:.2f} s", f"{r.check.max_rss / 2**20:.0f} MiB",
            f"{r.build.median:.2f} s", f"{r.build.max_rss / 2**20:.0f} MiB",
            str(r.files), mb(sum(r.sizes.values())), r.build.spread,
        ])  # fmt: skip
    print(table(
        ["events", "input", "check", "check RSS", "build", "build RSS", "outputs", "out bytes", "build runs"],
        rows,
    ))  # fmt: skip
    for r in results:
        if r.limit_lifted:
            print(f"note: the {r.size:,}-event file is {mb(r.file_bytes)}, over the default 32 MiB input "
                  "limit; it was checked and built with --max-input-size.")  # fmt: skip
    print("\n== where the build's time goes (one cold process per run, median seconds per stage) ==\n")
    names = list(results[0].stages)
    for r in results[1:]:
        names += [n for n in r.stages if n not in names]
    header = [
        "stage / output",
        *(f"{r.size:,} ev" for r in results),
        *(f"bytes {r.size:,}" for r in results),
        f"peak RSS {results[-1].size:,}",
    ]
    rows = []
    for name in names:
        label = name if "{tag}" not in name else f"{name} (x{results[0].tags} tags)"
        cells = [label]
        cells += [f"{r.stages[name]:.3f}" if name in r.stages else "-" for r in results]
        cells += [mb(r.sizes[name]) if name in r.sizes else "" for r in results]
        cells.append(mib(results[-1].peaks[name]) if name in results[-1].peaks else "")
        rows.append(cells)
    print(table(header, rows))
    runs = ", ".join(f"{r.size:,}: {r.stage_runs}" for r in results)
    print(f"(stage runs per size: {runs}; lazily computed values such as the sorted event list and "
          "plotly's import are charged to the first renderer that needs them; peak RSS: the stage "
          "process's highest resident memory so far, after that stage)")  # fmt: skip


def load_note() -> str:
    """Other work on the machine skews every figure: say how busy it was."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def verdict(met: bool | None) -> str:
    return {True: "MET", False: "NOT MET", None: "NOT MEASURED"}[met]


def compile_package() -> None:
    """Byte-compile the package's modules, as ``pip install`` does: in an editable install under
    ``PYTHONDONTWRITEBYTECODE=1`` every timed process would otherwise compile them again, which
    no installed copy does (yaml2ics, installed by pip, is compiled)."""
    spec = importlib.util.find_spec("pledge_timeline")
    assert spec is not None, "pledge_timeline is installed"
    assert spec.origin is not None, "pledge_timeline is a package on disk"
    if not compileall.compile_dir(Path(spec.origin).parent, quiet=1):
        raise SystemExit("could not byte-compile pledge_timeline")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=list(DEFAULT_SIZES))
    parser.add_argument(
        "--story-sizes", nargs="*", type=int, default=list(STORY_SIZES),
        help="story-like files (the shipped events repeated), checked and built with the defaults",
    )  # fmt: skip
    parser.add_argument("--reps", type=int, default=5, help="timed runs after one warm-up (default 5)")
    parser.add_argument(
        "--big-reps", type=int, help=f"timed runs at {BIG:,}+ events, after the warm-up (default: --reps)"
    )
    parser.add_argument("--smoke", action="store_true", help="1,000 events, 1 run, no warm-up, no browser")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-yaml2ics", action="store_true")
    parser.add_argument(
        "--yaml2ics", help=f"the yaml2ics command (default: $YAML2ICS, {LOCAL_YAML2ICS}, PATH)"
    )
    parser.add_argument("--events", type=Path, default=REPO / "events.yaml", help="the shipped events file")
    args = parser.parse_args(argv)
    if args.big_reps is None:
        args.big_reps = args.reps
    if args.smoke:
        args.sizes, args.reps, args.big_reps, args.no_browser = [1_000], 1, 1, True
        args.story_sizes = []
    warmup = not args.smoke
    started = time.perf_counter()
    shutil.rmtree(OUT, ignore_errors=True)  # the last run's builds: 1 GB at 100,000 events
    compile_package()
    print(f"pledge-timeline benchmark: sizes {', '.join(f'{s:,}' for s in args.sizes)}; "
          f"{args.reps} timed runs after {'one warm-up' if warmup else 'no warm-up'} "
          f"({args.big_reps} at {BIG:,}+ events); Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs; {load_note()}")  # fmt: skip

    shipped: tuple[Runs, Runs, Path] | None = None
    if args.events.is_file():
        shipped = measure_cli(args.events, "shipped", args.reps, warmup)
        check, build, _ = shipped
        print(f"\nshipped {args.events.name}: check {check.median:.3f} s ({check.spread}), "
              f"build {build.median:.3f} s ({build.spread}), "
              f"peak RSS {build.max_rss / 2**20:.0f} MiB")  # fmt: skip
        report_shipped_stages(args.events, args.reps)
    else:
        print(f"\nshipped events file {args.events} is missing: its targets are skipped")

    results = measure_sizes(args, warmup)
    if results:
        report_sizes(results)
    report_yaml2ics(results, args)
    stories = [measure_story(size, args, warmup) for size in args.story_sizes]
    report_stories(stories)
    pages = measure_pages(args, shipped, results, warmup)
    refusals = measure_hostile(args.reps)
    report_targets(shipped, results, pages, stories, refusals)
    remove_retired()
    print(f"\nbenchmark finished in {time.perf_counter() - started:.0f} s; {load_note()}")
    return 0


@dataclass
class Refusal:
    """``check`` of one hostile file (``tests/hostile.py``), a cold process per run."""

    name: str
    cpu: list[float] = field(default_factory=list)
    """User and system CPU seconds of each run."""
    peak_rss: int = 0
    problem: str = ""
    """Why it does not count as refused: an exit status other than 1, a traceback, another message."""


def measure_hostile(reps: int) -> list[Refusal]:
    """Each hostile file checked ``reps`` times: its CPU time and peak RSS (from ``wait4``), and
    whether it was refused as the tests expect."""
    print("\n== hostile files: check's refusal (CPU time, a cold process each run) ==\n")
    refusals = []
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        for name, make in hostile.HOSTILE.items():
            path, expected = make(Path(folder))
            refusal = Refusal(name)
            for _ in range(reps):
                cpu, rss, problem = refused(path, expected)
                refusal.cpu.append(cpu)
                refusal.peak_rss = max(refusal.peak_rss, rss)
                refusal.problem = refusal.problem or problem
            path.unlink()
            refusals.append(refusal)
    rows = [
        [r.name, f"{statistics.median(r.cpu):.2f} s", f"{min(r.cpu):.2f}-{max(r.cpu):.2f}",
         mib(r.peak_rss), r.problem or "refused"]
        for r in refusals
    ]  # fmt: skip
    print(table(["file", "CPU", "runs", "peak RSS", "outcome"], rows))
    return refusals


def refused(path: Path, expected: Sequence[str]) -> tuple[float, int, str]:
    """(CPU seconds, peak RSS bytes, problem) of one ``pledge-timeline check`` of ``path``."""
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "pledge_timeline", "check", str(path)],
            stdout=subprocess.DEVNULL, stderr=err, cwd=REPO,
        )  # fmt: skip
        _, status, usage = os.wait4(child.pid, 0)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    problem = ""
    if code != 1 or "Traceback" in stderr:
        problem = f"exit status {code}"
    elif not any(part in stderr for part in expected):
        problem = f"another message: {stderr[:200]!r}"
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, problem


def report_shipped_stages(events_file: Path, runs: int) -> None:
    stages, detail = measure_stages(events_file, "shipped", runs)
    sizes: dict[str, int] = detail["sizes"]  # type: ignore[assignment]
    rows = [
        [name, f"{seconds:.3f}", mb(sizes[name]) if name in sizes else ""] for name, seconds in stages.items()
    ]
    print(f"\nwhere the time of a build of {events_file.name} goes ({runs} cold runs, median s):\n")
    print(table(["stage / output", "seconds", "bytes"], rows))


def report_yaml2ics(results: list[SizeResult], args: argparse.Namespace) -> None:
    print("\n== yaml2ics (its calendar alone) vs our full build (every output) ==\n")
    compared = [r for r in results if r.yaml2ics is not None]
    if not compared:
        reason = "--no-yaml2ics" if args.no_yaml2ics else (
            f"yaml2ics not found (install: python -m venv {LOCAL_YAML2ICS.parent.parent} && "
            f"{LOCAL_YAML2ICS.parent}/pip install yaml2ics==0.3)"
        )  # fmt: skip
        print(f"skipped: {reason}")
        return
    rows = []
    for r in compared:
        assert r.yaml2ics is not None
        rows.append([
            f"{r.size:,}", f"{r.yaml2ics.median:.2f} s", mb(r.yaml2ics_bytes),
            f"{r.yaml2ics.max_rss / 2**20:.0f} MiB", f"{r.build.median:.2f} s",
            f"{r.yaml2ics.median / r.build.median:.1f}x",
        ])  # fmt: skip
    print(table(["events", "yaml2ics", "its .ics", "its RSS", "our build", "ours faster by"], rows))


def measure_pages(
    args: argparse.Namespace, shipped: tuple[Runs, Runs, Path] | None, results: list[SizeResult], warmup: bool
) -> dict[str, Runs | str]:
    pages: dict[str, Runs | str] = {}
    if args.no_browser:
        return {"story": "browser skipped (--no-browser/--smoke)", "10k": "browser skipped"}
    if not CHROMIUM.exists():
        return {"story": f"{CHROMIUM} is not installed", "10k": f"{CHROMIUM} is not installed"}
    try:
        import playwright  # noqa: F401
    except ImportError:
        return {"story": "playwright is not installed", "10k": "playwright is not installed"}
    targets: list[tuple[str, Path | None]] = [
        ("story", shipped[2] if shipped else None),
        ("10k", next((r.out_dir for r in results if r.size == BIG_PAGE_EVENTS), None)),
    ]
    print("\n== timeline.html in headless Chromium ==\n")
    for name, out_dir in targets:
        page_file = out_dir / "timeline.html" if out_dir else None
        if page_file is None or not page_file.exists():
            pages[name] = "no timeline.html was built" if out_dir else "not built in this run"
            print(f"{name}: {pages[name]}")
            continue
        runs, marks = measure_page(page_file, args.reps, warmup)
        pages[name] = runs
        print(f"{name}: {page_file.relative_to(REPO)} ({mb(page_file.stat().st_size)}): interactive after "
              f"{runs.median:.2f} s ({runs.spread}); medians after navigation start: plotly.js "
              f"evaluated {marks['plotly']:.2f} s, DOMContentLoaded {marks['dcl']:.2f} s, "
              f"traces in the DOM {marks['drawn']:.2f} s")  # fmt: skip
    return pages


def round_ratios(slower: Runs, faster: Runs) -> str:
    """The ratio within each round (the two runs minutes apart at most), as a range."""
    ratios = [a / b for a, b in zip(slower.seconds, faster.seconds, strict=False)]
    if len(ratios) < 2:
        return ""
    return f"; per round {min(ratios):.1f}-{max(ratios):.1f}x"


def report_targets(
    shipped: tuple[Runs, Runs, Path] | None,
    results: list[SizeResult],
    pages: dict[str, Runs | str],
    stories: Sequence[StoryResult] = (),
    refusals: Sequence[Refusal] = (),
) -> None:
    by_size = {r.size: r for r in results}
    rows: list[list[str]] = []

    def add(name: str, met: bool | None, figure: str) -> None:
        rows.append([name, verdict(met), figure])

    if shipped:
        check, build, _ = shipped
        add(
            f"events.yaml builds < {SHIPPED_BUILD_S} s",
            build.median < SHIPPED_BUILD_S,
            f"{build.median:.3f} s",
        )
        add(
            f"events.yaml checks < {SHIPPED_CHECK_S} s",
            check.median < SHIPPED_CHECK_S,
            f"{check.median:.3f} s",
        )
    else:
        add(f"events.yaml builds < {SHIPPED_BUILD_S} s", None, "events.yaml missing")
        add(f"events.yaml checks < {SHIPPED_CHECK_S} s", None, "events.yaml missing")
    ten = by_size.get(10_000)
    if ten and ten.yaml2ics:
        speedup = ten.yaml2ics.median / ten.build.median
        add(f"10,000: build >= {YAML2ICS_SPEEDUP:.0f}x faster than yaml2ics", speedup >= YAML2ICS_SPEEDUP,
            f"{speedup:.1f}x ({ten.build.median:.2f} s vs {ten.yaml2ics.median:.2f} s)"
            f"{round_ratios(ten.yaml2ics, ten.build)}")  # fmt: skip
    else:
        add(f"10,000: build >= {YAML2ICS_SPEEDUP:.0f}x faster than yaml2ics", None, "not run")
    big = by_size.get(BIG)
    if ten and big:
        growth = big.build.median / ten.build.median
        add(f"100,000 build <= {GROWTH_LIMIT:.0f}x the 10,000 build", growth <= GROWTH_LIMIT,
            f"{growth:.1f}x ({big.build.median:.1f} s vs {ten.build.median:.2f} s)"
            f"{round_ratios(big.build, ten.build)}")  # fmt: skip
        peak = max(big.build.max_rss, big.check.max_rss)
        add("100,000 within 1 GB", peak <= MEMORY_LIMIT, f"peak RSS {peak / 2**20:.0f} MiB")
    else:
        add(f"100,000 build <= {GROWTH_LIMIT:.0f}x the 10,000 build", None, "needs sizes 10000 and 100000")
        add("100,000 within 1 GB", None, "size 100000 not run")
    for key, limit, name in (("story", STORY_PAGE_S, "story page"), ("10k", BIG_PAGE_S, "10,000-event page")):
        page = pages.get(key)
        if isinstance(page, Runs):
            add(f"{name} interactive < {limit:.0f} s", page.median < limit, f"{page.median:.2f} s")
        else:
            add(f"{name} interactive < {limit:.0f} s", None, str(page))
    for story in stories:  # issue 20: the supported size
        figure = story.problem
        if story.check is not None and story.build is not None:
            figure = f"check {story.check.median:.2f} s, build {story.build.median:.2f} s"
        add(f"story-like {story.size:,}: check and build pass with the defaults", not story.problem,
            f"{mb(story.file_bytes)}; {figure}")  # fmt: skip
    limits = f"{hostile.MAX_CPU_SECONDS:.0f} s of CPU and {hostile.MAX_ADDRESS_SPACE // 2**20} MiB"
    if refusals:
        cpu = max(statistics.median(r.cpu) for r in refusals)
        peak = max(r.peak_rss for r in refusals)
        wrong = [f"{r.name}: {r.problem}" for r in refusals if r.problem]
        met = not wrong and cpu < hostile.MAX_CPU_SECONDS and peak < hostile.MAX_ADDRESS_SPACE
        figure = "; ".join(wrong) or f"at most {cpu:.2f} s, {mib(peak)}"
        add(f"hostile files refused within {limits}", met, figure)
    else:
        add(f"hostile files refused within {limits}", None, "not run")
    print("\n== targets (issues 7 and 20) ==\n")
    print(table(["target", "result", "measured"], rows))


if __name__ == "__main__":
    sys.exit(main())
