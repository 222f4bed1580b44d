"""Billing rules of the estimator (costgate.estimate.billing)."""

from __future__ import annotations

from decimal import Decimal as D

from costgate.estimate.billing import expected_output


def test_output_cap_truncates_exponential_mean():
    from costgate.spec import Call, Output, Template

    call = Call(name="c", mix=(("gpt-4o", D(1)),), per_session=D(1), user=Template("x", "f"),
                output=Output(D(300)), max_tokens=300)
    # E[min(X, 300)] for X ~ Exp(mean 300) = 300 (1 - e^-1) = 189.636...
    assert abs(expected_output(call) - D("189.6361676485673")) < D("1e-9")


# ------------------------------------------------------------------ billing rules (batch x cache)

def _pricing(model_id: str, *, write_share: str = "0", ttl: str = "5m"):
    """A call on ``model_id`` that caches its prefix and sends every request through the batch API."""
    import datetime as dt
    from fractions import Fraction

    from costgate.estimate.billing import Pricing
    from costgate.pricing import load_table

    table = load_table()
    model = table.model(model_id)
    period = model.price_at(dt.date(2026, 1, 1))
    return Pricing(model=model, base=period.rates, period=period, write_share=Fraction(write_share), ttl=ttl,
                   caching=True, min_cache=0, batch_share=Fraction(1), rules=table.billing(model))


def test_openai_batch_keeps_the_standard_cached_rate():
    """gpt-4.1: input 2.00, cached 0.50, batch input 1.00 per 1M. OpenAI lists no batch cached
    rate for GPT-4.1: a batch cache read bills at the standard 0.50, uncached input at 1.00."""
    from fractions import Fraction

    p = _pricing("gpt-4.1")
    assert p.rules.batch_discounts_cached_reads is False
    c = p.coefficients(p.base, caches=True, read=True)
    assert c.prefix * 1_000_000 == Fraction("0.50")  # not 0.25
    assert c.read * 1_000_000 == Fraction("0.50")
    assert c.rest * 1_000_000 == Fraction("1.00")
    assert c.output * 1_000_000 == Fraction("4.00")
    # 10,000 cached + 2,000 uncached + 500 output tokens in one batch request:
    # 10,000 x 0.50 + 2,000 x 1.00 + 500 x 4.00 = 9,000 per 1M = $0.009
    assert c.cost(Fraction(2000), Fraction(10000), Fraction(500)) == Fraction(9, 1000)


def test_openai_gpt5_batch_halves_the_cached_rate():
    """gpt-5 (model-level rule): cached 0.125 x batch/regular (0.625 / 1.25) = 0.0625."""
    from fractions import Fraction

    p = _pricing("gpt-5")
    assert p.rules.batch_discounts_cached_reads is True
    assert p.coefficients(p.base, caches=True).prefix * 1_000_000 == Fraction("0.0625")


def test_anthropic_batch_discounts_cache_reads_and_writes():
    """claude-sonnet-4-5: input 3.00, cached 0.30, 5m write 3.75, batch input 1.50 per 1M.
    Batch halves cache reads (0.15) and writes (1.875) too. The same 10,000 cached + 2,000
    uncached + 500 output: 10,000 x 0.15 + 2,000 x 1.50 + 500 x 7.50 = 8,250 per 1M."""
    from fractions import Fraction

    reads = _pricing("claude-sonnet-4-5")
    c = reads.coefficients(reads.base, caches=True)
    assert c.prefix * 1_000_000 == Fraction("0.15")
    assert c.cost(Fraction(2000), Fraction(10000), Fraction(500)) == Fraction("0.00825")
    writes = _pricing("claude-sonnet-4-5", write_share="1")
    assert writes.coefficients(writes.base, caches=True).prefix * 1_000_000 == Fraction("1.875")


def test_gemini_batch_keeps_the_standard_cached_rate():
    """gemini-2.5-flash: cached 0.03 stays 0.03 under batch (input 0.30 -> 0.15)."""
    from fractions import Fraction

    p = _pricing("gemini-2.5-flash")
    c = p.coefficients(p.base, caches=True)
    assert (c.prefix * 1_000_000, c.rest * 1_000_000) == (Fraction("0.03"), Fraction("0.15"))


def test_rule_for_cache_writes_at_standard_rate(tmp_path):
    """A team layer that says batch does not discount cache writes: ws=1 bills the prefix at the
    standard 3.75 write rate while uncached input is halved (3.00 -> 1.50)."""
    import datetime as dt
    from fractions import Fraction

    from costgate.estimate.billing import Pricing
    from costgate.pricing import load_table, shipped_pricing_dir

    (tmp_path / "anthropic.yaml").write_text(
        "schema_version: 1\nprovider: anthropic\nname: Anthropic\nsource: https://example.com\n"
        "billing: {batch_discounts_cache_writes: false, source: https://example.com/contract}\n"
        "models:\n  - id: claude-x\n    name: X\n    tokenizer: claude\n    checked: 2026-01-01\n    prices:\n"
        "      - {since: 2025-01-01, input: \"3.00\", cached_input: \"0.30\", cache_write_5m: \"3.75\","
        " output: \"15.00\", batch_input: \"1.50\", batch_output: \"7.50\"}\n")
    table = load_table([shipped_pricing_dir(), tmp_path])
    model = table.model("claude-x")
    rules = table.billing(model)
    assert (rules.batch_discounts_cached_reads, rules.batch_discounts_cache_writes) == (None, False)
    period = model.price_at(dt.date(2026, 1, 1))
    p = Pricing(model=model, base=period.rates, period=period, write_share=Fraction(1), ttl="5m", caching=True,
                min_cache=0, batch_share=Fraction(1), rules=rules)
    c = p.coefficients(p.base, caches=True)
    assert (c.prefix * 1_000_000, c.rest * 1_000_000) == (Fraction("3.75"), Fraction("1.50"))
    # the layer's billing: block replaces the shipped one: reads unset (default: discounted)
    assert table.billing(table.model("claude-sonnet-4-5")).batch_discounts_cached_reads is None


def test_billing_rule_must_be_a_boolean():
    import pytest

    from costgate.errors import CostgateError
    from costgate.pricing import load_file

    text = ("schema_version: 1\nprovider: acme\nname: Acme\nsource: https://example.com\n"
            "billing: {batch_discounts_cached_reads: \"no\", source: https://example.com}\n"
            "models:\n  - {id: m, name: M, tokenizer: o200k_base, checked: 2026-01-01,"
            " prices: [{since: 2025-01-01, input: \"1\", output: \"1\"}]}\n")
    with pytest.raises(CostgateError, match="must be true or false"):
        load_file(text, "acme.yaml")
