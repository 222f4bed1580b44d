"""The pull-request gate, end to end: `costgate diff` / `costgate check` on throwaway git
repositories, through the real CLI boundary (``costgate.cli.main``).

Every repository starts from one small spec whose numbers are easy to follow:

* the ``answer`` call's system prompt is N repetitions of " hello", which is exactly N
  o200k tokens (checked below), so "grow the prompt by 30%" is 1,000 -> 1,300 tokens;
* gpt-4o, no caching, 10 output tokens, 1,000 sessions a day, 30 days a month, so
  monthly cost = (input_tokens_mean * input_price + 10 * output_price) / 1e6 * 30,000,
  which the pricing-override test computes by hand.

Both sides are always priced ``--as-of 2026-11-01`` so the shipped table's history
cannot move a number between runs.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from update_golden import commit, git, init_repo

from costgate.tokens import get_tokenizer

AS_OF = "2026-11-01"
SPEC = "bot.costgate.yaml"
SPEC_TEXT = """\
version: 1
feature: bot
traffic:
  sessions_per_day: 1000
samples: {{file: queries.txt}}
calls:
  - name: answer
    model: {model}
    per_session: 1
    system: {{file: prompts/system.j2}}
    user: "{{{{ query }}}}"
    output_tokens: 10
{extra}"""
QUERIES = "hi there\nhow are you\n"


def hello(n: int) -> str:
    return " hello" * n


def spec_text(model: str = "gpt-4o", extra: str = "", feature: str = "bot") -> str:
    return SPEC_TEXT.format(model=model, extra=extra).replace("feature: bot", f"feature: {feature}")


def write(root: Path, files: dict[str, str | None]) -> None:
    """Write repo-relative files; ``None`` deletes one."""
    for rel, text in files.items():
        p = root / rel
        if text is None:
            p.unlink()
            continue
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


@pytest.fixture(autouse=True)
def _neutral_cwd(tmp_path, monkeypatch):
    """Run from a directory with no costgate.yaml or pyproject.toml (not this checkout,
    which has both), so only -C decides which repository's config is read. Running from
    elsewhere is tested on purpose in test_config_is_read_when_run_from_another_directory."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def gitrepo(tmp_path):
    """A git repository whose first commit holds the bot spec with a 1,000-token prompt.
    Call it with extra/replacement files for the base commit."""

    def _make(files: dict[str, str | None] | None = None, *, tokens: int = 1000, model: str = "gpt-4o",
              extra: str = "") -> Path:
        root = init_repo(tmp_path / "repo")
        write(root, {SPEC: spec_text(model, extra), "queries.txt": QUERIES, "prompts/system.j2": hello(tokens)})
        write(root, files or {})
        commit(root, "base")
        return root

    return _make


@pytest.fixture
def gate(run):
    """`costgate diff -C ROOT --as-of AS_OF ARGS...` -> (exit code, stdout, stderr)."""

    def _gate(root: Path, *args: str | Path, command: str = "diff") -> tuple[int, str, str]:
        if command == "diff" and "--base" not in args:
            args = ("--base", "HEAD", *args)
        return run(command, "-C", root, "--as-of", AS_OF, *args)

    return _gate


def as_json(gate, root: Path, *args: str) -> tuple[int, dict]:
    code, out, err = gate(root, *args, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def feature(doc: dict, name: str = "bot") -> dict:
    return next(f for f in doc["features"] if f["feature"] == name)


def test_the_prompt_arithmetic_this_file_relies_on():
    tok = get_tokenizer("o200k_base")
    assert [tok.count(hello(n)) for n in (1000, 1010, 1050, 1300, 500)] == [1000, 1010, 1050, 1300, 500]


# ------------------------------------------------------------------ acceptance (a)-(f)

def test_a_prompt_grown_30_percent_and_committed_fails_naming_call_and_counts(gitrepo, gate):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    commit(root, "longer prompt")
    code, out, err = gate(root, "--base", "HEAD~1")
    assert code == 1, err
    assert err == ""
    assert "error: system prompt of bot/answer grew from 1,000 to 1,300 tokens (+300, +30.0%)" in out
    assert re.search(r"^answer\s+1,000 → 1,300\s", out, re.M), out
    assert out.startswith("FAIL costgate:")


def test_a_prompt_grown_30_percent_in_working_tree_fails(gitrepo, gate):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    code, doc = as_json(gate, root, "--base", "HEAD")
    assert code == 1
    assert doc["passed"] is False and doc["head"] == "working tree"
    call = feature(doc)["calls"][0]
    assert (call["name"], call["system_prompt_tokens_before"], call["system_prompt_tokens_after"]) == ("answer", 1000, 1300)
    growth = [c for c in doc["crossings"] if c["threshold"] == "system_prompt_growth"]
    assert [(c["level"], c["call"], c["before"], c["after"], c["file"]) for c in growth] == \
        [("fail", "answer", "1000", "1300", "prompts/system.j2")]


def test_b_change_below_every_threshold_passes(gitrepo, gate):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1050)})  # +5%, +50 tokens, cost +~5%
    code, out, err = gate(root)
    assert code == 0, out + err
    assert out.startswith("PASS costgate: all thresholds hold, monthly cost +$")
    assert "error:" not in out and "warning:" not in out
    assert re.search(r"^answer\s+1,000 → 1,050\s", out, re.M)


