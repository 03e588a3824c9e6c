"""The JSON Schema: committed, printed by `schema`, and agreeing with the validator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, REPO
from pledge_timeline import document, records
from pledge_timeline.document import json_schema, subschema_at
from pledge_timeline.validate import TextSchema, load_timeline

SCHEMA_FILE = REPO / "events.schema.json"


class Yaml12ishLoader(yaml.SafeLoader):
    """What an editor's YAML 1.2 language server sees: dates and times stay strings."""


Yaml12ishLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _editor_view(path: Path) -> object:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12ishLoader)


def test_committed_schema_matches_the_code() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json_schema(), (
        "events.schema.json is stale: pledge-timeline schema > events.schema.json"
    )


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())


@pytest.mark.parametrize("path", [REPO / "events.yaml", FIXTURES / "small.yaml", FIXTURES / "minimal.yaml"])
def test_valid_files_pass_the_schema(path: Path) -> None:
    jsonschema.validate(_editor_view(path), json_schema(), cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize(
    "name",
    ["unknown-key", "wrong-type-list", "id-not-slug", "javascript-url", "no-sources-cited", "bad-language"],
)
def test_structural_mistakes_fail_the_schema_too(name: str) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            _editor_view(REPO / "tests" / "invalid" / f"{name}.yaml"),
            json_schema(),
            cls=jsonschema.Draft202012Validator,
        )


def test_the_events_file_names_its_schema_for_editors() -> None:
    first_line = (REPO / "events.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=events.schema.json"


TYPED_RECORDS = {
    (): records.TimelineDoc,
    ("timeline",): records.TimelineMetaDoc,
    ("tags", 0): records.TagDoc,
    ("eras", 0): records.EraDoc,
    ("sources", 0): records.SourceDoc,
    ("events", 0): records.EventDoc,
    ("events", 0, "place"): records.PlaceDoc,
    ("events", 0, "media"): records.MediaDoc,
    ("events", 0, "sources", 0): records.CitationDoc,
    ("events", 0, "revisions", 0): records.RevisionDoc,
}


@pytest.mark.parametrize("path", TYPED_RECORDS, ids=lambda path: ".".join(map(str, path)) or "root")
def test_each_typed_dict_has_its_records_keys(path: tuple[str | int, ...]) -> None:
    record = subschema_at(json_schema(), path)
    typed = TYPED_RECORDS[path]
    assert list(typed.__annotations__) == list(record["properties"])
    assert typed.__required_keys__ == set(record["required"])


def _scalar_fields(schema: object) -> list[dict[str, Any]]:
    """Every part of ``schema`` whose type is a string or a number (perhaps or null)."""
    if isinstance(schema, list):
        return [field for value in schema for field in _scalar_fields(value)]
    if not isinstance(schema, dict):
        return []
    types = schema.get("type")
    scalar = types if isinstance(types, str) else (types or [None])[0]
    found = [schema] if scalar in ("string", "number", "integer") else []
    return found + [field for value in schema.values() for field in _scalar_fields(value)]


def test_every_scalar_field_names_a_check_that_exists() -> None:
    fields = _scalar_fields(json_schema())
    assert len(fields) == 52
    for field in fields:
        check = field[document.CHECK_KEYWORD]
        assert (
            check in document.CHECKS
            or (check == "number" and "number" in field["type"])
            or (check == "count" and "integer" in field["type"])
        )


def test_the_validator_reads_every_scalar_as_text() -> None:
    """The loader gives text: the validator's schema wants text where the editor's wants a
    number, and runs the checks (as formats) instead of the editor's patterns."""
    text_schema = TextSchema(json_schema())
    assert subschema_at(text_schema.schema, ("events", 0, "place", "lat")) == {
        "type": ["string", "null"],
        "minimum": -90.0,
        "maximum": 90.0,
        "maxLength": 100,
        "default": None,
        "format": "number from -90.0 to 90.0",
    }
    assert subschema_at(text_schema.schema, ("events", 0, "title")) == {
        "type": "string",
        "maxLength": 500,
        "format": "text",
    }
    assert subschema_at(text_schema.schema, ("events", 0, "end"))["type"] == ["string", "null"]
    derived = json.dumps(text_schema.schema)
    assert '"pattern"' not in derived
    assert document.CHECK_KEYWORD not in derived
    assert set(text_schema.checks) == {
        *document.CHECKS,
        "number from -90.0 to 90.0",
        "number from -180.0 to 180.0",
        "count from 1 to 200",
    }
    assert subschema_at(text_schema.schema, ("timeline", "feed_entries")) == {
        "type": "string",
        "minimum": 1,
        "maximum": 200,
        "maxLength": 100,
        "default": 50,
        "description": subschema_at(json_schema(), ("timeline", "feed_entries"))["description"],
        "format": "count from 1 to 200",
    }


def test_what_an_editor_reads_as_a_number_or_boolean_is_text_to_the_tool(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    for old, new in [
        ("date: 2015-22~", "date: 2015"),
        ("title: Letter sent", "title: true"),
        ("  - id: letter-sent", "  - id: 2015"),
        ("    summary:", "    place: {name: Here, lat: '47.6', lon: 12}\n    summary:"),
    ]:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    jsonschema.validate(_editor_view(path), json_schema(), cls=jsonschema.Draft202012Validator)
    (event,) = load_timeline(path).events
    assert event.place is not None
    assert (event.id, event.title, event.when.span.edtf) == ("2015", "true", "2015")
    assert (event.place.lat, event.place.lon) == (47.6, 12.0)
