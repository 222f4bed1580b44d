"""The situations a newcomer hits first, each with a message that says what to do: not a
git repository, a repository with no commits yet, a base that is not fetched (locally:
`git fetch`; in CI: the checkout's depth, by platform)."""

from __future__ import annotations

import pytest
from helpers import QUERIES, SPEC, assert_clean_error, git, hello, init_repo, spec_text, write

from costgate.repo.gittree import CI_VARIABLES

pytestmark = pytest.mark.usefixtures("neutral_cwd")


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch):
    for var in CI_VARIABLES:
        monkeypatch.delenv(var, raising=False)


def _files(root):
    write(root, {SPEC: spec_text(), "queries.txt": QUERIES, "prompts/system.j2": hello(10)})


def test_not_a_git_repository(tmp_path, gate):
    root = tmp_path / "plain"
    root.mkdir()
    _files(root)
    write(root, {"costgate.yaml": "specs: ['*.costgate.yaml']\n"})
    code, out, err = gate(root, "--base", "HEAD")
    assert_clean_error(code, out, err, "not a git repository (plain): costgate diff compares two commits",
                       "hint: run it inside your repository (or pass -C DIR); to start one: git init && git add -A",
                       "`costgate estimate SPEC` needs no git")
    assert "unknown git ref" not in err and "fetch-depth" not in err


def test_no_commits_yet(tmp_path, gate):
    root = init_repo(tmp_path / "fresh")
    _files(root)
    code, out, err = gate(root, "--base", "HEAD")
    assert_clean_error(code, out, err, "no commits yet, so there is no 'HEAD' to compare with",
                       "hint: commit your files first (git add -A && git commit -m 'Add costgate'), then change "
                       "something and run `costgate diff --base HEAD`")
    assert "fetch-depth" not in err


def test_base_not_fetched_locally(gitrepo, gate):
    code, out, err = gate(gitrepo(), "--base", "origin/main")
    assert_clean_error(code, out, err, "unknown git ref 'origin/main'",
                       "hint: fetch it first (`git fetch origin main`), or check the name with `git branch -a`")
    assert "fetch-depth" not in err and "CI" not in err


def test_local_branch_missing_but_remote_one_exists(gitrepo, gate):
    root = gitrepo()
    git(root, "update-ref", "refs/remotes/origin/develop", "HEAD")
    code, out, err = gate(root, "--base", "develop")
    assert_clean_error(code, out, err, "unknown git ref 'develop'",
                       "there is no local 'develop', but there is 'origin/develop': pass --base origin/develop")


@pytest.mark.parametrize("env, advice", [
    ({"GITHUB_ACTIONS": "true", "CI": "true"}, "give actions/checkout `with: {fetch-depth: 0}`, or run "
                                               "`git fetch origin main` in a step before"),
    ({"GITLAB_CI": "true", "CI": "true"}, "set the job variable `GIT_DEPTH: 0`, or run `git fetch origin main`"),
    ({"CI": "true"}, "run `git fetch origin main` in a step before (or clone the full history)"),
])
def test_base_not_fetched_in_ci(gitrepo, gate, monkeypatch, env, advice):
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    code, out, err = gate(gitrepo(), "--base", "origin/main")
    assert_clean_error(code, out, err, "unknown git ref 'origin/main'",
                       "hint: in CI the base must be fetched before costgate runs: ", advice)
    assert "git branch -a" not in err


def test_ci_false_is_not_ci(gitrepo, gate, monkeypatch):
    monkeypatch.setenv("CI", "false")
    code, out, err = gate(gitrepo(), "--base", "origin/main")
    assert_clean_error(code, out, err, "fetch it first (`git fetch origin main`)")


def test_a_hostile_ref_is_quoted_in_the_hint(gitrepo, gate):
    code, out, err = gate(gitrepo(), "--base", "origin/x;rm -rf ~")
    assert_clean_error(code, out, err, "`git fetch origin 'x;rm -rf ~'`")


@pytest.mark.parametrize("ref, fetch", [
    ("main-old", "git fetch origin main-old"),       # a branch not here: fetch it by name
    ("v1.0", "git fetch origin v1.0"),               # a tag
    ("HEAD~5", "git fetch --unshallow"),             # beyond the history here: a shallow clone
])
def test_the_fetch_hint_fits_the_ref(gitrepo, gate, ref, fetch):
    code, out, err = gate(gitrepo(), "--base", ref)
    assert_clean_error(code, out, err, f"unknown git ref {ref!r}", f"fetch it first (`{fetch}`)")
