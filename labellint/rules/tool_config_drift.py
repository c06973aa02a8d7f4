"""LL506 tool-config-drift: a Label Studio labeling config beside the spec no longer matches it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
    """A Label Studio labeling config beside the spec offers other classes or attributes than the spec."""

    code = "LL506"
    name = "tool-config-drift"
    Options = ToolConfigDriftOptions

    def check_change(self, context: ChangeContext) -> Iterator[Finding]:
        head = context.head
        if head.spec is None:
            return
        for relative in self.options.labelstudio:
            path = head.root / Path(relative)
            if not head.source.is_file(path):
                continue
            display = head.source.display(path)
            fix = f"re-export it: labellint spec export --to labelstudio -o {relative}"
            for line in _drift(head.spec, head.source.read_bytes(path)):
                yield Finding(
                    f"the Label Studio config {line}; {fix}",
                    location=Location(path=display),
                    identity=f"{relative}:{line}",
                )
