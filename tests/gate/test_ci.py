"""`costgate check`: the gate under GitHub Actions, finding its base ref in the
pull-request event or ``GITHUB_BASE_REF`` (costgate.gate.ci)."""

from __future__ import annotations

import json

import pytest
from helpers import assert_clean_error, commit, feature, git, hello, write

pytestmark = pytest.mark.usefixtures("neutral_cwd")


@pytest.fixture
def ci_env(monkeypatch):
    for var in ("GITHUB_BASE_REF", "GITHUB_EVENT_PATH", "GITHUB_ACTIONS"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_check_reads_the_pr_base_sha_from_the_event(gitrepo, gate, ci_env, tmp_path):
    root = gitrepo()
    base_sha = git(root, "rev-parse", "HEAD").strip()
    write(root, {"prompts/system.j2": hello(1300)})
    commit(root, "longer prompt")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base_sha, "ref": "main"}}}))
    ci_env.setenv("GITHUB_EVENT_PATH", str(event))
    ci_env.setenv("GITHUB_BASE_REF", "does-not-exist")  # the event wins
    code, out, err = gate(root, "--format", "json", command="check")
    assert code == 1, err
    assert json.loads(out)["base"] == base_sha


def test_check_falls_back_to_origin_github_base_ref(gitrepo, gate, ci_env, tmp_path):
    root = gitrepo()
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    write(root, {"prompts/system.j2": hello(1050)})
    event = tmp_path / "push.json"
    event.write_text(json.dumps({"ref": "refs/heads/feature"}))  # not a pull_request event
    ci_env.setenv("GITHUB_EVENT_PATH", str(event))
    ci_env.setenv("GITHUB_BASE_REF", "main")
    code, out, err = gate(root, "--format", "json", command="check")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["base"] == "origin/main" and feature(doc)["status"] == "changed"


def test_check_outside_a_pull_request_is_exit_2(gitrepo, gate, ci_env):
    root = gitrepo()
    code, out, err = gate(root, command="check")
    assert_clean_error(code, out, err, "no base ref", "--base")


def test_check_annotates_under_github_actions(gitrepo, gate, ci_env):
    root = gitrepo()
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    write(root, {"prompts/system.j2": hello(1300)})
    ci_env.setenv("GITHUB_BASE_REF", "main")
    ci_env.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = gate(root, command="check")
    assert code == 1
    assert "::error file=prompts/system.j2,line=1," in out
