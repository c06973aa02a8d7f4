"""Loads `labelspec.yaml` keeping where each key is written, so errors and problems can name their line."""

from __future__ import annotations

import re
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
        document, positions = parse_plain_yaml(text)
    except YamlSyntaxError as exc:
        raise SpecError(f"{exc.where(display)}: invalid YAML: {exc.problem}") from None
    if not isinstance(document, dict):
        raise SpecError(f"{display}: the spec must be a mapping of keys (spec, version, classes, ...)")
    try:
        spec = LabelSpec.model_validate(document)
    except ValidationError as exc:
        lines = describe_errors(exc, LabelSpec, display, lambda loc: position_at(positions, loc))
        more = f" (+{len(lines) - 1} more; see `labellint spec validate`)" if len(lines) > 1 else ""
        raise SpecError(f"invalid spec: {lines[0]}{more}", details=lines) from None
    spec._positions = positions
    return spec


Positions = dict[tuple[str | int, ...], tuple[int, int]]


def position_at(positions: Positions, loc: tuple[Any, ...]) -> tuple[int, int] | None:
    """1-based (line, column) of the deepest written key or item along `loc` (as yaml_position)."""
    found, path = None, ()
    for part in loc:
        # A mapping's keys are kept as text (a YAML `0:` key is 0 in the data, "0" here).
        step = next(((*path, p) for p in (part, str(part)) if (*path, p) in positions), None)
        if step is None:
            break
        found, path = positions[step], step
    return found


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

    return _guarded_parse(text, YAML(typ="rt").load)


def parse_plain_yaml(text: str) -> tuple[Any, Positions]:
    """Plain data and the 1-based (line, column) of every key (by key path; keys as text) and
    list entry (by index), from ruamel's safe loader: a spec is only read, and the round-trip
    parser's comment keeping made the parse take twice as long (start-up, issue 20)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    nodes: list = []

    def load(source: str) -> Any:
        nodes.append(yaml.compose(source))
        return None if nodes[0] is None else yaml.constructor.construct_document(nodes[0])

    document = to_plain(_guarded_parse(text, load))
    return document, _node_positions(nodes[0], yaml.constructor)


def _node_positions(root: Any, constructor: Any) -> Positions:
    """Where each key and list entry starts, from the composed nodes (a key by the text of the
    value it makes: `0x10:` is "16", as the data has it)."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    positions: Positions = {}
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                part = str(constructor.construct_object(key) if isinstance(key, ScalarNode) else key.value)
                positions[(*path, part)] = (key.start_mark.line + 1, key.start_mark.column + 1)
                stack.append(((*path, part), value))
        elif isinstance(node, SequenceNode):
            for index, value in enumerate(node.value):
                positions[(*path, index)] = (value.start_mark.line + 1, value.start_mark.column + 1)
                stack.append(((*path, index), value))
    return positions


def _guarded_parse(text: str, load: Any) -> Any:
    """`load(text)` within the nesting and alias budgets, its errors as YamlSyntaxError."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    too_deep = _flow_too_deep(text)
    if too_deep:
        raise YamlSyntaxError(f"too deeply nested (more than {MAX_YAML_DEPTH} levels)", *too_deep)
    try:
        document = load(text)
    except RecursionError:
        raise YamlSyntaxError(f"too deeply nested (more than {MAX_YAML_DEPTH} levels)", None, None) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = str(exc.problem or exc.context)
        # The safe loader builds a mapping's values after its keys, so ruamel's "with value ..."
        # part of a duplicate-key message shows empty values: the key and its line say it all.
        problem = re.sub(r'^(found duplicate key "[^"]*") with value .*$', r"\1", problem, flags=re.S)
        raise YamlSyntaxError(problem, mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except YAMLError as exc:
        # A reader error (a control character) knows only its character offset: as line and column.
        offset = getattr(exc, "position", None)
        problem = str(exc).splitlines()[0].removesuffix(":").strip() if str(exc) else type(exc).__name__
        if isinstance(offset, int):
            line = text.count("\n", 0, offset) + 1
            raise YamlSyntaxError(problem, line, offset - (text.rfind("\n", 0, offset) + 1) + 1) from None
        raise YamlSyntaxError(problem, None, None) from None
    _check_expansion(document)
    return document


# Budgets that turn a hostile YAML file into an error instead of a hang: aliases let a few
# lines stand for billions of nodes, and every walk over the document would expand them.
MAX_YAML_NODES = 1_000_000
MAX_YAML_DEPTH = 200


def _check_expansion(document: Any) -> None:
    """Raises YamlSyntaxError when the document, with its aliases expanded, is over the budgets."""
    seen = 0
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_YAML_NODES:
            raise YamlSyntaxError(f"alias expansion too large (more than {MAX_YAML_NODES:,} nodes)", None, None)
        if depth > MAX_YAML_DEPTH:
            raise YamlSyntaxError(f"too deeply nested (more than {MAX_YAML_DEPTH} levels)", None, None)
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def _flow_too_deep(text: str) -> tuple[int, int] | None:
    """Line and column where `[`/`{` nesting passes MAX_YAML_DEPTH (quotes and comments skipped);
    ruamel's scanner slows down with each flow level long before it runs out of stack."""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not any(bracket in line for bracket in "[]{}"):
            continue
        quote = None
        for column, char in enumerate(line, start=1):
            if quote:
                quote = None if char == quote else quote
            elif char in "\"'" and (column == 1 or line[column - 2] in " \t[{,:"):
                quote = char
            elif char == "#" and (column == 1 or line[column - 2] in " \t"):
                break
            elif char in "[{":
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return number, column
            elif char in "]}":
                depth = max(0, depth - 1)
    return None


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
