"""The gate and the estimate cache see included templates: a pull request that changes
only a partial the system prompt includes is a changed prompt, at base read from git
objects; every included file is in the estimate cache key, and a spec whose optional
include is missing gets no key (the file appearing later must change the estimate). The
bot spec is described in test_diff.py."""

from __future__ import annotations

import pytest
from helpers import AS_OF_DATE, SPEC, as_json, commit, feature, hello, write

import costgate.gate.runner
from costgate.gate.runner import Runner
from costgate.pricing import load_table
from costgate.repo import GitTree, WorkTree
from costgate.spec import load_spec

pytestmark = pytest.mark.usefixtures("neutral_cwd")

INCLUDING = {"prompts/system.j2": '{% include "partials/policy.j2" %}', "prompts/partials/policy.j2": hello(1000)}


def test_a_pull_request_that_grows_only_an_included_file_fails_the_gate(gitrepo, gate):
    root = gitrepo(INCLUDING)
    write(root, {"prompts/partials/policy.j2": hello(1300)})
    commit(root, "longer policy")
    code, out, err = gate(root, "--base", "HEAD~1", "--head", "HEAD")
    assert code == 1, err
    assert "error: system prompt of bot/answer grew from 1,000 to 1,300 tokens (+300, +30.0%)" in out


def test_the_working_tree_side_reads_the_edited_include(gitrepo, gate):
    root = gitrepo(INCLUDING)
    write(root, {"prompts/partials/policy.j2": hello(1050)})
    code, doc = as_json(gate, root, "--base", "HEAD")
    call = feature(doc)["calls"][0]
    assert (call["system_prompt_tokens_before"], call["system_prompt_tokens_after"]) == (1000, 1050)


def test_an_unchanged_include_is_estimated_once_and_a_changed_one_again(gitrepo, gate, tmp_path, monkeypatch):
    estimated: list[str] = []
    real = costgate.gate.runner.estimate
    monkeypatch.setattr(costgate.gate.runner, "estimate", lambda spec, *a, **k: estimated.append(spec.file) or
                        real(spec, *a, **k))
    root = gitrepo(INCLUDING)
    cache = ("--jobs", "1", "--cache-dir", tmp_path / "cache")
    assert gate(root, *cache)[0] == 0 and estimated == [SPEC]  # base and head read the same bytes: one key
    write(root, {"prompts/partials/policy.j2": hello(1001)})
    assert gate(root, *cache)[0] == 0 and estimated == [SPEC, SPEC]  # the head's include changed: its key too


def _key(root, source=None):
    src = source or WorkTree(root)
    spec = load_spec(SPEC, src)
    runner = Runner(AS_OF_DATE, 1, 500)
    runner.note(spec, src)
    return runner.key(spec, load_table(), True)


def test_every_included_file_is_in_the_cache_key(gitrepo):
    root = gitrepo({**INCLUDING, "prompts/partials/policy.j2": '{% include "partials/deeper.j2" %}',
                    "prompts/partials/deeper.j2": hello(10)})
    before = _key(root)
    assert before is not None and _key(root, GitTree(root, "HEAD")) == before
    write(root, {"prompts/partials/deeper.j2": hello(10) + "!"})
    assert _key(root) != before


def test_a_missing_optional_include_keeps_the_spec_out_of_the_cache(gitrepo):
    root = gitrepo({"prompts/system.j2": hello(10) + '{% include "extra.j2" ignore missing %}'})
    assert _key(root) is None
    write(root, {"prompts/extra.j2": "now here"})
    assert _key(root) is not None
