"""Thresholds from configuration, end to end: costgate.yaml and ``[tool.costgate]``,
per-feature and per-call overrides, warn levels, and the base commit's config judging
the change. The bot spec and its numbers are described in test_diff.py."""

from __future__ import annotations

import pytest
from helpers import QUERIES, SPEC, as_json, commit, hello, init_repo, spec_text, write

pytestmark = pytest.mark.usefixtures("neutral_cwd")


def test_thresholds_from_costgate_yaml(gitrepo, gate):
    root = gitrepo({"costgate.yaml": "thresholds:\n  system_prompt_growth: {percent: 50}\n"})
    write(root, {"prompts/system.j2": hello(1300)})
    code, out, err = gate(root)
    assert code == 0, out + err  # 30% < 50%, and no monthly_cost_increase threshold is set

    root2 = gitrepo({"costgate.yaml": "thresholds:\n  system_prompt_growth: {tokens: 5}\n  monthly_cost_increase: {usd: 1000}\n"})
    write(root2, {"prompts/system.j2": hello(1010)})
    code, out, _ = gate(root2)
    assert code == 1
    assert "over the 5 tokens limit" in out


PYPROJECT = """\
[project]
name = "some-app"

[tool.costgate]
specs = ["*.costgate.yaml"]

[tool.costgate.thresholds]
system_prompt_growth = {percent = 50}
monthly_cost_increase = {percent = 5.5}
"""


def test_thresholds_from_pyproject_tool_costgate(gitrepo, gate, monkeypatch):
    root = gitrepo({"pyproject.toml": PYPROJECT})
    monkeypatch.chdir(root)
    write(root, {"prompts/system.j2": hello(1050)})  # cost +~4.9%
    code, out, err = gate(root)
    assert code == 0, out + err
    write(root, {"prompts/system.j2": hello(1100)})  # cost +~9.8% > 5.5%
    code, out, err = gate(root)
    assert code == 1, out + err
    assert "over the 5.5% limit" in out


@pytest.mark.parametrize("config", ["pyproject.toml", "costgate.yaml"])
def test_config_is_read_when_run_from_another_directory(gitrepo, gate, monkeypatch, tmp_path, config):
    """`costgate diff -C REPO` from a directory that has its own pyproject.toml and
    costgate.yaml (this checkout; a CI workspace; the top of a monorepo) must read REPO's
    config.

    Fails today: gate._base_config passes a bare relative Path ("pyproject.toml", or
    "costgate.yaml") to config.load_config, which (config.py:101) tests ``p.exists()``
    against the *current directory*, resolves it there and calls
    ``relative_to(root)``: ValueError, exit 3 "costgate crashed"."""
    files = {"pyproject.toml": PYPROJECT} if config == "pyproject.toml" else {
        "costgate.yaml": "thresholds:\n  system_prompt_growth: {percent: 50}\n  monthly_cost_increase: {percent: 5.5}\n"}
    root = gitrepo(files)
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere, {"pyproject.toml": "[project]\nname = 'other'\n", "costgate.yaml": "specs: [nothing]\n"})
    monkeypatch.chdir(elsewhere)
    write(root, {"prompts/system.j2": hello(1100)})
    code, out, err = gate(root)
    assert "crashed" not in err
    assert code == 1, out + err
    assert "over the 5.5% limit" in out


def test_base_config_judges_the_change_so_a_pr_cannot_loosen_its_own_gate(gitrepo, gate):
    root = gitrepo({"costgate.yaml": "thresholds:\n  system_prompt_growth: {percent: 10}\n"})
    write(root, {"costgate.yaml": "thresholds:\n  system_prompt_growth: {percent: 90}\n",
                 "prompts/system.j2": hello(1300)})
    code, out, _ = gate(root)
    assert code == 1
    assert "over the 10% limit" in out


def test_per_feature_override_can_be_looser(gitrepo, gate):
    strict_global = ("thresholds:\n  system_prompt_growth: {percent: 100}\n  monthly_cost_increase: {percent: 5}\n"
                     "features:\n  bot:\n    monthly_cost_increase: {percent: 50}\n")
    root = gitrepo({"costgate.yaml": strict_global})
    write(root, {"prompts/system.j2": hello(1300)})  # cost +28.5%
    code, out, err = gate(root)
    assert code == 0, out + err


