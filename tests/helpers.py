"""Helpers shared by the tests and tests/update_golden.py: paths, throwaway files and git
repositories, the in-process CLI, and the small specs and price files several test
folders build on. Fixtures live in conftest.py (built on these); nothing here is one.

Importable as ``helpers`` from every test module (pyproject's pytest ``pythonpath``
lists tests/) and from update_golden.py (run as a script, its own folder is on
sys.path). Every path is derived from this file, never from the working directory.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = ROOT / "fixtures"
GOLDEN = TESTS / "golden"
SCHEMAS = ROOT / "costgate" / "schemas"

# Prices are always looked up on this day, so the shipped table's history cannot move a
# number between runs.
AS_OF = "2026-11-01"
AS_OF_DATE = date.fromisoformat(AS_OF)


# ------------------------------------------------------------------------------- files

def write(root: Path, files: dict[str, str | None]) -> None:
    """Write repo-relative files under ``root`` (folders made as needed); ``None`` deletes one."""
    for rel, text in files.items():
        p = root / rel
        if text is None:
            p.unlink()
            continue
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def write_spec(root: Path, yaml_text: str | None = None, files: dict[str, str] | None = None,
               name: str = "bot.costgate.yaml") -> Path:
    """Write ``files`` (repo-relative path -> text) under ``root``, plus the spec itself as
    ``name`` when ``yaml_text`` is given. Returns the spec's absolute path."""
    write(root, dict(files or {}))
    spec = root / name
    if yaml_text is not None:
        write(root, {name: yaml_text})
    return spec


# --------------------------------------------------------------------------------- git

def git(root: Path, *args: str) -> str:
    """Run git in ``root`` with no user or system config (hermetic, no signing, no hooks)."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
           # fixed dates: the same commits have the same SHAs on every run (reports name them)
           "GIT_AUTHOR_DATE": "2026-11-01T12:00:00Z", "GIT_COMMITTER_DATE": "2026-11-01T12:00:00Z"}
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def init_repo(root: Path) -> Path:
    """An empty git repository at ``root`` on branch ``main``."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    git(root, "symbolic-ref", "HEAD", "refs/heads/main")
    return root


