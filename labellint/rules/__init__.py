"""Rule registry (entry-point group `labellint.rules`, built-ins included) and rule selection."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from labellint.errors import PluginError, UsageError
from labellint.rules.base import Finding, Rule, RuleContext, RuleOptions, Scope
from labellint.settings.trust import current_trust
from labellint.support.plugins import BrokenPlugin, load_group, load_module

__all__ = [
    "Finding",
    "Rule",
    "RuleContext",
    "RuleOptions",
    "Scope",
    "all_rules",
    "broken_rules",
    "load_local_rules",
    "select_rules",
    "unknown_selector",
]

CODE = re.compile(r"^[A-Z]{1,5}\d{3,4}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@cache
def _registry(third_party: bool) -> tuple[dict[str, type[Rule]], tuple[BrokenPlugin, ...]]:
    loaded, broken = load_group("labellint.rules", third_party)
    rules: dict[str, type[Rule]] = {}
    names: dict[str, str] = {}
    for entry_name, obj in loaded:
        problem = _invalid(obj, rules, names)
        if problem:
            broken.append(BrokenPlugin("labellint.rules", entry_name, repr(obj), problem))
            continue
        rules[obj.code] = obj
        names[obj.name] = obj.code
    return dict(sorted(rules.items())), tuple(broken)


def _invalid(obj: object, rules: dict[str, type[Rule]], names: dict[str, str]) -> str | None:
    if not (isinstance(obj, type) and issubclass(obj, Rule)):
        return "not a labellint Rule subclass"
    if not CODE.match(obj.code or ""):
        return f"rule code {obj.code!r} is not like 'LL123'"
    if not NAME.match(obj.name or ""):
        return f"rule name {obj.name!r} is not kebab-case"
    if obj.code in rules:
        return f"rule code {obj.code} is already registered by {rules[obj.code].__module__}"
    if obj.name in names:
        return f"rule name {obj.name!r} is already used by {names[obj.name]}"
    return None


def load_local_rules(
    paths: Iterable[Path], origin: str | None = None
) -> tuple[dict[str, type[Rule]], list[BrokenPlugin]]:
    """Imports local rule modules (every Rule subclass defined in each becomes a rule): the rules
    found, by code, and the modules that failed to import or define an invalid rule. Nothing is
    registered process-wide: the caller (the policy of one config) keeps what it loaded. Each
    import is announced on stderr, naming `origin` (the config that asked for it)."""
    local: dict[str, type[Rule]] = {}
    broken: list[BrokenPlugin] = []
    for path in paths:
        try:
            module = load_module(path, announce=origin or "the command line")
        except BaseException as exc:  # a local module's error must not take the built-ins down
            if isinstance(exc, KeyboardInterrupt):
                raise
            broken.append(BrokenPlugin("local", str(path), str(path), f"{type(exc).__name__}: {exc}"))
            continue
        found = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module.__name__ and obj.code
        ]
        if not found:
            broken.append(BrokenPlugin("local", str(path), str(path), "defines no Rule subclass with a code"))
        for rule in found:
            if local.get(rule.code) is rule:
                continue
            known = {**_registry(current_trust().plugins)[0], **local}
            problem = _invalid(rule, known, {r.name: c for c, r in known.items()})
            if problem:
                broken.append(BrokenPlugin("local", f"{path}:{rule.__name__}", str(path), problem))
            else:
                local[rule.code] = rule
    return local, broken


def installed_rules() -> dict[str, type[Rule]]:
    """The rules registered through entry points (built-ins and installed plugins), by code."""
    return _registry(current_trust().plugins)[0]


def all_rules(local: dict[str, type[Rule]] | None = None) -> dict[str, type[Rule]]:
    """Every registered rule (entry points, plus the `local` rules of a config), by code, in code order."""
    rules = _registry(current_trust().plugins)[0]
    if local:
        rules = dict(sorted({**rules, **local}.items()))
    if not rules:
        raise PluginError("no rules are registered: is labellint installed (`pip install -e .`)?")
    return rules


def broken_rules() -> tuple[BrokenPlugin, ...]:
    """Rule plugins that failed to load."""
    return _registry(current_trust().plugins)[1]


def matches(selector: str, rule: type[Rule]) -> bool:
    """Whether a selector (ALL, a code, a code prefix or a rule name) selects `rule`."""
    selector = selector.strip()
    return selector.upper() == "ALL" or rule.code.startswith(selector.upper()) or selector == rule.name


def select_rules(
    select: Iterable[str] | None = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    rules: dict[str, type[Rule]] | None = None,
) -> list[type[Rule]]:
    """The rules to run out of `rules` (default: every installed rule): `select` (default: every
    rule enabled by default) plus `extend_select`, minus `ignore`. Every selector must match a rule."""
    rules = rules if rules is not None else all_rules()
    for selector in [*(select or []), *extend_select, *ignore]:
        if not any(matches(selector, rule) for rule in rules.values()):
            raise UsageError(unknown_selector(selector, rules))
    if select is None:
        chosen = {code for code, rule in rules.items() if rule.default_enabled}
    else:
        chosen = {code for code, rule in rules.items() if any(matches(s, rule) for s in select)}
    chosen |= {code for code, rule in rules.items() if any(matches(s, rule) for s in extend_select)}
    chosen -= {code for code, rule in rules.items() if any(matches(s, rule) for s in ignore)}
    return [rules[code] for code in sorted(chosen)]


def unknown_selector(selector: str, rules: dict[str, type[Rule]]) -> str:
    """`unknown rule selector 'X'` with a did-you-mean."""
    known = [*rules, *(r.name for r in rules.values())]
    hint = difflib.get_close_matches(selector, known, n=1, cutoff=0.6)
    suggestion = f" (did you mean {hint[0]!r}?)" if hint else " (see `labellint rules`)"
    return f"unknown rule selector {selector!r}{suggestion}"
