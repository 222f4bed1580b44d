"""The fast engine against the plain reference (tests/estimate/reference.py) on random
specs: every mean equal to the exact Decimal, the p95 within a femto-dollar per request.

The specs mix the features that change how requests are grouped and priced: fractional
turns, every history policy, static and per-sample system prompts and contexts,
turn-dependent templates, model mixes across tokenizers, prompt caching over a minimum
length, long-context tiers at small thresholds (a test price file), batch shares, retries,
exact and semantic caches, routers and capped outputs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_estimator import reference_call

from costgate.errors import CostgateError
from costgate.estimate.simulate import estimate
from costgate.pricing import load_table, shipped_pricing_dir
from costgate.pricing.loader import TextFile
from costgate.spec.model import (
    Cache,
    Call,
    History,
    ModelShare,
    Output,
    Router,
    Spec,
    Template,
    Traffic,
)

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
MODELS = ["tiny-tier", "approx-model", "gpt-4o-mini", "gpt-4o"]
WORDS = ["hello", "billing", "refund", "policy", "the", "a", "export", "team", "42", "!"]

texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=12).map(" ".join)


@st.composite
def templates(draw, role: str) -> Template | None:  # type: ignore[no-untyped-def]
    kind = draw(st.sampled_from(["none", "static", "query", "turn", "name"]))
    body = {"none": None, "static": draw(texts) + " rules " * draw(st.integers(0, 8)),
            "query": "Q: {{ query }}", "turn": "turn {{ turn }}: {{ query }}", "name": "{{ name }} {{ query }}"}[kind]
    return None if body is None else Template(body, "spec.costgate.yaml", 1)


@st.composite
def calls(draw, index: int) -> Call:  # type: ignore[no-untyped-def]
    models = draw(st.lists(st.sampled_from(MODELS), min_size=1, max_size=3, unique=True))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=len(models) - 1, max_size=len(models) - 1, unique=True)))
    shares = [D(b - a) / 100 for a, b in zip([0, *cuts], [*cuts, 100])]
    policy = draw(st.sampled_from(["none", "full", "window", "tokens", "summary"]))
    history = {"none": History(), "full": History("full"), "window": History("window", window=2),
               "tokens": History("tokens", tokens=draw(st.integers(0, 60))),
               "summary": History("summary", every=2, summary_tokens=7)}[policy]
    max_tokens = draw(st.none() | st.integers(1, 80))
    batch = draw(st.sampled_from([D(0), D("0.5"), D(1)]))
    return Call(
        name=f"c{index}", mix=tuple(ModelShare(m, s) for m, s in zip(models, shares)),
        per_session=draw(st.sampled_from([D(0), D("0.5"), D(1), D("1.5"), D(3)])),
        user=draw(templates("user")) or Template("{{ query }}", "spec.costgate.yaml", 1),
        system=draw(templates("system")), context=draw(templates("context")), history=history,
        output=Output(D(draw(st.integers(0, 60))), None), max_tokens=max_tokens,
        cache=Cache(prompt_prefix=draw(st.booleans()), ttl=draw(st.sampled_from(["5m", "1h"])),
                    semantic_hit_rate=draw(st.sampled_from([D(0), D("0.2")])),
                    exact_hit_rate=draw(st.sampled_from([D(0), D("0.1"), "auto"]))),
        batch=batch if all(m in ("tiny-tier", "approx-model", "gpt-4o-mini", "gpt-4o") for m in models) else D(0),
        retry_rate=draw(st.sampled_from([D(0), D("0.05")])),
        router=draw(st.none() | st.just(Router("gpt-4o-mini", 3))), line=1,
    )


@st.composite
def specs(draw) -> Spec:  # type: ignore[no-untyped-def]
    samples = tuple({"query": draw(texts), "name": draw(st.sampled_from(["ann", "bo", "cy"]))}
                    for _ in range(draw(st.integers(1, 5))))
    return Spec(
        feature="ref", file="spec.costgate.yaml",
        traffic=Traffic(D(draw(st.sampled_from([1, 7, 100, 20000]))), D(draw(st.sampled_from([1, 30])))),
        samples=samples, samples_file="q.jsonl", calls=tuple(draw(calls(i)) for i in range(draw(st.integers(1, 2)))),
    )


@settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), seed=st.integers(0, 3))
def test_the_engine_equals_the_reference_to_the_exact_decimal(spec, seed):
    try:
        fast = estimate(spec, TABLE, as_of=AS_OF, seed=seed, sessions=60, alternatives=False)
    except CostgateError:
        with pytest.raises(CostgateError):
            for call in spec.calls:
                reference_call(spec, TABLE, call, AS_OF)
        return
    for call, got in zip(spec.calls, fast.calls):
        ref = reference_call(spec, TABLE, call, AS_OF)
        assert got.cost_per_call == ref.cost_per_call
        assert (got.input_tokens_p50, got.input_tokens_p95) == (ref.input_p50, ref.input_p95)
        for m, r in zip(got.models, ref.models):
            assert (m.cost_per_call, m.cost_per_session, m.monthly_cost, m.input_tokens_mean) == (
                r.cost_per_call, r.cost_per_session, r.monthly_cost, r.input_tokens_mean)


def test_the_reference_is_not_the_engine():
    """The reference prices request by request: a plain loop, not the engine's classes."""
    import inspect

    import reference_estimator as reference

    source = inspect.getsource(reference)
    assert "costgate.estimate.price_call" not in source and "costgate.estimate.counting" not in source
