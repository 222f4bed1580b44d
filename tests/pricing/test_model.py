"""The price table as a model (costgate.pricing.model): prices by date, aliases,
tokenizers and chat overhead, and the billing rules (long-context tiers are cliffs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from helpers import AS_OF_DATE

from costgate.errors import CostgateError
from costgate.pricing import PricePeriod, Rates, Tier, load_table
from costgate.tokens import ChatOverhead


def test_every_shipped_model_is_priced_and_tokenizable(table):
    for model in table.models.values():
        assert model.prices, model.id
        assert table.tokenizer(model).count("hello world") >= 2
        for period in model.prices:
            if model.kind == "chat":
                assert period.rates.output is not None, model.id
    for base, ratio, source, *_ in table.approximations.values():
        assert base in ("o200k_base", "cl100k_base") and ratio > 0 and source


def test_spot_prices_match_the_reference(table):
    today = dt.date(2026, 11, 25)
    gpt4o = table.model("gpt-4o").price_at(today).rates
    assert (gpt4o.input, gpt4o.cached_input, gpt4o.output) == (D("2.50"), D("1.25"), D("10.00"))
    assert (gpt4o.batch_input, gpt4o.batch_output) == (D("1.25"), D("5.00"))
    sonnet = table.model("claude-sonnet-4-5").price_at(today)
    assert sonnet.rates.input == D("3.00") and sonnet.rates.cache_write_5m == D("3.75")
    [tier] = sonnet.tiers
    assert tier.above == 200000
    assert (tier.rates.input, tier.rates.output) == (D("6.00"), D("22.50"))
    assert table.model("text-embedding-3-small").price_at(today).rates.input == D("0.02")
    assert table.model("text-embedding-3-large").kind == "embedding"


def test_o3_price_history(table):
    o3 = table.model("o3")
    before = o3.price_at(dt.date(2025, 6, 9)).rates
    assert (before.input, before.cached_input, before.output) == (D("10.00"), D("2.50"), D("40.00"))
    after = o3.price_at(dt.date(2025, 6, 10)).rates
    assert (after.input, after.cached_input, after.output) == (D("2.00"), D("0.50"), D("8.00"))


def test_price_before_the_first_period_is_an_error(table):
    with pytest.raises(CostgateError) as info:
        table.model("o3").price_at(dt.date(2020, 1, 1))
    assert "no price for 'o3' on 2020-01-01" in info.value.message
    assert "2025-04-16" in info.value.hint
    assert info.value.location.file.endswith("openai.yaml") and info.value.location.line


def test_lookup_by_alias_and_unknown_model_hint(table):
    assert table.model("claude-sonnet-4.5").id == "claude-sonnet-4-5"
    assert table.aliases["o3-2025-04-16"] == "o3"
    with pytest.raises(CostgateError) as info:
        table.model("gpt-4o-minii", file="bot.costgate.yaml", line=7, where="answer.model")
    err = info.value
    assert err.message == "unknown model 'gpt-4o-minii' in answer.model"
    assert (err.location.file, err.location.line) == ("bot.costgate.yaml", 7)
    assert err.hint.startswith("did you mean 'gpt-4o-mini'")


def test_tokenizers_and_overhead(table):
    claude = table.tokenizer(table.model("claude-sonnet-4-5"))
    assert not claude.exact and claude.ratio == D("1.182")  # the latin ratio
    assert table.tokenizer(table.model("gpt-4o")).exact
    assert table.tokenizer(table.model("gpt-4")).name == "cl100k_base"
    assert table.overhead(table.model("gpt-4o")) == ChatOverhead(3, 1, 3)
    assert table.overhead(table.model("text-embedding-3-small")) == ChatOverhead()
    assert table.overhead(table.model("claude-haiku-4-5")) == ChatOverhead(reply=7, role_text=False)  # the frame
    assert table.overhead(table.model("gemini-2.5-flash")) == ChatOverhead()


# --- billing rules --------------------------------------------------------------------


def test_tier_cliff_is_strictly_greater(table):
    period = table.model("claude-sonnet-4-5").price_at(dt.date(2026, 1, 1))
    assert period.rates_for(200_000).input == D("3.00")
    assert period.rates_for(200_001).input == D("6.00")
    assert period.rates_for(200_001).output == D("22.50")
    assert period.rates_for(0) is period.rates


def test_highest_matching_tier_wins():
    base = Rates(input=D("1"), output=D("2"))
    period = PricePeriod(dt.date(2025, 1, 1), base,
                         (Tier(100, Rates(input=D("3"), output=D("4"))), Tier(1000, Rates(input=D("5"), output=D("6")))))
    assert period.rates_for(100) is base
    assert period.rates_for(101).input == D("3")
    assert period.rates_for(1000).input == D("3")
    assert period.rates_for(1001).input == D("5")


def test_long_context_tier_is_a_cliff(tmp_path):
    # claude-sonnet-4-5 bills every token at 6.00/22.50 once input exceeds 200,000 tokens.
    table = load_table()
    period = table.model("claude-sonnet-4-5").price_at(AS_OF_DATE)
    assert period.rates_for(200_000).input == D("3.00")
    assert period.rates_for(200_001).input == D("6.00")
    assert period.rates_for(200_001).output == D("22.50")
