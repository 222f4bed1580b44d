"""The estimator's arithmetic, checked against hand computations.

Texts are built from words whose o200k token counts are known exactly: " hello" x N is
N tokens, " world" x N is N tokens, " why" x N is N tokens; every role name is 1 token.
OpenAI chat overhead (pricing/openai.yaml): 3 tokens per message + the role's tokens,
3 tokens priming the reply.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

from helpers import AS_OF_DATE

from costgate.estimate.results import Analysis
from costgate.estimate.simulate import duplicate_share, estimate
from costgate.pricing import load_table
from costgate.report.estimate import to_json
from costgate.spec import load_spec

SYSTEM = " hello" * 2000  # 2,000 tokens
CONTEXT = " world" * 3000  # 3,000 tokens
QUERY = " why" * 200  # 200 tokens
MSG = 3 + 1  # per-message overhead + role token


def make_spec(tmp_path: Path, calls: str, *, sessions: str = "10000", queries: list[str] | None = None,
              extra: str = "") -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "system.txt").write_text(SYSTEM)
    (tmp_path / "context.txt").write_text(CONTEXT)
    (tmp_path / "q.txt").write_text("\n".join(queries or [QUERY]) + "\n")
    spec = tmp_path / "f.costgate.yaml"
    spec.write_text(f"""version: 1
