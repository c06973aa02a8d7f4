"""`labellint rules` (the catalogue) and `labellint rule CODE|NAME` (one rule's documentation)."""

from __future__ import annotations

import click

from labellint.cli._common import Choices
from labellint.support import stderr


def _config_rules(config_file: str | None) -> dict:
    """Every installed rule plus the local rule modules the config names, so `rules` lists them too."""
    from pathlib import Path

    from labellint.rules import all_rules, load_local_rules
    from labellint.settings.config import config_location, load_config, local_plugin_paths

    path = config_location(config_file, Path.cwd())
    config = load_config(path)
    local, broken = load_local_rules(local_plugin_paths(config), config.source)
    for plugin in broken:
        stderr.warning(f"local rule module {plugin.name!r} failed to load: {plugin.error}")
    return all_rules(local)


@click.command("rules")
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=Choices(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--config", "config_file", metavar="FILE", help="The config (its local rule modules are listed too).")
def rules_command(output_format: str, config_file: str | None) -> None:
    """List every rule: code, name, default severity, scope and summary."""
    from labellint.cli._adopt import report_broken_plugins
    from labellint.commands.catalogue import rules_table

    rules = _config_rules(config_file)
    report_broken_plugins()
    click.echo(rules_table(output_format, list(rules.values())), nl=False)


@click.command("rule")
@click.argument("rule")
@click.option("--config", "config_file", metavar="FILE", help="The config (its local rule modules are known too).")
def rule_command(rule: str, config_file: str | None) -> None:
    """Show one rule's documentation and options (RULE is a code or a name)."""
    from labellint.commands.catalogue import find_rule, rule_docs

    click.echo(rule_docs(find_rule(rule, _config_rules(config_file))), nl=False)
