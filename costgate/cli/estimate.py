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
    table_width,
    wide_option,
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
@click.option("-q", "--quiet", is_flag=True, help="With -o: do not confirm on stderr what was written.")
@wide_option
def estimate(specs, fmt, seed, sessions, as_of, pricing, no_alternatives, what_if, cache_dir, no_cache, output,
             quiet, wide) -> None:
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
    from ..report.escape import plain
    from ..report.estimate import FORMATS as RENDER
    from ..report.estimate import to_table, warning_text

    analyses = analyse_cached(specs, cache=open_cache(cache_dir, no_cache), as_of=parse_day(as_of),
                              seed=DEFAULT_SEED if seed is None else seed, sessions=sessions, pricing=pricing,
                              alternatives=not no_alternatives, levers=what_if, progress=progress())
    width = table_width(wide, output)
    emit(to_table(analyses, width) if fmt == "table" else RENDER[fmt](analyses), output, fmt=fmt, quiet=quiet)
    for a in analyses:
        for w in a.estimate.warnings:
            say(f"warning: {a.estimate.feature}: {plain(warning_text(w))}")


@click.command()
@click.argument("file", required=False, default="-", type=click.File("rb"))
@click.option("-m", "--model", default="gpt-4o", show_default=True, help="Model whose tokenizer (and chat overhead) to use.")
@click.option("--messages", is_flag=True,
              help="Input is a JSON list of chat messages: [{\"role\": ..., \"content\": ...}], or a request "
                   "object {\"messages\": [...], \"tools\": [...], \"tool_choice\": \"auto\"}; each content is "
                   "rendered like a template.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A template variable (repeatable): NAME=VALUE is a string, NAME:=JSON any JSON value.")
