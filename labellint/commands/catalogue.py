"""The rule catalogue from the registry: tables (text, JSON, Markdown), one rule's docs, rules/README.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic_core import PydanticUndefined

from labellint.errors import UsageError
from labellint.rules import Rule, all_rules, matches, unknown_selector
from labellint.rules.base import rule_summary

# The rulebook ships beside the package in a source checkout (and in the repository).
RULEBOOK = Path(__file__).resolve().parents[2] / "rules"
README_HEADER = """\
# The rulebook

One folder per rule: `README.md` (what it checks, why it matters for training, how to fix,
options, related rules), a `good/` and a `bad/` example, and `bad.expected` (exactly what
`labellint check` reports on `bad/`). `tests/test_rulebook.py` runs every folder.

This file is generated from the rule registry by `python -m labellint.commands.catalogue rules/README.md`;
a test fails when it is out of date.

"""


def is_builtin(rule: type[Rule]) -> bool:
    return rule.__module__.startswith("labellint.rules.")


def option_rows(rule: type[Rule]) -> list[dict[str, Any]]:
    """Each option of the rule: config name (kebab-case), type, default and description."""
    rows = []
    for name, info in rule.Options.model_fields.items():
        default = info.get_default(call_default_factory=True) if info.default is not PydanticUndefined else None
        rows.append(
            {
                "name": name.replace("_", "-"),
                "type": getattr(info.annotation, "__name__", str(info.annotation)),
                "default": default,
                "description": info.description or "",
            }
        )
    return rows


def rule_record(rule: type[Rule]) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "scope": str(rule.scope),
        "severity": rule.severity.value,
        "default_enabled": rule.default_enabled,
        "needs_spec": rule.needs_spec,
        "summary": rule_summary(rule),
        "origin": "builtin" if is_builtin(rule) else rule.__module__,
        "options": option_rows(rule),
    }


def rules_table(output_format: str, rules: list[type[Rule]] | None = None) -> str:
    """The catalogue as `text` (aligned columns), `json` or `markdown`."""
    rules = rules if rules is not None else list(all_rules().values())
    if output_format == "json":
        return json.dumps([rule_record(r) for r in rules], indent=2, default=str) + "\n"
    if output_format == "markdown":
        lines = ["| code | name | severity | scope | summary |", "|---|---|---|---|---|"]
        for r in rules:
            link = f"[{r.name}]({r.code}-{r.name}/README.md)" if is_builtin(r) else r.name
            off = " (off by default)" if not r.default_enabled else ""
            text = rule_summary(r).replace("|", "\\|")
            lines.append(f"| {r.code} | {link} | {r.severity.value}{off} | {r.scope} | {text} |")
        return "\n".join(lines) + "\n"
    if output_format != "text":
        raise UsageError(f"unknown format {output_format!r} (known: text, json, markdown)")
    width = max((len(r.name) for r in rules), default=4)
    lines = []
    for r in rules:
        off = "  (off by default)" if not r.default_enabled else ""
        lines.append(f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.scope:<10}  {rule_summary(r)}{off}")
    return "\n".join(lines) + "\n"


def find_rule(query: str, rules: dict[str, type[Rule]] | None = None) -> type[Rule]:
    """A rule by exact code or name (case-insensitive code); a usage error with a hint otherwise."""
    rules = rules if rules is not None else all_rules()
    for rule in rules.values():
        if query.upper() == rule.code or query == rule.name:
            return rule
    prefix = [r.code for r in rules.values() if matches(query, r)] if query.upper() != "ALL" else []
    if prefix:
        raise UsageError(f"{query!r} selects several rules ({', '.join(prefix)}); name one")
    raise UsageError(unknown_selector(query, rules))


def rule_docs(rule: type[Rule]) -> str:
    """The rulebook README (built-ins in a checkout) or the docstring, then the options with defaults."""
    readme = RULEBOOK / f"{rule.code}-{rule.name}" / "README.md"
    if readme.is_file():
        text = readme.read_text("utf-8").rstrip() + "\n"
    else:
        doc = (rule.__doc__ or "").strip()
        text = f"# {rule.code} {rule.name}\n\nSeverity: {rule.severity.value} · Scope: {rule.scope}\n\n{doc}\n"
    rows = option_rows(rule)
    text += "\n## Option defaults (from the rule's Options model)\n\n"
    if not rows:
        return text + "None.\n"
    for row in rows:
        text += f"- `{row['name']}` ({row['type']}, default {row['default']!r}): {row['description']}\n"
    table = f"[tool.labellint.rules.{rule.code}]"
    text += f"\nSet them in the config: `{table}` (or `[rules.{rule.code}]` in labellint.toml).\n"
    return text


def rulebook_readme() -> str:
    """The generated `rules/README.md`: the built-in rules' table."""
    builtin = [r for r in all_rules().values() if is_builtin(r)]
    return README_HEADER + rules_table("markdown", builtin)


if __name__ == "__main__":  # python -m labellint.commands.catalogue rules/README.md
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else RULEBOOK / "README.md"
    target.write_text(rulebook_readme(), encoding="utf-8")
