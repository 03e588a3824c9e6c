"""What ``run.py`` runs in a child process, so each measurement starts cold and has its own peak RSS.

``python benchmarks/_worker.py cli check FILE`` / ``cli build FILE --out DIR``
    the real command line (``pledge_timeline.cli.main``), as ``pledge-timeline`` runs it. Files over
    the loader's 5 MiB input limit (the 100,000-event file) are refused by the shipped tool, so for
    them, and only them, the limit is raised before the command runs.

``python benchmarks/_worker.py stages FILE DIR``
    the build step by step, timing each stage and each renderer that ``main_renderers()`` and
    ``tag_renderers()`` register (a tag renderer's time is summed over every tag); prints JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def lift_input_limit(events_file: Path) -> bool:
    from pledge_timeline import loader

    size = events_file.stat().st_size
    if size <= loader.MAX_FILE_BYTES:
        return False
    loader.MAX_FILE_BYTES = size
    return True


def run_cli(args: list[str]) -> None:
    files = [Path(a) for a in args[1:] if a.endswith((".yaml", ".yml"))]
    for events_file in files:
        lift_input_limit(events_file)
    from pledge_timeline.cli import cli

    cli.main(args=args, prog_name="pledge-timeline")


def run_stages(events_file: Path, out_dir: Path) -> dict[str, object]:
    clock = time.perf_counter
    timings: dict[str, float] = {}
    started = clock()
    lifted = lift_input_limit(events_file)
    from pledge_timeline.build import main_renderers, prepare, source_date_epoch_from_env, tag_renderers
    from pledge_timeline.errors import InvalidTimeline
    from pledge_timeline.loader import load_document
    from pledge_timeline.validate import build_model, validate_document
    from pledge_timeline.writer import write_outputs

    timings["import"] = clock() - started

    mark = clock()
    doc = load_document(events_file, positions=False)  # as load_timeline reads it
    timings["read YAML"] = clock() - mark
    mark = clock()
    parsed = validate_document(doc)
    if parsed is None or doc.errors:
        raise InvalidTimeline(doc.errors)
    timings["validate"] = clock() - mark
    mark = clock()
    timeline = prepare(build_model(parsed), None, source_date_epoch_from_env())
    timings["model"] = clock() - mark

    files: dict[str, bytes] = {}
    sizes: dict[str, int] = {}
    for path, render in main_renderers().items():
        mark = clock()
        files[path] = render(timeline, path)
        timings[path] = clock() - mark
        sizes[path] = len(files[path])
    mark = clock()
    subsets = [(tag, timeline.restricted_to(tag)) for tag in timeline.tags]
    timings["tag subsets"] = clock() - mark
    for pattern, render in tag_renderers().items():
        mark = clock()
        for tag, subset in subsets:
            path = pattern.format(tag=tag.id)
            files[path] = render(subset, path)
        timings[pattern] = clock() - mark
        sizes[pattern] = sum(len(files[pattern.format(tag=tag.id)]) for tag, _ in subsets)

    mark = clock()
    write_outputs(out_dir, files)
    timings["write"] = clock() - mark
    timings["total"] = clock() - started
    return {
        "timings": timings,
        "sizes": sizes,
        "tags": len(subsets),
        "files": len(files),
        "events": len(timeline.events),
        "limit_lifted": lifted,
    }


def main(argv: list[str]) -> None:
    mode, *rest = argv
    if mode == "cli":
        run_cli(rest)
    elif mode == "stages":
        print(json.dumps(run_stages(Path(rest[0]), Path(rest[1]))))
    else:
        raise SystemExit(f"unknown mode {mode!r}; use cli or stages")


if __name__ == "__main__":
    main(sys.argv[1:])