feature: hand
traffic: {{sessions_per_day: {sessions}, days_per_month: 30}}
samples: {{file: q.txt}}
calls:
{calls}
{extra}""")
    return spec


def run(spec: Path, **kw):
    return estimate(load_spec(spec), load_table(), as_of=AS_OF_DATE, alternatives=False, **kw)


ANSWER = """  - name: answer
    model: {model}
    per_session: {per_session}
    system: {{file: system.txt}}
    context: {{file: context.txt}}
    user: "{{{{ query }}}}"
    output_tokens: 800
{more}"""


def answer(model="gpt-4o", per_session="1", more=""):
    return ANSWER.format(model=model, per_session=per_session, more=more)


INPUT = (MSG + 2000) + (MSG + 3000) + (MSG + 200) + 3  # 5,215 billed prompt tokens


def test_acceptance_example_gpt4o(tmp_path):
    # 5,215 input tokens at $2.50/M + 800 output at $10.00/M = $0.0210375 a call.
    e = run(make_spec(tmp_path, answer()))
    call = e.call("answer")
    assert call.system_tokens == 2000
    assert call.input_tokens_mean == INPUT == 5215
    assert call.input_tokens_p50 == call.input_tokens_p95 == 5215
    assert call.cost_per_call == D("0.0210375")
    assert e.cost_per_session == D("0.0210375")
    # 10,000 sessions/day x 30 days x $0.0210375 = $6,311.25 ("about $6,300").
    assert e.monthly_cost == D("6311.25")
    doc = json.loads(to_json([Analysis(e)]))
    assert doc["schema_version"] == 1
    assert doc["estimates"][0]["monthly_cost_usd"] == "6311.25"
    assert doc["estimates"][0]["calls"][0]["cost_per_call_usd"] == "0.021038"  # display rounding only


def test_per_session_and_fractional_calls(tmp_path):
    e = run(make_spec(tmp_path, answer(per_session="2.5")))
    assert e.cost_per_session == D("0.0210375") * D("2.5")
    assert e.call("answer").cost_per_call == D("0.0210375")
    assert e.monthly_cost == D("0.0210375") * D("2.5") * 300000


def test_retries_batch_and_semantic_cache(tmp_path):
    more = "    retry_rate: 0.02\n    batch: 0.5\n    cache: {semantic_hit_rate: 0.3, embedding_model: text-embedding-3-small}\n"
    e = run(make_spec(tmp_path, answer(more=more)))
    normal = D("0.0210375")
    batch = (D(INPUT) * D("1.25") + 800 * D("5.00")) / 1_000_000  # batch 1.25 / 5.00
    llm = (normal + batch) / 2 * D("1.02") * D("0.7")
    embedding = D(200) * D("0.02") / 1_000_000  # the query, embedded for the semantic lookup
    assert e.cost_per_session == llm + embedding


def test_prompt_caching_openai(tmp_path):
    # Static prefix = system + context messages (5,008 tokens) >= 1,024: cached at $1.25/M
    # except the first call of each 5-minute window, which writes at the input price.
    e = run(make_spec(tmp_path, answer(more="    cache: {prompt_prefix: true}\n")))
    prefix = D(2 * MSG + 5000)
    rest = D(INPUT) - prefix
    calls_per_window = D(10000) / 1440 * 5
    write = 1 / calls_per_window
    cost = (rest * D("2.50") + prefix * (write * D("2.50") + (1 - write) * D("1.25")) + 800 * D(10)) / 1_000_000
    assert e.call("answer").cached_prefix_tokens == 5008
    assert e.cost_per_session == cost


def test_prompt_caching_needs_minimum_prefix(tmp_path):
    (tmp_path / ".git").mkdir()
    spec = make_spec(tmp_path, answer(more="    cache: {prompt_prefix: true}\n"))
    (tmp_path / "system.txt").write_text(" hello" * 500)
    (tmp_path / "context.txt").write_text(" world" * 100)  # prefix 608 < 1,024: no caching
    e = run(spec)
    assert e.call("answer").cached_prefix_tokens == 0
    assert e.cost_per_session == (D(MSG * 3 + 500 + 100 + 200 + 3) * D("2.5") + 800 * 10) / 1_000_000


def test_mix_weights_models(tmp_path):
    calls = answer().replace("model: gpt-4o", "mix: {gpt-4o-mini: 0.7, gpt-4o: 0.3}")
    e = run(make_spec(tmp_path, calls))
    mini = (D(INPUT) * D("0.15") + 800 * D("0.60")) / 1_000_000
    big = D("0.0210375")
    assert e.cost_per_session == D("0.7") * mini + D("0.3") * big
    by_model = dict(e.by_model)
    assert by_model["gpt-4o"] == D("0.3") * big * 300000
    assert sum(by_model.values()) == e.monthly_cost


def test_history_full_resends_earlier_turns(tmp_path):
    # Turn k resends k-1 earlier (user + answer) pairs: user 204 tokens, answer 4 + 800.
    e = run(make_spec(tmp_path, answer(per_session="3", more="    history: full\n")))
    pair = D(MSG + 200) + D(MSG + 800)
    costs = [(D(INPUT) + k * pair) * D("2.5") / 1_000_000 + D("0.008") for k in range(3)]
    assert e.cost_per_session == sum(costs)
    assert e.call("answer").cost_per_call == sum(costs) / 3
    assert e.call("answer").input_tokens_mean == D(INPUT) + pair  # mean of 0, 1, 2 earlier turns


def test_approximate_tokenizer_marks_results(tmp_path):
    e = run(make_spec(tmp_path, answer(model="claude-sonnet-4-5")))
    call = e.call("answer")
    assert e.approximate and call.approximate
    ratio = load_table().approximations["claude"][1]
    import math
    assert call.system_tokens == math.ceil(2000 * ratio)


def test_duplicate_share_normalises():
    assert duplicate_share(["Is it down?", "is it down", "other", "Other!"]) == D("0.5")


def test_same_seed_same_json(tmp_path):
    spec = make_spec(tmp_path, answer(per_session="1.5"), queries=[QUERY, " why" * 50, " why" * 10])
    a = to_json([Analysis(run(spec, seed=7))])
    b = to_json([Analysis(run(spec, seed=7))])
    assert a == b


def test_alternatives_price_each_model_alone(tmp_path):
    calls = answer().replace("model: gpt-4o", "mix: {gpt-4o-mini: 0.5, gpt-4o: 0.5}")
    e = estimate(load_spec(make_spec(tmp_path, calls)), load_table(), as_of=AS_OF_DATE)
    alts = {a.name: a for a in e.alternatives}
    assert alts["gpt-4o"].monthly_cost == D("6311.25")
    mini = (D(INPUT) * D("0.15") + 800 * D("0.60")) / 1_000_000 * 300000
    assert alts["gpt-4o-mini"].monthly_cost == mini
    assert e.monthly_cost == (alts["gpt-4o"].monthly_cost + mini) / 2
    saved = {a["name"]: a["savings_usd"] for a in json.loads(to_json([Analysis(e)]))["estimates"][0]["alternatives"]}
    assert saved["gpt-4o"] == str((e.monthly_cost - D("6311.25")).quantize(D("0.01")))  # negative: dearer


def test_percentiles_shares_and_budget_by_hand(tmp_path):
    # Three samples of 10, 20 and 400 query tokens; no context file content beyond CONTEXT.
    spec = make_spec(tmp_path, answer(), queries=[" why" * 10, " why" * 20, " why" * 400],
                     extra="budget: {monthly_usd: 10000}\n")
    e = run(spec)
    call = e.call("answer")
    inputs = [INPUT - 200 + q for q in (10, 20, 400)]  # 5,025 / 5,035 / 5,415
    assert call.input_tokens_mean == D(sum(inputs)) / 3
    assert call.input_tokens_p50 == 5035 and call.input_tokens_p95 == 5415  # nearest rank
    assert call.context_tokens_mean == 3000
    costs = [(D(i) * D("2.5") + 800 * 10) / 1_000_000 for i in inputs]
    assert e.cost_per_session == sum(costs) / 3
    # p95 of single-call sessions drawn from three equally likely samples: the dearest.
    assert e.cost_per_session_p95 == max(costs)
    doc = json.loads(to_json([Analysis(e)]))["estimates"][0]
    assert doc["calls"][0]["monthly_share_percent"] == "100.0"
    assert doc["by_model"] == [{"model": "gpt-4o", "monthly_cost_usd": doc["monthly_cost_usd"], "share_percent": "100.0"}]
    monthly = sum(costs) / 3 * 300000
    assert doc["monthly_cost_usd"] == str(monthly.quantize(D("0.01")))
    assert doc["budget_used_percent"] == str((monthly / 100).quantize(D("0.1")))


def test_two_calls_share_of_month(tmp_path):
    calls = answer() + "\n" + answer().replace("name: answer", "name: second").replace("gpt-4o", "gpt-4o-mini")
    e = run(make_spec(tmp_path, calls))
    mini = (D(INPUT) * D("0.15") + 800 * D("0.60")) / 1_000_000
    total = D("0.0210375") + mini
    doc = json.loads(to_json([Analysis(e)]))["estimates"][0]
    shares = {c["name"]: c["monthly_share_percent"] for c in doc["calls"]}
    assert shares == {"answer": str((100 * D("0.0210375") / total).quantize(D("0.1"))),
                      "second": str((100 * mini / total).quantize(D("0.1")))}
    assert e.monthly_cost == e.call("answer").monthly_cost + e.call("second").monthly_cost


def test_sampling_error_of_the_monthly_mean_by_hand(tmp_path):
    """Two samples of 1 and 3 tokens on gpt-4o-mini (input $0.15/M, no output): requests
    of 3+1+1+3 = 8 and 3+1+3+3 = 10 tokens cost $1.2e-6 and $1.5e-6; their sd is
    0.15e-6 * sqrt(2), so the mean's standard error is 0.15e-6, and at 1,000,000
    sessions/day x 30 days the monthly one is $4.50; the 95% interval is 1.96 of it."""
    from datetime import date

    from costgate.pricing import load_table
    from costgate.spec import load_spec

    root = tmp_path / "r"
    (root / ".git").mkdir(parents=True)
    (root / "q.txt").write_text("hello\nhello hello hello\n")
    (root / "s.costgate.yaml").write_text(
        "version: 1\nfeature: se\ntraffic: {sessions_per_day: 1000000}\nsamples: {file: q.txt}\n"
        "calls:\n  - name: a\n    model: gpt-4o-mini\n    per_session: 1\n    user: \"{{ query }}\"\n")
    e = estimate(load_spec(root / "s.costgate.yaml"), load_table(), as_of=date(2026, 11, 1), alternatives=False)
    assert e.monthly_cost == D("40.5")  # 1.35e-6 x 3e7
    assert e.monthly_cost_se == D("4.5")
    assert e.monthly_cost_ci95 == (D("40.5") - D("8.82"), D("40.5") + D("8.82"))


def test_unpriced_scenario_is_a_row_not_an_abort(tmp_path):
    """On 2025-06-01 gpt-5 (first price 2025-08-07) has no price: the scenario that moves the call
    to it is a row saying so (text and JSON), and the rest of the estimate stands."""
    spec = make_spec(tmp_path, answer(), extra="scenarios:\n  five: {answer: {model: gpt-5}}\n"
                     "  mini: {answer: {model: gpt-4o-mini}}\n")
    e = estimate(load_spec(spec), load_table(), as_of=date(2025, 6, 1))
    alts = {a.name: a for a in e.alternatives}
    assert alts["five"].error == "no price on 2025-06-01 (gpt-5)"
    assert alts["five"].monthly_cost is None and alts["mini"].monthly_cost is not None
    row = {a["name"]: a for a in json.loads(to_json([Analysis(e)]))["estimates"][0]["alternatives"]}["five"]
    assert row["error"] == "no price on 2025-06-01 (gpt-5)" and row["monthly_cost_usd"] is None