def test_c_cheaper_model_shows_a_negative_delta_and_passes(gitrepo, gate):
    root = gitrepo()
    write(root, {SPEC: spec_text("gpt-4o-mini")})
    code, doc = as_json(gate, root)
    assert code == 0
    f = feature(doc)
    assert f["status"] == "changed"
    assert Decimal(f["monthly_delta_usd"]) < 0 and Decimal(doc["monthly_delta_usd"]) < 0
    assert Decimal(f["monthly_delta_percent"]) < 0
    assert Decimal(f["calls"][0]["monthly_delta_usd"]) < 0
    assert doc["crossings"] == []
    code, out, _ = gate(root)
    assert code == 0
    assert re.search(r"monthly cost -\$\d", out.splitlines()[0]), out


def test_d_editing_only_a_referenced_template_is_detected(gitrepo, gate):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1010)})
    assert git(root, "status", "--porcelain").split() == ["M", "prompts/system.j2"]
    code, doc = as_json(gate, root)
    assert code == 0
    assert feature(doc)["status"] == "changed"
    assert feature(doc)["calls"][0]["system_prompt_tokens_after"] == 1010
    assert doc["changed"] is True


def test_d_editing_the_samples_file_is_detected(gitrepo, gate):
    root = gitrepo()
    write(root, {"queries.txt": QUERIES + "a third and much longer question about invoices and refunds\n"})
    _, doc = as_json(gate, root)
    assert feature(doc)["status"] == "changed"


def _openai_override(input_price: str) -> str:
    """One model block copied from pricing/openai.yaml's format, with our own price."""
    return f"""\
schema_version: 1
provider: openai
name: OpenAI (negotiated)
source: https://openai.com/api/pricing/
models:
  - id: gpt-4o
    name: GPT-4o
    tokenizer: o200k_base
    context_window: 128000
    cache_min_tokens: 1024
    checked: 2026-11-25
    prices:
      - since: 2024-10-02
        input: "{input_price}"
        cached_input: "1.25"
        output: "10.00"
"""


def test_e_a_price_change_in_the_repositorys_own_pricing_override_moves_the_projection(gitrepo, gate):
    root = gitrepo({"costgate.yaml": "pricing: [prices/]\n", "prices/openai.yaml": _openai_override("2.50")})
    code, doc = as_json(gate, root)
    assert code == 0 and feature(doc)["status"] == "unchanged"

    write(root, {"prompts/system.j2": hello(1000), "prices/openai.yaml": _openai_override("4.00")})
    code, doc = as_json(gate, root)
    f = feature(doc)
    assert f["status"] == "changed"
    call = f["calls"][0]
    assert call["system_prompt_tokens_before"] == call["system_prompt_tokens_after"] == 1000
    tokens = Decimal(call["input_tokens_mean_after"])
    assert tokens == Decimal(call["input_tokens_mean_before"])
    month = lambda price: ((tokens * Decimal(price) + 10 * Decimal("10.00")) / 1_000_000 * 30_000)  # noqa: E731
    assert Decimal(f["monthly_cost_before_usd"]) == month("2.50").quantize(Decimal("0.01"))
    assert Decimal(f["monthly_cost_after_usd"]) == month("4.00").quantize(Decimal("0.01"))
    # +57% is over the default 20% monthly_cost_increase: a price change gates like any other
    assert code == 1
    assert [c["threshold"] for c in doc["crossings"]] == ["monthly_cost_increase"]


def test_e_the_override_at_base_is_read_from_git_not_the_working_tree(gitrepo, gate):
    root = gitrepo({"costgate.yaml": "pricing: [prices/]\n", "prices/openai.yaml": _openai_override("4.00")})
    write(root, {"prices/openai.yaml": _openai_override("2.50")})
    code, doc = as_json(gate, root)
    assert code == 0
    assert Decimal(feature(doc)["monthly_delta_usd"]) < 0


