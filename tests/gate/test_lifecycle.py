"""Retired and deprecated models in the gate: the estimate's lifecycle warnings shown in
every report, and a pull request that moves a feature onto a retired model fails
(``retired_model``) or onto a deprecated one warns (``deprecated_model``).

Priced ``--as-of 2026-11-01``: claude-sonnet-4 was retired on 2026-06-15 and
claude-sonnet-4-5 is deprecated since 2026-05-18 (pricing/anthropic.yaml)."""

from __future__ import annotations

import pytest
from helpers import SPEC, as_json, commit, feature, spec_text, write

pytestmark = pytest.mark.usefixtures("neutral_cwd")

RETIRED = "claude-sonnet-4-20250514"  # an alias: the crossing names the model's id
DEPRECATED = "claude-sonnet-4-5"


def _model_line(root) -> int:
    return next(i for i, line in enumerate((root / SPEC).read_text().splitlines(), 1) if "model:" in line)


def test_moving_a_feature_onto_a_retired_model_fails_at_the_spec_line(gitrepo, gate):
    root = gitrepo()
    write(root, {SPEC: spec_text(RETIRED)})
    code, doc = as_json(gate, root)
    assert code == 1 and doc["passed"] is False
    [c] = [c for c in doc["crossings"] if c["threshold"] == "retired_model"]
    assert (c["level"], c["feature"], c["call"], c["file"], c["line"]) == \
        ("fail", "bot", "answer", SPEC, _model_line(root))
    assert c["message"].startswith("bot/answer uses claude-sonnet-4, retired on 2026-06-15: calls to it fail; "
                                   "move the call to a current model")
    assert feature(doc)["warnings"] == ["claude-sonnet-4 was retired on 2026-06-15: calls to it fail"]
    code, out, _ = gate(root)
    assert code == 1
    assert "error: bot/answer uses claude-sonnet-4, retired on 2026-06-15" in out
    code, out, _ = gate(root, "--format", "markdown")
    assert "- **retired_model**: bot/answer uses claude-sonnet-4, retired on 2026-06-15" in out


def test_a_new_feature_on_a_retired_model_fails(gitrepo, gate):
    root = gitrepo()
    write(root, {"other.costgate.yaml": spec_text(RETIRED, feature="other")})
    code, doc = as_json(gate, root)
    assert code == 1
    assert [(c["feature"], c["threshold"], c["level"]) for c in doc["crossings"]] == \
        [("other", "retired_model", "fail")]


def test_a_feature_already_on_a_retired_model_is_warned_not_failed(gitrepo, gate):
    root = gitrepo(model=RETIRED)
    write(root, {"prompts/system.j2": " hello" * 1001})  # a change, but not of the model
    code, doc = as_json(gate, root)
    assert code == 0, doc["crossings"]
    assert not [c for c in doc["crossings"] if c["threshold"] == "retired_model"]
    assert feature(doc)["warnings"] == ["claude-sonnet-4 was retired on 2026-06-15: calls to it fail"]
    code, out, _ = gate(root)
    assert "warning: bot: claude-sonnet-4 was retired on 2026-06-15: calls to it fail" in out
    code, out, _ = gate(root, "--format", "markdown")
    assert "### Model lifecycle\n\n- `bot`: claude-sonnet-4 was retired on 2026-06-15: calls to it fail" in out


def test_an_unchanged_feature_on_a_retired_model_is_still_warned(gitrepo, gate):
    root = gitrepo(model=RETIRED)
    code, out, _ = gate(root)
    assert code == 0
    assert "warning: bot: claude-sonnet-4 was retired on 2026-06-15: calls to it fail" in out


def test_moving_onto_a_deprecated_model_warns(gitrepo, gate):
    root = gitrepo()
    write(root, {SPEC: spec_text(DEPRECATED)})
    code, doc = as_json(gate, root)
    [c] = [c for c in doc["crossings"] if c["threshold"] == "deprecated_model"]
    assert (c["level"], c["call"], c["file"], c["line"]) == ("warn", "answer", SPEC, _model_line(root))
    assert "claude-sonnet-4-5, deprecated since 2026-05-18" in c["message"]
    assert not [c for c in doc["crossings"] if c["level"] == "fail" and c["threshold"].endswith("_model")]


def test_the_checks_switch_off_in_config(gitrepo, gate):
    root = gitrepo({"costgate.yaml": "thresholds:\n  retired_model: false\n  deprecated_model: false\n"})
    write(root, {SPEC: spec_text(RETIRED)})
    code, doc = as_json(gate, root)
    assert not [c for c in doc["crossings"] if c["threshold"].endswith("_model")]
    assert feature(doc)["warnings"]  # still reported


def test_a_feature_can_switch_the_check_off(gitrepo, gate):
    root = gitrepo({"costgate.yaml": "features:\n  bot:\n    retired_model: false\n"})
    write(root, {SPEC: spec_text(RETIRED)})
    _, doc = as_json(gate, root)
    assert not [c for c in doc["crossings"] if c["threshold"] == "retired_model"]


def test_a_switch_must_be_a_boolean(gitrepo, gate):
    root = gitrepo({"costgate.yaml": "thresholds:\n  retired_model: 3\n"})
    code, out, err = gate(root)
    assert code == 2 and "must be true or false" in err


def test_a_switch_is_not_a_warn_threshold(gitrepo, gate):
    root = gitrepo({"costgate.yaml": "warn:\n  retired_model: true\n"})
    code, out, err = gate(root)
    assert code == 2 and "retired_model" in err


def test_committed_move_onto_a_retired_model_fails(gitrepo, gate):
    root = gitrepo()
    write(root, {SPEC: spec_text(RETIRED)})
    commit(root, "move to sonnet 4")
    code, out, _ = gate(root, "--base", "HEAD~1")
    assert code == 1 and "error: bot/answer uses claude-sonnet-4, retired on 2026-06-15" in out
