"""The command line: the only layer that prints or chooses an exit code."""

from __future__ import annotations

import importlib
import os
import sys
import traceback

import click

from labellint import __version__
from labellint.support import stderr

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool killed by it


class LabellintGroup(click.Group):
    """Turns fatal errors into one line on stderr and exit 2, never a traceback (unless --debug);
    imports a command's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return _command(cmd_name)

    def invoke(self, ctx: click.Context):
        from labellint.errors import LabellintError

        try:
            return super().invoke(ctx)
        except LabellintError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            stderr.error(exc.message)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            stderr.error("interrupted")
            ctx.exit(130)
        except BrokenPipeError:
            # The reader went away (`labellint ... | head -1`): stop quietly, as other Unix tools
            # do, with 128 + SIGPIPE; never the "a rule crashed" code. Python would otherwise
            # report the failed flush of stdout again at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_BROKEN_PIPE)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            else:
                stderr.error(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")
            ctx.exit(3)


@click.group(cls=LabellintGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="labellint")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.option("--isolated", is_flag=True, help="Ignore every config file (labellint.toml, pyproject.toml).")
@click.option(
    "--no-plugins", is_flag=True, help="Import no third-party code: skip local rule modules and installed plugins."
)
@click.pass_context
def main(ctx: click.Context, debug: bool, isolated: bool, no_plugins: bool) -> None:
    """labellint: lint machine-learning dataset labels against their label spec."""
    from labellint.settings.trust import Trust, set_trust

    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    set_trust(Trust(isolated=isolated, plugins=not no_plugins))
    ctx.call_on_close(lambda: set_trust(None))


# Each command's module is imported when the command runs (or --help lists it): `--version` and
# `check` must not import the other commands' dependencies.
COMMANDS = {
    "agree": "labellint.cli.agree:agree",
    "check": "labellint.cli.check:check",
    "completion": "labellint.cli.completion:completion",
    "diff": "labellint.cli.diff:diff",
    "gate": "labellint.cli.gate:gate",
    "golden": "labellint.cli.golden:golden",
    "init": "labellint.cli.init:init",
    "log": "labellint.cli.diff:log",
    "migrate": "labellint.cli.migrate:migrate",
    "report": "labellint.cli.report:report",
    "review": "labellint.cli.review:review",
    "rule": "labellint.cli.rules:rule_command",
    "rules": "labellint.cli.rules:rules_command",
    "sample": "labellint.cli.sample:sample",
    "spec": "labellint.cli.spec:spec",
    "stats": "labellint.cli.stats:stats",
    "suspects": "labellint.cli.suspects:suspects",
}
SPEC_COMMANDS = (
    "labellint.cli.spec_versions:spec_diff",
    "labellint.cli.spec_versions:spec_check_command",
    "labellint.cli.spec_versions:spec_bump",
    "labellint.cli.spec_versions:spec_affected",
    "labellint.cli.spec_share:spec_render",
    "labellint.cli.spec_share:spec_export",
)


def _load(target: str) -> click.Command:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _command(name: str) -> click.Command | None:
    """The command called `name`, imported and registered on first use."""
    if name not in main.commands and name in COMMANDS:
        command = _load(COMMANDS[name])
        if name == "spec":
            for target in SPEC_COMMANDS:
                command.add_command(_load(target))
        main.add_command(command, name)
    return main.commands.get(name)


def run() -> None:  # pragma: no cover - the console-script entry point
    main(prog_name="labellint")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
