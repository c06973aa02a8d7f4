"""Which rules run, with which options and severity, and which problems a run drops afterwards."""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from labellint.config import Config
from labellint.errors import ConfigError, UsageError
from labellint.plugins import BrokenPlugin
from labellint.problem import Problem, Severity
from labellint.report import Report
from labellint.rules import Rule, all_rules, load_local_rules, matches, select_rules
from labellint.spec.model import LabelSpec

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
    broken = load_local_rules(config.resolve(p) for p in config.plugins)
    if overrides.select is not None:
        # A selection on the command line replaces the file's whole selection (as in ruff).
        chosen = select_rules(overrides.select, overrides.extend_select, overrides.ignore)
        selection_origin = "command line"
    else:
        chosen = select_rules(
            config.select, [*config.extend_select, *overrides.extend_select], [*config.ignore, *overrides.ignore]
        )
        changed = config.select is not None or config.extend_select or config.ignore
        selection_origin = origin if changed else "default"
    policy = Policy(root=config.root, broken=broken)
    policy.origins = {cls.code: f"selected by {selection_origin}" for cls in chosen}
    options: dict[str, dict[str, Any]] = {}
    for where, tables in ((origin, config.rules), ("command line", overrides.rules)):
        for selector, table in sorted(tables.items(), key=lambda kv: _specificity(kv[0])):
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
            codes = frozenset(_codes(selectors, origin if where else "command line", f"per-file-ignores.{glob}"))
            policy.per_file_ignores.append((glob, codes))
    return policy


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


def _specificity(selector: str) -> tuple[int, str]:
    """ALL, then shorter prefixes, then full codes and names: the most specific setting wins."""
    if selector.upper() == "ALL":
        return (0, selector)
    rules = all_rules()
    if selector in rules or any(r.name == selector for r in rules.values()):
        return (100, selector)
    return (len(selector), selector)


def _codes(selectors: Iterable[str], where: str, key: str) -> list[str]:
    try:
        return [r.code for r in select_rules(list(selectors))]
    except UsageError as exc:
        raise ConfigError(f"{where}: {key}: {exc.message}") from None


def _apply_table(where: str, selector: str, table: dict[str, Any], policy: Policy, options: dict) -> None:
    """One `[rules.SELECTOR]` table: its severity for every matching rule, its options for one rule."""
    rules = [r for r in all_rules().values() if matches(selector, r)]
    if not rules:
        raise ConfigError(f"{where}: rules.{selector}: {_unknown(selector)}")
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


def _unknown(selector: str) -> str:
    rules = all_rules()
    known = [*rules, *(r.name for r in rules.values())]
    return f"unknown rule selector {selector!r}{_hint(selector, known, ' (see `labellint rules`)')}"


# ------------------------------------------------------------------ applying to a finished report
def relative_to_root(display: str, root: Path) -> str:
    """A problem's path (as displayed, relative to the cwd) relative to the config's folder."""
    absolute = (Path.cwd() / display).resolve()
    try:
        return absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(os.path.relpath(absolute, root.resolve())).as_posix()


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
    relative = relative_to_root(str(path), root)
    return any(glob_matches(p, relative) for p in patterns)


def apply_policy(report: Report, policy: Policy, spec: LabelSpec | None, spec_display: str | None) -> None:
    """Re-levels problems, drops per-file ignores and the spec's accepted exceptions (noting stale ones)."""
    for plugin in policy.broken:
        report.notes.append(f"warning: local rule module {plugin.name!r} failed to load: {plugin.error}")
    kept: list[Problem] = []
    used = [False] * (len(spec.ignore) if spec else 0)
    names = {r.code: r.name for r in all_rules().values()}
    for problem in report.problems:
        if problem.code in policy.severities:
            problem.severity = policy.severities[problem.code]
        if policy.per_file_ignores and problem.location.path:
            relative = relative_to_root(problem.location.path, policy.root)
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
