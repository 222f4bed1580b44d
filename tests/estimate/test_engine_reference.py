"""The fast engine against the plain reference (tests/reference_estimator.py) on random
specs: every mean and input percentile equal to the exact Decimal, the p95 session cost
within the engine's femto-dollar rounding of each request.

The specs mix the features that change how requests are grouped and priced: fractional
turns, agent steps (fixed, negative binomial, geometric), every history policy, static and
per-sample system prompts and contexts, turn-dependent templates, observations as later
steps' messages, model mixes across tokenizers and providers, tool definitions, images on
the call and in sample rows, reasoning (declared, budget, effort) under max_tokens,
prompt caching over a minimum length, conversation caching, long-context tiers at small
thresholds (a test price file), batch shares, retries, exact and semantic caches,
routers, capped outputs and embedding calls.

The reference prices by docs/spec.md. Where the engine is known to disagree with the docs
(reference_estimator.KNOWN; empty now, every old disagreement is fixed and shown in
test_reference_disagreements.py), an example that differs from the docs must equal the
reference with those engine behaviours switched on: a known disagreement is tolerated,
any other difference fails.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from reference_estimator import KNOWN, RefCall, reference_call, session_p95

from costgate.errors import CostgateError
from costgate.estimate.simulate import estimate
from costgate.pricing import load_table, shipped_pricing_dir
from costgate.pricing.loader import TextFile
from costgate.spec.model import (
    Cache,
    Call,
    History,
    Image,
    ModelShare,
    Output,
    Reasoning,
    Router,
    Spec,
    Steps,
    Template,
    Tools,
    Traffic,
)
from costgate.tokens.tools import parse_tools

AS_OF = date(2026, 11, 1)
D = Decimal
TIERED = """\
schema_version: 1
provider: testco
name: Test Co
source: https://example.com/pricing
tokenizers:
  testfam: {base: o200k_base, ratio: "1.25", source: "test ratio"}
models:
  - id: tiny-tier
    name: Tiny tier
    tokenizer: o200k_base
    cache_min_tokens: 12
    checked: 2026-11-01
    prices:
      - since: 2024-01-01
        input: "3.00"
        cached_input: "0.30"
        cache_write_5m: "3.75"
        cache_write_1h: "6.00"
        output: "15.00"
        batch_input: "1.50"
        batch_output: "7.50"
        tiers:
          - {above: 40, input: "6.00", cached_input: "0.60", output: "22.50"}
          - {above: 90, input: "9.00", output: "30.00"}
  - id: approx-model
    name: Approximate
    tokenizer: testfam
    cache_min_tokens: 20
    checked: 2026-11-01
    prices:
      - since: 2024-01-01
        input: "1.10"
        cached_input: "0.11"
        output: "4.40"
        batch_input: "0.55"
        batch_output: "2.20"
