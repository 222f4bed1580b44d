"""``costgate pricing ...``: validate, list, show, diff and sync price tables.

Options and output only: the work is ``pricing`` (validate, sync), ``gate.pricing``
(diff) and the renderers in ``report.pricing_table`` / ``report.pricing_diff``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import CostgateError
from .options import PRICING_DIFF_FORMATS, PRICING_TABLE_FORMATS, emit, say, table_width, today_or, wide_option

if TYPE_CHECKING:
    from ..pricing import PriceTable


def _table(paths: tuple[Path, ...]) -> PriceTable:
    from ..pricing import load_table, shipped_pricing_dir

    return load_table([shipped_pricing_dir(), *paths]) if paths else load_table()


@click.group()
def pricing() -> None:
    """Inspect, check and update the price tables (USD per 1M tokens).

    \b
      costgate pricing list --provider openai
      costgate pricing show claude-sonnet-4-5
      costgate pricing validate pricing/
      costgate pricing diff --base origin/main --format markdown
    """


@pricing.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def validate(paths) -> int:
    """Check price files: schema, quoted decimal prices, sanity rules.

    PATHS are directories of <provider>.yaml files or single files (default: the shipped
    table). Every error is printed as file:line: message; other layers are checked on
    top of the shipped table, as `costgate estimate` would load them. Exit 2 on any error.
    """
    from ..pricing import validate as run

    result = run(list(paths) or None)
    if not result.ok:
        for err in result.errors[:-1]:
            say(f"error: {err}")
        last = result.errors[-1]
        if len(result.errors) > 1:
            raise CostgateError(f"{last}\n{len(result.errors)} errors in the price files")
        raise last
    click.echo(f"{result.models} models in {len(result.files)} files OK")
    return 0


@pricing.command("list")
@click.option("--provider", "provider", default=None, help="Only this provider's models (e.g. openai).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Prices in force that day.  [default: today]")
@click.option("--pricing", "layers", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra pricing file or directory layered over the shipped table (repeatable).")
@click.option("--format", "fmt", type=PRICING_TABLE_FORMATS, default="table", show_default=True)
@wide_option
def list_(provider, as_of, layers, fmt, wide) -> None:
    """List every model with its current prices (USD per 1M tokens).

    A tokenizer marked ~ is approximate: an exact base tokenizer's count times a ratio.
    """
    from ..errors import suggest
    from ..repo import find_root
    from ..report.pricing_table import list_report

    table, day = _table(layers), today_or(as_of)
    if provider is not None and provider not in table.providers:
        raise CostgateError(f"unknown provider {provider!r}",
                            hint=suggest(provider, sorted(table.providers))
                            or f"known: {', '.join(sorted(table.providers))}")
    models = sorted((m for m in table.models.values() if provider in (None, m.provider)),
                    key=lambda m: (m.provider, m.id))
    emit(list_report(table, models, day, fmt, find_root(Path.cwd()), table_width(wide)))


@pricing.command()
@click.argument("model")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Mark the period in force that day.  [default: today]")
@click.option("--pricing", "layers", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra pricing file or directory layered over the shipped table (repeatable).")
@click.option("--format", "fmt", type=PRICING_TABLE_FORMATS, default="table", show_default=True)
def show(model, as_of, layers, fmt) -> None:
    """Show one model (id or alias): every price period, tiers, tokenizer, lifecycle."""
    from ..repo import find_root
    from ..report.pricing_table import show_report

    table, day = _table(layers), today_or(as_of)
    emit(show_report(table, table.model(model, where="costgate pricing show", as_of=day), day, fmt,
                     find_root(Path.cwd())))


@pricing.command()
@click.option("--base", required=True, metavar="REF", help="Base ref: branch, tag or SHA (e.g. origin/main).")
@click.option("--head", default=None, metavar="REF", help="Head ref.  [default: the working tree]")
@click.option("--format", "fmt", type=PRICING_DIFF_FORMATS, default="table", show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file.")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Config with specs: and pricing:.  [default: costgate.yaml, else pyproject.toml]")
@click.option("--table", "table_dir", default="auto", show_default=True, metavar="DIR",
              help="Repository directory holding a full price table; 'auto' uses pricing/ when it "
                   "exists and is not a pricing: override layer; '-' uses this install's table.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Compare prices in force that day.  [default: today]")
@click.option("--seed", type=int, default=None, help="Monte Carlo seed (same on both sides).")
@click.option("-C", "--repo", "repo", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=".", show_default=True, help="Repository root.")
def diff(base, head, fmt, output, config, table_dir, as_of, seed, repo) -> int:
    """Report what a price-table change does: rates, models, and gated spend.

    Builds the repository's price table at --base (from git objects) and at head, lists
    every rate that changed (old -> new, %), models added and removed, then prices every
    spec gated in costgate.yaml with both tables, templates held fixed at head, so the
    monthly before/after is the price change alone. Reports only: exit 0.

    \b
    Example:
      costgate pricing diff --base origin/main --format markdown -o comment.md
    """
    from ..estimate.simulate import DEFAULT_SEED
    from ..gate.pricing import pricing_diff
    from ..repo import find_root
    from ..report.pricing_diff import FORMATS as RENDER

    result = pricing_diff(find_root(Path(repo)), base, head, config_path=config,
                          table_dir=None if table_dir == "-" else table_dir, as_of=today_or(as_of),
                          seed=DEFAULT_SEED if seed is None else seed)
    emit(RENDER[fmt](result), output, fmt=fmt)
    return 0


@pricing.command()
@click.option("--from", "source", required=True, metavar="genai-prices|litellm[:PATH]",
              help="Where to compare prices from: the optional genai-prices package's bundled data, "
              "or litellm's model_prices_and_context_window.json (PATH, or the copy tokencost bundles; "
              "report only).")
@click.option("--add-new", "add_new", is_flag=True, default=False,
              help="genai-prices: also add the current models it lists that the table lacks (rules "
              "map tokenizer and capability; models no rule maps are listed).")
@click.option("--dir", "directory", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Price directory to compare and update.  [default: ./pricing if it "
              "exists, else the shipped table (read only)]")
@click.option("--write/--dry-run", default=False, show_default=True,
              help="Append a price period (since: --as-of) for every difference, or only report.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Compare, and date new periods, this day.  [default: today]")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def sync(source, directory, write, as_of, fmt, add_new) -> None:
    """Compare the price table with genai-prices and write the differences.

    Compares the ordinary rates (input, cached input, output, long-context tiers) of
    every model costgate carries. Models or fields that cannot be mapped are listed, not
    guessed. With --write, each model that differs gets a new price period (history is
    never overwritten) and a bumped `checked` date; tier differences are reported only.
    Needs `pip install 'costgate[sync]'`.
    """
    from ..pricing import load_table, shipped_pricing_dir
    from ..pricing.sync import compare, load_genai_prices, write_updates
    from ..report.pricing_table import sync_report

    day = today_or(as_of)
    if directory is None:
        directory = Path("pricing") if Path("pricing").is_dir() else shipped_pricing_dir()
    if source == "litellm" or source.startswith("litellm:"):
        from ..pricing.litellm import compare_litellm, litellm_path

        emit(sync_report(compare_litellm(load_table([directory]), day, litellm_path(source)), day, {}, fmt, False))
        return
    if source != "genai-prices":
        raise CostgateError(f"unknown --from {source!r}", hint="use genai-prices, litellm or litellm:PATH")
    module = load_genai_prices()
    if write and directory.resolve().name == "pricing_data":
        raise CostgateError("refusing to edit the installed copy of the price table",
                            file=str(directory), hint="run in a checkout: --dir pricing")
    report = compare(load_table([directory]), day, module)
    written = write_updates(report, directory, day) if write else {}
    if add_new:
        from ..pricing.add import plan, write_new

        added = plan(load_table([directory]), day, module)
        new_written = write_new(added, directory, day) if write else {}
        for path, ids in new_written.items():
            written[Path(f"{path} (new models)")] = ids
        report = replace(report, unmapped=report.unmapped + tuple(
            [f"new in {added.source}: {m.provider}/{m.id}" for m in added.new] * (not write)
            + list(added.unmapped)))
    emit(sync_report(report, day, written, fmt, write))
