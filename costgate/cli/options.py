"""What every command shares: formats, the ``--as-of`` parser, output, progress, and the
option decorators several commands take (sqlite-utils' ``output_options`` pattern)."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Callable, TypeVar

import click

from ..errors import CostgateError
from ..report.escape import neutralize_commands, plain

F = TypeVar("F", bound=Callable)


class RendererChoice(click.Choice):
    """``--format``: the formats a renderer module registers in its ``FORMATS`` dict, read
    when the option is used (so ``costgate --help`` does not import the renderers). A new
    format is one function and one ``FORMATS`` line in its renderer module."""

    def __init__(self, module: str) -> None:
        self.module = module
        super().__init__([], case_sensitive=True)

    @property
    def choices(self) -> tuple[str, ...]:
        import importlib

        return tuple(importlib.import_module(self.module).FORMATS)

    @choices.setter
    def choices(self, value: object) -> None:
        pass


ESTIMATE_FORMATS = RendererChoice("costgate.report.estimate")
GATE_FORMATS = RendererChoice("costgate.report.gate")
PRICING_DIFF_FORMATS = RendererChoice("costgate.report.pricing_diff")
PRICING_TABLE_FORMATS = RendererChoice("costgate.report.pricing_table")
EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3


def color() -> bool | None:
    """False under NO_COLOR; else click decides (colour only on a terminal)."""
    return False if os.environ.get("NO_COLOR") else None


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CostgateError(f"--as-of must be a date like 2025-06-01, got {value!r}") from None


def today_or(value: str | None) -> date:
    return parse_day(value) or date.today()


def emit(text: str, output: str | None = None, *, fmt: str | None = None, quiet: bool = False) -> None:
    """Write a report to ``output``, or to stdout (where lines a CI runner would take for
    workflow commands are neutralised: reports quote file names a pull request chose).
    A report written to a file is confirmed on stderr ("wrote markdown report to
    comment.md (2817 bytes)"), unless ``quiet``."""
    if output:
        if os.path.lexists(output) and not os.path.isfile(output):
            raise CostgateError(f"cannot write {output}: not a regular file",
                                hint="-o takes a file in an existing, writable directory")
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CostgateError(f"cannot write {output}: {exc.strerror or exc}",
                                hint="-o takes a file in an existing, writable directory") from None
        if not quiet:
            size = len(text.encode("utf-8"))
            say(f"wrote {fmt + ' ' if fmt else ''}report to {plain(output)} ({size} bytes)")
    else:
        click.echo(neutralize_commands(text), nl=not text.endswith("\n"), color=color())


def table_width(wide: bool, output: str | None = None) -> int | None:
    """The width terminal tables fit (``report.width``): None (full width) with
    ``--wide``, with ``-o FILE`` and when stdout is not a terminal, unless COLUMNS is set;
    on a terminal its width (``shutil.get_terminal_size``, which honours COLUMNS)."""
    if wide or output:
        return None
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def wide_option(f: F) -> F:
    return click.option("--wide", is_flag=True, help="Tables at full width, whatever the terminal's width "
                        "(the default on a pipe, in a file and in CI logs).")(f)


def say(text: str, *, err: bool = True) -> None:
    """One message for a person (stderr by default), neutralised like ``emit``."""
    click.echo(neutralize_commands(text), err=err, color=color())


def progress() -> Callable[[int, int, Path], None] | None:
    """Progress on stderr, only for a person at a terminal (never in CI logs or pipes)."""
    if not sys.stderr.isatty():
        return None

    def show(i: int, n: int, path: Path) -> None:
        click.echo(f"\r\033[Kestimating {i}/{n}: {plain(path.name)}", err=True, nl=False, color=color())
        if i == n:
            click.echo("\r\033[K", err=True, nl=False)

    return show


def _apply(f: F, options: list) -> F:
    for opt in reversed(options):
        f = opt(f)
    return f


def as_of_option(help_text: str) -> Callable[[F], F]:
    return click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help=f"{help_text}  [default: today]")


def pricing_layers_option(name: str = "pricing") -> Callable[[F], F]:
    return click.option("--pricing", name, multiple=True, type=click.Path(exists=True, path_type=Path),
                        help="Extra pricing file or directory layered over the shipped table (repeatable).")


def repo_option(f: F) -> F:
    return click.option("-C", "--repo", "repo", type=click.Path(file_okay=False, exists=True, path_type=Path),
                        default=".", show_default=True, help="Repository root.")(f)


def seed_option(help_text: str) -> Callable[[F], F]:
    return click.option("--seed", type=int, default=None, help=help_text)


def output_option(help_text: str = "Write the report to a file instead of stdout.") -> Callable[[F], F]:
    return click.option("-o", "--output", type=click.Path(dir_okay=False), help=help_text)


def cache_options(f: F) -> F:
    """``--cache-dir`` and ``--no-cache``: the estimate cache (``gate.cache``)."""
    return _apply(f, [
        click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
                     help="Keep estimates here, keyed by a hash of every input (spec, templates, samples, prices, "
                          "day, seed, costgate's version); unwritable: no cache.  "
                          "[default: $XDG_CACHE_HOME/costgate, else ~/.cache/costgate]"),
        click.option("--no-cache", "no_cache", is_flag=True, help="Neither read nor write the estimate cache."),
    ])


def open_cache(cache_dir: Path | None, no_cache: bool):  # -> gate.cache.EstimateCache (imported lazily)
    from ..gate.cache import EstimateCache

    return EstimateCache.at(cache_dir, enabled=not no_cache)


def gate_options(f: F) -> F:
    """The options ``diff`` and ``check`` share."""
    return _apply(f, [
        click.option("--head", default=None, metavar="REF", help="Head ref.  [default: the working tree]"),
        click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Gate config.  [default: costgate.yaml, else [tool.costgate] in pyproject.toml]"),
        click.option("--format", "fmt", type=GATE_FORMATS, default="table", show_default=True, help="Report format."),
        wide_option,
        output_option("Write the report to a file (it is written before the exit code reports a failure)."),
        click.option("--quiet", is_flag=True, help="Write no report at all when no costed number changed "
                     "(no PR comment noise), and do not confirm on stderr what -o wrote."),
        click.option("--annotations/--no-annotations", default=None,
                     help="Print GitHub ::error annotations.  [default: on under GitHub Actions]"),
        as_of_option("Price both sides as of this day."),
        seed_option("Monte Carlo seed (same on both sides)."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                     help="Estimate in N worker processes (1: in this process; the report is the same).  "
                          "[default: the number of cores]"),
        cache_options,
        repo_option,
    ])
