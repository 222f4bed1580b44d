"""The gate's threshold semantics on hand-made estimates (no git, no estimator): what
``compare_feature`` decides for ``mode: any | all``, a ``min_monthly_usd`` floor, tool
definitions' growth, the system prompt's static text against sample data, and each
crossing once. Configs are read from costgate.yaml text, as a team writes them.

The bot here has one call, ``answer``, on a feature whose monthly cost is whatever the
test says; token counts are set directly on the call (``system_tokens`` is the rendered
system text, ``system_prompt_tokens`` its static text, ``tool_tokens`` its tools)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from costgate.errors import CostgateError
from costgate.estimate.results import CallEstimate, Estimate, ModelCost
from costgate.gate.compare import compare_feature, crossed
from costgate.gate.model import Crossing, FeatureDiff, GateResult
from costgate.repo import Config, Limit, WorkTree, load_config
from costgate.report.gate import to_json, to_markdown, to_table

AS_OF = date(2026, 11, 1)


def call(system: int = 1000, *, static: int | None = None, tools: int = 0, monthly: str = "100",
         name: str = "answer") -> CallEstimate:
    m = D(monthly)
    return CallEstimate(
        name=name, per_session=D(1), models=(ModelCost("gpt-4o", D(1), D(0), D(0), m, D(system), False, "o200k_base"),),
        tokenizer="o200k_base", approximate=False, system_tokens=system, context_tokens_mean=D(0),
        input_tokens_mean=D(system + tools), input_tokens_p50=system + tools, input_tokens_p95=system + tools,
        output_tokens_mean=D(10), cached_prefix_tokens=0, cost_per_call=D(0), cost_per_session=D(0), monthly_cost=m,
        system_file="prompts/system.j2", line=9, tool_tokens=tools, system_prompt_tokens=static)


def est(*calls: CallEstimate, feature: str = "bot") -> Estimate:
    monthly = sum((c.monthly_cost for c in calls), D(0))
    return Estimate(feature=feature, spec_file="bot.costgate.yaml", as_of=AS_OF, seed=1, sessions_per_day=D(1000),
                    days_per_month=D(30), calls=calls, cost_per_session=monthly / 30000,
                    cost_per_session_p95=monthly / 30000, monthly_cost=monthly, by_model=(), alternatives=(),
                    budget_monthly_usd=None, approximate=False, warnings=(), samples=2)


def config(tmp_path: Path, text: str) -> Config:
    (tmp_path / "costgate.yaml").write_text(text, encoding="utf-8")
    return load_config(WorkTree(tmp_path))


def judge(cfg: Config, before: Estimate | None, after: Estimate) -> FeatureDiff:
    return compare_feature("bot", before, after, cfg)


def found(fd: FeatureDiff) -> list[tuple[str, str]]:
    return [(c.level, c.threshold) for c in fd.crossings]


# ------------------------------------------------------------------- mode: any | all

@pytest.mark.parametrize("before, after, any_, all_", [
    (1000, 1150, True, False),    # +15%, +150 tokens: over the percentage only
    (10000, 10250, True, False),  # +2.5%, +250 tokens: over the amount only
    (1000, 1300, True, True),     # +30%, +300 tokens: over both
    (1000, 1100, False, False),   # +10%, +100: over neither (both limits are strict)
    (1300, 1000, False, False),   # decreases never cross
])
def test_any_crosses_on_either_limit_all_on_both(before, after, any_, all_):
    assert crossed(Limit(D(10), D(200)), D(before), D(after)) is any_
    assert crossed(Limit(D(10), D(200), mode="all"), D(before), D(after)) is all_


def test_all_with_one_limit_set_is_that_limit_and_growth_from_zero_exceeds_any_percentage():
    assert crossed(Limit(D(10), None, mode="all"), D(100), D(111))
    assert not crossed(Limit(None, D(200), mode="all"), D(100), D(300))
    assert crossed(Limit(D(50), D(200), mode="all"), D(0), D(201))
    assert not crossed(Limit(D(50), D(200), mode="all"), D(0), D(200))


def test_mode_all_through_costgate_yaml(tmp_path):
    cfg = config(tmp_path, "thresholds:\n  system_prompt_growth: {percent: 10, tokens: 200, mode: all}\n")
    base = est(call(1000))
    assert found(judge(cfg, base, est(call(1150)))) == []  # +15% but only +150 tokens
    assert found(judge(cfg, base, est(call(1300)))) == [("fail", "system_prompt_growth")]
    any_cfg = config(tmp_path, "thresholds:\n  system_prompt_growth: {percent: 10, tokens: 200}\n")
    assert any_cfg.thresholds.system_prompt_growth == Limit(D(10), D(200), "any")
    assert found(judge(any_cfg, base, est(call(1150)))) == [("fail", "system_prompt_growth")]


# ------------------------------------------------------------------ min_monthly_usd

FLOOR = "thresholds:\n  system_prompt_growth: {tokens: 20, min_monthly_usd: 5}\n"


def test_growth_that_costs_less_than_the_floor_only_warns(tmp_path):
    """The issue's case: +24 tokens failed the gate for +$0.38/month."""
    fd = judge(config(tmp_path, FLOOR), est(call(1000, monthly="100")), est(call(1024, monthly="100.38")))
    (c,) = fd.crossings
    assert (c.level, c.threshold, c.below_floor, c.monthly_increase) == ("warn", "system_prompt_growth", True,
                                                                          D("0.38"))
    result = GateResult("main", "working tree", AS_OF, (fd,))
    assert result.passed
    text = to_table(result)
    assert "warning: system prompt of bot/answer grew from 1,000 to 1,024 tokens (+24, +2.4%), over the 20 tokens " \
           "limit; a warning only: the monthly cost of bot changed by +$0.38, under the $5.00 floor" in text
    doc = json.loads(to_json(result))
    assert doc["crossings"][0]["below_floor"] is True
    assert doc["crossings"][0]["monthly_increase_usd"] == "0.38"
    assert doc["crossings"][0]["limit"] == "20 tokens, failing from +$5.00/month"


