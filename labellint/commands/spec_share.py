"""`spec render` and `spec export`: the spec as annotators' guidelines and as a tool's label config."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labellint.errors import UsageError
from labellint.settings.resolve import resolve_spec_path
from labellint.spec.guideline import render_html, render_markdown
from labellint.spec.loader import load_spec
from labellint.spec.tool_config import cvat_labels, labelstudio_config

RENDER_FORMATS = ("markdown", "html")
EXPORT_TOOLS = ("labelstudio", "cvat")


@dataclass(slots=True)
class SpecShareRequest:
    """What to write: `kind` is a render format (markdown|html) or an export tool (labelstudio|cvat)."""

    kind: str
    output: str | None = None
    spec_file: str | None = None
    config_file: str | None = None


@dataclass(slots=True)
class SpecShareResult:
    """The text written (or to print), where it went, and the spec it came from."""

    kind: str
    spec_path: str
    spec_version: str
    classes: list[str]
    text: str
    output: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "kind": self.kind,
            "spec": self.spec_path,
            "spec_version": self.spec_version,
            "classes": self.classes,
            "output": self.output,
        }


def _text(kind: str, spec) -> str:
    if kind == "markdown":
        return render_markdown(spec)
    if kind == "html":
        return render_html(spec)
    if kind == "labelstudio":
        return labelstudio_config(spec)
    if kind == "cvat":
        return json.dumps(cvat_labels(spec), indent=2) + "\n"
    raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(RENDER_FORMATS + EXPORT_TOOLS)}")


def run_spec_share(request: SpecShareRequest) -> SpecShareResult:
    """Render or export the spec; write it to `output` when given (else the caller prints `text`)."""
    _, spec_path, _ = resolve_spec_path(request.config_file, request.spec_file)
    spec = load_spec(spec_path, str(spec_path))
    text = _text(request.kind, spec)
    if request.output is not None:
        try:
            Path(request.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{request.output}: cannot write: {exc.strerror or exc}") from None
    return SpecShareResult(request.kind, str(spec_path), spec.version, list(spec.classes), text, request.output)
