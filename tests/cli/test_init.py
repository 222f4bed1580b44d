"""`costgate init` for a newcomer: inputs validated by the spec loader's own rules, values
written through the YAML serializer, and the next commands printed for where it runs;
then those commands, run exactly as printed, take a new repository from init to its first
gated change (estimate -> commit -> change -> diff)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, assert_clean_error, commit, init_repo

from costgate.report.scaffold import COMMAND_PREFIX, next_steps
from costgate.spec import load_spec
from costgate.spec.scaffold import STARTER_BUDGET, starter_spec


def _commands(out: str) -> list[str]:
    return [line[len(COMMAND_PREFIX):] for line in out.splitlines() if line.startswith(COMMAND_PREFIX)]


@pytest.fixture
def shell(tmp_path, monkeypatch):
    """Run a printed command line in bash, with `costgate` on PATH (this checkout's) and a
    git that needs no user config: (exit code, stdout + stderr)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "costgate"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m costgate "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}

    def run(command: str, cwd: Path) -> tuple[int, str]:
        proc = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=300)
        return proc.returncode, proc.stdout + proc.stderr

    return run


@pytest.mark.parametrize("directory", ["llm", pytest.param("my prompts/it's \"here\"", marks=pytest.mark.slow)])
def test_init_then_exactly_what_it_printed(tmp_path, run, shell, monkeypatch, directory):
    """The acceptance test: a folder that is not a git repository yet; init; then each
    printed command in turn, with the one change init suggests (a paragraph added to the
    prompt) between the commit and the diff."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    code, out, err = run("init", "--dir", directory)
    assert (code, err) == (0, "")
    estimate, commit_files, gate = _commands(out)
    assert estimate.startswith("costgate estimate ") and gate == "costgate diff --base HEAD"
    assert commit_files.startswith("git init && git add -- costgate.yaml ")

    code, text = shell(estimate, root)
    assert code == 0, text
    assert f"budget:      ${STARTER_BUDGET:,}.00/month" in text  # what step 1 said it shows
    assert "example" in text and "$/month" in text

    code, text = shell(commit_files, root)
    assert code == 0, text
    assert subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout == ""

    prompt = re.search(r"change the prompt \((.+?): add a paragraph", " ".join(out.split())).group(1)
    with open(root / prompt, "a", encoding="utf-8") as fh:
        fh.write("\nAlways answer in the customer's language, cite the help-center article you used, "
                 "and end with one follow-up question that moves the conversation forward.\n")
    code, text = shell(gate, root)
    assert code == 1, text  # 31 -> 62 system-prompt tokens: over the starter config's 10%
    assert "FAIL costgate: 1 threshold crossed" in text
    assert "system prompt of example/answer grew from" in text


def test_init_from_elsewhere_prints_the_cd(tmp_path, run, shell, monkeypatch):
    root = init_repo(tmp_path / "a repo")
    (root / "README").write_text("hi\n")
    commit(root, "first")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("init", "-C", root, "--feature", "support-bot")
    assert code == 0, err
    cd, estimate, commit_files, _ = _commands(out)
    assert cd == f"cd '{root}'"
    assert commit_files.startswith("git add -- costgate.yaml llm/support-bot.costgate.yaml ")  # no git init
    code, text = shell(f"{cd} && {estimate}", tmp_path)
    assert code == 0 and "support-bot" in text, text


def test_next_steps_say_where_they_run():
    files = ["costgate.yaml", "llm/x.costgate.yaml"]
    none = " ".join(" ".join(next_steps(files, "llm/x.costgate.yaml", "llm/x.system.j2", 500, "none")).split())
    assert "not a git repository yet" in none and "$ git init && git add" in none
    empty = " ".join(" ".join(next_steps(files, "llm/x.costgate.yaml", "llm/x.system.j2", 500, "empty")).split())
    assert "no commits yet" in empty and "git init" not in empty
    ready = " ".join(" ".join(next_steps(files, "llm/x.costgate.yaml", "llm/x.system.j2", 500, "commits")).split())
    assert "no commits" not in ready and "git init" not in ready and "$500/month budget" in ready


@pytest.mark.parametrize("args, message", [
    (("--feature", "Bad Name!"), "--feature must be an id like 'support-bot', got 'Bad Name!'"),
    (("--feature", "a\nb"), "--feature must be an id"),
    (("--dir", "../up"), "is outside the repository"),
    (("--dir", "llm/../../up"), "is outside the repository"),
    (("--dir", "llm/../llm"), "is outside the repository"),  # no '..' at all, even when it stays inside
    (("--dir", "/abs"), "is outside the repository"),
    (("--dir", "a\nb"), "holds control characters"),
    (("--dir", "a\u2028b"), "holds control characters"),  # a YAML line break
])
def test_bad_input_is_refused_before_anything_is_written(tmp_path, run, args, message):
    (tmp_path / ".git").mkdir()
    assert_clean_error(*run("init", "-C", tmp_path, *args), message)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git"]


@pytest.mark.parametrize("directory", ["llm", "a: b", "it's", "x #y", "say \"hi\"", "ünï"])
def test_the_starter_spec_loads_whatever_the_folder(tmp_path, run, directory):
    """Values go through the serializer and the spec is parsed back: any folder name gives
    a spec the loader reads, with the names given."""
    (tmp_path / ".git").mkdir()
    code, out, err = run("init", "-C", tmp_path, "--dir", directory, "--feature", "my-bot")
    assert code == 0, err
    spec = load_spec(tmp_path / directory / "my-bot.costgate.yaml")
    assert spec.feature == "my-bot"
    text = (tmp_path / "costgate.yaml").read_text(encoding="utf-8")
    assert "{feature}" not in text


def test_starter_spec_reads_back():
    text = starter_spec("x.y_z-1", "dir with space/x.y_z-1.costgate.yaml")
    assert "Run: costgate estimate 'dir with space/x.y_z-1.costgate.yaml'" in text
    assert "feature: x.y_z-1\n" in text and "samples: {file: x.y_z-1.queries.txt}" in text