@pytest.mark.parametrize("after, level", [("105.00", "fail"), ("106", "fail"), ("104.99", "warn"),
                                          ("104.995", "fail"),  # +$5.00 at cents, as the report shows it
                                          ("90", "warn")])    # cheaper overall: the growth costs nothing
def test_the_floor_is_the_features_monthly_increase_at_cents(tmp_path, after, level):
    fd = judge(config(tmp_path, FLOOR), est(call(1000, monthly="100")), est(call(1024, monthly=after)))
    assert found(fd) == [(level, "system_prompt_growth")]


def test_the_floor_on_monthly_cost_increase(tmp_path):
    cfg = config(tmp_path, "thresholds:\n  monthly_cost_increase: {percent: 20, min_monthly_usd: 50}\n")
    assert found(judge(cfg, est(call(monthly="1")), est(call(monthly="2")))) == [("warn", "monthly_cost_increase")]
    assert found(judge(cfg, est(call(monthly="100")), est(call(monthly="200")))) == [("fail", "monthly_cost_increase")]


def test_a_floored_failure_and_the_same_warning_are_one_warning(tmp_path):
    cfg = config(tmp_path, FLOOR + "warn:\n  system_prompt_growth: {tokens: 10}\n")
    fd = judge(cfg, est(call(1000, monthly="100")), est(call(1024, monthly="100.38")))
    assert found(fd) == [("warn", "system_prompt_growth")]


# ------------------------------------------------------------- tool definitions' growth

def test_tool_definitions_growth(tmp_path):
    cfg = config(tmp_path, "thresholds:\n  tool_definitions_growth: {percent: 25, tokens: 100}\n")
    (c,) = judge(cfg, est(call(tools=300)), est(call(tools=500))).crossings
    assert (c.level, c.threshold, c.call, c.before, c.after) == ("fail", "tool_definitions_growth", "answer", 300, 500)
    assert (c.file, c.line) == ("bot.costgate.yaml", 9)  # tools are declared in the spec, at the call
    text = to_table(GateResult("main", "working tree", AS_OF, (judge(cfg, est(call(tools=300)),
                                                                     est(call(tools=500))),)))
    assert "error: tool definitions of bot/answer grew from 300 to 500 tokens (+200, +66.7%), over the 25% or " \
           "100 tokens limit" in text
    assert found(judge(cfg, est(call(tools=300)), est(call(tools=350)))) == []  # +50, +16.7%


def test_tool_definitions_growth_is_off_by_default_and_per_call_overridable(tmp_path):
    assert Config().thresholds.tool_definitions_growth is None
    assert found(judge(Config(), est(call(tools=300)), est(call(tools=3000)))) == []
    cfg = config(tmp_path, "features:\n  bot:\n    calls:\n      answer:\n"
                           "        tool_definitions_growth: {tokens: 100}\n")
    assert found(judge(cfg, est(call(tools=300)), est(call(tools=500)))) == [("fail", "tool_definitions_growth")]


# ------------------------------------------- the system prompt's static text, not its data

def test_sample_data_in_the_system_message_is_not_prompt_growth():
    """The rendered system text grows 1,000 -> 1,500 tokens because the samples put more
    data into it; the template as written is 800 tokens on both sides: no
    system_prompt_growth (the data is input: monthly_cost_increase catches what it costs)."""
    fd = judge(Config(), est(call(1000, static=800)), est(call(1500, static=800)))
    assert found(fd) == []
    assert fd.calls[0].system_prompt_tokens == (800, 800)


