"""The label spec: its model, loading with line numbers, and its JSON Schema."""

from labellint.spec.loader import find_spec, load_spec, load_spec_text
from labellint.spec.model import ClassSpec, Geometry, LabelSpec

__all__ = ["ClassSpec", "Geometry", "LabelSpec", "find_spec", "load_spec", "load_spec_text"]
