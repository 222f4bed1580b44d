"""``costgate estimate`` and ``costgate tokens``."""

from __future__ import annotations

from typing import IO

import click

from ..errors import CostgateError
from .options import (
    ESTIMATE_FORMATS,
    as_of_option,
    cache_options,
    emit,
    open_cache,
    output_option,
    parse_day,
    pricing_layers_option,
    progress,
    say,
)


@click.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=ESTIMATE_FORMATS, default="table", show_default=True, help="Output format.")
@click.option("--seed", type=int, default=None, help="Seed for the Monte Carlo session draws (p95).  [default: 20240601]")
@click.option("--sessions", type=click.IntRange(1, 1_000_000), default=2000, show_default=True,
              help="Simulated sessions for the p95 session cost.")
@as_of_option("Price with the table as it stood that day.")
@pricing_layers_option()
@click.option("--no-alternatives", is_flag=True, help="Skip pricing the feature on each model alone and on scenarios.")
@click.option("--what-if", "what_if", is_flag=True,
              help="Try each cost lever alone (prompt caching, cheaper model, 5-turn history window, batch for "
                   "offline calls, compressed system prompt) and rank the monthly savings.")
@cache_options
@output_option()
def estimate(specs, fmt, seed, sessions, as_of, pricing, no_alternatives, what_if, cache_dir, no_cache, output) -> None:
    """Project per-call, per-session and monthly spend of one or more specs.

    SPECS are spec files or directories (a directory finds **/*.costgate.yaml, or the
    specs its costgate.yaml lists). Every template is rendered over every sample, tokens
    are counted exactly (o200k/cl100k) or approximately (other families, marked ~), and
    priced with the declared model mix, each model alone, and each scenario.

    \b
    Example:
      costgate estimate fixtures/ --format json
    """
    from ..estimate.simulate import DEFAULT_SEED
    from ..gate.runner import analyse_cached
    from ..report.estimate import FORMATS as RENDER
    from ..report.estimate import warning_text

    analyses = analyse_cached(specs, cache=open_cache(cache_dir, no_cache), as_of=parse_day(as_of),
                              seed=DEFAULT_SEED if seed is None else seed, sessions=sessions, pricing=pricing,
                              alternatives=not no_alternatives, levers=what_if, progress=progress())
    emit(RENDER[fmt](analyses), output)
    for a in analyses:
        for w in a.estimate.warnings:
            say(f"warning: {a.estimate.feature}: {warning_text(w)}")


@click.command()
@click.argument("file", required=False, default="-", type=click.File("rb"))
@click.option("-m", "--model", default="gpt-4o", show_default=True, help="Model whose tokenizer (and chat overhead) to use.")
@click.option("--messages", is_flag=True, help="Input is a JSON list of chat messages: [{\"role\": ..., \"content\": ...}].")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def tokens(file, model, messages, fmt) -> None:
    """Count the tokens of FILE (or stdin) the way the estimator does.

    Plain text is counted as is. With --messages, FILE is a JSON list of chat messages
    and the count includes the provider's per-message overhead and reply priming, i.e.
    the prompt tokens you are billed for.

    \b
    Examples:
      costgate tokens --model gpt-4o-mini prompts/system.j2
      echo '[{"role":"user","content":"hi"}]' | costgate tokens --messages
    """
    import json

    from ..pricing import load_table
    from ..tokens import count_messages, parse_messages

    table = load_table()
    m = table.model(model, where="--model")
    tok, ov = table.tokenizer(m), table.overhead(m)
    name = str(getattr(file, "name", "-"))
    text = read_input(file, name)
    count = count_messages(tok, parse_messages(text, name), ov) if messages else tok.count(text)
    if fmt == "json":
        click.echo(json.dumps({"schema_version": 1, "model": m.id, "tokenizer": tok.name, "exact": tok.exact,
                               "messages": messages, "tokens": count}))
    else:
        click.echo(f"{'~' if not tok.exact else ''}{count}")
        if not tok.exact:
            say(f"~ approximate: {m.id} uses the {tok.name} tokenizer, estimated from o200k_base")


def read_input(file: IO[bytes], name: str) -> str:
    """What ``costgate tokens`` counts: UTF-8 text, at most ``tokens_input_bytes`` of it."""
    from ..limits import DEFAULT_LIMITS

    cap = DEFAULT_LIMITS.tokens_input_bytes
    try:
        data = file.read(cap + 1)
    except OSError as exc:
        raise CostgateError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(data) > cap:
        raise DEFAULT_LIMITS.exceeded("tokens_input_bytes", f"{name} has more than {cap:,} bytes, which")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CostgateError(f"{name} is not UTF-8 text (byte {exc.start})",
                            hint="costgate tokens counts text; decode the file first") from None
