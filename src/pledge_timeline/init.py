"""``pledge-timeline init``: a short, valid, commented timeline to start from, and the schema
editors check it with. Existing files are never overwritten."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from pledge_timeline.document import json_schema
from pledge_timeline.writer.newfile import write_new_file

TEMPLATE = "templates/events.yaml"
EVENTS_FILE = "events.yaml"
SCHEMA_FILE = "events.schema.json"


def template() -> bytes:
    """The template (package data): every feature once, valid as written."""
    return resources.files("pledge_timeline").joinpath(TEMPLATE).read_bytes()


def schema_json() -> bytes:
    """The JSON Schema as ``pledge-timeline schema`` prints it."""
    return (json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def init_timeline(folder: Path) -> list[Path]:
    """Write ``events.yaml`` and ``events.schema.json`` into ``folder``; raise FileExistsError,
    writing neither, if either is there already."""
    files = {folder / EVENTS_FILE: template(), folder / SCHEMA_FILE: schema_json()}
    for path in files:
        if path.exists():
            raise FileExistsError(17, "file exists", str(path))
    for path, data in files.items():
        write_new_file(path, data)
    return list(files)
