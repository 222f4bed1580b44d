"""The ``costgate`` command: parse options, call the library, format, exit.

Exit codes: 0 ok, 1 gate failed, 2 bad input (a CostgateError), 3 a bug. Errors are
turned into messages in exactly one place (``main``).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from datetime import date
from pathlib import Path

import click

from . import __version__
from .errors import CostgateError

FORMATS = click.Choice(["table", "json", "markdown"])
EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3


def _color() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CostgateError(f"--as-of must be a date like 2025-06-01, got {value!r}") from None


def _progress():
    """Progress on stderr, only for a person at a terminal (never in CI logs or pipes)."""
    if not sys.stderr.isatty():
        return None

    def show(i: int, n: int, path: Path) -> None:
        end = "\n" if i == n else ""
        click.echo(f"\r\033[Kestimating {i}/{n}: {path.name}", err=True, nl=False, color=_color())
        if end:
            click.echo("\r\033[K", err=True, nl=False)

    return show


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=not text.endswith("\n"), color=_color())


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

    Everything runs offline. Exit codes: 0 ok, 1 gate failed, 2 bad input.
    """


@cli.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="Output format.")
@click.option("--seed", type=int, default=None, help="Seed for the Monte Carlo session draws (p95).  [default: 20240601]")
@click.option("--sessions", type=click.IntRange(1, 1_000_000), default=2000, show_default=True,
              help="Simulated sessions for the p95 session cost.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Price with the table as it stood that day.  [default: today]")
@click.option("--pricing", "pricing", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra pricing file or directory layered over the shipped table (repeatable).")
@click.option("--no-alternatives", is_flag=True, help="Skip pricing the feature on each model alone and on scenarios.")
@click.option("--what-if", "what_if", is_flag=True,
              help="Try each cost lever alone (prompt caching, cheaper model, 5-turn history window, batch for "
                   "offline calls, compressed system prompt) and rank the monthly savings.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file instead of stdout.")
def estimate(specs, fmt, seed, sessions, as_of, pricing, no_alternatives, what_if, output) -> None:
    """Project per-call, per-session and monthly spend of one or more specs.

    SPECS are spec files or directories (a directory finds **/*.costgate.yaml, or the
    specs its costgate.yaml lists). Every template is rendered over every sample, tokens
    are counted exactly (o200k/cl100k) or approximately (other families, marked ~), and
    priced with the declared model mix, each model alone, and each scenario.

    \b
    Example:
      costgate estimate fixtures/ --format json
    """
    from .api import analyse_files
    from .report import to_json, to_markdown, to_table
    from .simulate import DEFAULT_SEED

    pairs = analyse_files(specs, as_of=_as_of(as_of), seed=DEFAULT_SEED if seed is None else seed,
                          sessions=sessions, pricing=pricing, alternatives=not no_alternatives, levers=what_if,
                          progress=_progress())
    results = [e for e, _ in pairs]
    render = {"table": to_table, "json": to_json, "markdown": to_markdown}[fmt]
    _emit(render(results, [x for _, x in pairs]), output)
    for e in results:
        for w in e.warnings:
            click.echo(f"warning: {e.feature}: {w}", err=True, color=_color())


@cli.command()
@click.argument("file", required=False, default="-", type=click.File("r", encoding="utf-8"))
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
    from .pricing import load_table
    from .tokens import Message, count_messages

    table = load_table()
    m = table.model(model, where="--model")
    tok, ov = table.tokenizer(m), table.overhead(m)
    text = file.read()
    name = getattr(file, "name", "-")
    if messages:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CostgateError(f"invalid JSON: {exc.msg}", file=name, line=exc.lineno,
                                hint='--messages expects [{"role": "system", "content": "..."}, ...]') from None
        if not isinstance(raw, list) or not all(isinstance(x, dict) and isinstance(x.get("role"), str)
                                                and isinstance(x.get("content"), str) for x in raw):
            raise CostgateError("messages must be a list of {role, content} objects with string values", file=name)
        msgs = [Message(x["role"], x["content"], x.get("name")) for x in raw]
        count = count_messages(tok, msgs, ov)
    else:
        count = tok.count(text)
    if fmt == "json":
        click.echo(json.dumps({"schema_version": 1, "model": m.id, "tokenizer": tok.name, "exact": tok.exact,
                               "messages": messages, "tokens": count}))
    else:
        click.echo(f"{'~' if not tok.exact else ''}{count}")
        if not tok.exact:
            click.echo(f"~ approximate: {m.id} uses the {tok.name} tokenizer, estimated from o200k_base", err=True)


def _gate_options(f):
    for opt in reversed([
        click.option("--head", default=None, metavar="REF", help="Head ref.  [default: the working tree]"),
        click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Gate config.  [default: costgate.yaml, else [tool.costgate] in pyproject.toml]"),
        click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="Report format."),
        click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file (it is "
                     "written before the exit code reports a failure)."),
        click.option("--quiet", is_flag=True, help="Write no report at all when no costed number changed "
                     "(no PR comment noise)."),
        click.option("--annotations/--no-annotations", default=None,
                     help="Print GitHub ::error annotations.  [default: on under GitHub Actions]"),
        click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Price both sides as of this day.  [default: today]"),
        click.option("--seed", type=int, default=None, help="Monte Carlo seed (same on both sides)."),
        click.option("-C", "--repo", "repo", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".",
                     show_default=True, help="Repository root."),
    ]):
        f = opt(f)
    return f