def test_f_a_new_spec_over_its_own_budget_fails(gitrepo, gate):
    root = gitrepo()
    write(root, {"new/new.costgate.yaml": spec_text(extra="budget: {monthly_usd: 50}\n", feature="newbot")
                 .replace("queries.txt", "../queries.txt").replace("prompts/", "../prompts/")})
    code, out, err = gate(root)
    assert code == 1, err
    assert "projected monthly cost of newbot is $79.01, over its $50.00 budget (new feature)" in out
    assert re.search(r"^newbot\s+new\s", out, re.M), out
    _, doc = as_json(gate, root)
    assert feature(doc, "newbot")["status"] == "added"
    assert feature(doc, "newbot")["monthly_cost_before_usd"] is None
    assert feature(doc, "bot")["status"] == "unchanged"


def test_f_a_new_spec_over_the_configured_budget_fails(tmp_path, gate):
    root = init_repo(tmp_path / "repo")
    write(root, {"costgate.yaml": "thresholds:\n  monthly_budget_usd: 60\n", "README": "x"})
    commit(root, "config only: the base has no spec at all")
    write(root, {SPEC: spec_text(), "queries.txt": QUERIES, "prompts/system.j2": hello(1000)})
    code, doc = as_json(gate, root)
    assert code == 1
    assert [(c["threshold"], c["limit"], c["before"]) for c in doc["crossings"]] == [("monthly_budget_usd", "$60.00", None)]


def test_a_new_spec_under_budget_is_reported_as_new_and_passes(tmp_path, gate):
    root = init_repo(tmp_path / "repo")
    write(root, {"README": "x"})
    commit(root, "no spec yet")
    write(root, {SPEC: spec_text(extra="budget: {monthly_usd: 100}\n"), "queries.txt": QUERIES,
                 "prompts/system.j2": hello(1000)})
    code, out, err = gate(root)
    assert code == 0, out + err
    assert re.search(r"^bot\s+new\s+ok\s+— → \$0\.002634\s+— → \$79\.01\s+\+\$79\.01", out, re.M), out


# ------------------------------------------------------------------ thresholds from config

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


def test_removed_features_are_listed_and_pass(gitrepo, gate):
    root = gitrepo({"two.costgate.yaml": spec_text(feature="two")})
    write(root, {"two.costgate.yaml": None})
    code, out, err = gate(root)
    assert code == 0, out + err
    assert re.search(r"^two\s+removed\s+ok\s+\$0\.002634 → —\s+\$79\.01 → —\s+-\$79\.01", out, re.M), out
    _, doc = as_json(gate, root)
    assert feature(doc, "two")["status"] == "removed"
    assert feature(doc, "two")["monthly_cost_after_usd"] is None
    assert Decimal(doc["monthly_delta_usd"]) == Decimal("-79.01")


def test_decreases_never_fail_even_with_zero_tolerance(gitrepo, gate):
    cfg = "thresholds:\n  system_prompt_growth: {percent: 0, tokens: 0}\n  monthly_cost_increase: {percent: 0, usd: 0}\n"
    root = gitrepo({"costgate.yaml": cfg})
    write(root, {"prompts/system.j2": hello(500), SPEC: spec_text("gpt-4o-mini")})
    code, out, err = gate(root)
    assert code == 0, out + err
    assert "monthly cost -$" in out.splitlines()[0]


def test_a_decrease_of_a_feature_already_over_budget_does_not_fail(gitrepo, gate):
    """"Increases gate; decreases are reported as savings and never fail" (issue 4).

    Fails today: gate._feature_crossings (the monthly_budget_usd block) checks monthly_budget_usd on every
    changed feature regardless of direction, so a PR that cuts an over-budget feature's
    cost from $79 to $71 fails its check. Suggested fix: for a feature with a base, only
    report a budget crossing when the monthly cost increased (after > before), e.g.
    ``if budget is not None and after.monthly_cost > budget and (before is None or
    after.monthly_cost > before.monthly_cost)``; a still-over-budget decrease can be a
    warning."""
    root = gitrepo(extra="budget: {monthly_usd: 50}\n")
    write(root, {"prompts/system.j2": hello(900)})
    code, out, err = gate(root)
    assert "monthly cost -$" in out.splitlines()[0]
    assert code == 0, out + err


# ------------------------------------------------------------------ output plumbing

def test_no_change_reports_no_cost_change(gitrepo, gate):
    root = gitrepo()
    code, out, _ = gate(root)
    assert code == 0
    assert out.startswith("PASS costgate: no cost change")


def test_quiet_writes_nothing_when_nothing_changed(gitrepo, gate, tmp_path):
    root = gitrepo()
    write(root, {"unrelated.txt": "not costed\n"})
    for fmt in ("table", "json", "markdown"):
        code, out, _ = gate(root, "--quiet", "--format", fmt)
        assert (code, out) == (0, "")
    report = tmp_path / "comment.md"
    code, out, err = gate(root, "--quiet", "--format", "markdown", "-o", report)
    assert (code, out, err) == (0, "", "")
    assert not report.exists()