def test_static_text_growth_is_prompt_growth():
    (c,) = judge(Config(), est(call(1000, static=800)), est(call(1000, static=1100))).crossings
    assert (c.threshold, c.before, c.after) == ("system_prompt_growth", 800, 1100)


def test_static_text_is_compared_only_with_static_text():
    """One side not computed: both sides' rendered text is compared, never a static count
    with a rendered one."""
    fd = judge(Config(), est(call(1000, static=None)), est(call(1050, static=200)))
    assert found(fd) == [] and fd.calls[0].system_prompt_tokens == (1000, 1050)
    fd = judge(Config(), est(call(1000, static=200)), est(call(1300, static=None)))
    assert found(fd) == [("fail", "system_prompt_growth")]
    assert (fd.crossings[0].before, fd.crossings[0].after) == (1000, 1300)


def test_a_new_features_system_prompt_cap_reads_the_static_text():
    assert found(judge(Config(), None, est(call(9000, static=500)))) == []
    assert found(judge(Config(), None, est(call(500, static=9000)))) == [("fail", "new_feature_system_prompt_tokens")]
    assert found(judge(Config(), None, est(call(9000)))) == [("fail", "new_feature_system_prompt_tokens")]


# --------------------------------------------------------------------- listed once

def test_a_failed_check_is_not_repeated_as_a_warning(tmp_path):
    cfg = config(tmp_path, "thresholds:\n  system_prompt_growth: {percent: 10}\n  monthly_cost_increase: {percent: 50}\n"
                           "warn:\n  system_prompt_growth: {percent: 5}\n  monthly_cost_increase: {percent: 5}\n")
    fd = judge(cfg, est(call(1000, monthly="100")), est(call(1300, monthly="110")))
    assert found(fd) == [("fail", "system_prompt_growth"), ("warn", "monthly_cost_increase")]
    result = GateResult("main", "working tree", AS_OF, (fd,))
    md = to_markdown(result)
    assert md.count("**system_prompt_growth**") == 1
    assert md.split("### Warnings", 1)[1].count("system_prompt_growth") == 0
    text = to_table(result)
    assert text.count("system prompt of bot/answer grew") == 1
    assert "error: system prompt" in text and "warning: system prompt" not in text


def test_renderers_list_each_crossing_once_even_from_hand_built_results():
    grew = Crossing("fail", "system_prompt_growth", "bot", "answer", D(1000), D(1300), limit=Limit(D(10)))
    fd = FeatureDiff("bot", "bot.costgate.yaml", "changed", est(call(1000)), est(call(1300)), (),
                     (replace(grew, level="warn"), grew, replace(grew, call="other")))
    result = GateResult("main", "working tree", AS_OF, (fd,))
    assert [(c.level, c.call) for c in result.crossings] == [("fail", "answer"), ("fail", "other")]
    md = to_markdown(result)
    assert "### Warnings" not in md and md.count("grew from 1,000 to 1,300") == 2
    assert len(json.loads(to_json(result))["crossings"]) == 2


# ---------------------------------------------------------------------- config keys

@pytest.mark.parametrize("text, needle", [
    ("system_prompt_growth: {percent: 10, mode: both}", "must be one of any, all"),
    ("system_prompt_growth: {mode: all}", "neither percent nor tokens"),
    ("monthly_cost_increase: {min_monthly_usd: 5}", "neither percent nor usd"),
    ("tool_definitions_growth: {usd: 5}", "unknown key 'usd'"),
    ("system_prompt_growth: {tokens: 10, min_monthly_usd: -1}", "must be >= 0"),
    ("system_prompt_growth: {tokens: 10, mode: null}", "must be one of any, all"),
])
def test_bad_limit_options_are_errors_at_their_line(tmp_path, text, needle):
    with pytest.raises(CostgateError) as exc:
        config(tmp_path, f"thresholds:\n  {text}\n")
    assert needle in exc.value.message
    assert exc.value.location.file == "costgate.yaml" and exc.value.location.line == 2


def test_limit_options_parse(tmp_path):
    cfg = config(tmp_path, "thresholds:\n  tool_definitions_growth: {percent: 5, tokens: 50, mode: all, "
                           "min_monthly_usd: 2.5}\nwarn:\n  monthly_cost_increase: {usd: 1, mode: any}\n")
    assert cfg.thresholds.tool_definitions_growth == Limit(D(5), D(50), "all", D("2.5"))
    assert cfg.warn.monthly_cost_increase == Limit(None, D(1), "any")
    assert cfg.thresholds.system_prompt_growth is None  # thresholds: replaces the defaults