@click.option("--sample", "sample", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Render over every row of a samples file (.txt: one query per line; .jsonl: one object of "
                   "variables per line) and show min, mean, p50, p95 and max.")
@click.option("--row", type=click.IntRange(min=1), metavar="N", help="Render over row N of --sample only.")
@click.option("--raw", is_flag=True, help="Count the text as it is, without rendering it.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--image", "images", multiple=True, metavar="WxH[:detail]",
              help="Count an image's input tokens on the model instead of FILE (repeatable: each is listed, "
                   "then the sum). detail is low, high or auto (the default, counted as high).")
def tokens(file, model, messages, variables, sample, row, raw, fmt, images) -> None:
    """Count the tokens of FILE (or stdin) the way the estimator does.

    A template (a .j2/.jinja/.jinja2 file, or any text with {{, {% or {#) is rendered
    first, in the estimator's sandbox, with the --var variables, or over every row of
    --sample FILE (--row N: one row); an undefined variable is an error, as in an
    estimate. Other text, and anything with --raw, is counted as it is. The first line
    (on stderr) says which. With --messages, FILE is a JSON list of chat messages and the
    count includes the provider's per-message overhead and reply priming, i.e. the prompt
    tokens you are billed for. FILE may instead be a request object with "messages",
    "tools" (function definitions, OpenAI or Anthropic form) and "tool_choice": the tools
    are counted as the model's provider bills them (OpenAI's published formula,
    Anthropic's tool-use system prompt plus the definitions, else their JSON) and shown
    apart from the messages, with the total.

    \b
    Examples:
      costgate tokens --model gpt-4o-mini prompts/system.j2 --var product=Acme
      costgate tokens prompts/answer.j2 --sample queries.jsonl
      costgate tokens --raw prompts/system.j2
      echo '[{"role":"user","content":"hi"}]' | costgate tokens --messages
      costgate tokens --model gpt-4o --image 1024x1024:high
      costgate tokens --messages -m claude-sonnet-4-5 request.json
    """
    if images:
        if variables or sample or row or raw:
            raise CostgateError("--image counts images alone, without --var, --sample, --row or --raw")
        return count_images(model, messages, fmt, images)
    from ..estimate.template_tokens import TokenCount, count_request, count_text, is_template, rows_for
    from ..pricing import load_table
    from ..report.tokens import FORMATS, describe, notes
    from ..tokens import tool_tokens

    table = load_table()
    m = table.model(model, where="--model")
    tok, ov = table.tokenizer(m), table.overhead(m)
    name = str(getattr(file, "name", "-"))
    text = read_input(file, name)
    tools = None
    if messages:
        msgs, defs, choice = parse_request(text, name)
        rows = rows_for(any(is_template(x.content, "") for x in msgs), raw, variables, sample, row)
        counts = count_request(msgs, name, tok, ov, rows)
        if defs is not None:
            tools = tool_tokens(defs, provider=m.provider, model_id=m.id, tokenizer=tok, tool_choice=choice)
    else:
        rows = rows_for(is_template(text, name), raw, variables, sample, row)
        counts = count_text(text, name, tok, rows)
    result = TokenCount(m.id, tok, messages, counts, rows, tools)
    what = describe(result)
    if what and fmt == "text":  # JSON says it in "mode"
        say(what)
    emit(FORMATS[fmt](result))
    for line in notes(result):
        say(line)


REQUEST_KEYS = ("messages", "tools", "tool_choice")


def parse_request(text: str, name: str) -> tuple[list, tuple[dict, ...] | None, str]:
    """``--messages`` input: (messages, tool definitions or None for the list form, tool_choice).

    The text is parsed once; the object form hands ``messages_of`` only the message fields
    (as strings or null), so its checks and messages are the same in both forms.
    """
    from ..errors import suggest
    from ..tokens import parse_tool_choice, parse_tools
    from ..tokens.chat import load_json, messages_of

    hint = '--messages expects [{"role": "user", "content": "..."}] or {"messages": [...], "tools": [...]}'
    raw = load_json(text, name, hint)  # parsed once, whichever form it is
    if not isinstance(raw, dict):
        return messages_of(raw, name), None, "auto"
    for key in raw:
        if key not in REQUEST_KEYS:
            raise CostgateError(f"unknown key {str(key)[:40]!r} in the request object", file=name,
                                hint=suggest(key, REQUEST_KEYS) or f"known keys: {', '.join(REQUEST_KEYS)}")
    if not isinstance(raw.get("messages"), list):
        raise CostgateError("the request object needs a \"messages\" list", file=name, hint=hint)
    fields = [{k: v if isinstance(v, str) else None for k, v in x.items() if k in ("role", "content", "name")}
              if isinstance(x, dict) else None for x in raw["messages"]]
    msgs = messages_of(fields, name)
    return msgs, parse_tools(raw.get("tools", []), name), parse_tool_choice(raw.get("tool_choice", "auto"), name)


def count_images(model: str, messages: bool, fmt: str, values: tuple[str, ...]) -> None:
    """``costgate tokens --image``: each image's input tokens on MODEL by the provider's
    published formula (costgate.tokens.images), listed, then summed when there are several."""
    import json

    from ..pricing import load_table
    from ..tokens.images import image_tokens, parse_image

    given_file = click.get_current_context().get_parameter_source("file") != click.core.ParameterSource.DEFAULT
    if messages or given_file:
        raise CostgateError("--image counts images alone, not FILE or --messages",
                            hint="run `costgate tokens` once for the text and once with --image for the images")
    m = load_table().model(model, where="--model")
    shapes = [parse_image(v, "--image") for v in values]
    counts = [image_tokens(m.id, m.provider, w, h, d) for w, h, d in shapes]
    rows = [{"image": {"width": w, "height": h, "detail": d}, "tokens": c.tokens, "exact": c.exact,
             "rule": c.rule, "source": c.source} for (w, h, d), c in zip(shapes, counts)]
    total, exact = sum(c.tokens for c in counts), all(c.exact for c in counts)
    if fmt == "json":
        doc = {"schema_version": 1, "model": m.id, **rows[0]} if len(rows) == 1 else {
            "schema_version": 1, "model": m.id, "images": rows, "tokens": total, "exact": exact}
        click.echo(json.dumps(doc))
        return
    for (w, h, d), c in zip(shapes, counts):
        click.echo(f"{'' if c.exact else '~'}{c.tokens} tokens ({m.id}, {w}x{h} {d}, {c.rule})")
    if len(counts) > 1:
        click.echo(f"{'' if exact else '~'}{total} tokens in total ({len(counts)} images)")
    for rule, source in sorted({(c.rule, c.source) for c in counts if not c.exact}):
        say(f"~ approximate: {rule}, {source}")


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
