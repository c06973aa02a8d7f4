"""Which rules run, with which options and severity, and which problems a run drops afterwards."""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from labellint.errors import ConfigError, UsageError
from labellint.problem import Problem, Severity
from labellint.report import Report
from labellint.rules import Rule, RuleOptions, all_rules, load_local_rules, matches, select_rules, unknown_selector
from labellint.settings.config import Config, local_plugin_paths
from labellint.spec.model import LabelSpec
from labellint.support.paths import from_config
from labellint.support.plugins import BrokenPlugin

SEVERITIES = [s.value for s in Severity]


@dataclass(slots=True)
class Overrides:
    """Rule settings given on the command line; they win over the config file."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    # Selector -> {"severity": ..., option: value}, exactly like the config's `[rules.X]` tables.
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class Policy:
    """The resolved rule settings of one run, and where each came from (for --show-settings)."""

    rules: list[Rule] = field(default_factory=list)
    severities: dict[str, Severity] = field(default_factory=dict)
    per_file_ignores: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    root: Path = field(default_factory=Path.cwd)
    origins: dict[str, str] = field(default_factory=dict)
    broken: list[BrokenPlugin] = field(default_factory=list)
    # Every rule this config knows, installed and local, by code (selection works on it).
    registry: dict[str, type[Rule]] = field(default_factory=dict)

    def rules_in(self, scopes) -> list[Rule]:
        """The selected rules whose scope is one of `scopes` (a context's `scopes`)."""
        return [rule for rule in self.rules if type(rule).scope in scopes]

    def settings(self) -> dict[str, Any]:
        """The resolved settings as plain data, each with its origin."""
        rules = {}
        for rule in self.rules:
            kind = type(rule)
            rules[kind.code] = {
                "name": kind.name,
                "severity": self.severities.get(kind.code, kind.severity).value,
                "options": rule.options.model_dump(mode="json"),
                "origin": self.origins.get(kind.code, "default"),
            }
        return {
            "root": str(self.root),
            "rules": rules,
            "exclude": list(self.exclude),
            "per-file-ignores": {glob: sorted(codes) for glob, codes in self.per_file_ignores},
            "broken-plugins": [f"{b.group}:{b.name}: {b.error}" for b in self.broken],
        }


def build_policy(config: Config, overrides: Overrides | None = None) -> Policy:
    """Selection, severity overrides and validated options from config (then command line)."""
    overrides = overrides or Overrides()
    origin = config.source or "defaults"
    local, broken = load_local_rules(local_plugin_paths(config), config.source)
    registry = all_rules(local)
    if overrides.select is not None:
        # A selection on the command line replaces the file's whole selection (as in ruff).
        chosen = select_rules(overrides.select, overrides.extend_select, overrides.ignore, registry)
        selection_origin = "command line"
    else:
        chosen = select_rules(
            config.select,
            [*config.extend_select, *overrides.extend_select],
            [*config.ignore, *overrides.ignore],
            registry,
        )
        changed = config.select is not None or config.extend_select or config.ignore
        selection_origin = origin if changed else "default"
    policy = Policy(root=config.root, broken=broken, registry=registry)
    policy.origins = {cls.code: f"selected by {selection_origin}" for cls in chosen}
    options: dict[str, dict[str, Any]] = {}
    for where, tables in ((origin, config.rules), ("command line", overrides.rules)):
        for selector, table in sorted(tables.items(), key=lambda kv: _specificity(kv[0], registry)):
            try:
                _apply_table(where, selector, table, policy, options)
            except ConfigError as exc:
                if where != origin or config.source is None:
                    raise
                # Name the line: `file:line: rules.X.key: ...` (tomllib keeps no positions, so search).
                line = _table_line(Path(config.source), selector, exc.message)
                message = exc.message.replace(f"{where}: ", f"{where}:{line}: ", 1) if line else exc.message
                raise ConfigError(message) from None
    policy.rules = []
    for cls in chosen:
        try:
            policy.rules.append(cls(cls.Options.model_validate(options.get(cls.code, {}))))
        except ValidationError as exc:  # checked per key in _apply_table; this is a last resort
            raise ConfigError(f"{origin}: rules.{cls.code}: {_first_error(exc, cls)}") from None
    policy.exclude = [*config.exclude, *overrides.exclude]
    for where, table in ((config, config.per_file_ignores), (None, overrides.per_file_ignores)):
        for glob, selectors in table.items():
            where_name = origin if where else "command line"
            codes = frozenset(_codes(selectors, where_name, f"per-file-ignores.{glob}", registry))
            policy.per_file_ignores.append((glob, codes))
    return policy


def rule_options(config: Config, rule: type[Rule]) -> RuleOptions:
    """One installed rule's options as the config sets them (`[rules.X]` tables, the most specific
    last), without loading plugins or building the whole policy; LookupError when the config does
    not select the rule."""
    registry = all_rules()
    selected = select_rules(config.select, config.extend_select, config.ignore, registry)
    if rule not in selected:
        raise LookupError(rule.code)
    merged: dict[str, Any] = {}
    for selector, table in sorted(config.rules.items(), key=lambda kv: _specificity(kv[0], registry)):
        if matches(selector, rule):
            merged.update({k.replace("-", "_"): v for k, v in table.items() if k != "severity"})
    try:
        return rule.Options.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(f"{config.source or 'config'}: rules.{rule.code}.{_first_error(exc, rule)}") from None


def _table_line(path: Path, selector: str, message: str) -> int | None:
    """The line of the offending key in `[rules.SELECTOR]` (or of the table header), best effort."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    header = re.compile(rf"^\s*\[\s*(tool\.labellint\.)?rules\.(\"?){re.escape(selector)}\2\s*\]")
    key = re.search(rf"rules\.{re.escape(selector)}(?:\.|: unknown option ')([\w-]+)", message)
    for number, text in enumerate(lines, start=1):
        if not header.match(text):
            continue
        for offset, body in enumerate(lines[number:], start=number + 1):
            if body.lstrip().startswith("["):
                break
            name = body.split("=", 1)[0].strip().strip('"')
            if key and name.replace("_", "-") == key.group(1).replace("_", "-"):
                return offset
        return number
    return None


def _specificity(selector: str, rules: dict[str, type[Rule]]) -> tuple[int, str]:
    """ALL, then shorter prefixes, then full codes and names: the most specific setting wins."""
    if selector.upper() == "ALL":
        return (0, selector)
    if selector in rules or any(r.name == selector for r in rules.values()):
        return (100, selector)
    return (len(selector), selector)


def _codes(selectors: Iterable[str], where: str, key: str, rules: dict[str, type[Rule]]) -> list[str]:
    try:
        return [r.code for r in select_rules(list(selectors), rules=rules)]
    except UsageError as exc:
        raise ConfigError(f"{where}: {key}: {exc.message}") from None


def _apply_table(where: str, selector: str, table: dict[str, Any], policy: Policy, options: dict) -> None:
    """One `[rules.SELECTOR]` table: its severity for every matching rule, its options for one rule."""
    rules = [r for r in policy.registry.values() if matches(selector, r)]
    if not rules:
        raise ConfigError(f"{where}: rules.{selector}: {unknown_selector(selector, policy.registry)}")
    settings = {key.replace("-", "_"): value for key, value in table.items()}
    severity = settings.pop("severity", None)
    if severity is not None:
        if str(severity).lower() not in SEVERITIES:
            hint = _hint(str(severity), SEVERITIES, " (one of error, warning, info)")
            raise ConfigError(f"{where}: rules.{selector}.severity: {severity!r} is not a severity{hint}")
        for rule in rules:
            policy.severities[rule.code] = Severity(str(severity).lower())
            policy.origins[rule.code] = policy.origins.get(rule.code, "") + f"; severity from {where}"
    if not settings:
        return
    if len(rules) > 1:
        codes = ", ".join(r.code for r in rules)
        raise ConfigError(f"{where}: rules.{selector}: options apply to one rule, but {selector!r} selects {codes}")
    rule = rules[0]
    fields = rule.Options.model_fields
    for key in settings:
        if key not in fields:
            known = [name.replace("_", "-") for name in fields]
            listing = f" ({rule.code} has options: {', '.join(known)})" if known else f" ({rule.code} has no options)"
            raise ConfigError(
                f"{where}: rules.{selector}: unknown option {key.replace('_', '-')!r}"
                f"{_hint(key.replace('_', '-'), known, listing)}"
            )
    merged = {**options.get(rule.code, {}), **settings}
    try:
        rule.Options.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(f"{where}: rules.{selector}.{_first_error(exc, rule)}") from None
    options[rule.code] = merged
    policy.origins[rule.code] = policy.origins.get(rule.code, "") + f"; options from {where}"


def _first_error(exc: ValidationError, rule: type[Rule]) -> str:
    error = exc.errors()[0]
    key = ".".join(str(p).replace("_", "-") for p in error["loc"]) or rule.code
    return f"{key}: {error['msg']} (got {error.get('input')!r})"


def _hint(word: str, known: list[str], otherwise: str) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else otherwise


# ------------------------------------------------------------------ applying to a finished report
def glob_matches(pattern: str, relative: str) -> bool:
    """Ruff-like file globs: a pattern without `/` matches the file name or any folder name;
    one with `/` matches the path from the config's folder (`**` spans folders)."""
    pattern = pattern.rstrip("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in PurePosixPath(relative).parts)
    if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(relative, pattern.replace("**/", "")):
        return True
    # A folder pattern matches everything below it.
    return fnmatch.fnmatchcase(relative, pattern + "/*")


def is_excluded(path: Path, patterns: list[str], root: Path) -> bool:
    if not patterns:
        return False
    relative = from_config(str(path), root)
    return any(glob_matches(p, relative) for p in patterns)


def apply_policy(report: Report, policy: Policy, spec: LabelSpec | None, spec_display: str | None) -> None:
    """Re-levels problems, drops per-file ignores and the spec's accepted exceptions (noting stale ones)."""
    for plugin in policy.broken:
        report.notes.append(f"warning: local rule module {plugin.name!r} failed to load: {plugin.error}")
    kept: list[Problem] = []
    used = [False] * (len(spec.ignore) if spec else 0)
    names = {r.code: r.name for r in policy.registry.values()}
    for problem in report.problems:
        if problem.code in policy.severities:
            problem.severity = policy.severities[problem.code]
        if policy.per_file_ignores and problem.location.path:
            relative = from_config(problem.location.path, policy.root)
            if any(problem.code in codes and glob_matches(g, relative) for g, codes in policy.per_file_ignores):
                continue
        accepted = _accepted(problem, spec, names) if spec and spec.ignore else None
        if accepted is not None:
            used[accepted] = True
            continue
        kept.append(problem)
    report.problems = kept
    for code, severity in policy.severities.items():
        if code in report.rules:
            report.rules[code] = dataclasses.replace(report.rules[code], severity=severity.value)
    for index, was_used in enumerate(used):
        if not was_used:
            entry = spec.ignore[index]
            position = spec.position("ignore", index)
            where = f"{spec_display}:{position[0]}" if position and spec_display else spec_display or "the spec"
            target = f"item {entry.item!r}" + (f" annotation {entry.annotation!r}" if entry.annotation else "")
            report.notes.append(f"{where}: accepted exception {entry.code} on {target} matched no problem (stale?)")


def _accepted(problem: Problem, spec: LabelSpec, names: dict[str, str]) -> int | None:
    loc = problem.location
    if loc.item is None:
        return None
    for index, entry in enumerate(spec.ignore):
        if entry.code not in (problem.code, names.get(problem.code)):
            continue
        if entry.item == loc.item and (entry.annotation is None or entry.annotation == loc.annotation):
            return index
    return None
