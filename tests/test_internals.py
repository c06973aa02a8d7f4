"""Internals with their own contracts: JSON pointer lines, same-item pairs, import layering."""

from __future__ import annotations

import ast
import json
import random
from pathlib import Path

import numpy as np
import pytest

from labellint.model import Dataset
from labellint.readers._jsonpos import locate_pointers
from labellint.rules import _geometry
from labellint.rules.base import RuleContext

PACKAGE = Path(__file__).resolve().parents[1] / "labellint"


@pytest.mark.parametrize("indent", [None, 1, 4])
def test_json_pointer_lines_match_the_text(indent: int | None) -> None:
    rng = random.Random(indent)
    document = {
        "info": {"note": 'tricky "quoted" [text] {with} , : brackets \\ and \\"'},
        "images": [{"id": i, "file_name": f"a\\b {i}.jpg"} for i in range(30)],
        "annotations": [{"id": i, "bbox": [rng.random() for _ in range(4)], "t": "x]}"} for i in range(50)],
    }
    text = json.dumps(document, indent=indent)
    pointers = [f"/annotations/{i}" for i in range(50)] + [f"/images/{i}/file_name" for i in range(30)]
    found = locate_pointers(text.encode(), pointers)
    for i in range(50):
        line, column = found[f"/annotations/{i}"]
        # The object starts where its `"id": i` key sits just after the opening brace.
        start = sum(len(row) + 1 for row in text.split("\n")[: line - 1]) + column - 1
        assert text[start] == "{"
        assert json.JSONDecoder().raw_decode(text, start)[0]["id"] == i
    for i in range(30):
        line, column = found[f"/images/{i}/file_name"]
        start = sum(len(row) + 1 for row in text.split("\n")[: line - 1]) + column - 1
        assert text[start:].startswith(json.dumps(f"a\\b {i}.jpg"))
    assert locate_pointers(text.encode(), ["/annotations/50", "/nope", "/info/note/x"]) == {}


def test_same_item_pairs_are_every_pair_exactly_once(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    items = rng.integers(0, 40, size=600).astype(np.int32)
    dataset = Dataset(ann_item=items, ann_box=rng.random((600, 4)), ann_class=np.zeros(600, np.int32))
    dataset.item_file = np.zeros(40, np.int32)
    monkeypatch.setattr(_geometry, "PAIR_CHUNK", 97)  # force many chunks
    blocks = list(_geometry.same_item_pairs(RuleContext(dataset, None)))
    assert len(blocks) > 1 and all(len(first) <= 97 + 600 for first, _ in blocks)  # bounded blocks
    got = sorted(pair for first, second in blocks for pair in zip(first.tolist(), second.tolist(), strict=True))
    expected = sorted((i, j) for i in range(600) for j in range(i + 1, 600) if items[i] == items[j])
    assert [tuple(sorted(p)) for p in got] == expected


def test_pair_iou_matches_definition() -> None:
    boxes = np.array([[0, 0, 10, 10], [5, 0, 10, 10], [20, 20, 1, 1]], float)
    iou = _geometry.pair_iou(boxes, np.array([0, 0]), np.array([1, 2]))
    assert iou.tolist() == pytest.approx([50 / 150, 0.0])


# Layers from the bottom up; a module may import only its own layer or lower ones. Keys are
# module paths under `labellint.`; the longest key that prefixes a module decides its layer.
LAYERS = {
    # 0 tooling and the vocabulary every layer speaks
    "support": 0,
    "errors": 0,
    "problem": 0,
    # 1 the dataset, the report and the spec
    "model": 1,
    "segmentation": 1,
    "report": 1,
    "spec": 1,
    # 2 settings that need no rules, and where bytes come from
    "settings.config": 2,
    "settings.baseline": 2,
    "settings.resolve": 2,
    "settings.trust": 2,
    "sources": 2,
    # 3 the domain: formats, rules, label diffs, quality measures (never each other's formats)
    "readers": 3,
    "rules": 3,
    "diff": 3,
    "quality": 3,
    "writers": 3,
    # 4 orchestration: picking readers for files, the rule policy, the rule loop, rendering
    "sources.collect": 4,
    "settings.policy": 4,
    "engine": 4,
    "reporters": 4,
    # 5 one module per command, and the rulebook helpers for plugin authors
    "commands": 5,
    "testing": 5,
    # 6 the command line
    "cli": 6,
    "__main__": 6,
}


def _layer(module: str) -> int:
    name = module.removeprefix("labellint.")
    keys = [k for k in LAYERS if name == k or name.startswith(k + ".")]
    if not keys:
        raise AssertionError(f"module {module} is in no layer; add it to LAYERS")
    return LAYERS[max(keys, key=len)]


def test_imports_only_go_down_and_rules_never_import_readers() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        module = "labellint." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        if module == "labellint.__init__" or module == "labellint":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("labellint."):
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("labellint.")]
            for target in targets:
                if _layer(target) > _layer(module):
                    offenders.append(f"{module} imports {target}")
                if module.startswith("labellint.rules") and target.startswith("labellint.readers"):
                    offenders.append(f"{module} imports {target} (rules never know formats)")
                if module.startswith("labellint.readers") and target.startswith("labellint.writers"):
                    offenders.append(f"{module} imports {target} (readers never know writers)")
                if module.startswith("labellint.readers") and target.startswith("labellint.rules"):
                    offenders.append(f"{module} imports {target}")
    assert offenders == []


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
# Functions still over the ceiling, each with the issue that is splitting it; the test fails
# if one grows, and once it is split its entry must go (a stale entry fails too).
LONG_FUNCTIONS_BEING_SPLIT: dict[str, int] = {}


