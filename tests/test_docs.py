"""Docs that cannot drift: every command is documented and teaches, the README's example
comment is the real output, and the README's commands are the ones CI runs."""

from __future__ import annotations

from pathlib import Path

import click

from costgate.cli import cli

ROOT = Path(__file__).resolve().parents[1]
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
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from update_golden import readme_with_golden

    golden = (ROOT / "tests" / "golden" / "fixture-diff.md").read_text(encoding="utf-8")
    assert readme_with_golden(README, golden) == README


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pip install -e '.[test]'" in README
    assert "python -m pip install --quiet -e '.[test]'" in ci
    assert "python -m pytest" in README and ci.rstrip().endswith("python -m pytest")


def test_docs_exist_for_the_contracts():
    for doc in ("docs/spec.md", "docs/pricing.md", "docs/json.md"):
        assert (ROOT / doc).is_file(), doc


def test_readme_quick_start_output_is_real(capsys, monkeypatch):
    from costgate.cli import main

    block = README.split("```console\n", 1)[1].split("```", 1)[0]
    command, *shown = block.rstrip("\n").split("\n")
    assert command.startswith("$ costgate ")
    monkeypatch.chdir(ROOT)
    assert main(command[len("$ costgate "):].split()) == 0
    actual = capsys.readouterr().out.splitlines()
    if shown[-1] == "...":
        shown = shown[:-1]
    assert actual[: len(shown)] == shown
