"""The command line: a thin layer that parses options, calls the library and prints."""

from __future__ import annotations

import gc
import os
import re
import sys
from collections.abc import Callable, Sized
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from pledge_timeline import __version__
from pledge_timeline.errors import InvalidTimeline, one_line
from pledge_timeline.loader import MAX_FILE_BYTES


class _EventsFile(click.Path):
    """An existing events file; a missing one is answered with how to start one."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as problem:
            if os.path.exists(value):
                raise
            hint = (
                " Start a timeline with 'pledge-timeline init', or bring one in with "
                "'pledge-timeline import SOURCE' (TimelineJS JSON, a TimelineJS sheet as CSV, iCalendar)."
            )
            raise click.BadParameter(problem.message + hint, ctx, param) from None


EVENTS_FILE = _EventsFile(exists=True, dir_okay=False, path_type=Path)
INVALID_INPUT = 1
FAILED = 1
"""The output folder could not be written (one line says which path, and why)."""
OUT_OPTION = click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="out",
    show_default=True, help="output folder",
)  # fmt: skip
PLOTLYJS_OPTION = click.option(
    "--plotlyjs", type=click.Choice(["inline", "sibling"]), default="inline", show_default=True,
    help="inline: one self-contained timeline.html; sibling: plotly.min.js written beside it",
)  # fmt: skip
T = TypeVar("T")
SIZE_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}
SIZE = re.compile(r"\s*(\d{1,15})\s*([a-z]*)\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``64MiB`` -> 67108864: a whole number of bytes, KB/MB/GB (powers of 1000) or KiB/MiB/GiB
    (powers of 1024), any case; raise ValueError on anything else, or on zero."""
    match = SIZE.fullmatch(text)
    scale = SIZE_UNITS.get(match[2].lower()) if match else None
    if match is None or scale is None or int(match[1]) == 0:
        raise ValueError(f"'{text}' is not a size such as 64MiB, 50MB or 1048576 (bytes)")
    return int(match[1]) * scale


class ByteSize(click.ParamType):  # type: ignore[type-arg]  # not subscriptable in click 8.1
    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_size(str(value))
        except ValueError as problem:
            self.fail(str(problem), param, ctx)


MAX_INPUT_OPTION = click.option(
    "--max-input-size", "max_input_bytes", type=ByteSize(), default=MAX_FILE_BYTES,
    help="refuse a larger events file unread  [default: 32MiB]",
)  # fmt: skip


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pledge-timeline")
def cli() -> None:
    """Validate a curated events.yaml and publish it as a calendar, feeds and a page."""


@cli.command()
@click.argument("files", metavar="[FILE]...", nargs=-1, type=EVENTS_FILE)
@MAX_INPUT_OPTION
def check(files: tuple[Path, ...], max_input_bytes: int) -> None:
    """Validate each FILE (default: events.yaml) and report every problem at once."""
    from pledge_timeline.runtime import collection_paused
    from pledge_timeline.validate import validate_timeline

    if not files:
        files = (EVENTS_FILE.convert("events.yaml", None, click.get_current_context()),)
    invalid = False
    for file in files:
        prefix = f"{file}: " if len(files) > 1 else ""
        try:
            with collection_paused():  # as in a build
                parsed = validate_timeline(file, str(file), max_bytes=max_input_bytes)
        except InvalidTimeline as problems:
            _print_problems(problems)
            invalid = True
            continue
        counts = f"{_count(parsed['events'], 'event')}, {_count(parsed['sources'], 'source')}"
        click.echo(one_line(f"{prefix}ok: {counts}"))  # a file name is shown escaped too
    if invalid:
        sys.exit(INVALID_INPUT)


