"""The ``costgate`` command: parse options, call the library, format, exit.

Exit codes: 0 ok, 1 gate failed, 2 bad input (a CostgateError), 3 a bug. Errors are
turned into messages in exactly one place (``main``). One module per command group;
the library never imports click.
"""

from __future__ import annotations

import decimal
import os
import sys
import traceback

import click

from ..errors import CostgateError
from ..report.escape import neutralize_commands
from ..version import __version__
from .calibrate import calibrate
from .comment import comment
from .completion import completion
from .estimate import estimate, tokens
from .gate import check, diff
from .init import init
from .options import EXIT_BUG, EXIT_INPUT, EXIT_OK, color, say
from .pricing import pricing


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="costgate")
def cli() -> None:
    """Know what an LLM feature costs before it ships.

    Describe the LLM calls of one user session in a spec (YAML + Jinja2 templates +
    sample queries), then:

    \b
      costgate estimate fixtures/support-bot/support-bot.costgate.yaml
      costgate tokens --model gpt-4o prompt.txt
      costgate diff --base origin/main          # the pull-request gate
      costgate comment github --body-file report.md

    Everything runs offline. Exit codes: 0 ok, 1 gate failed, 2 bad input, 3 a bug in
    costgate (please report it).
    """


for command in (estimate, tokens, diff, check, init, pricing, calibrate, completion, comment):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: the one place errors become messages and exit codes."""
    try:
        rv = cli.main(args=argv, prog_name="costgate", standalone_mode=False)
        return rv if isinstance(rv, int) else EXIT_OK
    except CostgateError as exc:
        click.echo(click.style("error: ", fg="red", bold=True) + neutralize_commands(str(exc)), err=True, color=color())
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_INPUT
    except click.ClickException as exc:
        _show_usage_error(exc)
        return EXIT_INPUT
    except ValueError as exc:
        if "null byte" not in str(exc):  # only os-level path checks reach here as ValueError
            return _crashed()
        say("error: a path on the command line contains a NUL byte")
        return EXIT_INPUT
    except (MemoryError, RecursionError, decimal.Overflow) as exc:  # input too large or too deep, not a bug
        reason = {"MemoryError": "ran out of memory", "RecursionError": "input nested too deeply"}.get(
            type(exc).__name__, "a number out of range")
        say(f"error: {reason}; the input is larger than costgate can handle\n"
            "  hint: see docs/limits.md for the bounds and how to raise them")
        return EXIT_INPUT
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:  # a bug: say so, keep the traceback for COSTGATE_DEBUG=1
        return _crashed()


def _crashed() -> int:
    if os.environ.get("COSTGATE_DEBUG") == "1":
        traceback.print_exc()
    else:
        click.echo("costgate crashed (a bug, not your input). Please report it with the output of "
                   "COSTGATE_DEBUG=1 costgate ...", err=True)
    return EXIT_BUG


def _show_usage_error(exc: click.ClickException) -> None:
    """click's own message, with workflow commands neutralised (it quotes arguments)."""
    ctx = getattr(exc, "ctx", None)
    text = ""
    if isinstance(exc, click.UsageError) and ctx is not None:
        text = ctx.get_usage() + "\n"
        if ctx.command.get_help_option(ctx) is not None:
            text += f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.\n"
        text += "\n"
    say(text + f"Error: {exc.format_message()}")


def entry() -> None:
    sys.exit(main())


__all__ = ["cli", "main", "entry"]
