"""`labellint completion SHELL`: the shell's completion script, as `ruff generate-shell-completion` prints it."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")


@click.command()
@click.argument("shell", type=click.Choice(SHELLS), metavar="SHELL")
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish).

    bash: `eval "$(labellint completion bash)"` in ~/.bashrc; zsh: the same with `zsh` in ~/.zshrc;
    fish: `labellint completion fish > ~/.config/fish/completions/labellint.fish`.
    """
    from click.shell_completion import get_completion_class

    # The script completes the installed command, whatever name this process was started under
    # (`python -m labellint`); the variable is the one click's completion reads back.
    script_class = get_completion_class(shell)
    source = script_class(ctx.find_root().command, {}, "labellint", "_LABELLINT_COMPLETE").source()
    click.echo(source, nl=False)
