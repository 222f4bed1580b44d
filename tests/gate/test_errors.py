"""The gate on bad input: exit 2 and one message naming the ref, side (base or head),
file and line, never a traceback. The bot spec is described in test_diff.py."""

from __future__ import annotations

import pytest
from helpers import SPEC, assert_clean_error, commit, git, hello, spec_text, write

pytestmark = pytest.mark.usefixtures("neutral_cwd")


def test_bad_ref_is_a_clear_error(gitrepo, gate):
    root = gitrepo()
    code, out, err = gate(root, "--base", "no-such-branch")
    assert_clean_error(code, out, err, "unknown git ref 'no-such-branch'", "hint:")
    assert out == ""


def test_bad_head_ref_is_a_clear_error(gitrepo, gate):
    root = gitrepo()
    code, out, err = gate(root, "--base", "HEAD", "--head", "HEAD~5")
    assert_clean_error(code, out, err, "unknown git ref 'HEAD~5'")


def test_a_spec_that_fails_to_load_at_base_is_named(gitrepo, gate):
    root = gitrepo(extra="retry_rat: 0.1\n")  # committed broken
    write(root, {SPEC: spec_text()})  # fixed in the working tree
    code, out, err = gate(root)
    assert_clean_error(code, out, err, f"{SPEC}:13: at base HEAD", "retry_rat")


def test_a_spec_whose_template_is_missing_at_base_is_named(gitrepo, gate):
    root = gitrepo()
    git(root, "rm", "-q", "prompts/system.j2")
    commit(root, "oops")
    write(root, {"prompts/system.j2": hello(1000)})
    code, out, err = gate(root)
    assert_clean_error(code, out, err, "prompts/system.j2", "HEAD")


def test_a_spec_that_fails_to_load_at_a_head_ref_is_labelled_head(gitrepo, gate):
    """Fails today: gate._estimate_side (its first line, ``label = ...``) labels every GitTree side
    ``"base <ref>"``, so a broken spec at ``--head REF`` is reported as "at base REF".
    Suggested fix: pass the side's role into _estimate_side (``_estimate_side(base_src,
    ..., role="base")`` / ``role="head"``) and build the label from it."""
    root = gitrepo()
    write(root, {SPEC: spec_text(extra="retry_rat: 0.1\n")})
    commit(root, "broken head")
    code, out, err = gate(root, "--base", "HEAD~1", "--head", "HEAD")
    assert_clean_error(code, out, err, SPEC, "retry_rat")
    assert "at head HEAD" in err and "at base" not in err


def test_a_spec_broken_in_the_working_tree_is_exit_2(gitrepo, gate):
    root = gitrepo()
    write(root, {SPEC: spec_text(extra="retry_rat: 0.1\n")})
    code, out, err = gate(root)
    assert_clean_error(code, out, err, SPEC, "retry_rat")


def test_a_model_with_no_price_is_an_error_never_zero(gitrepo, gate, run):
    root = gitrepo()
    write(root, {SPEC: spec_text("gpt-5.2")})  # gpt-5.2 is priced from 2025-12-11 on
    code, out, err = run("diff", "-C", root, "--base", "HEAD", "--as-of", "2025-06-01")
    assert_clean_error(code, out, err, "gpt-5.2", "no price")
    assert "$0" not in out + err


def test_a_model_with_no_price_at_base_is_an_error(gitrepo, run):
    root = gitrepo(model="gpt-5.2")
    write(root, {SPEC: spec_text("gpt-4o")})
    code, out, err = run("diff", "-C", root, "--base", "HEAD", "--as-of", "2025-06-01")
    assert_clean_error(code, out, err, "gpt-5.2", "no price", "base")


def test_an_unknown_model_is_an_error(gitrepo, gate):
    root = gitrepo()
    write(root, {SPEC: spec_text("gpt-4o-minii")})
    code, out, err = gate(root)
    assert_clean_error(code, out, err, "gpt-4o-minii", SPEC)


def test_a_bad_config_at_base_is_exit_2(gitrepo, gate):
    root = gitrepo({"costgate.yaml": "thresholds:\n  system_prompt_grow: {percent: 5}\n"})
    write(root, {"costgate.yaml": "thresholds:\n  system_prompt_growth: {percent: 5}\n"})
    code, out, err = gate(root)
    assert_clean_error(code, out, err, "costgate.yaml", "system_prompt_grow", "base")


def test_bad_as_of_is_exit_2(gitrepo, run):
    root = gitrepo()
    code, out, err = run("diff", "-C", root, "--base", "HEAD", "--as-of", "yesterday")
    assert_clean_error(code, out, err, "--as-of")
