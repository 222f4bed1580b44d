"""Hand-built results for the renderer tests: records in, text out, no git, no estimator.

Every number is written out so the expected files in tests/report/expected/ can be
checked by hand. Rates are the shipped table's on 2026-11-01 (per 1M tokens: gpt-4o
$2.50 in / $10.00 out, gpt-4o-mini $0.15 / $0.60), so cost per call = (input tokens x
input rate + output tokens x output rate) / 1M; cost per session = calls per session x
cost per call (weighted by share for a mix); monthly = cost per session x sessions per
month. Several totals end in a half cent (or half a micro-dollar) on purpose: displays
round half up (costgate.report.money), so $1,234.565 shows as $1,234.57, where banker's
rounding would show $1,234.56.

GATE_RESULT, `costgate diff` of two features:

* support-bot (changed): the answer call's system prompt grew 2,000 -> 2,600 tokens
  (a failing system_prompt_growth crossing, over 10% or 200 tokens); input 2,400 -> 3,000
  and output 1,400 -> 1,719.13 tokens a call on gpt-4o, 5 calls a session, 10,000 sessions
  a month: $0.02 -> $0.0246913 a call, $0.1 -> $0.1234565 a session, $1,000 -> $1,234.565
  a month, over its $1,200 budget (a warning-level monthly_budget_usd crossing);
* nightly (unchanged): one gpt-4o-mini call of 1,000 input and 250 output tokens,
  $0.0003 a session, 150,000 sessions a month, $45.

Totals: $1,045 -> $1,279.565 a month, +$234.565 (+22.4465%).

ANALYSIS, `costgate estimate` of one feature with two calls, 1,000 sessions a day x 30
days = 30,000 sessions a month:

* route: gpt-4o-mini, once a session, 150 input + 5 output tokens: $0.0000255 a call,
  $0.765 a month;
* answer: 70% gpt-4o-mini / 30% gpt-4o, twice a session, 2,500 input + 220 output tokens:
  $0.000507 (mini) and $0.00845 (gpt-4o) a call, $0.0028899 on the mix; $0.0057798 a
  session, $173.394 a month ($21.294 on mini, $152.10 on gpt-4o).

Total $174.159 a month ($0.0058053 a session) against a $200 budget; all on gpt-4o-mini
it would be $31.185 a month ($0.0010395 a session).

ANALYSIS_WHAT_IF, the same estimate with `--what-if`: compressing the answer call's system
prompt saves 40 tokens a call (whitespace only) or 120 (repeated paragraphs dropped too).
A token on the answer call's mix costs 0.7 x $0.15 + 0.3 x $2.50 = $0.855 per 1M, and it
is sent 2 x 30,000 = 60,000 times a month: 40 tokens save $2.052 a month (1.178%), 120
save $6.156 (3.535%). The gate's support-bot answer call (gpt-4o, 50,000 calls a month)
saves 130 tokens a call by whitespace: 130 x $2.50 / 1M x 50,000 = $16.25 a month.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from costgate.estimate.results import (
    Alternative,
    Analysis,
    CallEstimate,
    Estimate,
    Extras,
    Lever,
    ModelCost,
    ModelSpend,
)
from costgate.gate.model import CallDiff, Crossing, FeatureDiff, GateResult
from costgate.repo import Limit

AS_OF = date(2026, 11, 1)


def _answer(system: int, input_mean: str, output_mean: str, cost_per_call: str, cost_per_session: str,
            monthly: str) -> CallEstimate:
    """support-bot's answer call: gpt-4o only, 5 calls a session."""
    return CallEstimate(
        name="answer", per_session=D(5),
        models=(ModelCost("gpt-4o", D(1), D(cost_per_call), D(cost_per_session), D(monthly), D(input_mean),
                          False, "o200k_base"),),
        tokenizer="o200k_base", approximate=False, system_tokens=system, context_tokens_mean=D(0),
        input_tokens_mean=D(input_mean), input_tokens_p50=int(D(input_mean)), input_tokens_p95=int(D(input_mean)),
        output_tokens_mean=D(output_mean), cached_prefix_tokens=0, cost_per_call=D(cost_per_call),
        cost_per_session=D(cost_per_session), monthly_cost=D(monthly), system_file="prompts/system.j2", line=1)


def _support_bot(call: CallEstimate) -> Estimate:
    return Estimate(
        feature="support-bot", spec_file="support-bot.costgate.yaml", as_of=AS_OF, seed=1,
        sessions_per_day=D(500), days_per_month=D(20), calls=(call,), cost_per_session=call.cost_per_session,
        cost_per_session_p95=call.cost_per_session, monthly_cost=call.monthly_cost,
        by_model=(ModelSpend("gpt-4o", call.monthly_cost),), alternatives=(), budget_monthly_usd=D(1200),
        approximate=False, warnings=(), samples=20)


BOT_BEFORE = _support_bot(_answer(2000, "2400", "1400", "0.02", "0.1", "1000"))
BOT_AFTER = _support_bot(_answer(2600, "3000", "1719.13", "0.0246913", "0.1234565", "1234.565"))

SUMMARIZE = CallEstimate(
    name="summarize", per_session=D(1),
    models=(ModelCost("gpt-4o-mini", D(1), D("0.0003"), D("0.0003"), D(45), D(1000), False, "o200k_base"),),
    tokenizer="o200k_base", approximate=False, system_tokens=600, context_tokens_mean=D(0),
    input_tokens_mean=D(1000), input_tokens_p50=1000, input_tokens_p95=1000, output_tokens_mean=D(250),
    cached_prefix_tokens=0, cost_per_call=D("0.0003"), cost_per_session=D("0.0003"), monthly_cost=D(45),
    system_file="nightly/system.j2", line=1)