def test_per_feature_override_can_be_stricter(tmp_path, gate):
    cfg = ("thresholds:\n  system_prompt_growth: {percent: 100}\n  monthly_cost_increase: {percent: 90}\n"
           "features:\n  bot:\n    monthly_cost_increase: {usd: 10}\n")
    root = init_repo(tmp_path / "repo")
    write(root, {"costgate.yaml": cfg, SPEC: spec_text(), "queries.txt": QUERIES, "prompts/system.j2": hello(1000)})
    commit(root)
    write(root, {"prompts/system.j2": hello(1300)})  # +$22.50
    code, doc = as_json(gate, root)
    assert code == 1
    assert [(c["threshold"], c["limit"]) for c in doc["crossings"]] == [("monthly_cost_increase", "$10")]


@pytest.mark.parametrize("call, expected", [("answer", 0), ("other-call", 1)])
def test_per_call_override(gitrepo, gate, call, expected):
    cfg = ("thresholds:\n  system_prompt_growth: {percent: 10}\n  monthly_cost_increase: {percent: 90}\n"
           f"features:\n  bot:\n    calls:\n      {call}:\n        system_prompt_growth: {{percent: 50}}\n")
    root = gitrepo({"costgate.yaml": cfg})
    write(root, {"prompts/system.j2": hello(1300)})
    code, out, err = gate(root)
    assert code == expected, out + err


def test_warn_thresholds_are_reported_but_exit_0(gitrepo, gate):
    cfg = ("thresholds:\n  system_prompt_growth: {percent: 50}\n  monthly_cost_increase: {percent: 50}\n"
           "warn:\n  monthly_cost_increase: {percent: 5}\n  system_prompt_growth: {tokens: 100}\n")
    root = gitrepo({"costgate.yaml": cfg})
    write(root, {"prompts/system.j2": hello(1300)})
    code, out, _ = gate(root)
    assert code == 0
    assert out.startswith("PASS")
    assert "warning: projected monthly cost of bot rose" in out
    assert "warning: system prompt of bot/answer grew from 1,000 to 1,300 tokens" in out
    code, doc = as_json(gate, root)
    assert doc["passed"] is True
    assert sorted((c["level"], c["threshold"]) for c in doc["crossings"]) == \
        [("warn", "monthly_cost_increase"), ("warn", "system_prompt_growth")]
    code, out, _ = gate(root, "--annotations")
    assert code == 0
    assert [line.split(" ", 1)[0] for line in out.splitlines() if line.startswith("::")] == ["::warning", "::warning"]
    code, md, _ = gate(root, "--format", "markdown")
    assert "### Warnings" in md and "### Thresholds crossed" not in md


def test_sampling_noise_of_a_change_by_hand():
    """Standard errors of $3 at base and $4 at head: sqrt(9 + 16) = 5, so the 95% noise of
    the change is 1.96 x 5 = $9.80; +$9.80 is inside it, +$9.81 is not."""
    from dataclasses import replace
    from datetime import date
    from decimal import Decimal as D

    from costgate.estimate.results import Estimate
    from costgate.gate.model import FeatureDiff

    base = Estimate(feature="f", spec_file="f.costgate.yaml", as_of=date(2026, 11, 1), seed=1,
                    sessions_per_day=D(1), days_per_month=D(30), calls=(), cost_per_session=D(0),
                    cost_per_session_p95=D(0), monthly_cost=D(100), by_model=(), alternatives=(),
                    budget_monthly_usd=None, approximate=False, warnings=(), samples=10, monthly_cost_se=D(3))

    def diff(after: str) -> FeatureDiff:
        head = replace(base, monthly_cost=D(after), monthly_cost_se=D(4))
        return FeatureDiff("f", "f.costgate.yaml", "changed", base, head, (), ())

    assert diff("109.80").noise == D("9.80")
    assert diff("109.80").within_noise and not diff("109.81").within_noise
