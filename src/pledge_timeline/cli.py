"""The command line: a thin layer that parses options, calls the library and prints."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sized
from pathlib import Path
from typing import TypeVar

import click

from pledge_timeline import __version__
from pledge_timeline.errors import InvalidTimeline

EVENTS_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
INVALID_INPUT = 1
T = TypeVar("T")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pledge-timeline")
def cli() -> None:
    """Validate a curated events.yaml and publish it as a calendar, feeds and a page."""


@cli.command()
@click.argument("file", type=EVENTS_FILE, default="events.yaml")
def check(file: Path) -> None:
    """Validate FILE (default: events.yaml) and report every problem at once."""
    from pledge_timeline.validate import load_timeline

    timeline = _or_exit(lambda: load_timeline(file, str(file)))
    click.echo(f"ok: {_count(timeline.events, 'event')}, {_count(timeline.sources, 'source')}")


@cli.command()
@click.argument("file", type=EVENTS_FILE, default="events.yaml")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="out",
    show_default=True, help="output folder",
)  # fmt: skip
@click.option("--base-url", help="where the output folder is published (overrides timeline.base_url)")
def build(file: Path, out_dir: Path, base_url: str | None) -> None:
    """Validate FILE and write every output into the output folder."""
    from pledge_timeline.build import build as run_build
    from pledge_timeline.build import source_date_epoch_from_env

    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--base-url")
    report = _or_exit(
        lambda: run_build(file, out_dir, base_url=base_url, source_date_epoch=source_date_epoch_from_env())
    )
    for rendered in report.files:
        click.echo(f"wrote {out_dir / rendered.path} ({len(rendered.data)} bytes, {rendered.items} events)")
    for removed in report.removed:
        click.echo(f"removed stale {out_dir / removed}")
    click.echo(f"built {len(report.files)} files, {report.total_bytes} bytes, in {out_dir}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the events file (committed as events.schema.json)."""
    from pledge_timeline.document import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def _or_exit(action: Callable[[], T]) -> T:
    try:
        return action()
    except InvalidTimeline as invalid:
        for error in invalid.errors:
            click.echo(str(error), err=True)
        click.echo(f"{_count(invalid.errors, 'problem')} found", err=True)
        sys.exit(INVALID_INPUT)


def _count(items: Sized, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def main() -> None:
    cli(prog_name="pledge-timeline")
