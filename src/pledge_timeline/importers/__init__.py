"""``pledge-timeline import``: a TimelineJS JSON file, a TimelineJS sheet saved as CSV, or an
iCalendar file, as a valid events file.

The format is told from the content (``detect``). The events file is checked by the same
validator as ``check`` before it is written; nothing is written when the source holds what
an events file cannot (a BCE date, a time without a zone) or when the target exists.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path as FilePath
from typing import Literal

from pledge_timeline.errors import DocPath, InvalidTimeline, Location, TimelineError
from pledge_timeline.importers.assemble import ImportOptions, assemble, to_yaml
from pledge_timeline.importers.common import Imported
from pledge_timeline.importers.report import report_lines

Format = Literal["timelinejs", "sheet", "ics"]
FORMATS: tuple[Format, ...] = ("timelinejs", "sheet", "ics")


@dataclass(frozen=True)
class ImportResult:
    report: tuple[str, ...]
    text: str


def import_timeline(
    source: FilePath,
    target: FilePath,
    options: ImportOptions,
    *,
    form: Format | None = None,
    force: bool = False,
) -> ImportResult:
    """Read ``source``, write ``target``; raise InvalidTimeline (nothing written) for what cannot
    be imported, FileExistsError when ``target`` exists and not ``force``."""
    if target.exists() and not force:
        raise FileExistsError(str(target))
    name = options.source_name
    text = _read_text(source, name)
    form = form or detect(text, name)
    imported = read(form, text, source, name)
    if not imported.events:
        raise InvalidTimeline([TimelineError(Location(name, 1, 1), (), "no events found; nothing to import")])
    assembled = assemble(imported, options)
    yaml_text = to_yaml(assembled.document)
    from pledge_timeline.validate import validate_timeline
    from pledge_timeline.writer.newfile import write_new_file

    def check(written: FilePath) -> None:
        validate_timeline(written, str(target))

    write_new_file(target, yaml_text.encode("utf-8"), overwrite=force, check=check)
    return ImportResult(tuple(report_lines(imported, assembled, name, str(target))), yaml_text)


def detect(text: str, name: str) -> Format:
    head = text.lstrip()[:2000]
    if head.startswith("BEGIN:VCALENDAR"):
        return "ics"
    if head.startswith("{"):
        return "timelinejs"
    first_line = head.partition("\n")[0].lower()
    if "headline" in first_line and "year" in first_line:
        return "sheet"
    raise InvalidTimeline(
        [
            TimelineError(
                Location(name, 1, 1),
                (),
                "cannot tell the format: not TimelineJS JSON ({...}), a TimelineJS sheet as CSV "
                "(a header with Year and Headline) or iCalendar (BEGIN:VCALENDAR); "
                "pass --from timelinejs|sheet|ics",
            )
        ]
    )


def read(form: Format, text: str, source: FilePath, name: str) -> Imported:
    if form == "ics":
        from pledge_timeline.importers.ics import read_ics

        return read_ics(text, name)
    if form == "sheet":
        from pledge_timeline.importers.sheet import read_sheet

        return read_sheet(text, name)
    from pledge_timeline.importers.timelinejs import read_timelinejs

    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        where = Location(name, problem.lineno, problem.colno)
        raise InvalidTimeline([TimelineError(where, (), f"not valid JSON: {problem.msg}")]) from None
    return read_timelinejs(data, _json_locator(source, name))


def _json_locator(source: FilePath, name: str) -> Callable[[DocPath], Location]:
    """Where a path of the JSON file is: JSON is YAML, so the events file's loader, which
    remembers positions, finds it. Only read when a problem is found."""

    @cache
    def document():  # type: ignore[no-untyped-def]
        from pledge_timeline.loader import load_yaml

        return load_yaml(source, name)

    def locate(path: DocPath) -> Location:
        return document().where(path)  # type: ignore[no-any-return]

    return locate


def _read_text(source: FilePath, name: str) -> str:
    try:
        raw = source.read_bytes()
    except OSError as problem:
        raise InvalidTimeline(
            [TimelineError(Location(name, 1, 1), (), f"cannot read the file: {problem.strerror or problem}")]
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = raw.count(b"\n", 0, problem.start) + 1
        column = problem.start - (raw.rfind(b"\n", 0, problem.start) + 1) + 1
        raise InvalidTimeline(
            [TimelineError(Location(name, line, column), (), "the file is not UTF-8; save it as UTF-8")]
        ) from None