def commit(root: Path, message: str = "change") -> str:
    """Stage everything (deletions included) and commit; return the new commit's SHA."""
    git(root, "add", "-A")
    git(root, "-c", "user.email=t@t", "-c", "user.name=t", "-c", "commit.gpgsign=false",
        "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


# --------------------------------------------------------------------------------- CLI

def run_costgate(*args: str | Path) -> tuple[int, str, str]:
    """``costgate ARGS`` in-process through the real CLI boundary (``costgate.cli.main``,
    where errors become messages and exit codes): (exit code, stdout, stderr)."""
    from costgate.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def parse_command_line(argv: list[str]) -> list[str]:
    """Parse ``costgate ARGV`` with click, without running it: the command path (e.g.
    ``["pricing", "diff"]``). Raises click.UsageError for an unknown command or option or a
    missing required argument, so docs and config files can only name what exists."""
    import click

    from costgate.cli import cli

    assert argv and argv[0] == "costgate", argv
    ctx = click.Context(cli, info_name="costgate")
    command: click.Command = cli
    names: list[str] = []
    args = list(argv[1:])
    while isinstance(command, click.Group):  # costgate's groups take no options of their own
        if not args or args[0].startswith("-"):
            raise click.UsageError(f"costgate {' '.join(names)}: no command given")
        sub = command.get_command(ctx, args[0])
        if sub is None:
            raise click.UsageError(f"costgate {' '.join(names)}: no such command {args[0]!r}")
        names.append(args.pop(0))
        ctx = click.Context(sub, info_name=names[-1], parent=ctx)
        command = sub
    command.make_context(names[-1], args, parent=ctx.parent)
    return names


# ------------------------------------------------------- the gate's one-call bot spec
#
# The ``answer`` call's system prompt is N repetitions of " hello", exactly N o200k
# tokens, so "grow the prompt by 30%" is 1,000 -> 1,300 tokens; gpt-4o, no caching, 10
# output tokens, 1,000 sessions a day, 30 days a month.

SPEC = "bot.costgate.yaml"
SPEC_TEXT = """\
version: 1
feature: bot
traffic:
  sessions_per_day: 1000
samples: {{file: queries.txt}}
calls:
  - name: answer
    model: {model}
    per_session: 1
    system: {{file: prompts/system.j2}}
    user: "{{{{ query }}}}"
    output_tokens: 10
{extra}"""
QUERIES = "hi there\nhow are you\n"


def hello(n: int) -> str:
    """Exactly ``n`` o200k tokens."""
    return " hello" * n


def spec_text(model: str = "gpt-4o", extra: str = "", feature: str = "bot") -> str:
    return SPEC_TEXT.format(model=model, extra=extra).replace("feature: bot", f"feature: {feature}")


def as_json(gate: Callable[..., tuple[int, str, str]], root: Path, *args: str) -> tuple[int, dict]:
    """The ``gate`` fixture's run with ``--format json``: (exit code, parsed document)."""
    code, out, err = gate(root, *args, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def feature(doc: dict, name: str = "bot") -> dict:
    """One feature of a gate JSON document."""
    return next(f for f in doc["features"] if f["feature"] == name)


def assert_clean_error(code: int, out: str, err: str, *needles: str) -> None:
    """Bad input: exit 2, one ``error:`` message naming every needle, no traceback."""
    assert code == 2, out + err
    assert "Traceback" not in err and "crashed" not in err
    assert err.startswith("error: "), err
    for n in needles:
        assert n in err, err


# ------------------------------------------------------------------------- price files

# A minimal valid price file; line numbers matter to the validation tests.
GOOD = """\
schema_version: 1
provider: acme
name: Acme
source: https://acme.example/pricing
models:
  - id: acme-1
    name: Acme 1
    tokenizer: o200k_base
    checked: 2026-11-01
    prices:
      - since: 2025-01-01
        input: "1.00"
        output: "2.00"
"""


# A price file of any provider, and a model (nine lines) whose fifth line is the caller's
# (``extra``: aliases, snapshot_of, ...); line numbers matter to the tests that use them.
PRICE_FILE = """\
schema_version: 1
provider: {provider}
name: X
source: https://example.com/pricing
models:
{models}"""
PRICE_MODEL = """\
  - id: {id}
    name: {id}
    tokenizer: o200k_base
    checked: 2026-01-01
    {extra}
    prices:
      - {{since: 2025-01-01, input: "1.00", output: "2.00"}}
"""


def price_layer(**files: str) -> tuple[Any, ...]:
    """A layer already read (``loader.TextLayer``): ``provider=models text`` per file."""
    from costgate.pricing.loader import TextFile

    return tuple(TextFile(f"{p}.yaml", PRICE_FILE.format(provider=p, models=m)) for p, m in files.items())


def layer(tmp_path: Path, files: dict[str, str]) -> Path:
    """A pricing layer directory ``tmp_path/layer`` holding ``files`` (name -> text)."""
    d = tmp_path / "layer"
    d.mkdir(parents=True, exist_ok=True)
    write(d, dict(files))
    return d


def price_load_error(tmp_path: Path, text: str, name: str = "acme.yaml") -> Any:
    """The ``CostgateError`` loading a one-file layer of ``text`` raises (a test failure if none)."""
    import pytest

    from costgate.errors import CostgateError
    from costgate.pricing import load_table

    with pytest.raises(CostgateError) as info:
        load_table([layer(tmp_path, {name: text})])
    return info.value


def assert_price_rule(tmp_path: Path, text: str, message: str, line: int, hint: str | None) -> None:
    """Loading ``text`` as acme.yaml fails with ``message`` at ``line`` (and ``hint``, if given)."""
    err = price_load_error(tmp_path, text)
    assert message in err.message, err
    assert err.location.line == line, err
    assert err.location.file.endswith("acme.yaml")
    if hint is not None:
        assert hint in (err.hint or ""), err


# The cookbook's tool example, verbatim ("How to count tokens with tiktoken", section 7):
# 68 tool tokens on gpt-4o, 101 prompt tokens with its two messages (tests/tokens/test_tools.py).
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "description": "The unit of temperature to return",
                         "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}


# The user text below is 11 o200k tokens; OpenAI bills 3 per message + 1 for the role
# "user" + 3 priming the reply, so every request of a query_spec has 18 input tokens
# (and 100 output tokens).
QUERY = "Summarize the plot of Hamlet in one sentence."


def query_spec(model: str, feature: str) -> str:
    """A one-call spec on ``model``: 1,000 sessions a day, 30 days, samples queries.txt."""
    return (f"version: 1\nfeature: {feature}\n"
            "traffic: {sessions_per_day: 1000, days_per_month: 30}\n"
            "samples: {file: queries.txt}\n"
            f"calls:\n  - name: ask\n    model: {model}\n    per_session: 1\n"
            '    user: "{{ query }}"\n    output_tokens: 100\n')


# ------------------------------------------------------- the levers' hand-counted spec
#
# " hello" x N and " why" x N are N o200k tokens; role names are 1 token; OpenAI bills 3
# tokens per message + the role, and 3 priming the reply.

def spec_file(tmp_path: Path, call_extra: str = "", top_extra: str = "", per_session="1",
              sessions="10000", model="gpt-4o") -> Path:
    """A repository in ``tmp_path`` with one call: a 2,000-token system prompt, a 200-token
    query, 800 output tokens; returns the spec's path."""
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "q.txt").write_text(" why" * 200 + "\n")
    (tmp_path / "sys.txt").write_text(" hello" * 2000)
    p = tmp_path / "x.costgate.yaml"
    p.write_text(f"""version: 1
feature: levers
traffic: {{sessions_per_day: {sessions}, days_per_month: 30}}
samples: {{file: q.txt}}
calls:
  - name: answer
    model: {model}
    per_session: {per_session}
    system: {{file: sys.txt}}
    user: "{{{{ query }}}}"
    output_tokens: 800
{call_extra}
{top_extra}""")
    return p


def est(p: Path):
    """The spec at ``p`` estimated on the shipped table, without alternatives."""
    from costgate.estimate.simulate import estimate
    from costgate.pricing import load_table
    from costgate.spec import load_spec

    return estimate(load_spec(p), load_table(), as_of=AS_OF_DATE, alternatives=False)


# -------------------------------------------------------------------------- tokenizers

@dataclass(frozen=True)
class WordTokenizer:
    """One token per whitespace-separated word: trivially hand-countable."""

    name: str = "words"
    exact: bool = True

    def count(self, text: str) -> int:
        return len(text.split())


# ------------------------------------------------------------------------ JSON Schemas

def load_schema(name: str) -> dict:
    """costgate/schemas/NAME, checked to be a valid Draft 2020-12 schema."""
    import jsonschema

    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def schema_errors(schema: dict, data: Any) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


DELETE = object()
"""``set_path``'s value for "remove the key"."""


def set_path(data: Any, path: tuple, value: Any) -> None:
    """Set (or, with ``DELETE``, remove) ``data[path[0]][path[1]]...``."""
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


def schema_properties(node: Any, path: str = ""):
    """Every (path, property schema) under any ``properties`` in a schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, prop in value.items():
                    yield f"{path}/{name}", prop
                    yield from schema_properties(prop, f"{path}/{name}")
            else:
                yield from schema_properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from schema_properties(item, f"{path}/{i}")


def open_objects(node: Any, path: str = "") -> list[str]:
    """Paths of schema objects that list ``properties`` without ``additionalProperties: false``."""
    found: list[str] = []
    if isinstance(node, dict):
        if "properties" in node and node.get("additionalProperties") is not False:
            found.append(path)
        for k, v in node.items():
            found += open_objects(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += open_objects(v, f"{path}/{i}")
    return found


# An Anthropic-like price list (cache reads 0.1x, 5-minute writes 1.25x) on an exact
# tokenizer with OpenAI's message overhead, so conversation caching is checkable by hand.
AGENTCO = """\
schema_version: 1
provider: agentco
name: Agent Co
source: https://example.com/pricing
chat_overhead: {per_message: 3, reply: 3}
models:
  - id: agent-model
    name: Agent model
    tokenizer: o200k_base
    cache_min_tokens: 100
    checked: 2026-11-01
    prices:
      - since: 2024-01-01
        input: "3.00"
        cached_input: "0.30"
        cache_write_5m: "3.75"
        cache_write_1h: "6.00"
        output: "15.00"
"""


def agentco_table():  # type: ignore[no-untyped-def]
    """The shipped table plus AGENTCO's agent-model."""
    from costgate.pricing import load_table, shipped_pricing_dir
    from costgate.pricing.loader import TextFile

    return load_table([shipped_pricing_dir(), (TextFile("agentco.yaml", AGENTCO),)])


# ------------------------------------------------------------------------------ README

def readme_setup() -> tuple[str, str]:
    """The README's two set-up commands (install, test), without their comments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Set up", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    install, test = (line.split("#", 1)[0].strip() for line in block.strip().splitlines())
    return install, test


def readme_quick_start() -> tuple[str, str]:
    """The README's quick-start command (without ``$ ``) and the output it shows."""
    return readme_quick_start_of((ROOT / "README.md").read_text(encoding="utf-8"))


def readme_quick_start_of(text: str) -> tuple[str, str]:
    """``readme_quick_start`` of a README's text."""
    block = text.split("## Quick start", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    command, _, shown = block.partition("\n")
    assert command.startswith("$ "), command
    return command[2:], shown


def installed(dist: str) -> bool:
    """Whether distribution ``dist`` is installed (an optional extra's package), read from
    its metadata by the tests themselves, not by the code under test."""
    from importlib import metadata

    try:
        metadata.distribution(dist)
        return True
    except metadata.PackageNotFoundError:
        return False
