"""LL506 tool-config-drift: a Label Studio config or CVAT labels JSON beside the spec no longer matches it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import Field

from labellint.problem import Location
from labellint.rules.base import Finding, RuleOptions
from labellint.rules.change import ChangeContext, ChangeRule
from labellint.spec.model import LabelSpec

LABEL_TAGS = {"RectangleLabels", "PolygonLabels", "KeyPointLabels", "Labels", "Choices", "BrushLabels"}


class ToolConfigDriftOptions(RuleOptions):
    labelstudio: list[str] = Field(
        default_factory=lambda: ["labelstudio.xml"],
        description="Label Studio configs to compare with the spec, relative to the spec's folder "
        "(as `labellint spec export --to labelstudio -o FILE` writes them); absent files are not checked.",
    )
    cvat: list[str] = Field(
        default_factory=lambda: ["cvat-labels.json"],
        description="CVAT labels JSON files to compare with the spec, relative to the spec's folder "
        "(as `labellint spec export --to cvat -o FILE` writes them); absent files are not checked.",
    )


def _drift(spec: LabelSpec, text: bytes) -> list[str]:
    """What the config says that the spec does not, or lacks that the spec has; one line each."""
    from defusedxml import DefusedXmlException  # XML parsing only when a config file is there
    from defusedxml.ElementTree import fromstring

    from labellint.spec.tool_config import LABEL_CONTROL, tool_attributes

    try:
        root = fromstring(text)
    except (DefusedXmlException, SyntaxError) as exc:
        return [f"is not a readable Label Studio config ({exc})"]
    if root.tag != "View":
        return [f"is not a Label Studio config (its root is <{root.tag}>, not <View>)"]
    controls = [e for e in root.iter() if e.tag in LABEL_TAGS]
    control = next((e for e in controls if e.get("name") == LABEL_CONTROL), controls[0] if controls else None)
    if control is None:
        return ["has no labels control (RectangleLabels, Labels, Choices, ...) to compare with the spec's classes"]
    written = [child.get("value") for child in control if child.get("value") is not None]
    expected = list(spec.classes)
    unsure = spec.unsure_class()
    if unsure and unsure not in expected:
        expected.append(unsure)
    lines = [f"lacks the class {name!r} (the spec has it)" for name in expected if name not in written]
    lines += [f"offers the class {name!r}, which the spec does not have" for name in written if name not in expected]
    named = {e.get("name") for e in root.iter() if e.get("toName") is not None}
    lines += [f"lacks the attribute {name!r} (the spec has it)" for name in tool_attributes(spec) if name not in named]
    return lines


class ToolConfigDrift(ChangeRule):
    """A Label Studio config or CVAT labels JSON beside the spec offers other classes or attributes than the spec."""

    code = "LL506"
    name = "tool-config-drift"
    Options = ToolConfigDriftOptions

    def check_change(self, context: ChangeContext) -> Iterator[Finding]:
        head = context.head
        if head.spec is None:
            return
        configs = [(r, "labelstudio", "Label Studio config") for r in self.options.labelstudio]
        configs += [(r, "cvat", "CVAT labels JSON") for r in self.options.cvat]
        for relative, tool, title in configs:
            path = head.root / Path(relative)
            if not head.source.is_file(path):
                continue
            display = head.source.display(path)
            fix = f"re-export it: labellint spec export --to {tool} -o {relative}"
            text = head.source.read_bytes(path)
            found = (
                [(None, line) for line in _drift(head.spec, text)]
                if tool == "labelstudio"
                else _cvat_drift(head.spec, text)
            )
            for pointer, line in found:
                yield Finding(
                    f"the {title} {line}; {fix}",
                    location=Location(path=display, pointer=pointer),
                    identity=f"{relative}:{pointer or ''}:{line}",
                )


def _cvat_drift(spec: LabelSpec, text: bytes) -> list[tuple[str | None, str]]:
    """(JSON pointer, what drifted) for each class and attribute a CVAT labels JSON has and the spec
    lacks, or lacks and the spec has; a project JSON (`{"labels": [...]}`) is read as its labels."""
    from labellint.spec.tool_config import tool_attributes

    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        return [(None, f"is not readable JSON ({exc})")]
    prefix, labels = "", document
    if isinstance(document, dict) and isinstance(document.get("labels"), list):
        prefix, labels = "/labels", document["labels"]
    if not isinstance(labels, list) or not all(isinstance(x, dict) and isinstance(x.get("name"), str) for x in labels):
        return [(prefix or None, "is not a CVAT labels JSON (a list of labels, each with a name)")]
    expected = list(spec.classes)
    unsure = spec.unsure_class()
    if unsure and unsure not in expected:
        expected.append(unsure)
    written = {label["name"]: i for i, label in reversed(list(enumerate(labels)))}
    found: list[tuple[str | None, str]] = [
        (prefix or None, f"lacks the class {name!r} (the spec has it)") for name in expected if name not in written
    ]
    found += [
        (f"{prefix}/{i}/name", f"offers the class {name!r}, which the spec does not have")
        for name, i in written.items()
        if name not in expected
    ]
    schemas = tool_attributes(spec)
    for name, i in written.items():
        if name in expected:
            found += _cvat_attribute_drift(name, labels[i].get("attributes", []), f"{prefix}/{i}/attributes", schemas)
    return found


def _cvat_attribute_drift(
    label: str, attributes: Any, pointer: str, schemas: dict[str, dict[str, Any]]
) -> list[tuple[str | None, str]]:
    """What one CVAT label's attributes lack, add or allow otherwise than the spec's attributes."""
    if not isinstance(attributes, list):
        return [(pointer, f"gives the label {label!r} attributes that are not a list")]
    have = {a["name"]: j for j, a in enumerate(attributes) if isinstance(a, dict) and isinstance(a.get("name"), str)}
    found: list[tuple[str | None, str]] = [
        (pointer, f"lacks the attribute {name!r} on the label {label!r} (the spec has it)")
        for name in schemas
        if name not in have
    ]
    for name, j in have.items():
        where = f"{pointer}/{j}"
        if name not in schemas:
            found.append((where, f"gives the label {label!r} the attribute {name!r}, which the spec does not have"))
            continue
        found += [
            (where + p, f"gives the label {label!r} an attribute {name!r} that {line}")
            for p, line in _cvat_values_drift(attributes[j], schemas[name])
        ]
    return found


def _cvat_values_drift(written: dict[str, Any], schema: dict[str, Any]) -> list[tuple[str, str]]:
    """How a CVAT attribute's input type or values differ from the spec's schema for it."""
    from labellint.spec.tool_config import attribute_choices

    kind = written.get("input_type")
    values = [str(v) for v in written.get("values") or [] if v is not None]
    boolean = schema.get("type") == "boolean" and "enum" not in schema
    choices = attribute_choices(schema)
    if boolean and kind == "checkbox":
        return []
    if choices is not None:
        if kind not in ("select", "radio"):
            return [("/input_type", f"is a {kind} input, the spec allows the values {', '.join(choices)}")]
        found = [("/values", f"lacks the value {v!r} (the spec allows it)") for v in choices if v not in values]
        return found + [
            ("/values", f"offers the value {v!r}, which the spec does not allow") for v in values if v not in choices
        ]
    if schema.get("type") in ("number", "integer"):
        if kind != "number":
            return [("/input_type", f"is a {kind} input, the spec has a number")]
        bounds = [str(schema[k]) for k in ("minimum", "maximum") if k in schema]
        if len(bounds) == 2 and [_number(v) for v in values[:2]] != [_number(v) for v in bounds]:
            return [("/values", f"ranges {'..'.join(values[:2])}, the spec {'..'.join(bounds)}")]
        return []
    if kind != "text":
        return [("/input_type", f"is a {kind} input, the spec has free text")]
    return []


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
