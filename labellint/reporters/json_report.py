"""The JSON reporter: one document as DESIGN.md §6 specifies (schema_version 1)."""

from __future__ import annotations

import json
from typing import Any

from labellint.report import Report
from labellint.reporters.base import RenderOptions, Reporter


class JsonReporter(Reporter):
    """`{"schema_version", "tool", "summary", "problems"}` for other tools to read."""

    name = "json"
    description = "one JSON document: summary and problems (schema_version 1)"

    def render(self, report: Report, options: RenderOptions) -> str:
        return json.dumps(report_document(report, options.version), indent=2, ensure_ascii=False) + "\n"


def report_document(report: Report, version: str) -> dict[str, Any]:
    """The JSON-ready document of a report."""
    return {
        "schema_version": 1,
        "tool": {"name": "labellint", "version": version},
        "summary": {
            "files": report.files,
            "items": report.items,
            "annotations": report.annotations,
            "problems": len(report.problems),
            "errors": report.errors,
            "warnings": report.warnings,
        },
        "problems": [
            {
                "code": p.code,
                "name": p.name,
                "severity": p.severity.value,
                "message": p.message,
                "path": p.location.path,
                "line": p.location.line,
                "column": p.location.column,
                "pointer": p.location.pointer,
                "item": p.location.item,
                "annotation": p.location.annotation,
                "fingerprint": p.fingerprint,
            }
            for p in report.problems
        ],
        "crashes": [{"source": c.source, "error": c.error} for c in report.crashes],
    }
