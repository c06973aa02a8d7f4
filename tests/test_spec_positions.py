"""The spec's key positions from the safe YAML loader are those the round-trip parser keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from labellint.errors import SpecError
from labellint.spec.loader import load_spec_text, parse_plain_yaml, to_plain

REPO = Path(__file__).resolve().parents[1]
SPECS = sorted(
    p for pattern in ("labelspec.yaml", "labelspec.yml") for p in REPO.rglob(pattern) if ".git" not in p.parts
)


def _round_trip_positions(document: Any) -> dict:
    """1-based (line, column) of every key and list entry, read from ruamel's round-trip `lc`."""
    positions: dict = {}
    stack = [((), document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            entries = [(str(key), key, node.lc.key(key)) for key in node]
        elif isinstance(node, list):
            entries = [(index, index, node.lc.item(index)) for index in range(len(node))]
        else:
            continue
        for part, key, (line, column) in entries:
            positions[(*path, part)] = (line + 1, column + 1)
            stack.append(((*path, part), node[key]))
    return positions


def test_there_are_specs_to_compare() -> None:
    assert len(SPECS) >= 20


@pytest.mark.parametrize("path", SPECS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_spec_in_the_repository_reads_the_same_as_round_trip(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    round_trip = YAML(typ="rt").load(text)
    document, positions = parse_plain_yaml(text)
    assert document == to_plain(round_trip)
    assert positions == _round_trip_positions(round_trip)


def test_keys_that_are_not_text_and_flow_entries_have_their_positions() -> None:
    text = "a:\n  0x10: [x,  {b: 1}]\n  true: y\nc:\n- z\n-   w\n"
    round_trip = YAML(typ="rt").load(text)
    document, positions = parse_plain_yaml(text)
    assert document == {"a": {16: ["x", {"b": 1}], True: "y"}, "c": ["z", "w"]}
    assert positions == _round_trip_positions(round_trip)
    assert positions[("a", "16", 1, "b")] == (2, 15)  # the `b` inside `{`
    assert positions[("c", 1)] == (6, 5)


def test_a_validation_error_names_the_line_of_its_key() -> None:
    text = "spec: 1\nname: x\nversion: 1.0.0\ntask: detection\nclasses:\n  car:\n    id: 1\n    colour: red\n"
    with pytest.raises(SpecError) as raised:
        load_spec_text(text, "labelspec.yaml")
    assert "labelspec.yaml:8:5: classes.car.colour: unknown key 'colour'" in str(raised.value)


def test_a_syntax_error_names_its_line() -> None:
    with pytest.raises(SpecError) as raised:
        load_spec_text("spec: 1\nname: [unclosed\nversion: 1.0.0\n", "labelspec.yaml")
    assert str(raised.value).startswith("labelspec.yaml:")
    assert "invalid YAML" in str(raised.value)


def test_a_merge_key_is_read_and_its_keys_placed_where_they_are_written() -> None:
    """`<<: *anchor` (which the round-trip positions could not place: a KeyError before)."""
    text = "spec: 1\nname: x\nversion: 1.0.0\ntask: detection\nclasses:\n  car: &c\n    id: 1\n"
    text += "    definition: A car.\n  van:\n    <<: *c\n    id: 2\n"
    spec = load_spec_text(text)
    assert {name: (c.id, c.definition) for name, c in spec.classes.items()} == {
        "car": (1, "A car."),
        "van": (2, "A car."),
    }
    assert spec.position("classes", "van", "definition") == (8, 5)  # the anchor's line
    assert spec.position("classes", "van", "id") == (11, 5)


def test_an_unknown_tag_is_an_error_at_its_line() -> None:
    with pytest.raises(SpecError) as raised:
        load_spec_text("spec: 1\nname: !team x\nversion: 1.0.0\n", "labelspec.yaml")
    assert str(raised.value).startswith("labelspec.yaml:2:7: invalid YAML: could not determine a constructor")


def test_a_key_written_twice_is_an_error_at_its_second_line() -> None:
    text = "spec: 1\nname: x\nversion: 1.0.0\nclasses:\n  car:\n    id: 1\n  car:\n    id: 2\n"
    with pytest.raises(SpecError) as raised:
        load_spec_text(text, "labelspec.yaml")
    assert str(raised.value) == 'labelspec.yaml:7:3: invalid YAML: found duplicate key "car"'
