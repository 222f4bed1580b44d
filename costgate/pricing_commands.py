"""``costgate pricing ...``: validate, list, show, diff and sync price tables.

Parsing options and formatting only; the work is done by ``pricing`` (validate),
``pricing_diff`` and ``sync``. Registered on the main group with
``cli.add_command(pricing)``. Errors are ``CostgateError``s, turned into exit 2 by
``costgate.cli.main``.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import click
from tabulate import tabulate

from .errors import CostgateError
from .pricing import Model, PricePeriod, PriceTable, load_table, shipped_pricing_dir

FORMATS = click.Choice(["table", "json", "markdown"])
SCHEMA_VERSION = 1


def _emit(text: str, output: str | None = None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _day(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CostgateError(f"--as-of must be a date like 2025-06-01, got {value!r}") from None


def _table(paths: tuple[Path, ...]) -> PriceTable:
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


# ---------------------------------------------------------------------------- validate

@pricing.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def validate(paths) -> int:
    """Check price files: schema, quoted decimal prices, sanity rules.

    PATHS are directories of <provider>.yaml files or single files (default: the shipped
    table). Every error is printed as file:line: message; other layers are checked on
    top of the shipped table, as `costgate estimate` would load them. Exit 2 on any error.
    """
    from .pricing import validate as run

    result = run(list(paths) or None)
    if not result.ok:
        for err in result.errors[:-1]:
            click.echo(f"error: {err}", err=True)
        last = result.errors[-1]
        if len(result.errors) > 1:
            raise CostgateError(f"{last}\n{len(result.errors)} errors in the price files")
        raise last
    click.echo(f"{result.models} models in {len(result.files)} files OK")
    return 0


# -------------------------------------------------------------------------- list / show

def _p(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:f}"


def _tokenizer(table: PriceTable, m: Model) -> str:
    if m.tokenizer in table.approximations:
        base, ratio, _ = table.approximations[m.tokenizer]
        return f"~{m.tokenizer} ({ratio}x {base})"
    return m.tokenizer


def _tiers(period: PricePeriod) -> str:
    return "; ".join(f">{t.above:,}: {_p(t.rates.input)}/{_p(t.rates.output)}" for t in period.tiers) or "-"


def _current(m: Model, as_of: date) -> PricePeriod | None:
    try:
        return m.price_at(as_of)
    except CostgateError:
        return None


def _model_dict(table: PriceTable, m: Model, as_of: date) -> dict:
    def rates(r) -> dict:
        return {k: None if v is None else str(v) for k, v in vars(r).items()}

    def period(p: PricePeriod) -> dict:
        return {"since": p.since.isoformat(), **rates(p.rates),
                "tiers": [{"above": t.above, **rates(t.rates)} for t in p.tiers]}

    cur = _current(m, as_of)
    approx = table.approximations.get(m.tokenizer)
    return {
        "model": m.id, "provider": m.provider, "name": m.name, "kind": m.kind,
        "aliases": list(m.aliases), "tokenizer": m.tokenizer,
        "tokenizer_approximate": approx is not None,
        "tokenizer_ratio": None if approx is None else str(approx[1]),
        "context_window": m.context_window, "checked": m.checked.isoformat(),
        "deprecated": m.deprecated and m.deprecated.isoformat(),
        "retired": m.retired and m.retired.isoformat(),
        "current": None if cur is None else period(cur),
        "history": [period(p) for p in m.prices],
        "file": m.file, "line": m.line,
    }


LIST_HEADERS = ["model", "provider", "input", "cached", "write 5m/1h", "output", "batch in/out",
                "tiers >N in/out", "tokenizer", "context", "since", "checked", "retired"]


def _row(table: PriceTable, m: Model, as_of: date) -> list[str]:
    p = _current(m, as_of)
    r = p.rates if p else None
    get = (lambda k: _p(getattr(r, k))) if r else (lambda k: "-")
    writes = "-" if r is None or (r.cache_write_5m is None and r.cache_write_1h is None) else \
        f"{get('cache_write_5m')}/{get('cache_write_1h')}"
    batch = "-" if r is None or (r.batch_input is None and r.batch_output is None) else \
        f"{get('batch_input')}/{get('batch_output')}"
    return [m.id, m.provider, get("input"), get("cached_input"), writes, get("output"), batch,
            _tiers(p) if p else "-", _tokenizer(table, m),
            f"{m.context_window:,}" if m.context_window else "-",
            p.since.isoformat() if p else f"from {m.prices[0].since}", m.checked.isoformat(),
            m.retired.isoformat() if m.retired else "-"]


@pricing.command("list")
@click.option("--provider", "provider", default=None, help="Only this provider's models (e.g. openai).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Prices in force that day.  [default: today]")
@click.option("--pricing", "layers", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra pricing file or directory layered over the shipped table (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def list_(provider, as_of, layers, fmt) -> None:
    """List every model with its current prices (USD per 1M tokens).

    A tokenizer marked ~ is approximate: an exact base tokenizer's count times a ratio.
    """
    table, day = _table(layers), _day(as_of)
    if provider is not None and provider not in table.providers:
        from .errors import suggest

        raise CostgateError(f"unknown provider {provider!r}",
                            hint=suggest(provider, sorted(table.providers))
                            or f"known: {', '.join(sorted(table.providers))}")
    models = [m for m in table.models.values() if provider in (None, m.provider)]
    models.sort(key=lambda m: (m.provider, m.id))
    if fmt == "json":
        _emit(json.dumps({"schema_version": SCHEMA_VERSION, "kind": "pricing-list", "as_of": day.isoformat(),
                          "models": [_model_dict(table, m, day) for m in models]}, indent=2) + "\n")
        return
    style = "github" if fmt == "markdown" else "simple"
    _emit(f"USD per 1M tokens, prices in force on {day.isoformat()}\n\n"
          + tabulate([_row(table, m, day) for m in models], headers=LIST_HEADERS, tablefmt=style,
                     disable_numparse=True) + "\n")


@pricing.command()
@click.argument("model")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Mark the period in force that day.  [default: today]")
@click.option("--pricing", "layers", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra pricing file or directory layered over the shipped table (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def show(model, as_of, layers, fmt) -> None:
    """Show one model (id or alias): every price period, tiers, tokenizer, lifecycle."""
    table, day = _table(layers), _day(as_of)
    m = table.model(model, where="costgate pricing show")
    if fmt == "json":
        _emit(json.dumps({"schema_version": SCHEMA_VERSION, "kind": "pricing-show", "as_of": day.isoformat(),
                          **_model_dict(table, m, day)}, indent=2) + "\n")
        return
    style = "github" if fmt == "markdown" else "simple"
    cur = _current(m, day)
    approx = table.approximations.get(m.tokenizer)
    facts = [
        ["model", f"{m.id} ({m.name})"], ["provider", table.providers[m.provider].name],
        ["aliases", ", ".join(m.aliases) or "-"], ["kind", m.kind],
        ["tokenizer", _tokenizer(table, m) + (f": {approx[2]}" if approx else " (exact)")],
        ["context window", f"{m.context_window:,}" if m.context_window else "-"],
        ["cache min tokens", f"{m.cache_min_tokens:,}" if m.cache_min_tokens else "-"],
        ["checked", m.checked.isoformat()],
        ["deprecated", m.deprecated.isoformat() if m.deprecated else "-"],
        ["retired", m.retired.isoformat() if m.retired else "-"],
        ["source", f"{table.providers[m.provider].source} ({m.file}:{m.line})"],
    ]
    rows = []
    for p in m.prices:
        mark = "*" if p is cur else ""
        for label, r in [("base", p.rates)] + [(f">{t.above:,} input", t.rates) for t in p.tiers]:
            rows.append([f"{p.since.isoformat()}{mark}" if label == "base" else "", label,
                         *[_p(getattr(r, k)) for k in ("input", "cached_input", "cache_write_5m",
                                                       "cache_write_1h", "output", "batch_input",
                                                       "batch_output")]])
    headers = ["since", "applies to", "input", "cached", "write 5m", "write 1h", "output",
               "batch in", "batch out"]
    text = tabulate(facts, tablefmt="plain" if style == "simple" else style, disable_numparse=True,
                    **({} if style == "simple" else {"headers": ["", ""]}))
    _emit(text + f"\n\nUSD per 1M tokens; * marks the period in force on {day.isoformat()}"
          + ("" if cur else " (none yet)") + "\n\n"
          + tabulate(rows, headers=headers, tablefmt=style, disable_numparse=True) + "\n")


# -------------------------------------------------------------------------------- diff

@pricing.command()
@click.option("--base", required=True, metavar="REF", help="Base ref: branch, tag or SHA (e.g. origin/main).")
@click.option("--head", default=None, metavar="REF", help="Head ref.  [default: the working tree]")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="Report format.")
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
    from .pricing_diff import pricing_diff, to_json, to_markdown, to_table
    from .simulate import DEFAULT_SEED
    from .source import find_root

    result = pricing_diff(find_root(Path(repo)), base, head, config_path=config,
                          table_dir=None if table_dir == "-" else table_dir, as_of=_day(as_of),
                          seed=DEFAULT_SEED if seed is None else seed)
    _emit({"table": to_table, "json": to_json, "markdown": to_markdown}[fmt](result), output)
    return 0


# -------------------------------------------------------------------------------- sync

@pricing.command()
@click.option("--from", "source", type=click.Choice(["genai-prices"]), required=True,
              help="Where to compare prices from (the optional genai-prices package's bundled data).")
@click.option("--dir", "directory", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Price directory to compare and update.  [default: ./pricing if it "
              "exists, else the shipped table (read only)]")
@click.option("--write/--dry-run", default=False, show_default=True,
              help="Append a price period (since: --as-of) for every difference, or only report.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Compare, and date new periods, this day.  [default: today]")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def sync(source, directory, write, as_of, fmt) -> None:
    """Compare the price table with genai-prices and write the differences.

    Compares the ordinary rates (input, cached input, output, long-context tiers) of
    every model costgate carries. Models or fields that cannot be mapped are listed, not
    guessed. With --write, each model that differs gets a new price period (history is
    never overwritten) and a bumped `checked` date; tier differences are reported only.
    Needs `pip install 'costgate[sync]'`.
    """
    from .sync import compare, load_genai_prices, write_updates

    module = load_genai_prices()
    day = _day(as_of)
    if directory is None:
        directory = Path("pricing") if Path("pricing").is_dir() else shipped_pricing_dir()
    if write and directory.resolve().name == "pricing_data":
        raise CostgateError("refusing to edit the installed copy of the price table",
                            file=str(directory), hint="run in a checkout: --dir pricing")
    report = compare(load_table([directory]), day, module)
    written = write_updates(report, directory, day) if write else {}
    if fmt == "json":
        _emit(json.dumps({
            "schema_version": SCHEMA_VERSION, "kind": "pricing-sync", "source": report.source,
            "as_of": day.isoformat(), "compared": report.compared,
            "differences": [{"model": d.model, "provider": d.provider, "field": d.field,
                             "ours": None if d.ours is None else str(d.ours),
                             "theirs": None if d.theirs is None else str(d.theirs),
                             "writable": d.writable} for d in report.differences],
            "unmapped": list(report.unmapped),
            "written": {str(k): v for k, v in written.items()},
        }, indent=2) + "\n")
        return
    lines = [f"compared {report.compared} models with {report.source} on {day.isoformat()}: "
             f"{len(report.differences)} differences", ""]
    if report.differences:
        lines += [tabulate([[d.model, d.provider, d.field, _p(d.ours), _p(d.theirs),
                             "" if d.writable else "report only"] for d in report.differences],
                           headers=["model", "provider", "rate", "costgate", source, ""],
                           tablefmt="simple", disable_numparse=True), ""]
    if report.unmapped:
        lines += ["not compared:", *[f"  {u}" for u in report.unmapped], ""]
    for path, models in written.items():
        lines.append(f"{'skipped' if str(path) == '-' else f'wrote {path}'}: {', '.join(models)}")
    if not write and any(d.writable for d in report.differences):
        lines.append("dry run: pass --write to append these prices as new periods")
    _emit("\n".join(lines) + "\n")
