"""``costgate completion SHELL``: print click's shell-completion script for costgate."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_COSTGATE_COMPLETE"


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the shell-completion script for SHELL (bash, zsh or fish).

    The script asks costgate itself for completions (commands, options, choices and
    paths) through the _COSTGATE_COMPLETE environment variable, so it stays right after
    an upgrade. Load it once per shell, or save it where your shell looks for completions.

    \b
    Examples:
      eval "$(costgate completion bash)"                                 # ~/.bashrc
      eval "$(costgate completion zsh)"                                  # ~/.zshrc
      costgate completion fish > ~/.config/fish/completions/costgate.fish
    """
    from click.shell_completion import get_completion_class

    ctx = click.get_current_context()
    cls = get_completion_class(shell)
    if cls is None:  # click knows the three SHELLS; a future click dropping one is a bug here
        raise RuntimeError(f"click has no completion class for {shell}")
    root = ctx.find_root().command
    click.echo(cls(root, {}, "costgate", COMPLETE_VAR).source(), nl=False)