def _modules() -> list[tuple[str, ast.Module, str]]:
    root = PACKAGE.parent
    return [
        (path.relative_to(root).as_posix(), ast.parse(path.read_text()), path.read_text())
        for path in PACKAGE.rglob("*.py")
    ]


def _functions(tree: ast.Module):
    """(qualified name, node) of every function, methods named Class.method."""
    stack = [("", node) for node in tree.body]
    while stack:
        prefix, node = stack.pop()
        if isinstance(node, ast.ClassDef):
            stack.extend((f"{prefix}{node.name}.", child) for child in node.body)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield prefix + node.name, node
            stack.extend((f"{prefix}{node.name}.", child) for child in node.body)


def test_modules_and_functions_stay_small() -> None:
    long_modules, long_functions = [], {}
    for path, tree, text in _modules():
        if text.count("\n") > MAX_MODULE_LINES:
            long_modules.append(f"{path}: {text.count(chr(10))} lines")
        for name, node in _functions(tree):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                long_functions[f"{path}:{name}"] = length
    assert long_modules == []
    grown = {k: v for k, v in long_functions.items() if v > LONG_FUNCTIONS_BEING_SPLIT.get(k, MAX_FUNCTION_LINES)}
    assert grown == {}
    assert set(LONG_FUNCTIONS_BEING_SPLIT) <= set(long_functions), "split: remove it from LONG_FUNCTIONS_BEING_SPLIT"


def test_every_module_has_a_docstring() -> None:
    missing = [path for path, tree, _ in _modules() if not ast.get_docstring(tree) and tree.body]
    assert missing == []


def test_cli_command_modules_import_no_other_cli_command_module() -> None:
    # cli/__init__.py registers the commands and cli/_*.py are shared helpers; a command module
    # needing another command's code means that code belongs in commands/ or a cli/_ helper.
    offenders = []
    for path in (PACKAGE / "cli").glob("*.py"):
        if path.name.startswith("_"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                command = parts[2] if parts[:2] == ["labellint", "cli"] and len(parts) > 2 else "_"
                if (
                    not command.startswith("_")
                    and command != path.stem
                    and (PACKAGE / "cli" / f"{command}.py").is_file()
                ):
                    offenders.append(f"cli/{path.name} imports {name}")
    assert offenders == []