NIGHTLY = Estimate(
    feature="nightly", spec_file="nightly/nightly.costgate.yaml", as_of=AS_OF, seed=1,
    sessions_per_day=D(5000), days_per_month=D(30), calls=(SUMMARIZE,), cost_per_session=D("0.0003"),
    cost_per_session_p95=D("0.0003"), monthly_cost=D(45), by_model=(ModelSpend("gpt-4o-mini", D(45)),),
    alternatives=(), budget_monthly_usd=None, approximate=False, warnings=(), samples=10)

PROMPT_GREW = Crossing("fail", "system_prompt_growth", "support-bot", "answer", D(2000), D(2600),
                       limit=Limit(D(10), D(200)), file="prompts/system.j2", line=1)
OVER_BUDGET = Crossing("warn", "monthly_budget_usd", "support-bot", None, D(1000), D("1234.565"),
                       budget=D(1200), file="support-bot.costgate.yaml", line=1)

# All on gpt-4o-mini: (3,000 x 0.15 + 1,719.13 x 0.60) / 1M = $0.001481478 a call,
# x 5 x 10,000 = $74.0739 a month, saving $1,160.4911 (94.0%).
ROUTE = Lever("route", "answer", "route to gpt-4o-mini", D("74.0739"), D("1160.4911"),
              D("1160.4911") * 100 / D("1234.565"), "a smaller model may answer worse")
LOW_RISK = "low risk: whitespace only; template logic, code blocks, edit markers and indentation untouched"
COMPRESS = Lever("compress_system", "answer", "collapse whitespace in the system prompt", D("1218.315"), D("16.25"),
                 D("16.25") * 100 / D("1234.565"), LOW_RISK,
                 "collapses 12 runs of blank lines, strips trailing spaces on 30 lines, collapses 41 runs of spaces "
                 "inside lines", 130)

GATE_RESULT = GateResult(
    base="origin/main", head="working tree", as_of=AS_OF,
    features=(
        FeatureDiff("support-bot", "support-bot.costgate.yaml", "changed", BOT_BEFORE, BOT_AFTER,
                    (CallDiff("answer", BOT_BEFORE.calls[0], BOT_AFTER.calls[0]),), (PROMPT_GREW, OVER_BUDGET)),
        FeatureDiff("nightly", "nightly/nightly.costgate.yaml", "unchanged", NIGHTLY, NIGHTLY,
                    (CallDiff("summarize", SUMMARIZE, SUMMARIZE),), ()),
    ),
    config_file="costgate.yaml",
    suggestions={"support-bot": (ROUTE, COMPRESS)},
)

ROUTE_CALL = CallEstimate(
    name="route", per_session=D(1),
    models=(ModelCost("gpt-4o-mini", D(1), D("0.0000255"), D("0.0000255"), D("0.765"), D(150), False,
                      "o200k_base"),),
    tokenizer="o200k_base", approximate=False, system_tokens=120, context_tokens_mean=D(0),
    input_tokens_mean=D(150), input_tokens_p50=148, input_tokens_p95=190, output_tokens_mean=D(5),
    cached_prefix_tokens=0, cost_per_call=D("0.0000255"), cost_per_session=D("0.0000255"), monthly_cost=D("0.765"))
ANSWER_CALL = CallEstimate(
    name="answer", per_session=D(2),
    models=(ModelCost("gpt-4o-mini", D("0.7"), D("0.000507"), D("0.0007098"), D("21.294"), D(2500), False,
                      "o200k_base"),
            ModelCost("gpt-4o", D("0.3"), D("0.00845"), D("0.00507"), D("152.1"), D(2500), False, "o200k_base")),
    tokenizer="o200k_base", approximate=False, system_tokens=2000, context_tokens_mean=D(300),
    input_tokens_mean=D("2500.0"), input_tokens_p50=2400, input_tokens_p95=3100, output_tokens_mean=D(220),
    cached_prefix_tokens=0, cost_per_call=D("0.0028899"), cost_per_session=D("0.0057798"), monthly_cost=D("173.394"))

ESTIMATE = Estimate(
    feature="support-bot", spec_file="fixtures/support-bot/support-bot.costgate.yaml", as_of=AS_OF, seed=1,
    sessions_per_day=D(1000), days_per_month=D(30), calls=(ROUTE_CALL, ANSWER_CALL),
    cost_per_session=D("0.0058053"), cost_per_session_p95=D("0.0071"), monthly_cost=D("174.159"),
    by_model=(ModelSpend("gpt-4o", D("152.1")), ModelSpend("gpt-4o-mini", D("22.059"))),
    alternatives=(Alternative("gpt-4o-mini", "model", D("0.0010395"), D("31.185")),
                  Alternative("cheap", "scenario", None, None, error="no price for 'gpt-9' on 2026-11-01")),
    budget_monthly_usd=D(200), approximate=False, warnings=(), samples=40)

ANALYSIS = Analysis(ESTIMATE)
ANALYSIS_WHAT_IF = Analysis(ESTIMATE, Extras(levers=(
    Lever("compress_system", "answer", "collapse whitespace and drop repeated paragraphs in the system prompt",
          D("168.003"), D("6.156"), D("6.156") * 100 / D("174.159"),
          "medium risk: also drops word-for-word repeated paragraphs, which may be deliberate emphasis; read the "
          "listed lines first",
          "collapses 3 runs of blank lines, strips trailing spaces on 2 lines, removes 2 repeated paragraphs "
          "(lines 40-44, 88)", 120),
    Lever("compress_system", "answer", "collapse whitespace in the system prompt", D("172.107"), D("2.052"),
          D("2.052") * 100 / D("174.159"), LOW_RISK,
          "collapses 3 runs of blank lines, strips trailing spaces on 2 lines", 40),
)))
