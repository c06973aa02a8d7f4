"""The command line: the only layer that prints or chooses an exit code."""

from __future__ import annotations

import os
import sys
import traceback

import click

from labellint import __version__
from labellint.support import stderr

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool killed by it


class LabellintGroup(click.Group):
    """Turns fatal errors into one line on stderr and exit 2, never a traceback (unless --debug)."""

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


def _register() -> None:
    from labellint.cli.agree import agree
    from labellint.cli.check import check
    from labellint.cli.completion import completion
    from labellint.cli.diff import diff, log
    from labellint.cli.gate import gate
    from labellint.cli.golden import golden
    from labellint.cli.init import init
    from labellint.cli.migrate import migrate
    from labellint.cli.report import report
    from labellint.cli.review import review
    from labellint.cli.rules import rule_command, rules_command
    from labellint.cli.sample import sample
    from labellint.cli.spec import spec
    from labellint.cli.stats import stats
    from labellint.cli.suspects import suspects

    main.add_command(check)
    main.add_command(spec)
    main.add_command(review)
    from labellint.cli.spec_share import spec_export, spec_render
    from labellint.cli.spec_versions import spec_affected, spec_bump, spec_check_command, spec_diff

    for command in (spec_diff, spec_check_command, spec_bump, spec_affected, spec_render, spec_export):
        spec.add_command(command)
    main.add_command(agree)
    main.add_command(diff)
    main.add_command(log)
    main.add_command(rules_command)
    main.add_command(rule_command)
    main.add_command(golden)
    main.add_command(gate)
    main.add_command(init)
    main.add_command(migrate)
    main.add_command(sample)
    main.add_command(stats)
    main.add_command(suspects)
    main.add_command(report)
    main.add_command(completion)


_register()


def run() -> None:  # pragma: no cover - the console-script entry point
    main(prog_name="labellint")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
