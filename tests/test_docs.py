"""Docs that cannot drift: every command is documented and teaches, the README's example
comment is the real output, the README's commands are the ones CI runs, and docs/json.md
names every key of the estimate JSON."""

from __future__ import annotations

import json
import re

import click
from helpers import FIXTURES, GOLDEN, ROOT, readme_quick_start, readme_setup
from update_golden import readme_with_golden

from costgate.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "costgate"):
    for name, cmd in sorted(group.commands.items()):
        yield f"{prefix} {name}", cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, f"{prefix} {name}")


def test_every_command_has_help_and_is_in_the_readme():
    names = []
    for name, cmd in _commands(cli):
        assert cmd.help and len(cmd.help.strip()) > 40, f"{name} needs help text that teaches"
        names.append(name)
        top = " ".join(name.split()[:2])
        assert f"`{top}" in README or f"{top} " in README, f"{top} is not in the README"
    assert {"costgate estimate", "costgate diff", "costgate tokens", "costgate pricing validate"} <= set(names)


def test_readme_example_comment_is_the_golden_file():
    golden = (GOLDEN / "fixture-diff.md").read_text(encoding="utf-8")
    assert readme_with_golden(README, golden) == README


def test_ci_runs_the_readme_test_command():
    """.ci/run makes the README's virtual environment, runs its install command (quietly)
    and ends with its test command."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install, test = readme_setup()
    assert install == "python3 -m venv .venv && . .venv/bin/activate && python -m pip install -e '.[test]'"
    assert test == "python -m pytest" and ci.rstrip().endswith(test)
    lines = [line.strip() for line in ci.splitlines()]
    steps = [step.replace("pip install -e", "pip install --quiet -e") for step in install.split(" && ")]
    assert all(step in lines for step in steps), steps
    assert [lines.index(step) for step in steps] == sorted(lines.index(step) for step in steps)


def test_docs_exist_for_the_contracts():
    for doc in ("docs/spec.md", "docs/pricing.md", "docs/json.md"):
        assert (ROOT / doc).is_file(), doc


def test_readme_quick_start_output_is_real(capsys, monkeypatch):
    from costgate.cli import main

    command, shown = readme_quick_start()
    assert command.startswith("costgate ")
    monkeypatch.chdir(ROOT)
    assert main(command[len("costgate "):].split()) == 0
    shown = shown.splitlines()
    assert capsys.readouterr().out.splitlines() == shown  # all of it, as shown


def _keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


def test_json_doc_names_every_estimate_key(run):
    """Every key `costgate estimate --format json` emits is documented in docs/json.md."""
    doc = ROOT / "docs" / "json.md"
    spec = FIXTURES / "nightly-summarizer" / "nightly-summarizer.costgate.yaml"
    code, out, err = run("estimate", spec, "--format", "json", "--as-of", "2026-11-01", "--what-if")
    assert code == 0, err
    data = json.loads(out)
    assert data["schema_version"] == 1 and data["kind"] == "estimate"
    text = doc.read_text(encoding="utf-8")

    def documented(key: str) -> bool:  # as `key`, or a segment of a dotted `a.key.b` / `a[].key`
        return re.search(r"`(?:[\w\[\]]+\.)*" + re.escape(key) + r"(?:`|\.|\[)", text) is not None

    undocumented = sorted(k for k in set(_keys(data)) if not documented(k))
    assert undocumented == []


def test_limits_doc_states_every_limit_and_its_default():
    """docs/limits.md cannot drift: its table names every WorkLimits field with the
    default the code uses."""
    import dataclasses
    import re as _re

    from costgate.limits import DEFAULT_LIMITS, WorkLimits

    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    rows = dict(_re.findall(r"^\| `([a-z_]+)` \| ([0-9,]+) \|", text, _re.M))
    assert set(rows) == {f.name for f in dataclasses.fields(WorkLimits)}
    for name, shown in rows.items():
        assert int(shown.replace(",", "")) == getattr(DEFAULT_LIMITS, name), name


def test_spec_doc_states_every_number_maximum():
    from costgate.spec.loader import MAXIMA

    text = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
    for key, value in MAXIMA.items():
        assert f"`{key}` | {value:,}" in text, key
