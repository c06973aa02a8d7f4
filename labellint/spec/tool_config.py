"""The spec as an annotation tool's labeling configuration: Label Studio XML, CVAT labels JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from labellint.spec.model import LabelSpec, Task

# Label Studio: the object tag and the control tag that labels it, per task.
_LS_TAGS = {
    Task.DETECTION: ("Image", "image", "RectangleLabels"),
    Task.SEGMENTATION: ("Image", "image", "PolygonLabels"),
    Task.KEYPOINTS: ("Image", "image", "KeyPointLabels"),
    Task.CLASSIFICATION: ("Text", "text", "Choices"),
    Task.MULTILABEL: ("Text", "text", "Choices"),
    Task.NER: ("Text", "text", "Labels"),
}
# CVAT: the shape type a label is constrained to, per task.
_CVAT_TYPES = {
    Task.DETECTION: "rectangle",
    Task.SEGMENTATION: "polygon",
    Task.KEYPOINTS: "points",
    Task.CLASSIFICATION: "tag",
    Task.MULTILABEL: "tag",
    Task.NER: "any",
}
LABEL_CONTROL = "label"


def class_hint(spec: LabelSpec, name: str) -> str:
    """One line an annotator sees on hover: the definition, then what the class is not."""
    cls = spec.classes[name]
    hint = cls.definition or ""
    if cls.exclude:
        hint += f" Not: {'; '.join(cls.exclude)}."
    return hint.strip()


def tool_attributes(spec: LabelSpec) -> dict[str, dict[str, Any]]:
    """The spec's attributes, plus the unsure attribute (a boolean) when the spec names one."""
    attributes = dict(spec.attributes)
    unsure = spec.unsure.attribute if spec.unsure else None
    if unsure and unsure not in attributes:
        attributes[unsure] = {"type": "boolean"}
    return attributes


def attribute_choices(schema: dict[str, Any]) -> list[str] | None:
    """The values an attribute may take as choices, or None when it is free text or a number."""
    if "enum" in schema:
        return [str(value).lower() if isinstance(value, bool) else str(value) for value in schema["enum"]]
    if schema.get("type") == "boolean":
        return ["true", "false"]
    return None


def _ls_attribute(root: ET.Element, name: str, schema: dict[str, Any], to_name: str, per_region: bool) -> None:
    choices = attribute_choices(schema)
    region = {"perRegion": "true"} if per_region else {}
    if choices is not None:
        control = ET.SubElement(root, "Choices", name=name, toName=to_name, choice="single", **region)
        for value in choices:
            ET.SubElement(control, "Choice", value=value)
    elif schema.get("type") in ("number", "integer"):
        bounds = {k: str(schema[j]) for k, j in (("min", "minimum"), ("max", "maximum")) if j in schema}
        ET.SubElement(root, "Number", name=name, toName=to_name, **bounds, **region)
    else:
        ET.SubElement(root, "TextArea", name=name, toName=to_name, maxSubmissions="1", **region)


def labelstudio_config(spec: LabelSpec) -> str:
    """The Label Studio labeling configuration (XML) for the spec."""
    object_tag, object_name, control_tag = _LS_TAGS[spec.task]
    root = ET.Element("View")
    ET.SubElement(root, object_tag, name=object_name, value=f"${object_name}")
    control = ET.SubElement(root, control_tag, name=LABEL_CONTROL, toName=object_name)
    if spec.task is Task.MULTILABEL:
        control.set("choice", "multiple")
    item_tag = "Choice" if control_tag == "Choices" else "Label"
    names = list(spec.classes)
    unsure_class = spec.unsure_class()
    if unsure_class and unsure_class not in names:
        names.append(unsure_class)
    for name in names:
        tag = ET.SubElement(control, item_tag, value=name)
        hint = class_hint(spec, name) if name in spec.classes else "Not sure: sends the sample to review."
        if hint:
            tag.set("hint", hint)
        if name in spec.classes and spec.classes[name].id is not None and item_tag == "Label":
            tag.set("category", str(spec.classes[name].id))
    per_region = control_tag != "Choices"
    unsure = spec.unsure.attribute if spec.unsure else None
    for name, schema in tool_attributes(spec).items():
        if name == unsure and spec.unsure.criteria:
            # Choices carry no hint: the unsure criteria go in a header right above the choice.
            ET.SubElement(root, "Header", value=f"{name}: {'; '.join(spec.unsure.criteria)}")
        _ls_attribute(root, name, schema, object_name, per_region)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def _cvat_attribute(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    choices = attribute_choices(schema)
    if schema.get("type") == "boolean" and "enum" not in schema:
        return {"name": name, "mutable": False, "input_type": "checkbox", "default_value": "false", "values": ["false"]}
    if choices is not None:
        return {"name": name, "mutable": False, "input_type": "select", "default_value": choices[0], "values": choices}
    if schema.get("type") in ("number", "integer") and "minimum" in schema and "maximum" in schema:
        values = [str(schema["minimum"]), str(schema["maximum"]), "1"]
        return {"name": name, "mutable": False, "input_type": "number", "default_value": values[0], "values": values}
    return {"name": name, "mutable": False, "input_type": "text", "default_value": "", "values": [""]}


def cvat_labels(spec: LabelSpec) -> list[dict[str, Any]]:
    """The CVAT labels JSON (the project's "labels" list) for the spec, every attribute on every label."""
    attributes = [_cvat_attribute(name, schema) for name, schema in tool_attributes(spec).items()]
    names = list(spec.classes)
    unsure_class = spec.unsure_class()
    if unsure_class and unsure_class not in names:
        names.append(unsure_class)
    return [{"name": name, "type": _CVAT_TYPES[spec.task], "attributes": attributes} for name in names]
