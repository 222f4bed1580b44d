"""The pre-commit hook (.pre-commit-hooks.yaml): valid under pre-commit's own manifest
schema, its entry a real costgate command, its `files:` pattern picking specs, templates
and config; and run by the real pre-commit (offline: a local hook with the manifest's
entry and patterns, costgate on PATH) in a repository: a staged change that crosses a
threshold fails the commit, what is not staged is not measured, an unrelated commit skips
the hook."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml
from helpers import ROOT, commit, hello, parse_command_line, write

MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def hook() -> dict:
    [entry] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return entry


def test_the_manifest_is_valid_for_pre_commit():
    clientlib = pytest.importorskip("pre_commit.clientlib", reason="pre-commit is in the test extra")
    [loaded] = clientlib.load_manifest(str(MANIFEST))
    assert loaded["id"] == "costgate" and loaded["language"] == "python"
    assert loaded["pass_filenames"] is False and loaded["require_serial"] is True


def test_the_entry_is_the_gate_against_head():
    argv = shlex.split(hook()["entry"])
    assert parse_command_line(argv) == ["diff"]
    assert argv[argv.index("--base") + 1] == "HEAD"


@pytest.mark.parametrize("path, runs", [
    ("fixtures/support-bot/support-bot.costgate.yaml", True),
    ("bot.costgate.yml", True),
    ("prompts/system.j2", True),
    ("app/prompts/answer.jinja2", True),
    ("chat.prompty", True),
    ("t/reply.mustache", True),
    ("t/reply.hbs", True),
    ("costgate.yaml", True),
    ("sub/pyproject.toml", True),
    ("README.md", False),
    ("src/app.py", False),
    ("costgate.yaml.bak", False),
    ("notcostgate.yaml", False),
    ("prompts/system.j2.orig", False),
])
def test_files_pattern(path, runs):
    assert bool(re.search(hook()["files"], path)) is runs


@pytest.fixture
def precommit_repo(gitrepo, tmp_path):
    """The bot repository (1,000-token system prompt) with a committed pre-commit config
    whose local hook is the manifest's hook, and `costgate` on PATH."""
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extra")
    root = gitrepo()
    h = hook()
    local = {k: h[k] for k in ("id", "name", "entry", "pass_filenames", "require_serial", "files")}
    write(root, {".pre-commit-config.yaml": yaml.safe_dump(
        {"repos": [{"repo": "local", "hooks": [{**local, "language": "unsupported"}]}]})})
    commit(root, "pre-commit config")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "costgate"
    exe.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m costgate "$@"\n')
    exe.chmod(0o755)
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(ROOT),
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1", "PRE_COMMIT_COLOR": "never"}

    def run_hooks() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run"], cwd=root, env=env, capture_output=True,
                              text=True, timeout=300)

    return root, run_hooks


def _stage(root, files):
    write(root, files)
    subprocess.run(["git", "add", *files], cwd=root, check=True, env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})


@pytest.mark.slow  # the real pre-commit, three runs: seconds
def test_pre_commit_runs_the_gate_on_what_is_staged(precommit_repo):
    root, run_hooks = precommit_repo
    _stage(root, {"prompts/system.j2": hello(1300)})  # +30%, +300 tokens: over 10% and 200
    failed = run_hooks()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "costgate (LLM cost thresholds)" in failed.stdout and "Failed" in failed.stdout
    assert "system_prompt_growth" in failed.stdout or "system prompt" in failed.stdout
    assert "1,000" in failed.stdout and "1,300" in failed.stdout

    # stage a small change; the big one stays unstaged (pre-commit stashes it): passes
    _stage(root, {"prompts/system.j2": hello(1010)})
    write(root, {"prompts/system.j2": hello(1300)})
    passed = run_hooks()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    assert (root / "prompts/system.j2").read_text() == hello(1300)  # the unstaged change is restored

    commit(root, "small change")
    write(root, {"prompts/system.j2": hello(1010)})
    _stage(root, {"README.md": "hello\n"})
    skipped = run_hooks()
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout, skipped.stdout