"""
TABLE = load_table([shipped_pricing_dir(), (TextFile("testco.yaml", TIERED),)])
MODELS = ["tiny-tier", "approx-model", "gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5"]
IMAGE_MODELS = ["gpt-4o-mini", "gpt-4o"]  # models with an image rule
EMBEDDING_MODELS = ["text-embedding-3-small", "text-embedding-3-large"]
WORDS = ["hello", "billing", "refund", "policy", "the", "a", "export", "team", "42", "!"]
TOOLS = (
    {"type": "function", "function": {
        "name": "get_order", "description": "Look up an order by its id.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}},
    {"type": "function", "function": {
        "name": "refund", "description": "Refund an order, in full or in part.",
        "parameters": {"type": "object", "properties": {
            "order_id": {"type": "string"}, "amount": {"type": "number", "description": "USD"}},
            "required": ["order_id"]}}},
)
STEPS = [  # small agent loops: at most ~40 turns before the 1e-12 tail cut
    Steps(D(1), None, "fixed"), Steps(D(2), None, "fixed"), Steps(D("2.5"), None, "fixed"),
    Steps(D("1.5"), D(3)), Steps(D(2), D(4)), Steps(D(2), D(5)), Steps(D("2.5"), D(5)), Steps(D(3), D(6)),
    Steps(D(4), D(8)), Steps(D("1.5"), None, "geometric"),
]
SPEC_FILE = "spec.costgate.yaml"

texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=12).map(" ".join)


def tpl(text: str) -> Template:
    return Template(text, SPEC_FILE, 1)


@st.composite
def templates(draw, role: str) -> Template | None:  # type: ignore[no-untyped-def]
    kind = draw(st.sampled_from(["none", "static", "query", "turn", "grow", "name"]))
    body = {"none": None, "static": draw(texts) + " rules " * draw(st.integers(0, 8)),
            "query": "Q: {{ query }}", "turn": "turn {{ turn }}: {{ query }}",
            "grow": "{{ query }}{{ ' why' * turn }}", "name": "{{ name }} {{ query }}"}[kind]
    return None if body is None else tpl(body)


def mix_of(draw, models: list[str]) -> tuple[ModelShare, ...]:  # type: ignore[no-untyped-def]
    chosen = draw(st.lists(st.sampled_from(models), min_size=1, max_size=min(3, len(models)), unique=True))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=len(chosen) - 1, max_size=len(chosen) - 1,
                                unique=True)))
    shares = [D(b - a) / 100 for a, b in zip([0, *cuts], [*cuts, 100])]
    return tuple(ModelShare(m, s) for m, s in zip(chosen, shares))


def cache_of(draw, history: bool) -> Cache:  # type: ignore[no-untyped-def]
    return Cache(prompt_prefix=draw(st.booleans()), ttl=draw(st.sampled_from(["5m", "1h"])),
                 semantic_hit_rate=draw(st.sampled_from([D(0), D("0.2")])),
                 exact_hit_rate=draw(st.sampled_from([D(0), D("0.1"), "auto"])),
                 history=history and draw(st.booleans()))


@st.composite
def chat_calls(draw, index: int, images_only: bool) -> Call:  # type: ignore[no-untyped-def]
    """A chat call; ``images_only``: on models with an image rule (the samples carry images)."""
    images = draw(st.integers(0, 3)) == 0 or images_only
    mix = mix_of(draw, IMAGE_MODELS if images else MODELS)
    policy = draw(st.sampled_from(["none", "full", "window", "tokens", "summary"]))
    history = {"none": History(), "full": History("full"), "window": History("window", window=draw(st.integers(1, 3))),
               "tokens": History("tokens", tokens=draw(st.integers(0, 150))),
               "summary": History("summary", every=draw(st.integers(1, 3)),
                                  summary_tokens=draw(st.integers(0, 9)))}[policy]
    conversation = policy != "none"
    steps = draw(st.none() | st.sampled_from(STEPS))
    per_session = steps.mean if steps else draw(st.sampled_from([D(0), D("0.5"), D(1), D("1.5"), D(3), D(5)]))
    observation = None
    if conversation:  # an observation is the next step's message in a conversation
        observation = draw(st.sampled_from([None, None, "obs: {{ obs }}", "{{ obs }}{{ ' why' * turn }}", "{{ obs }}"]))
    reasoning = draw(st.sampled_from([None] * 6 + ["mean"] * 2 + ["budget"] * 2 + ["effort"]))
    reasoning = {None: None, "mean": Reasoning(mean=D(draw(st.integers(1, 50)))),
                 "budget": Reasoning(budget=draw(st.integers(1, 60))), "effort": Reasoning(effort="low")}[reasoning]
    tools = None
    if draw(st.booleans()):
        tools = Tools("tools.json", parse_tools(list(TOOLS[:draw(st.integers(1, 2))]), "tools.json"),
                      draw(st.sampled_from(["auto", "required"])))
    shots = ()
    if images:
        shots = tuple(Image(draw(st.sampled_from([256, 512, 1000, 2048])), draw(st.sampled_from([256, 768, 1500])),
                            draw(st.sampled_from(["low", "high", "auto"])))
                      for _ in range(draw(st.integers(0 if images_only else 1, 2))))
    return Call(
        name=f"c{index}", mix=mix, per_session=per_session, steps=steps,
        user=draw(templates("user")) or tpl("{{ query }}"),
        system=draw(templates("system")), context=draw(templates("context")), history=history,
        observation=None if observation is None else tpl(observation),
        output=Output(D(draw(st.integers(0, 60))), draw(st.sampled_from([None, None, 30, 200]))),
        max_tokens=draw(st.none() | st.integers(1, 120)),
        cache=cache_of(draw, conversation), batch=draw(st.sampled_from([D(0), D("0.5"), D(1)])),
        retry_rate=draw(st.sampled_from([D(0), D("0.05")])),
        router=draw(st.none() | st.just(Router("gpt-4o-mini", 3))), line=1,
        reasoning=reasoning, tools=tools, images=shots,
    )


@st.composite
def embedding_calls(draw, index: int) -> Call:  # type: ignore[no-untyped-def]
    """An embedding call: user (and context) text, no chat settings."""
    return Call(
        name=f"c{index}", kind="embedding", mix=mix_of(draw, EMBEDDING_MODELS),
        per_session=draw(st.sampled_from([D(0), D("0.5"), D(1), D("2.5")])),
        user=draw(templates("user")) or tpl("{{ query }}"), context=draw(templates("context")),
        cache=cache_of(draw, False), batch=draw(st.sampled_from([D(0), D("0.5")])),
        retry_rate=draw(st.sampled_from([D(0), D("0.05")])), line=1,
    )


@st.composite
def specs(draw) -> Spec:  # type: ignore[no-untyped-def]
    row_images = draw(st.integers(0, 4)) == 0
    images = st.lists(st.fixed_dictionaries({"width": st.sampled_from([300, 1024]), "height": st.sampled_from([200, 900]),
                                             "detail": st.sampled_from(["low", "high", "auto"])}), max_size=2)
    samples = tuple({"query": draw(texts), "name": draw(st.sampled_from(["ann", "bo", "cy"])), "obs": draw(texts),
                     **({"images": draw(images)} if row_images else {})}
                    for _ in range(draw(st.integers(1, 5))))
    calls = tuple(draw(embedding_calls(i) if draw(st.integers(0, 5)) == 0 else chat_calls(i, row_images))
                  for i in range(draw(st.integers(1, 2))))
    return Spec(
        feature="ref", file=SPEC_FILE,
        traffic=Traffic(D(draw(st.sampled_from([1, 7, 100, 20000]))), D(draw(st.sampled_from([1, 30])))),
        samples=samples, samples_file="q.jsonl", calls=calls,
    )


FEMTO = Fraction(1, 10**15)


def differences(fast, refs: list[RefCall], seed: int, sessions: int, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Where the engine's estimate differs from the reference's: means and input
    percentiles to the exact Decimal; the p95 session cost within the engine's rounding
    (each request's cost is floored to a femto-dollar once per model, and twice for the
    lookups: under 3 femto-dollars per model and request)."""
    out = []
    for got, ref in zip(fast.calls, refs):
        if got.cost_per_call != ref.cost_per_call:
            out.append(f"{got.name} cost_per_call {got.cost_per_call} != {ref.cost_per_call}")
        if (got.input_tokens_p50, got.input_tokens_p95) != (ref.input_p50, ref.input_p95):
            out.append(f"{got.name} input p50/p95 {(got.input_tokens_p50, got.input_tokens_p95)} != "
                       f"{(ref.input_p50, ref.input_p95)}")
        for m, r in zip(got.models, ref.models):
            if (m.cost_per_call, m.cost_per_session, m.monthly_cost, m.input_tokens_mean) != (
                    r.cost_per_call, r.cost_per_session, r.monthly_cost, r.input_tokens_mean):
                out.append(f"{got.name} {m.model}: {m} != {r}")
    slack = sum(3 * len(c.weights) * len(call.models) for c, call in zip(refs, fast.calls)) * FEMTO
    p95 = session_p95(refs, seed, sessions, n)
    if not 0 <= p95 - Fraction(fast.cost_per_session_p95) <= slack:
        out.append(f"p95 session {fast.cost_per_session_p95} vs {float(p95)}")
    return out