def _run_gate(base, head, config, fmt, output, quiet, annotations, as_of, seed, repo) -> int:
    from .diffreport import to_json, to_markdown, to_table
    from .gate import annotations as gh_annotations
    from .gate import diff, in_github_actions
    from .simulate import DEFAULT_SEED
    from .source import find_root

    root = find_root(Path(repo))
    if config is not None and not config.is_absolute():
        config = config.resolve()  # as typed, relative to the current directory
    result = diff(root, base, head, config_path=config, as_of=_as_of(as_of),
                  seed=DEFAULT_SEED if seed is None else seed)
    if not (quiet and not result.changed):
        text = {"table": to_table, "json": to_json, "markdown": to_markdown}[fmt](result)
        _emit(text, output)
    elif not output:
        click.echo("costgate: no cost change", err=True)
    if annotations or (annotations is None and in_github_actions()):
        for line in gh_annotations(result):
            click.echo(line)
    return EXIT_OK if result.passed else EXIT_GATE


@cli.command()
@click.option("--base", required=True, metavar="REF", help="Base ref: branch, tag or SHA (e.g. origin/main).")
@_gate_options
def diff(base, head, config, fmt, output, quiet, annotations, as_of, seed, repo) -> int:
    """Gate a change: compare every gated spec at --base with head.

    Estimates each spec of costgate.yaml's `specs:` globs at the base ref (read from git
    objects with every template and samples file it references; the working tree is not
    touched) and at head, then reports per feature and per call: system-prompt tokens,
    input tokens, cost per session and projected monthly cost, before and after.

    \b
    Exit codes: 0 all thresholds hold, 1 a threshold was crossed, 2 bad input.
    Decreases are reported as savings and never fail.

    \b
    Examples:
      costgate diff --base origin/main
      costgate diff --base HEAD~1 --format markdown -o comment.md
    """
    return _run_gate(base, head, config, fmt, output, quiet, annotations, as_of, seed, repo)


@cli.command()
@_gate_options
def check(head, config, fmt, output, quiet, annotations, as_of, seed, repo) -> int:
    """`costgate diff` with the base read from the CI environment.

    Uses the pull request's base SHA (GITHUB_EVENT_PATH), else origin/$GITHUB_BASE_REF.
    """
    from .gate import ci_base_ref

    return _run_gate(ci_base_ref(), head, config, fmt, output, quiet, annotations, as_of, seed, repo)


@cli.command()
@click.option("--feature", default="example", show_default=True, help="Feature id of the starter spec.")
@click.option("--dir", "directory", default="llm", show_default=True, help="Where the starter spec goes.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("-C", "--repo", "repo", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".",
              show_default=True, help="Repository root.")
def init(feature, directory, force, repo) -> None:
    """Write a commented costgate.yaml, a starter spec and the PR workflow.

    \b
    Then:
      costgate estimate llm/
      git add costgate.yaml llm .github && git commit -m "Gate LLM costs"
    """
    from .scaffold import init as scaffold

    for path in scaffold(Path(repo), feature=feature, directory=directory, force=force):
        click.echo(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    """Console entry point: the one place errors become messages and exit codes."""
    try:
        rv = cli.main(args=argv, prog_name="costgate", standalone_mode=False)
        return rv if isinstance(rv, int) else EXIT_OK
    except CostgateError as exc:
        click.echo(click.style("error: ", fg="red", bold=True) + str(exc), err=True, color=_color())
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_INPUT
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:  # a bug: say so, keep the traceback for COSTGATE_DEBUG=1
        if os.environ.get("COSTGATE_DEBUG") == "1":
            traceback.print_exc()
        else:
            click.echo("costgate crashed (a bug, not your input). Please report it with the output of "
                       "COSTGATE_DEBUG=1 costgate ...", err=True)
        return EXIT_BUG


def entry() -> None:
    sys.exit(main())


def _register_subgroups() -> None:
    from .pricing_commands import pricing

    cli.add_command(pricing)


_register_subgroups()
