"""The JSON Schema: committed, printed by `schema`, and agreeing with the validator."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, REPO
from pledge_timeline.document import json_schema

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
