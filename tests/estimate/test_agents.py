"""Agent workloads by hand: per-turn history sizes, reasoning, step distributions,
conversation caching and embedding calls.

Texts are built from words whose o200k token counts are known exactly (" why" x N is N
tokens; every role name is 1 token). OpenAI chat overhead (pricing/openai.yaml): 3 tokens
per message + the role's tokens, 3 tokens priming the reply. The test price file below
bills like Anthropic (cache reads 0.1x, 5-minute writes 1.25x) on an exact tokenizer, so
conversation caching can be checked to the token.
"""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction as F
from pathlib import Path

import pytest
from helpers import AS_OF_DATE, agentco_table

from costgate.errors import CostgateError
from costgate.estimate.billing import expected_output
from costgate.estimate.simulate import estimate
from costgate.estimate.steps import distribution
from costgate.pricing import load_table
from costgate.spec import load_spec
from costgate.spec.model import Steps

MSG = 3 + 1  # per-message overhead + role token
QUERY = " why" * 200  # 200 tokens
TABLE = agentco_table()


def make_spec(tmp_path: Path, call: str, queries: list[str] | None = None) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "q.txt").write_text("\n".join(queries or [QUERY]) + "\n")
    spec = tmp_path / "f.costgate.yaml"
    spec.write_text(f"""version: 1
feature: agent
traffic: {{sessions_per_day: 1000, days_per_month: 30}}
samples: {{file: q.txt}}
calls:
  - name: step
{call}""")
    return spec


def run(spec: Path, table=None, **kw):  # type: ignore[no-untyped-def]
    return estimate(load_spec(spec), table or load_table(), as_of=AS_OF_DATE, alternatives=False, **kw)


def test_history_resends_each_turn_at_its_own_size(tmp_path):
    # Turn t's user message is the query plus t extra " why": 200 + t tokens. Turn 3
    # resends turns 1 and 2 at 205 and 206 tokens (+ answers of 4 + 100), not twice turn 1.
    call = """    model: gpt-4o
    per_session: 3
    user: "{{ query }}{{ ' why' * turn }}"
    history: full
    output_tokens: 100
"""
    e = run(make_spec(tmp_path, call))
    answer = MSG + 100
    inputs = [MSG + 200 + t + 3 for t in (1, 2, 3)]  # each turn's own message + reply priming
    history = [0, (MSG + 201) + answer, (MSG + 201) + answer + (MSG + 202) + answer]
    cost = sum((F(i + h) * F("2.5") + 100 * 10) / 1_000_000 for i, h in zip(inputs, history))
    assert e.cost_per_session == D(cost.numerator) / D(cost.denominator)


def test_reasoning_is_billed_as_output_and_not_resent(tmp_path):
    # 2 turns, full history, 100 visible + 1,000 reasoning tokens at $10/M output on gpt-4o.
    call = """    model: gpt-4o
    per_session: 2
    user: "{{ query }}"
    history: full
    output_tokens: 100
    reasoning: {tokens: 1000}
"""
    e = run(make_spec(tmp_path, call))
    first = MSG + 200 + 3
    second = first + (MSG + 200) + (MSG + 100)  # the answer resent without its reasoning
    cost = ((first + second) * D("2.5") + 2 * (100 + 1000) * 10) / 1_000_000
    assert e.cost_per_session == cost


def test_reasoning_counts_against_max_tokens(tmp_path):
    call = """    model: gpt-4o
    per_session: 1
    user: "{{ query }}"
    output_tokens: 800
    max_tokens: 1500
    reasoning: {tokens: 1000}
"""
    spec = load_spec(make_spec(tmp_path, call))
    # 500 tokens are left for the answer: E[min(X, 500)] with X exponential of mean 800.
    assert expected_output(spec.calls[0], D(1000)) == D(800) * (1 - (D(-500) / 800).exp())
    e = run(make_spec(tmp_path, call))
    assert e.call("step").output_tokens_mean == expected_output(spec.calls[0], D(1000))
    with pytest.raises(CostgateError, match="uses up its max_tokens of 900"):
        run(make_spec(tmp_path, call.replace("1500", "900")))