@cli.command()
@click.argument("file", type=EVENTS_FILE, default="events.yaml")
@OUT_OPTION
@click.option("--base-url", help="where the output folder is published (overrides timeline.base_url)")
@PLOTLYJS_OPTION
@MAX_INPUT_OPTION
def build(
    file: Path,
    out_dir: Path,
    base_url: str | None,
    plotlyjs: Literal["inline", "sibling"],
    max_input_bytes: int,
) -> None:
    """Validate FILE and write every output into the output folder."""
    from pledge_timeline.build import BuildOptions, source_date_epoch_from_env
    from pledge_timeline.build import build as run_build
    from pledge_timeline.document import CHECKS, FieldProblem

    if base_url is not None:
        try:
            CHECKS["base-url"](base_url)
        except FieldProblem as problem:
            raise click.BadParameter(one_line(str(problem)), param_hint="--base-url") from None
    options = BuildOptions(base_url, source_date_epoch_from_env(), plotlyjs, max_input_bytes)
    report = _or_exit(lambda: run_build(file, out_dir, options))
    for rendered in report.files:
        verb = "unchanged" if rendered.path in report.unchanged else "wrote"
        events = "" if rendered.items is None else f", {_count(rendered.items, 'event')}"
        click.echo(f"{verb} {out_dir / rendered.path} ({rendered.size} bytes{events})")
    for removed in report.removed:
        click.echo(f"removed stale {out_dir / removed}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"built {len(report.files)} files, {report.total_bytes} bytes, in {out_dir}")


@cli.command()
@click.argument("folder", metavar="[DIR]", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(folder: Path) -> None:
    """Start a timeline: write DIR/events.yaml (a commented example) and DIR/events.schema.json."""
    from pledge_timeline.init import init_timeline

    try:
        written = init_timeline(folder)
    except FileExistsError as exists:
        click.echo(
            f"{exists.filename} already exists; init writes only new files, so nothing was written", err=True
        )
        sys.exit(INVALID_INPUT)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: edit {written[0]}, then run pledge-timeline check and pledge-timeline build")


@cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", "target", type=click.Path(dir_okay=False, path_type=Path), default="events.yaml",
    show_default=True, help="the events file to write",
)  # fmt: skip
@click.option(
    "--from", "form", type=click.Choice(["timelinejs", "sheet", "ics"]), help="default: from the content"
)
@click.option("--timezone", help="IANA zone of the source's times (TimelineJS has none)")
@click.option("--source-url", help="the address every event cites (default: none)")
@click.option("--source-title", help="the title of the source every event cites (default: its title)")
@click.option("--source-date", help="the day the source was published, YYYY-MM-DD")
@click.option("--force", is_flag=True, help="overwrite the output file")
def import_(
    source: Path,
    target: Path,
    form: Literal["timelinejs", "sheet", "ics"] | None,
    timezone: str | None,
    source_url: str | None,
    source_title: str | None,
    source_date: str | None,
    force: bool,
) -> None:
    """Write an events file from SOURCE: TimelineJS JSON, a TimelineJS sheet as CSV, or iCalendar."""
    from pledge_timeline.document import (
        FieldProblem,
        check_day,
        check_nonblank_text,
        check_timezone,
        check_url,
    )
    from pledge_timeline.importers import import_timeline
    from pledge_timeline.importers.assemble import ImportOptions

    checks = (
        ("--timezone", timezone, check_timezone),
        ("--source-url", source_url, check_url),
        ("--source-title", source_title, check_nonblank_text),
        ("--source-date", source_date, check_day),
    )
    for hint, value, check in checks:
        try:
            if value is not None:
                check(value)
        except FieldProblem as problem:
            raise click.BadParameter(str(problem), param_hint=hint) from None
    options = ImportOptions(source.name, timezone, source_url, source_title, source_date)
    try:
        result = _or_exit(lambda: import_timeline(source, target, options, form=form, force=force))
    except FileExistsError:
        click.echo(
            f"{target} already exists; pass --force to overwrite it, or -o FILE; nothing was written",
            err=True,
        )
        sys.exit(INVALID_INPUT)
    for line in result.report:
        click.echo(line)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the events file (committed as events.schema.json)."""
    import json  # here, not at the top: `check` never needs it

    from pledge_timeline.document import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@cli.command()
@click.argument("file", type=EVENTS_FILE, default="events.yaml")
@OUT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port"
)
@click.option("--watch", is_flag=True, help="rebuild whenever FILE changes")
@PLOTLYJS_OPTION
@MAX_INPUT_OPTION
def serve(
    file: Path,
    out_dir: Path,
    host: str,
    port: int,
    watch: bool,
    plotlyjs: Literal["inline", "sibling"],
    max_input_bytes: int,
) -> None:
    """Build FILE, then serve the output folder over HTTP to subscribe to; Ctrl-C stops."""
    from pledge_timeline.build import BuildOptions, source_date_epoch_from_env
    from pledge_timeline.serve import (
        LiveReload,
        Rebuilder,
        RebuildProblem,
        StopSignals,
        TimelineServer,
        problem_lines,
        subscription_lines,
    )

    def report_problem(problem: RebuildProblem) -> None:
        for line in problem_lines(problem):
            click.echo(line, err=True)
        click.echo(f"{file} not rebuilt; still serving the last good build", err=True)

    options = BuildOptions(
        source_date_epoch=source_date_epoch_from_env(), plotlyjs=plotlyjs, max_input_bytes=max_input_bytes
    )
    live = LiveReload(options) if watch else None  # the open page follows the file
    rebuilder = Rebuilder(
        file, out_dir, options, on_failed=report_problem, live=live,
        on_rebuilt=lambda report: click.echo(f"{file} changed: rebuilt {len(report.files)} files"),
    )  # fmt: skip
    report = _or_exit(rebuilder.build)
    try:
        server = TimelineServer(out_dir, host, port, log_requests=True, live=live)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    # From here on, Ctrl-C or SIGTERM, whenever it comes, stops the server, then prints "stopped".
    with StopSignals() as stop:
        try:
            url = server.base_url(host)
            click.echo(f"built {len(report.files)} files in {out_dir}; serving them at {url}")
            for line in subscription_lines(url, (rendered.path for rendered in report.files)):
                click.echo(line)
            if not server.is_loopback_only:
                click.echo(f"warning: listening on {host}, so other machines can fetch these files", err=True)
            if watch:
                rebuilder.start()
                click.echo(f"watching {file} for changes")
            click.echo("Ctrl-C to stop")
            stop.serve(server)
        finally:
            rebuilder.stop()
            server.server_close()
        click.echo("stopped")


def _or_exit(action: Callable[[], T]) -> T:
    from pledge_timeline.writer import OutputError

    try:
        return action()
    except InvalidTimeline as invalid:
        _print_problems(invalid)
        sys.exit(INVALID_INPUT)
    except OutputError as error:
        click.echo(f"pledge-timeline: {error}", err=True)
        sys.exit(FAILED)


def _print_problems(invalid: InvalidTimeline) -> None:
    for error in invalid.errors:
        click.echo(str(error), err=True)
    click.echo(f"{_count(invalid.errors, 'problem')} found", err=True)


def _count(items: Sized | int, noun: str) -> str:
    number = items if isinstance(items, int) else len(items)
    return f"{number} {noun}{'' if number == 1 else 's'}"


def main() -> None:
    try:
        cli(prog_name="pledge-timeline")
    finally:
        # The process ends here: frozen, what is still alive (modules, caches) is left to the
        # operating system instead of being walked and freed one object at a time on the way out.
        gc.freeze()
