"""The SARIF 2.1.0 reporter, for GitHub code scanning and other static-analysis dashboards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from labellint.problem import Problem, Severity
from labellint.report import Report, RuleInfo
from labellint.reporters._common import (
    _root,
    repo_path,
    rule_url,
    sarif_level,
    unique_fingerprints,
)
from labellint.reporters.base import RenderOptions, Reporter
from labellint.support.project import repository_url

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "labellint/v1"


class SarifReporter(Reporter):
    """One SARIF run: the rules that ran, one result per problem, paths relative to the repository."""

    name = "sarif"
    description = "SARIF 2.1.0 for GitHub code scanning (one result per problem)"

    def render(self, report: Report, options: RenderOptions) -> str:
        return json.dumps(sarif_document(report, options.version), indent=2, ensure_ascii=False) + "\n"


def sarif_document(report: Report, version: str) -> dict[str, Any]:
    """The SARIF log of a report."""
    infos = dict(report.rules)
    for problem in report.problems:  # a problem from a rule missing in the table still gets an entry
        infos.setdefault(problem.code, RuleInfo(problem.code, problem.name, problem.severity.value, problem.name))
    codes = sorted(infos)
    index = {code: i for i, code in enumerate(codes)}
    driver: dict[str, Any] = {"name": "labellint", "version": version or "0"}
    if repository_url() is not None:
        driver["informationUri"] = repository_url()
    driver["rules"] = [_rule(infos[code]) for code in codes]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "results": [
            _result(p, index[p.code], fp)
            for p, fp in zip(report.problems, unique_fingerprints(report.problems), strict=True)
        ],
        "invocations": [
            {
                "executionSuccessful": not report.crashes,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": f"{c.source} crashed: {c.error}"}} for c in report.crashes
                ],
            }
        ],
        "columnKind": "unicodeCodePoints",
    }
    root = _root(str(Path.cwd().resolve()))
    if root is not None:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": root.as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule(info: RuleInfo) -> dict[str, Any]:
    full = info.description or info.summary or info.name
    url = rule_url(info)
    help_text = full + (f"\n\nRulebook: {url}" if url else "")
    rule: dict[str, Any] = {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary or info.name},
        "fullDescription": {"text": full},
        "help": {
            "text": help_text,
            "markdown": full + (f"\n\n[Rulebook: {info.code} {info.name}]({url})" if url else ""),
        },
        "defaultConfiguration": {"level": sarif_level(Severity(info.severity))},
        "properties": {"tags": ["labels", "dataset"]},
    }
    if url:
        rule["helpUri"] = url
    return rule


def _result(problem: Problem, rule_index: int, fingerprint: str) -> dict[str, Any]:
    loc = problem.location
    result: dict[str, Any] = {
        "ruleId": problem.code,
        "ruleIndex": rule_index,
        "level": sarif_level(problem.severity),
        "message": {"text": problem.message},
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    path = repo_path(loc.path)
    location: dict[str, Any] = {}
    if path is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": quote(path), "uriBaseId": "SRCROOT"}}
        if loc.line:
            physical["region"] = {"startLine": loc.line, "startColumn": loc.column or 1}
        location["physicalLocation"] = physical
    logical = []
    if loc.pointer:
        logical.append({"fullyQualifiedName": loc.pointer, "kind": "element"})
    if loc.annotation is not None:
        logical.append({"name": loc.annotation, "kind": "annotation"})
    if loc.item is not None:
        logical.append({"name": loc.item, "kind": "item"})
    if logical:
        location["logicalLocations"] = logical
    if location:
        result["locations"] = [location]
    properties = {k: v for k, v in (("pointer", loc.pointer), ("item", loc.item), ("annotation", loc.annotation)) if v}
    properties["ruleName"] = problem.name
    result["properties"] = properties
    return result