def test_reasoning_effort_needs_price_data(tmp_path):
    call = """    model: agent-model
    per_session: 1
    user: "{{ query }}"
    reasoning: {effort: high}
"""
    with pytest.raises(CostgateError, match="no reasoning tokens for 'high' on agent-model"):
        run(make_spec(tmp_path, call), TABLE)


def test_fixed_steps_equal_per_session(tmp_path):
    base = """    model: gpt-4o
    {n}
    user: "{{{{ query }}}}"
    history: full
    output_tokens: 50
"""
    a = run(make_spec(tmp_path, base.format(n="per_session: 3")))
    b = run(make_spec(tmp_path, base.format(n="steps: 3")))
    assert a.cost_per_session == b.cost_per_session
    assert a.cost_per_session_p95 == b.cost_per_session_p95


def test_step_distribution_drives_mean_and_tail(tmp_path):
    law = distribution(Steps(D(4), D(10)), 1000)
    assert abs(law.mean - 4) < F(1, 10**9)  # the declared mean, up to the 1e-12 tail cut
    assert 9 <= law.p95() <= 11
    assert law.weights[0] == 1 and all(a >= b for a, b in zip(law.weights, law.weights[1:]))
    call = """    model: gpt-4o
    steps: {mean: 4, p95: 10}
    user: "{{ query }}"
    output_tokens: 50
"""
    e = run(make_spec(tmp_path, call))
    one = (F(MSG + 200 + 3) * F("2.5") + 50 * 10) / 1_000_000  # every step costs the same here
    expected = one * law.mean
    assert abs(F(e.cost_per_session) - expected) < F(1, 10**20)
    assert e.cost_per_session_p95 >= one * 8  # the tail sees long sessions, not the mean
    fixed = run(make_spec(tmp_path, call.replace("steps: {mean: 4, p95: 10}", "steps: 4")))
    assert fixed.cost_per_session_p95 == one * 4


def test_three_turn_agent_loop_with_conversation_caching(tmp_path):
    # agent-model: input $3, cache read $0.30, 5-minute write $3.75, output $15 per 1M.
    # Prefix: system message MSG + 300 = 304 tokens >= 100: cached across sessions; with
    # 1,000 sessions a day and 3 requests each, a 5-minute window sees 3000/288 = 10.41...
    # requests, so 288/3000 of them rewrite it.
    # Turn 1: new message 204 + reply 3 written (3.75).
    # Turn 2: reads the conversation up to turn 1's message (204), writes turn 1's answer
    #         (4 + 100) and its own message + reply (207).
    # Turn 3: reads 204 + 104 + 204, writes the answer 104 and 207.
    call = """    model: agent-model
    per_session: 3
    system: "{{ ' why' * 300 }}"
    user: "{{ query }}"
    history: full
    cache: {history: true}
    output_tokens: 100
"""
    e = run(make_spec(tmp_path, call), TABLE)
    ws = F(288, 3000)
    prefix = 304 * (ws * F("3.75") + (1 - ws) * F("0.30"))
    new = 207 * F("3.75")
    answer = 104
    turns = [prefix + new,
             prefix + 204 * F("0.30") + answer * F("3.75") + new,
             prefix + (204 + 104 + 204) * F("0.30") + answer * F("3.75") + new]
    cost = sum((t + 100 * 15) / 1_000_000 for t in turns)
    assert F(e.cost_per_session) == cost
    plain = run(make_spec(tmp_path, call.replace("cache: {history: true}", "cache: {prompt_prefix: true}")), TABLE)
    assert e.cost_per_session < plain.cost_per_session


