"""Where the engine once disagreed with docs/spec.md (found by the reference estimator):
one small spec each, the documented number worked out by hand. The engine follows the
documented rule in every case now (for role tokens the docs were changed: a role name is
counted for every provider); each old behaviour is shown to give a different number, so
these tests would catch it coming back.

Token facts used (o200k_base): " why" x N is N tokens, every role name is one token;
Claude's approximation is round(o200k x 1.182) for latin text, plus a 7-token frame a
request. OpenAI chat
overhead: 3 per message + the role's tokens, 3 priming the reply.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from fractions import Fraction as F
from pathlib import Path
from typing import Callable

from helpers import AS_OF_DATE, agentco_table
from reference_estimator import (
    CEIL_THRESHOLDS,
    LOOKUP_FIRST_TURN,
    SUMMARY_FIRST_TURN,
    reference_call,
)

from costgate.estimate.simulate import estimate
from costgate.pricing import load_table, shipped_pricing_dir
from costgate.pricing.loader import TextFile
from costgate.spec import load_spec

MSG = 3 + 1  # OpenAI-style message overhead + a one-token role
REPLY = 3
M = 1_000_000
TABLE = agentco_table()


def make_spec(tmp_path: Path, call: str, rows: list[str] | list[dict]) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    if rows and isinstance(rows[0], dict):
        samples = "q.jsonl"
        (tmp_path / samples).write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        samples = "q.txt"
        (tmp_path / samples).write_text("".join(f"{r}\n" for r in rows))
    spec = tmp_path / "f.costgate.yaml"
    spec.write_text(f"""version: 1
feature: disagree
traffic: {{sessions_per_day: 1000, days_per_month: 30}}
samples: {{file: {samples}}}
calls:
  - name: step
{call}""")
    return spec


def run(path: Path):  # type: ignore[no-untyped-def]
    spec = load_spec(path)
    return spec, estimate(spec, TABLE, as_of=AS_OF_DATE, alternatives=False)


def usd(x: F) -> D:
    return D(x.numerator) / D(x.denominator)


def old_behaviour_differs(spec, e, quirk: str, by_hand: F) -> None:  # type: ignore[no-untyped-def]
    """The reference prices the docs' session cost worked out by hand, the engine agrees
    with it, and the old engine behaviour (the reference with that quirk) would not."""
    docs = reference_call(spec, TABLE, spec.calls[0], AS_OF_DATE)
    assert sum((m.cost_per_session for m in docs.models), D(0)) == usd(by_hand)
    got = e.calls[0]
    assert (got.cost_per_call, got.input_tokens_p50, got.input_tokens_p95) == (
        docs.cost_per_call, docs.input_p50, docs.input_p95)
    old = reference_call(spec, TABLE, spec.calls[0], AS_OF_DATE, frozenset({quirk}))
    assert (old.cost_per_call, old.input_p95) != (docs.cost_per_call, docs.input_p95)


# 1 ---------------------------------------------------------------------------------

ROLE_CALL = """    model: claude-sonnet-4-5
    per_session: 1
    user: "{{ query }}"
"""


def test_role_names_count_on_providers_without_chat_overhead(tmp_path):
    # Gemini publishes no chat rule: a 200-token (o200k) query is round(200 x 1.08) = 216
    # Gemini tokens; the role name "user" (one o200k token) is round(1.08) = 1 more; no
    # per-message overhead, no reply priming (docs/spec.md, "Messages and tokens").
    _, e = run(make_spec(tmp_path, ROLE_CALL.replace("claude-sonnet-4-5", "gemini-2.5-flash"), [" why" * 200]))
    assert e.calls[0].input_tokens_mean == 216 + 1


def test_claude_counts_its_measured_frame_not_role_names(tmp_path):
    # Claude (tokens/chat.py TEMPLATES): round(200 x 1.182) = 236 (the latin ratio) plus the
    # 7-token frame ctok measured for a one-message request; the role is not text. $3 per 1M.
    _, e = run(make_spec(tmp_path, ROLE_CALL, [" why" * 200]))
    assert e.calls[0].input_tokens_mean == 236 + 7
    assert e.cost_per_session == usd(F(243 * 3, M))


# 2 ---------------------------------------------------------------------------------

CEIL_CALL = """    model: agent-model
    per_session: 2
    user: "{{ query }}"
    history: full
    cache: {history: true}
    output_tokens: 100
"""
CEIL_ROWS = [" why" * 95, " why" * 96]  # user messages of 99 and 100 tokens: 99.5 on average


def ceil_session(read_rate: F) -> F:
    """No prefix. Turn 1 writes its new message (99 or 100, + 3) at $3.75. Turn 2 resends
    turn 1 (99.5 + the answer 4 + 100): it reads back C = 99.5, writes the answer and its
    own new message. Output 100 at $15 each turn."""
    new = F(102 + 103, 2)
    turn1 = new * F("3.75") + 100 * 15
    turn2 = F(199, 2) * read_rate + 104 * F("3.75") + new * F("3.75") + 100 * 15
    return (turn1 + turn2) / M


def test_a_cache_read_needs_the_mean_history_to_reach_the_minimum(tmp_path):
    _, e = run(make_spec(tmp_path, CEIL_CALL, CEIL_ROWS))
    assert e.cost_per_session == usd(ceil_session(F(3)))  # below the minimum: the input rate


def test_rounding_the_history_up_would_read_from_the_cache(tmp_path):
    spec, e = run(make_spec(tmp_path, CEIL_CALL, CEIL_ROWS))
    assert e.cost_per_session == usd(ceil_session(F(3)))
    old_behaviour_differs(spec, e, CEIL_THRESHOLDS, ceil_session(F(3)))


# 3 ---------------------------------------------------------------------------------

SUMMARY_CALL = """    model: agent-model
    per_session: 3
    user: "{{ query }}"
    observation: "{{ ' why' * 300 }}"
    history: {summary: {every: 2, tokens: 10}}
    output_tokens: 50
