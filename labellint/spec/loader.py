"""Loads `labelspec.yaml` with a round-trip YAML parser so errors can name their line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from labellint.errors import SpecError
from labellint.spec.model import LabelSpec
from labellint.support.yaml_errors import describe_errors

SPEC_FILE_NAMES = ("labelspec.yaml", "labelspec.yml")


def find_spec(start: Path, stop: Path | None = None) -> Path | None:
    """The nearest spec file from `start` upward, not past `stop` (the repository root)."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        for name in SPEC_FILE_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        if stop is not None and folder == stop.resolve():
            break
    return None


def load_spec(path: Path, display: str | None = None) -> LabelSpec:
    """Reads and validates a spec file; raises SpecError with every problem, each with a line."""
    display = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{display}: spec file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{display}: cannot read the spec: {exc}") from None
    return load_spec_text(text, display)


def load_spec_text(text: str, display: str = "labelspec.yaml") -> LabelSpec:
    """Validates spec text; raises SpecError listing every problem as `file:line:col: where: what`."""
    try:
        document = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise SpecError(f"{exc.where(display)}: invalid YAML: {exc.problem}") from None
    if not isinstance(document, dict):
        raise SpecError(f"{display}: the spec must be a mapping of keys (spec, version, classes, ...)")
    try:
        spec = LabelSpec.model_validate(to_plain(document))
    except ValidationError as exc:
        lines = describe_errors(exc, LabelSpec, display, lambda loc: yaml_position(document, loc))
        more = f" (+{len(lines) - 1} more; see `labellint spec validate`)" if len(lines) > 1 else ""
        raise SpecError(f"invalid spec: {lines[0]}{more}", details=lines) from None
    spec._positions = key_positions(document)
    return spec


def key_positions(document: Any) -> dict[tuple[str | int, ...], tuple[int, int]]:
    """1-based (line, column) of every key and list entry of a round-trip YAML document, by key path."""
    positions: dict[tuple[str | int, ...], tuple[int, int]] = {}
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            entries = [(str(key), key, node.lc.key(key) if hasattr(node, "lc") else None) for key in node]
        elif isinstance(node, list):
            entries = [(i, i, node.lc.item(i) if hasattr(node, "lc") else None) for i in range(len(node))]
        else:
            continue
        for part, key, where in entries:
            if where is not None:
                positions[(*path, part)] = (where[0] + 1, where[1] + 1)
            stack.append(((*path, part), node[key]))
    return positions


class YamlSyntaxError(ValueError):
    """A YAML file that does not parse, with the 1-based position the parser names (if any)."""

    def __init__(self, problem: str, line: int | None, column: int | None) -> None:
        super().__init__(problem)
        self.problem, self.line, self.column = problem, line, column

    def where(self, display: str) -> str:
        return f"{display}:{self.line}:{self.column}" if self.line else display


def parse_yaml(text: str) -> Any:
    """Round-trip YAML parse (keeps line numbers); raises YamlSyntaxError with the position."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = str(exc.problem or exc.context)
        raise YamlSyntaxError(problem, mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except YAMLError as exc:
        raise YamlSyntaxError(str(exc), None, None) from None


def to_plain(node: Any) -> Any:
    """ruamel's commented containers as plain dicts, lists and scalars."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, (int, float)) else k: to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def yaml_position(document: Any, loc: tuple[Any, ...]) -> tuple[int, int] | None:
    """1-based (line, column) of the key or item at `loc` in a round-trip YAML document."""
    node = document
    position = None
    for part in loc:
        try:
            if isinstance(node, dict) and part in node:
                line, col = node.lc.key(part)
                position = (line + 1, col + 1)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                line, col = node.lc.item(part)
                position = (line + 1, col + 1)
                node = node[part]
            else:
                break
        except (AttributeError, KeyError, TypeError):
            break
    return position