def test_conversation_caching_needs_a_history(tmp_path):
    call = """    model: agent-model
    per_session: 3
    user: "{{ query }}"
    cache: {history: true}
"""
    with pytest.raises(CostgateError, match="cache.history needs a conversation"):
        run(make_spec(tmp_path, call), TABLE)


def test_embedding_call(tmp_path):
    # text-embedding-3-small: $0.02 per 1M input tokens; the text alone, no chat overhead.
    call = """    model: text-embedding-3-small
    kind: embedding
    per_session: 2
    user: "{{ query }}"
"""
    e = run(make_spec(tmp_path, call))
    assert e.call("step").input_tokens_mean == 200
    assert e.cost_per_session == 2 * D(200) * D("0.02") / 1_000_000
    with pytest.raises(CostgateError, match="is an embedding model"):
        run(make_spec(tmp_path, call.replace("    kind: embedding\n", "")))
    with pytest.raises(CostgateError, match="an embedding call has no output_tokens"):
        run(make_spec(tmp_path, call + "    output_tokens: 5\n"))


def test_reasoning_spread_keeps_the_mean_and_reaches_the_p95():
    from costgate.estimate.steps import lognormal_spread

    dev = lognormal_spread(D(1000), D(2500))
    assert abs(sum(dev)) < 1e-6  # centred: the exact mean is untouched
    ordered = sorted(dev)
    # the 61st of 64 equally likely values sits at the 95th percentile: ~ p95 - mean
    assert 1300 < ordered[60] + 1000 < 2700
    assert lognormal_spread(D(1000), D(1000)) == (0.0,)


def test_reasoning_p95_widens_the_session_tail(tmp_path):
    call = """    model: gpt-4o
    per_session: 4
    user: "{{ query }}"
    output_tokens: 50
    reasoning: {tokens: {mean: 2000, p95: 6000}}
"""
    spread = run(make_spec(tmp_path, call))
    flat = run(make_spec(tmp_path, call.replace("{mean: 2000, p95: 6000}", "2000")))
    assert spread.cost_per_session == flat.cost_per_session  # means are exact either way
    assert spread.cost_per_session_p95 > flat.cost_per_session_p95


def test_images_by_hand(tmp_path):
    # gpt-4o, high detail: 1024x1024 is 4 tiles of 512 -> 85 + 4 x 170 = 765 tokens (OpenAI's
    # published example); a row's own 2048x4096 image is scaled to 1024x2048, then to
    # 768x1536: 2 x 3 tiles -> 85 + 6 x 170 = 1,105 tokens.
    (tmp_path / ".git").mkdir()
    (tmp_path / "q.jsonl").write_text('{"query": "%s"}\n{"query": "%s", "images": ["2048x4096:high"]}\n'
                                      % (QUERY, QUERY))
    spec = tmp_path / "f.costgate.yaml"
    spec.write_text("""version: 1
feature: vision
traffic: {sessions_per_day: 1000, days_per_month: 30}
samples: {file: q.jsonl}
calls:
  - name: look
    model: gpt-4o
    per_session: 1
    user: "{{ query }}"
    images: [{width: 1024, height: 1024, detail: high}]
    output_tokens: 10
""")
    e = run(spec)
    inputs = [MSG + 200 + 765 + 3, MSG + 200 + 765 + 1105 + 3]
    assert e.call("look").input_tokens_mean == D(sum(inputs)) / 2
    assert e.cost_per_session == (D(sum(inputs)) / 2 * D("2.5") + 10 * 10) / 1_000_000
    (tmp_path / "q.jsonl").write_text('{"query": "x", "images": ["big"]}\n')
    with pytest.raises(CostgateError) as err:
        run(spec)
    assert err.value.location.file == "q.jsonl" and err.value.location.line == 1