def references(spec: Spec, quirks: frozenset[str] = frozenset()) -> list[RefCall]:
    return [reference_call(spec, TABLE, call, AS_OF, quirks) for call in spec.calls]


SESSIONS = 60


@settings(max_examples=250, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), seed=st.integers(0, 3))
def test_the_engine_equals_the_reference_to_the_exact_decimal(spec, seed):
    try:
        fast = estimate(spec, TABLE, as_of=AS_OF, seed=seed, sessions=SESSIONS, alternatives=False)
    except CostgateError:
        with pytest.raises(CostgateError):
            references(spec)
        event("both refuse the spec")
        return
    found = differences(fast, references(spec), seed, SESSIONS, len(spec.samples))
    if found:  # the engine differs from the docs: only where it is known to
        assert differences(fast, references(spec, KNOWN), seed, SESSIONS, len(spec.samples)) == [], found
        event("known disagreement")
    else:
        event("equal to the docs")


def test_the_reference_is_not_the_engine():
    """The reference prices request by request: a plain loop, not the engine's classes."""
    import inspect

    import reference_estimator as reference

    source = inspect.getsource(reference)
    assert "costgate.estimate.price_call" not in source and "costgate.estimate.counting" not in source
    assert "costgate.estimate.requests" not in source and "costgate.estimate.history" not in source
