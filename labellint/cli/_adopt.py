"""`check` options for rule settings, baselines and --new-since, and --show-settings."""

from __future__ import annotations

import tomllib
from typing import Any

import click

from labellint.errors import UsageError
from labellint.support import stderr

ADOPTION_PARAMS = (
    "exclude",
    "per_file_ignores",
    "severity",
    "rule_option",
    "baseline",
    "update_baseline",
    "new_since",
    "show_settings",
)


def adoption_options(command):
    """Adds the options to a click command (they arrive as keyword arguments named in ADOPTION_PARAMS)."""
    options = [
        click.option("--exclude", multiple=True, metavar="GLOB", help="Do not read files matching GLOB."),
        click.option(
            "--per-file-ignores",
            multiple=True,
            metavar="GLOB:RULES",
            help="Drop problems of RULES in files matching GLOB (e.g. 'legacy/*:LL2,LL101').",
        ),
        click.option(
            "--severity",
            multiple=True,
            metavar="RULES=LEVEL",
            help="Re-level rules (code, prefix or name) to error, warning or info.",
        ),
        click.option(
            "--rule-option",
            multiple=True,
            metavar="RULE.KEY=VALUE",
            help="Set a rule option (VALUE is a TOML value), e.g. 'LL402.min-include=2'.",
        ),
        click.option("--baseline", metavar="FILE", help="Hide problems recorded in this baseline file."),
        click.option("--update-baseline", is_flag=True, help="Write every current problem to --baseline FILE."),
        click.option("--new-since", metavar="REV", help="Report only problems absent at git revision REV."),
        click.option("--show-settings", is_flag=True, help="Print the resolved settings and where each came from."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def fill_request(request, values: dict[str, Any]) -> None:
    """Copies the options into a CheckRequest; malformed values are usage errors with one line."""
    from labellint.cli._common import split_list

    request.exclude = split_list(values.get("exclude") or ())
    for entry in values.get("per_file_ignores") or ():
        glob, sep, rules = entry.rpartition(":")
        if not sep or not glob or not rules.strip():
            raise UsageError(f"--per-file-ignores {entry!r}: expected GLOB:RULES, e.g. 'legacy/*:LL2,LL101'")
        request.per_file_ignores.setdefault(glob, []).extend(split_list((rules,)))
    for entry in values.get("severity") or ():
        selectors, sep, level = entry.partition("=")
        if not sep or not selectors.strip() or not level.strip():
            raise UsageError(f"--severity {entry!r}: expected RULES=LEVEL, e.g. 'LL302=warning'")
        for selector in split_list((selectors,)):
            request.rule_settings.setdefault(selector, {})["severity"] = level.strip()
    for entry in values.get("rule_option") or ():
        left, sep, raw = entry.partition("=")
        selector, dot, key = left.strip().partition(".")
        if not sep or not dot or not selector or not key:
            raise UsageError(f"--rule-option {entry!r}: expected RULE.KEY=VALUE, e.g. 'LL402.min-include=2'")
        request.rule_settings.setdefault(selector, {})[key.strip()] = _toml_value(raw.strip())
    request.baseline = values.get("baseline")
    request.update_baseline = bool(values.get("update_baseline"))
    request.new_since = values.get("new_since")
    if request.update_baseline and not request.baseline:
        raise UsageError("--update-baseline needs --baseline FILE (where to write it)")
    if request.update_baseline and request.new_since:
        raise UsageError("--update-baseline and --new-since cannot be combined")


def _toml_value(raw: str) -> Any:
    """`2` -> 2, `true` -> True, `[1, 2]` -> [1, 2]; anything else is a string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def report_broken_plugins(extra=()) -> None:
    """One line on stderr per plugin (entry point or local module) that failed to load."""
    from labellint.readers import broken_readers
    from labellint.reporters import broken_reporters
    from labellint.rules import broken_rules

    for plugin in [*broken_rules(), *broken_readers(), *broken_reporters(), *extra]:
        kind = "local rule module" if plugin.group == "local" else f"plugin {plugin.group}"
        stderr.warning(f"{kind} {plugin.name!r} failed to load: {plugin.error}")