def test_context_window_error_names_call_turn_tokens_and_window(tmp_path):
    # gpt-4o's window is 128,000 tokens. Turn k sends 207 + (k - 1) x (204 + 4 + 4,000):
    # turn 31 sends 126,447 (fits), turn 32 sends 130,655 (does not).
    call = """    model: gpt-4o
    per_session: 40
    user: "{{ query }}"
    history: full
    output_tokens: 4000
"""
    with pytest.raises(CostgateError) as err:
        run(make_spec(tmp_path, call))
    assert "call 'step' sends 130,655 input tokens at turn 32 on gpt-4o, over its 128,000-token context window" \
        in err.value.message
    assert "history" in (err.value.hint or "")
    assert err.value.location.file == "f.costgate.yaml"


def test_the_system_prompt_as_written_leaves_sample_text_out_but_follows_its_control_flow():
    from costgate.estimate.render import written_system
    from costgate.spec.model import Call, ModelShare, Spec, Template, Traffic

    system = Template("Rules: {{ policy }}.{% if vip %} Be extra kind.{% endif %}\n"
                      "{% for d in docs %}<doc>{{ d.text }}</doc>{% endfor %}", "s.j2")
    call = Call("c", (ModelShare("gpt-4o", D(1)),), D(1), Template("{{ q }}", "s.j2"), system=system)
    rows = ({"q": "a", "vip": False, "docs": [{"text": "long retrieved text " * 50}]},
            {"q": "b", "vip": True, "docs": [{"text": "x"}, {"text": "y"}]})
    spec = Spec("f", "f.costgate.yaml", Traffic(D(1)), rows, "s.jsonl", (call,), vars={"policy": "be brief"})
    assert set(written_system(spec, call, 1)) == {
        "Rules: be brief.\n<doc></doc>",
        "Rules: be brief. Be extra kind.\n<doc></doc><doc></doc>",
    }


def test_tools_and_reasoning_as_the_reports_print_them(tmp_path):
    # The OpenAI cookbook's get_current_weather tool bills 68 tokens on gpt-4o (7 + 11 + 3
    # + 17 + 18 + 12, tests/tokens/test_tools.py); it is part of every request's prefix.
    # Input: 68 + (4 + 200) + 3 = 275 tokens at $2.50/M; output 10 + reasoning 500 at $10/M.
    import json

    from costgate.estimate.results import Analysis
    from costgate.report.estimate import to_json

    weather = {"type": "function", "function": {
        "name": "get_current_weather", "description": "Get the current weather in a given location",
        "parameters": {"type": "object", "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "description": "The unit of temperature to return",
                     "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}}
    call = """    model: gpt-4o
    per_session: 1
    user: "{{ query }}"
    tools: {file: tools.json}
    output_tokens: 10
    reasoning: {tokens: 500}
"""
    spec = make_spec(tmp_path, call)
    (tmp_path / "tools.json").write_text(json.dumps([weather]))
    e = run(spec)
    c = e.call("step")
    assert (c.tool_tokens, c.input_tokens_mean, c.reasoning_tokens_mean) == (68, 275, 500)
    assert e.cost_per_session == (D(275) * D("2.5") + (10 + 500) * 10) / 1_000_000
    doc = json.loads(to_json([Analysis(e)]))["estimates"][0]["calls"][0]
    assert (doc["tool_tokens"], doc["reasoning_tokens_mean"], doc["input_tokens"]["mean"]) == (68, "500.0", "275.0")


def test_a_long_turn_dependent_loop_over_many_samples_is_refused_not_a_hang(tmp_path):
    # 1,000 turns x 6,000 samples = 6,000,000 renders, over the 5,000,000 renders limit.
    call = """    model: gpt-4o
    per_session: 1000
    user: "{{ query }} {{ turn }}"
"""
    with pytest.raises(CostgateError) as err:
        run(make_spec(tmp_path, call, [f"q{i}" for i in range(6000)]))
    assert "1,000 turns x 6,000 samples is over the renders limit of 5,000,000" in err.value.message
    assert "limits: {renders: N}" in (err.value.hint or "")