"""


def summary_session(folded: Callable[[int, int], int]) -> F:
    """Turn 1: the user message (204) + reply. Turn 2: resends turn 1 (T1 = 204 + 54) and
    sends the observation (role tool: 304) + reply. Before turn 3 a summary call reads the
    folded turns and the reply priming and writes 10 tokens; turn 3 carries the summary
    message (4 + 10) and its observation."""
    t1, t2 = 204 + 54, 304 + 54
    inputs = [204 + REPLY, t1 + 304 + REPLY, 14 + 304 + REPLY]
    requests = sum((F(i) * 3 + 50 * 15 for i in inputs), F(0))
    summary_call = (folded(t1, t2) + REPLY) * 3 + 10 * 15
    return (requests + summary_call) / M


def test_a_summary_call_reads_the_turns_it_folds_at_their_own_sizes(tmp_path):
    _, e = run(make_spec(tmp_path, SUMMARY_CALL, [" why" * 200]))
    assert e.cost_per_session == usd(summary_session(lambda t1, t2: t1 + t2))


def test_folding_k_copies_of_the_first_turn_would_differ(tmp_path):
    spec, e = run(make_spec(tmp_path, SUMMARY_CALL, [" why" * 200]))
    assert e.cost_per_session != usd(summary_session(lambda t1, t2: 2 * t1))
    old_behaviour_differs(spec, e, SUMMARY_FIRST_TURN, summary_session(lambda t1, t2: t1 + t2))


# 4 ---------------------------------------------------------------------------------

LOOKUP_CALL = """    model: agent-model
    per_session: 2
    user: "{{ query }}{{ ' why' * turn }}"
    output_tokens: 10
    cache: {semantic_hit_rate: 0.5}
"""


def lookup_session(second_lookup: int) -> F:
    """Turn k's user message is 200 + k tokens; half the requests reach the model. The
    lookup embeds the user message with text-embedding-3-small ($0.02 per 1M, cl100k:
    " why" x N is N tokens)."""
    chat = sum((F(MSG + 200 + k + REPLY) * 3 + 10 * 15 for k in (1, 2)), F(0)) / 2
    lookups = (201 + second_lookup) * F("0.02")
    return (chat + lookups) / M


def test_the_lookup_embeds_each_turns_own_user_message(tmp_path):
    _, e = run(make_spec(tmp_path, LOOKUP_CALL, [" why" * 200]))
    assert e.cost_per_session == usd(lookup_session(202))


def test_embedding_the_first_turns_message_every_turn_would_differ(tmp_path):
    spec, e = run(make_spec(tmp_path, LOOKUP_CALL, [" why" * 200]))
    assert e.cost_per_session != usd(lookup_session(201))
    old_behaviour_differs(spec, e, LOOKUP_FIRST_TURN, lookup_session(202))


# 5 ---------------------------------------------------------------------------------

EMBED_CALL = """    model: text-embedding-3-small
    kind: embedding
    per_session: 1
    user: "{{ query }}"
"""
IMAGE_ROWS = [{"query": "hello", "images": [{"width": 512, "height": 512, "detail": "low"}]}]


def test_an_embedding_call_sends_text_only(tmp_path):
    _, e = run(make_spec(tmp_path, EMBED_CALL, IMAGE_ROWS))
    assert e.calls[0].input_tokens_mean == 1  # "hello"
    assert e.cost_per_session == usd(F(1) * F("0.02") / M)


# 6 ---------------------------------------------------------------------------------

STEPS_CALL = """    model: gpt-4o
    steps: {mean: 3, p95: 4}
    user: "{{ query }}"
    output_tokens: 50
"""


def test_a_step_distribution_keeps_its_declared_mean(tmp_path):
    _, e = run(make_spec(tmp_path, STEPS_CALL, [" why" * 200]))
    one = (F(MSG + 200 + REPLY) * F("2.5") + 50 * 10) / M  # every step costs the same here
    assert abs(F(e.cost_per_session) / one - 3) < F(1, 10**9)


# 7, 8 ------------------------------------------------------------------------------

REASONER = """\
schema_version: 1
provider: thinkco
name: Think Co
source: https://example.com/pricing
models:
  - id: thinker
    name: Thinker
    tokenizer: o200k_base
    checked: 2026-11-01
{extra}    prices:
      - since: 2024-01-01
        input: "1.00"
        output: "4.00"
{rate}"""


def test_a_price_file_can_give_a_reasoning_rate():
    text = REASONER.format(extra="    reasoning: {effort_tokens: {medium: 500}, source: \"test\"}\n",
                           rate='        reasoning_output: "8.00"\n')
    table = load_table([shipped_pricing_dir(), (TextFile("thinkco.yaml", text),)])
    assert table.model("thinker").price_at(AS_OF_DATE).rates.reasoning_output == D("8.00")  # type: ignore[attr-defined]


def test_a_price_file_can_give_reasoning_effort_tokens():
    text = REASONER.format(extra="    reasoning: {effort_tokens: {medium: 500}, source: \"test\"}\n", rate="")
    table = load_table([shipped_pricing_dir(), (TextFile("thinkco.yaml", text),)])
    assert table.model("thinker")
