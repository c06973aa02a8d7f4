"""Discoverability: `labellint rules`, `labellint rule CODE|NAME`, and the generated rules/README.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from labellint.commands.catalogue import rulebook_readme
from labellint.rules import installed_rules

ROOT = Path(__file__).resolve().parents[1]


def test_rules_readme_is_current() -> None:
    written = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    assert written == rulebook_readme(), (
        "rules/README.md is stale: run `python -m labellint.commands.catalogue rules/README.md`"
    )


def test_rules_readme_lists_every_builtin_with_a_working_link() -> None:
    text = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    for code, rule in installed_rules().items():
        if rule.__module__.startswith("labellint.rules."):
            link = f"{code}-{rule.name}/README.md"
            # (That the folder exists is test_rulebook's job.)
            assert f"| {code} | [{rule.name}]({link})" in text


def test_rules_table_in_three_formats() -> None:
    rules = installed_rules()
    text = run_cli("rules").stdout.splitlines()
    assert len(text) == len(rules)
    assert [line.split()[0] for line in text] == list(rules)
    assert text[list(rules).index("LL402")].split()[1:3] == ["class-few-examples", "warning"]

    document = json.loads(run_cli("rules", "--format", "json").stdout)
    assert [r["code"] for r in document] == list(rules)
    few = next(r for r in document if r["code"] == "LL402")
    assert few["scope"] == "spec" and few["needs_spec"] is True
    assert {o["name"]: o["default"] for o in few["options"]} == {"min-include": 3, "min-exclude": 3}

    markdown = run_cli("rules", "--format", "markdown").stdout.splitlines()
    assert markdown[0].startswith("| code |") and len(markdown) == len(rules) + 2

    bad = run_cli("rules", "--format", "yaml")
    assert bad.exit_code == 2 and "'yaml' is not one of text, json, markdown" in bad.stderr


@pytest.mark.parametrize("query", ["LL402", "ll402", "class-few-examples"])
def test_rule_docs_by_code_or_name(query: str) -> None:
    result = run_cli("rule", query)
    assert result.exit_code == 0
    readme = (ROOT / "rules" / "LL402-class-few-examples" / "README.md").read_text(encoding="utf-8")
    assert result.stdout.startswith(readme.rstrip())
    assert "- `min-include` (int, default 3)" in result.stdout


@pytest.mark.parametrize(
    ("query", "message"),
    [("LL40", "selects several rules (LL401, LL402, LL403, LL404, LL405)"), ("class-few-exampels", "did you mean")],
)
def test_rule_docs_unknown_is_one_clear_line(query: str, message: str) -> None:
    result = run_cli("rule", query)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
