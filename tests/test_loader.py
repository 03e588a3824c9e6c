"""The loader: the data as typed, what it refuses and where, and where every value starts."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO
from pledge_timeline.errors import Location
from pledge_timeline.loader import BYTES_PER_EVENT, MAX_DEPTH, MIN_EVENTS, LoadedYaml, load_yaml

# (name, text, data, errors as "LINE:COL: path: message"): the data is what is kept of the file,
# whatever the errors say; a file the parser cannot read keeps nothing (None).
CASES = [
    (
        "two-documents",
        "a: 1\n---\nb: 2\n",
        {"a": "1"},
        ["2:1: (root): the file holds more than one YAML document; keep one"],
    ),
    ("explicit-document", "---\na: 1\n...\n", {"a": "1"}, []),
    ("null-key", "~: 1\n", {}, ["1:1: (root): a key cannot be empty"]),
    (
        "empty-key",
        ": 1\n",
        None,
        [
            "1:1: (root): YAML syntax error: while parsing a block mapping (line 1, column 1): "
            "did not find expected key"
        ],
    ),
    ("quoted-null-key", "'null': 1\n", {"null": "1"}, []),
    (
        "duplicate-key",
        "a: 1\na: 2\n",
        {"a": "1"},
        ["2:1: a: duplicate key 'a' (first given at line 1); keep one"],
    ),
    ("list-as-key", "? [a]\n: 1\n", {}, ["1:3: (root): a key must be plain text, not a list or mapping"]),
    ("alias-as-key", "a: &x k\n*x : 1\n", {"a": "k"}, ["2:1: (root): a YAML alias cannot be a key"]),
    (
        "alias-in-list",
        "a: &x [1]\nb: [*x]\n",
        {"a": ["1"], "b": [None]},
        ["2:5: b[0]: YAML aliases (*name) are not allowed; write the value out"],
    ),
    ("tagged-key", "!!int 1: a\n", {}, ["1:1: (root): YAML tags are not allowed on keys"]),
    ("str-tagged-key", "!!str 1: a\n", {"1": "a"}, []),
    (
        "tagged-list",
        "a: !!seq [1]\n",
        {"a": None},
        ["1:4: a: YAML tag tag:yaml.org,2002:seq is not allowed; remove it"],
    ),
    ("bang-tagged-list", "a: ! [1]\n", {"a": ["1"]}, []),
    (
        "nulls",
        "a: ~\nb: null\nc:\nd: ''\ne: !!str null\nf: ! NULL\ng: [~, Null, '']\n",
        {"a": None, "b": None, "c": None, "d": "", "e": "null", "f": "NULL", "g": [None, None, ""]},
        [],
    ),
    ("scalar-root", "just text\n", "just text", []),
    ("list-root", "- a\n- {b: c}\n", ["a", {"b": "c"}], []),
    (
        "alias-value-of-bad-key",
        "? [a]\n: *x\n",
        {},
        [
            "1:3: (root): a key must be plain text, not a list or mapping",
            "2:3: (root): YAML aliases (*name) are not allowed; write the value out",
        ],
    ),
    (
        "tag-value-of-bad-key",
        "? [a]\n: !!int 1\n",
        {},
        [
            "1:3: (root): a key must be plain text, not a list or mapping",
            "2:3: (root): YAML tag tag:yaml.org,2002:int is not allowed; remove it",
        ],
    ),
    (
        "duplicate-with-alias",
        "a: 1\na: *x\n",
        {"a": "1"},
        [
            "2:4: (root): YAML aliases (*name) are not allowed; write the value out",
            "2:1: a: duplicate key 'a' (first given at line 1); keep one",
        ],
    ),
    ("crlf", "a: 1\r\nb: [x, y]\r\n", {"a": "1", "b": ["x", "y"]}, []),
    (
        "control-after-utf8",
        "a: é\x01\n",
        None,
        ["1:5: (root): the control character U+0001 is not allowed in YAML; remove it"],
    ),
    (
        "nested-alias",
        "a: {b: [*x]}\n",
        {"a": {"b": [None]}},
        ["1:9: a.b[0]: YAML aliases (*name) are not allowed; write the value out"],
    ),
    ("empty-quoted-key", "'': 1\n", {"": "1"}, []),
]


@pytest.mark.parametrize(("name", "text", "data", "errors"), CASES, ids=[case[0] for case in CASES])
def test_tricky_yaml(name: str, text: str, data: object, errors: list[str], tmp_path: Path) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(text.encode("utf-8"))
    doc = load_yaml(path, "f.yaml")
    assert doc.data == data
    assert sorted(str(error).removeprefix("f.yaml:") for error in doc.errors) == sorted(errors)


def _nested(depth: int) -> str:
    return "a: " + "[" * depth + "x" + "]" * depth + "\n"


def test_nesting_is_refused_one_level_below_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(_nested(MAX_DEPTH), encoding="utf-8")
    assert not load_yaml(path).errors
    path.write_text(_nested(MAX_DEPTH + 1), encoding="utf-8")
    (error,) = load_yaml(path).errors
    assert (error.location.column, error.path, error.message) == (
        MAX_DEPTH + 4,
        ("a", *[0] * MAX_DEPTH),
        f"nested deeper than {MAX_DEPTH} levels",
    )


def _composed_positions(text: str) -> tuple[dict[Any, tuple[int, int]], dict[Any, tuple[int, int]]]:
    """Where PyYAML's own composer (the pure-Python one) puts every value and key."""
    values: dict[Any, tuple[int, int]] = {}
    keys: dict[Any, tuple[int, int]] = {}

    def visit(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                keys[(*path, key.value)] = (key.start_mark.line + 1, key.start_mark.column + 1)
                visit(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                visit(item, (*path, index))

    visit(yaml.compose(text, Loader=yaml.BaseLoader), ())
    return values, keys


def _positions(doc: LoadedYaml) -> tuple[dict[Any, tuple[int, int]], dict[Any, tuple[int, int]]]:
    def plain(located: dict[Any, Location]) -> dict[Any, tuple[int, int]]:
        return {path: (where.line, where.column) for path, where in located.items()}

    return plain(doc.values), plain(doc.keys)


VALID_FILES = [REPO / "events.yaml", *sorted(FIXTURES.glob("*.yaml"))]


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: p.name)
def test_every_value_and_key_is_where_the_composer_puts_it(path: Path) -> None:
    doc = load_yaml(path)
    assert not doc.errors
    assert _positions(doc) == _composed_positions(path.read_text(encoding="utf-8-sig"))


TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=8)
NESTED = st.recursive(
    TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(data=st.dictionaries(TEXT, NESTED, min_size=1, max_size=4), flow=st.sampled_from([None, True, False]))
def test_any_text_data_loads_as_written_with_every_position(data: dict[str, Any], flow: bool | None) -> None:
    text = yaml.dump(data, allow_unicode=True, default_flow_style=flow, width=40)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(text, encoding="utf-8")
        doc = load_yaml(path)
    assert (doc.data, doc.errors) == (data, [])
    assert _positions(doc) == _composed_positions(text)


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_bytes(b"a: " + b"b" * (5 * 1024 - 4) + b"\n")  # 5 KiB
    assert load_yaml(path, max_bytes=5 * 1024).data == {"a": "b" * (5 * 1024 - 4)}
    (error,) = load_yaml(path, max_bytes=5 * 1024 - 1).errors
    assert str(error) == (
        f"{path}:1:1: (root): the file is 5 KiB; the limit is 5.0 KiB (--max-input-size raises it)"
    )


@pytest.mark.parametrize("count", [-1, 0, 1, 1000])
def test_a_file_may_hold_one_event_per_32_bytes_of_its_limit(count: int, tmp_path: Path) -> None:
    limit = 2 * MIN_EVENTS  # events: the limit for a file of twice MIN_EVENTS * 32 bytes
    path = tmp_path / "list.yaml"
    items = limit - 6 + count  # n items are n + 6 parser events: the stream's, document's and list's ends
    path.write_text("- a\n" * items, encoding="utf-8")
    doc = load_yaml(path, max_bytes=BYTES_PER_EVENT * limit)
    if count <= 0:
        assert (doc.data, doc.errors) == (["a"] * items, [])
    else:
        assert doc.data is None
        assert [str(error) for error in doc.errors] == [
            f"{path}:1:1: (root): the file holds more than {limit:,} YAML values, keys and collections; "
            "--max-input-size raises the limit (one per 32 bytes of it)"
        ]


def test_a_small_limit_still_allows_some_events(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n" * 1000, encoding="utf-8")
    assert load_yaml(path, max_bytes=path.stat().st_size).data == ["a"] * 1000
