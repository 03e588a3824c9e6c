"""What ``run.py`` runs in a child process, so each measurement starts cold and has its own peak RSS.

``python benchmarks/_worker.py cli check FILE`` / ``cli build FILE --out DIR``
    the real command line (``pledge_timeline.cli.main``), as ``pledge-timeline`` runs it. A file
    over the default input limit (the 100,000-event file) is given ``--max-input-size``, as a user
    would: four times its size, as its many one-letter values make a parser event per 15 bytes
    and the limit allows one per 32; the limit on the outputs' size is raised for it too.

``python benchmarks/_worker.py stages FILE DIR``
    the build step by step as ``build.render_each`` runs it, timing each stage and each renderer
    of ``build.formats()`` (a tag renderer's time is summed over every tag), with the process's
    peak RSS after each; prints JSON.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pledge_timeline.build import Format
    from pledge_timeline.model import Timeline


def input_limit(events_file: Path) -> int | None:
    """The ``--max-input-size`` the file needs (in bytes), or None if the default will do; for
    such a file, the limit on the outputs' size is raised too (its outputs may be over it)."""
    from pledge_timeline import budget
    from pledge_timeline.loader import MAX_FILE_BYTES

    size = events_file.stat().st_size
    if size <= MAX_FILE_BYTES:
        return None
    budget.MAX_OUTPUT_BYTES = 1 << 40
    return size * 4


def run_cli(args: list[str]) -> None:
    files = [Path(a) for a in args[1:] if a.endswith((".yaml", ".yml"))]
    limits = [limit for limit in map(input_limit, files) if limit is not None]
    if limits:
        args = [*args, "--max-input-size", str(max(limits))]
    from pledge_timeline.cli import main

    sys.argv = ["pledge-timeline", *args]
    main()  # the console script's entry point


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def run_stages(events_file: Path, out_dir: Path) -> dict[str, object]:
    """The build's own steps, in its order (``render_each``), each timed."""
    clock = time.perf_counter
    timings: dict[str, float] = {}
    peaks: dict[str, int] = {}  # the process's peak RSS so far, in bytes, after each stage
    started = clock()
    limit = input_limit(events_file)
    from pledge_timeline.build import formats, prepare, source_date_epoch_from_env
    from pledge_timeline.errors import InvalidTimeline
    from pledge_timeline.loader import MAX_FILE_BYTES, load_yaml
    from pledge_timeline.render.memo import build_scope
    from pledge_timeline.runtime import collection_paused
    from pledge_timeline.to_model import build_model
    from pledge_timeline.validate import validate_loaded
    from pledge_timeline.writer import OutputWriter

    timings["import"] = clock() - started
    sizes: dict[str, int] = {}
    with collection_paused(), OutputWriter(out_dir) as writer:
        mark = clock()
        doc = load_yaml(events_file, max_bytes=limit or MAX_FILE_BYTES)  # as load_timeline reads it
        timings["read YAML"] = clock() - mark
        peaks["read YAML"] = peak_rss()
        mark = clock()
        parsed = validate_loaded(doc)
        if parsed is None or doc.errors:
            raise InvalidTimeline(doc.errors)
        del doc
        timings["validate"] = clock() - mark
        peaks["validate"] = peak_rss()
        mark = clock()
        timeline = prepare(build_model(parsed), None, source_date_epoch_from_env())
        del parsed
        timings["model"] = clock() - mark
        peaks["model"] = peak_rss()
        subsets = [(tag, timeline.restricted_to(tag)) for tag in timeline.tags]
        handovers: list[float] = []  # seconds spent handing each output to the writer

        def render(name: str, output: Format, path: str, view: Timeline) -> None:
            """Every document of the output at ``path`` (a paged feed's archive pages too)."""
            mark = clock()
            if output.pages is None:
                documents = iter([(path, output.render(view, path), 0)])
            else:
                documents = output.pages(view, path)
            for document_path, data, _ in documents:
                timings[name] = timings.get(name, 0.0) + clock() - mark
                sizes[name] = sizes.get(name, 0) + len(data)
                peaks[name] = peak_rss()
                mark = clock()
                writer.add(document_path, data)
                handovers.append(clock() - mark)
                mark = clock()

        with build_scope() as shared:
            for output in formats():
                render(output.path, output, output.path, timeline)
                if output.tag_path is not None:
                    for tag, subset in subsets:
                        render(output.tag_path, output, output.tag_path.format(tag=tag.id), subset)
                shared.forget(*output.memo_kinds)
        mark = clock()
        writer.commit()
        timings["write"] = sum(handovers) + clock() - mark
        peaks["write"] = peak_rss()
    timings["total"] = clock() - started
    return {
        "timings": timings,
        "peaks": peaks,
        "sizes": sizes,
        "tags": len(subsets),
        "files": len(handovers),
        "events": len(timeline.events),
        "limit_lifted": limit is not None,
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