def test_quiet_still_reports_a_change(gitrepo, gate):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1010)})
    code, out, _ = gate(root, "--quiet", "--format", "markdown")
    assert code == 0 and out.startswith("<!-- costgate-report -->")


def test_output_file_is_written_even_when_the_gate_fails(gitrepo, gate, tmp_path):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    report = tmp_path / "out" / "comment.md"
    report.parent.mkdir()
    code, out, err = gate(root, "--format", "markdown", "--output", report)
    assert code == 1
    assert out == "" and err == ""
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!-- costgate-report -->\n## ❌ **costgate: 2 thresholds crossed**")


def test_json_report_schema(gitrepo, gate):
    root = gitrepo({"two.costgate.yaml": spec_text(feature="two")})
    write(root, {"prompts/system.j2": hello(1300)})
    code, out, _ = gate(root, "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["schema_version"] == 1 and doc["kind"] == "diff" and doc["passed"] is False
    assert set(doc) >= {"schema_version", "passed", "changed", "base", "head", "as_of", "features", "crossings",
                        "monthly_cost_before_usd", "monthly_cost_after_usd", "monthly_delta_usd"}
    assert doc["as_of"] == AS_OF and doc["base"] == "HEAD"
    assert [f["feature"] for f in doc["features"]] == ["bot", "two"]
    for f in doc["features"]:
        assert set(f) >= {"feature", "spec", "status", "monthly_cost_before_usd", "monthly_cost_after_usd",
                          "monthly_delta_usd", "calls"}
        for c in f["calls"]:
            assert set(c) == {
                "name", "status", "system_prompt_tokens_before", "system_prompt_tokens_after",
                "input_tokens_mean_before", "input_tokens_mean_after",
                "cost_per_session_before_usd", "cost_per_session_after_usd",
                "monthly_cost_before_usd", "monthly_cost_after_usd", "monthly_delta_usd"}
    # money is a string (Decimal), never a float
    assert isinstance(doc["monthly_delta_usd"], str)
    for c in doc["crossings"]:
        assert set(c) == {"level", "threshold", "feature", "call", "before", "after", "limit", "message", "file", "line"}


def test_annotations_point_at_the_template_that_grew(gitrepo, gate):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    code, out, _ = gate(root, "--annotations")
    assert code == 1
    ann = [line for line in out.splitlines() if line.startswith("::")]
    assert ann[0] == ("::error file=prompts/system.j2,line=1,title=costgate system_prompt_growth::system prompt of "
                      "bot/answer grew from 1,000 to 1,300 tokens (+300, +30.0%25), over the 10%25 or 200 tokens limit")
    assert ann[1].startswith("::error file=bot.costgate.yaml,line=1,title=costgate monthly_cost_increase::")
    assert len(ann) == 2


def test_annotations_for_an_inline_system_prompt_point_at_the_call(gitrepo, gate):
    root = gitrepo()
    write(root, {SPEC: spec_text().replace("{file: prompts/system.j2}", '"' + hello(1300).strip() + '"')})
    code, out, _ = gate(root, "--annotations")
    assert code == 1
    ann = [line for line in out.splitlines() if line.startswith("::error") and "system_prompt_growth" in line]
    assert ann and ann[0].startswith("::error file=bot.costgate.yaml,line=7,")  # `- name: answer`


def test_annotation_properties_are_escaped(gitrepo, gate):
    """GitHub workflow-command property values must escape ``%``, CR, LF, ``:`` and ``,``
    (actions/toolkit escapeProperty); an unescaped comma in ``file=`` ends the property.

    Fails today: gate.annotations escapes only the message, not ``file=``/``title=``.
    Suggested fix: ``def _prop(v): return _data(v).replace(":", "%3A").replace(",", "%2C")``
    applied to each property value."""
    root = gitrepo({"prompts/a,b.j2": hello(1000)})
    write(root, {SPEC: spec_text().replace("prompts/system.j2", '"prompts/a,b.j2"'), "prompts/a,b.j2": hello(1000)})
    commit(root, "rename the template")
    write(root, {"prompts/a,b.j2": hello(1300)})
    code, out, err = gate(root, "--annotations")
    assert code == 1, err
    assert "::error file=prompts/a%2Cb.j2,line=1,title=costgate system_prompt_growth::" in out


def test_annotations_default_on_under_github_actions_only(gitrepo, gate, monkeypatch):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert "::error" not in gate(root)[1]
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert "::error file=prompts/system.j2" in gate(root)[1]
    assert "::error" not in gate(root, "--no-annotations")[1]


# ------------------------------------------------------------------ bad input: exit 2, no traceback

def assert_clean_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2, out + err
    assert "Traceback" not in err and "crashed" not in err
    assert err.startswith("error: "), err
    for n in needles:
        assert n in err, err


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


# ------------------------------------------------------------------ costgate check (CI)

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
