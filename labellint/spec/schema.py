"""The JSON Schema of `labelspec.yaml`, exported from the pydantic model for editors."""

from __future__ import annotations

from typing import Any

from labellint.spec.model import LabelSpec


def spec_json_schema() -> dict[str, Any]:
    schema = LabelSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "labellint label spec (labelspec.yaml)"
    return schema
