"""The pull-request gate, end to end: `costgate diff` on throwaway git repositories,
through the real CLI boundary (``costgate.cli.main``): what changed, by how much, and
which crossings fail. Thresholds from config are in test_thresholds.py, bad input in
test_errors.py, `costgate check` in test_ci.py.

Every repository starts from one small spec whose numbers are easy to follow
(helpers.SPEC_TEXT, the ``gitrepo`` fixture):

* the ``answer`` call's system prompt is N repetitions of " hello", which is exactly N
  o200k tokens (checked below), so "grow the prompt by 30%" is 1,000 -> 1,300 tokens;
* gpt-4o, no caching, 10 output tokens, 1,000 sessions a day, 30 days a month, so
  monthly cost = (input_tokens_mean * input_price + 10 * output_price) / 1e6 * 30,000,
  which the pricing-override test computes by hand.

Both sides are always priced ``--as-of 2026-11-01`` so the shipped table's history
cannot move a number between runs.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from helpers import AS_OF_DATE, QUERIES, SPEC, as_json, commit, feature, git, hello, init_repo, spec_text, write

from costgate.tokens import get_tokenizer

pytestmark = pytest.mark.usefixtures("neutral_cwd")


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
    assert out.startswith("PASS costgate: all thresholds hold, total monthly cost +$")
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


def _cheap_override(input_price: str) -> str:
    return _openai_override(input_price).replace('cached_input: "1.25"', f'cached_input: "{input_price}"')


def test_e_a_price_change_in_the_pull_request_is_reported_never_used_to_judge_it(gitrepo, gate):
    """The base's price table judges both sides; the pull request's own price layers are
    priced in their own section (what they will do once merged)."""
    root = gitrepo({"costgate.yaml": "pricing: [prices/]\n", "prices/openai.yaml": _openai_override("2.50")})
    code, doc = as_json(gate, root)
    assert code == 0 and feature(doc)["status"] == "unchanged" and doc["pricing"] is None

    write(root, {"prompts/system.j2": hello(1000), "prices/openai.yaml": _cheap_override("0.01")})
    code, doc = as_json(gate, root)
    f = feature(doc)
    assert f["status"] == "unchanged"  # both sides on the base's 2.50
    call = f["calls"][0]
    tokens = Decimal(call["input_tokens_mean_after"])
    month = lambda price: ((tokens * Decimal(price) + 10 * Decimal("10.00")) / 1_000_000 * 30_000)  # noqa: E731
    assert Decimal(f["monthly_cost_after_usd"]) == month("2.50").quantize(Decimal("0.01"))
    pricing = doc["pricing"]
    assert [(c["model"], c["field"], c["before"], c["after"]) for c in pricing["changes"]] == [
        ("gpt-4o", "input", "2.50", "0.01"), ("gpt-4o", "cached_input", "1.25", "0.01")]
    impact = pricing["features"][0]
    assert Decimal(impact["monthly_cost_before_usd"]) == month("2.50").quantize(Decimal("0.01"))
    assert Decimal(impact["monthly_cost_after_usd"]) == month("0.01").quantize(Decimal("0.01"))
    # the HTML report shows the same section: the rate changes and the spend they would give
    code, page, _ = gate(root, "--format", "html")
    assert code == 0 and "Price changes (they take effect once merged)" in page
    assert ">2.50<" in page and ">0.01<" in page
    assert f">${month('0.01').quantize(Decimal('0.01')):,}<" in page


def test_e_a_zero_price_layer_added_by_the_pull_request_does_not_pass_a_growth(gitrepo, gate):
    root = gitrepo({})
    write(root, {"prompts/system.j2": hello(20_000), "costgate.yaml": "pricing: [free/]\n",
                 "free/openai.yaml": _cheap_override("0.00")})
    code, doc = as_json(gate, root)
    assert code == 1
    assert {c["threshold"] for c in doc["crossings"]} >= {"system_prompt_growth", "monthly_cost_increase"}
    assert doc["config_changed"] is True
    assert doc["pricing"] is not None and Decimal(doc["pricing"]["features"][0]["monthly_cost_after_usd"]) < Decimal(
        feature(doc)["monthly_cost_after_usd"])


def test_e_the_override_at_base_is_read_from_git_not_the_working_tree(gitrepo, gate):
    root = gitrepo({"costgate.yaml": "pricing: [prices/]\n", "prices/openai.yaml": _openai_override("4.00")})
    write(root, {"prices/openai.yaml": _openai_override("2.50")})
    code, doc = as_json(gate, root)
    assert code == 0
    assert Decimal(feature(doc)["monthly_delta_usd"]) == 0  # judged at base's 4.00 on both sides
    impact = doc["pricing"]["features"][0]
    assert Decimal(impact["monthly_cost_after_usd"]) < Decimal(impact["monthly_cost_before_usd"])


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


# ------------------------------------------------------------------ removals and decreases

def test_removed_features_are_listed_and_pass(gitrepo, gate):
    root = gitrepo({"two.costgate.yaml": spec_text(feature="two")})
    write(root, {"two.costgate.yaml": None})
    code, out, err = gate(root)
    assert code == 0, out + err
    assert re.search(r"^two\s+removed\s+warn\s+\$0\.002634 → —\s+\$79\.01 → —\s+-\$79\.01", out, re.M), out
    assert "warning: two is no longer gated" in out
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


# ------------------------------------------------ what-if advice never breaks the gate
# The field trial: a valid template whose two loops end in identical {% endfor %} lines,
# with a code-edit example. The compress lever used to drop the second endfor, so the gate
# exited 2 exactly when a threshold was crossed (that is when it prices the levers).
TEMPLATE = ("Rules:\n{% for i in range(3) %}\n  rule   {{ i }}\n{% endfor %}\nMore:\n\n\n\n"
            "{% for i in range(2) %}\n  item   {{ i }}\n{% endfor %}\n\n"
            "Edit code like this:\n\n<<<<<<< SEARCH\n    x  =  1   \n=======\n    x = 2\n>>>>>>> REPLACE\n\n"
            "```python\ndef f():\n\n\n    return  1\n```\n")


def test_a_crossed_threshold_on_a_template_with_logic_fails_cleanly_with_compress_advice(gitrepo, gate):
    from costgate.gate.diff import diff

    root = gitrepo({"prompts/system.j2": TEMPLATE + hello(1000)})
    write(root, {"prompts/system.j2": TEMPLATE + hello(1300)})
    commit(root, "longer prompt")
    code, out, err = gate(root, "--base", "HEAD~1", "--format", "markdown")
    assert (code, err) == (1, ""), err
    assert "system_prompt_growth" in out
    result = diff(root, "HEAD~1", "HEAD", as_of=AS_OF_DATE)
    [lever] = [lv for lv in result.suggestions["bot"] if lv.lever == "compress_system"]
    assert lever.trade_off.startswith("low risk")
    assert lever.removes == "collapses 1 run of blank lines, collapses 2 runs of spaces inside lines"
    assert lever.tokens_saved and lever.tokens_saved > 0
