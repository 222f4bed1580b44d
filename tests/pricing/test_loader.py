"""Price tables: shipped data, billing rules, strict validation, override layers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costgate.errors import CostgateError
from costgate.pricing import (
    PricePeriod,
    Rates,
    Tier,
    load_file,
    load_table,
    shipped_pricing_dir,
)
from costgate.pricing.loader import TextFile
from costgate.tokens import ChatOverhead

D = Decimal

# A minimal valid file; line numbers matter to the validation tests below.
GOOD = """\
schema_version: 1
provider: acme
name: Acme
source: https://acme.example/pricing
models:
  - id: acme-1
    name: Acme 1
    tokenizer: o200k_base
    checked: 2026-11-01
    prices:
      - since: 2025-01-01
        input: "1.00"
        output: "2.00"
"""


def write(dir_: Path, name: str, text: str) -> Path:
    dir_.mkdir(parents=True, exist_ok=True)
    path = dir_ / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str, name: str = "acme.yaml") -> CostgateError:
    path = write(tmp_path / "layer", name, text)
    with pytest.raises(CostgateError) as info:
        load_table([path.parent])
    return info.value


# --- the shipped table ----------------------------------------------------------------


@pytest.fixture(scope="module")
def table():
    return load_table()


def test_shipped_table_loads_with_every_provider(table):
    assert set(table.providers) == {"openai", "anthropic", "google", "mistral", "deepseek", "meta"}
    for provider in table.providers.values():
        assert provider.source.startswith("https://")
        assert Path(provider.file).stem == provider.id
    assert load_table() is table  # the default table is cached
    assert shipped_pricing_dir().is_dir()


def test_every_shipped_model_is_priced_and_tokenizable(table):
    for model in table.models.values():
        assert model.prices, model.id
        assert table.tokenizer(model).count("hello world") >= 2
        for period in model.prices:
            if model.kind == "chat":
                assert period.rates.output is not None, model.id
    for base, ratio, source in table.approximations.values():
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
    assert table.aliases["gpt-4o-2024-08-06"] == "gpt-4o"
    with pytest.raises(CostgateError) as info:
        table.model("gpt-4o-minii", file="bot.costgate.yaml", line=7, where="answer.model")
    err = info.value
    assert err.message == "unknown model 'gpt-4o-minii' in answer.model"
    assert (err.location.file, err.location.line) == ("bot.costgate.yaml", 7)
    assert err.hint.startswith("did you mean 'gpt-4o-mini'")


def test_tokenizers_and_overhead(table):
    claude = table.tokenizer(table.model("claude-sonnet-4-5"))
    assert not claude.exact and claude.ratio == D("1.16")
    assert table.tokenizer(table.model("gpt-4o")).exact
    assert table.tokenizer(table.model("gpt-4")).name == "cl100k_base"
    assert table.overhead(table.model("gpt-4o")) == ChatOverhead(3, 1, 3)
    assert table.overhead(table.model("text-embedding-3-small")) == ChatOverhead()
    assert table.overhead(table.model("claude-haiku-4-5")) == ChatOverhead()


def test_shipped_files_match_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema_path = Path(__file__).resolve().parent.parent / "costgate/schemas/pricing.schema.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    def plain(x):
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, list):
            return [plain(v) for v in x]
        return x.isoformat() if isinstance(x, dt.date) else x

    for path in sorted(shipped_pricing_dir().glob("*.yaml")):
        text = path.read_text()
        assert text.startswith("# yaml-language-server: $schema=../costgate/schemas/")
        errors = [e.message for e in validator.iter_errors(plain(yaml.safe_load(text)))]
        assert errors == [], path
    bad = plain(yaml.safe_load(GOOD))
    bad["models"][0]["prices"][0]["inptu"] = "1"
    assert list(validator.iter_errors(bad))


# --- billing rules --------------------------------------------------------------------


def test_tier_cliff_is_strictly_greater(table):
    period = table.model("claude-sonnet-4-5").price_at(dt.date(2026, 1, 1))
    assert period.rates_for(200_000).input == D("3.00")
    assert period.rates_for(200_001).input == D("6.00")
    assert period.rates_for(200_001).output == D("22.50")
    assert period.rates_for(0) is period.rates


def test_highest_matching_tier_wins():
    base = Rates(D("1"), D("2"))
    period = PricePeriod(dt.date(2025, 1, 1), base,
                         (Tier(100, Rates(D("3"), D("4"))), Tier(1000, Rates(D("5"), D("6")))))
    assert period.rates_for(100) is base
    assert period.rates_for(101).input == D("3")
    assert period.rates_for(1000).input == D("3")
    assert period.rates_for(1001).input == D("5")


# --- validation: one failing file per rule, with message and line ----------------------


def replace_line(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


MODEL_2 = """\
  - id: acme-2
    name: Acme 2
    tokenizer: o200k_base
    checked: 2026-11-01
    prices:
      - since: 2025-01-01
        input: "1.00"
        output: "2.00"
"""

CASES = {
    "unknown top key": (replace_line(GOOD, "name: Acme\n", "name: Acme\nsorce: x\n"),
                        "unknown key 'sorce' in the top level", 4, "did you mean 'source'?"),
    "unknown price key": (replace_line(GOOD, '        output: "2.00"\n',
                                       '        output: "2.00"\n        inptu: "1.00"\n'),
                          "unknown key 'inptu' in models[0].prices[0]", 14, "allowed keys:"),
    "missing checked": (replace_line(GOOD, "    checked: 2026-11-01\n", ""),
                        "missing required key 'checked' in models[0]", 6, "checked"),
    "missing output": (replace_line(GOOD, '        output: "2.00"\n', ""),
                       "missing required key 'output' in models[0].prices[0]", 11, "embedding"),
    "bare float price": (replace_line(GOOD, 'input: "1.00"', "input: 1.00"),
                         "models[0].prices[0].input is a bare number", 12,
                         "write prices as quoted strings, e.g. '1.00'"),
    "bare int price": (replace_line(GOOD, 'input: "1.00"', "input: 3"),
                       "models[0].prices[0].input is a bare number", 12, "e.g. '3'"),
    "not a number": (replace_line(GOOD, 'input: "1.00"', 'input: "one"'),
                     "models[0].prices[0].input is not a decimal number: 'one'", 12, "'2.50'"),
    "negative price": (replace_line(GOOD, 'output: "2.00"', 'output: "-2.00"'),
                       "models[0].prices[0].output is negative: '-2.00'", 13, "below zero"),
    "cached above input": (replace_line(GOOD, '        output: "2.00"\n',
                                        '        output: "2.00"\n        cached_input: "1.50"\n'),
                           "cached_input 1.50 is more than input 1.00 in models[0].prices[0]",
                           14, "swapped"),
    "duplicate id": (GOOD + MODEL_2.replace("acme-2", "acme-1"),
                     "duplicate model id 'acme-1' (also in", 14, "once"),
    "alias is another id": (replace_line(GOOD + MODEL_2, "    name: Acme 1\n",
                                         "    name: Acme 1\n    aliases: [acme-2]\n"),
                            "alias 'acme-2' of 'acme-1' collides with model id", 8, "remove the alias"),
    "duplicate alias": (replace_line(
        replace_line(GOOD + MODEL_2, "    name: Acme 1\n", "    name: Acme 1\n    aliases: [a1]\n"),
        "    name: Acme 2\n", "    name: Acme 2\n    aliases: [a1]\n"),
        "alias 'a1' of 'acme-2' collides with alias of 'acme-1'", 17, "rename"),
    "unknown tokenizer": (replace_line(GOOD, "tokenizer: o200k_base", "tokenizer: o200k_bas"),
                          "unknown tokenizer 'o200k_bas' for model 'acme-1'", 8,
                          "did you mean 'o200k_base'"),
    "since not ascending": (GOOD + '      - since: 2025-01-01\n        input: "1.00"\n'
                                   '        output: "2.00"\n',
                            "models[0].prices[1].since 2025-01-01 is not after the previous "
                            "period's 2025-01-01", 14, "oldest first"),
    "tiers not ascending": (GOOD + "        tiers:\n"
                                   '          - {above: 1000, input: "2", output: "3"}\n'
                                   '          - {above: 1000, input: "3", output: "4"}\n',
                            "models[0].prices[0].tiers[1].above 1000 is not greater than the "
                            "previous tier's 1000", 16, "ascending"),
    "provider is not the file stem": (replace_line(GOOD, "provider: acme", "provider: acne"),
                                      "provider 'acne' does not match the file name 'acme'", 2,
                                      "rename the file to acne.yaml or set 'provider: acme'"),
    "missing source": (replace_line(GOOD, "source: https://acme.example/pricing\n", ""),
                       "missing required key 'source' in the top level", 1, "source:"),
    "source not a URL": (replace_line(GOOD, "https://acme.example/pricing", "acme.example/pricing"),
                         "source must be an http(s) URL, got 'acme.example/pricing'", 4, "https://"),
    "schema version": (replace_line(GOOD, "schema_version: 1", "schema_version: 2"),
                       "unsupported schema_version 2", 1, "schema_version 1"),
    "bad kind": (replace_line(GOOD, "    tokenizer: o200k_base\n",
                              "    tokenizer: o200k_base\n    kind: embeding\n"),
                 "models[0].kind must be one of chat, embedding, got 'embeding'", 9,
                 "did you mean 'embedding'?"),
    "approximation on an unknown base": (replace_line(GOOD, "models:\n", "tokenizers:\n  acme:\n"
                                                      "    base: p50k_base\n    ratio: \"1.1\"\n"
                                                      "    source: guess\nmodels:\n"),
                                         "tokenizer 'acme' is based on 'p50k_base'", 7, "registered"),
    "empty models": (replace_line(GOOD, GOOD[GOOD.index("models:"):], "models: []\n"),
                     "models must be a non-empty list", 5, "at least one"),
    "bad date": (replace_line(GOOD, "since: 2025-01-01", "since: last year"),
                 "models[0].prices[0].since must be a date, got string 'last year'", 11, "YYYY-MM-DD"),
    "retired before deprecated": (replace_line(GOOD, "    prices:\n", "    deprecated: 2026-01-01\n"
                                               "    retired: 2025-01-01\n    prices:\n"),
                                  "models[0].retired 2025-01-01 is before deprecated 2026-01-01",
                                  11, "deprecated first"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_validation_rule(tmp_path, case):
    text, message, line, hint = CASES[case]
    err = load_error(tmp_path, text)
    assert message in err.message, err
    assert err.location.line == line, err
    assert err.location.file.endswith("acme.yaml")
    assert hint in (err.hint or ""), err


def test_duplicate_id_across_files_of_one_layer(tmp_path):
    write(tmp_path / "layer", "acme.yaml", GOOD)
    write(tmp_path / "layer", "beta.yaml", GOOD.replace("provider: acme", "provider: beta"))
    with pytest.raises(CostgateError) as info:
        load_table([tmp_path / "layer"])
    err = info.value
    assert err.message.startswith("duplicate model id 'acme-1' (also in ")
    assert "acme.yaml:6" in err.message
    assert err.location.file.endswith("beta.yaml") and err.location.line == 6


def test_tokenizer_declared_in_another_file(tmp_path):
    beta = GOOD.replace("provider: acme", "provider: beta").replace("acme-1", "beta-1")
    beta = beta.replace("models:\n", 'tokenizers:\n  betatok:\n    base: cl100k_base\n'
                        '    ratio: "1.5"\n    source: measured\nmodels:\n')
    write(tmp_path / "layer", "acme.yaml", GOOD.replace("o200k_base", "betatok"))
    write(tmp_path / "layer", "beta.yaml", beta)
    t = load_table([tmp_path / "layer"])
    assert t.approximations["betatok"] == ("cl100k_base", D("1.5"), "measured")
    tok = t.tokenizer(t.model("acme-1"))
    assert not tok.exact and tok.count("hello world") == 3  # ceil(2 * 1.5)


def test_invalid_yaml_and_empty_file(tmp_path):
    assert "invalid YAML" in load_error(tmp_path, "models: [\n").message
    assert "pricing file is empty" in load_error(tmp_path, "").message


# --- layers ---------------------------------------------------------------------------

OVERRIDE = """\
schema_version: 1
provider: openai
name: OpenAI (our negotiated rates)
source: https://intranet.example/llm-contract
models:
  - id: gpt-4o
    name: GPT-4o (contract)
    aliases: [gpt-4o-contract, gpt-4o-2024-11-20]
    tokenizer: o200k_base
    checked: 2026-11-01
    prices:
      - since: 2024-01-01
        input: "3.00"
        output: "9.00"
"""


def test_override_layer_replaces_a_model(tmp_path):
    write(tmp_path / "team", "openai.yaml", OVERRIDE)
    t = load_table([shipped_pricing_dir(), tmp_path / "team"])
    gpt4o = t.model("gpt-4o")
    assert gpt4o.name == "GPT-4o (contract)"
    assert gpt4o.price_at(dt.date(2026, 11, 25)).rates.input == D("3.00")
    assert gpt4o.price_at(dt.date(2026, 11, 25)).rates.cached_input is None
    assert t.model("gpt-4o-contract") is gpt4o
    assert "gpt-4o-2024-08-06" not in t.aliases  # the shipped aliases went with the model
    assert t.model("gpt-4o-mini").price_at(dt.date(2026, 11, 25)).rates.input == D("0.15")
    assert t.providers["openai"].name == "OpenAI (our negotiated rates)"
    assert t.overhead(gpt4o) == ChatOverhead(3, 1, 3)  # kept: the override did not set one
    assert load_table().model("gpt-4o").price_at(dt.date(2026, 11, 25)).rates.input == D("2.50")


def test_override_alias_moves_and_new_provider_joins(tmp_path):
    text = GOOD.replace("    name: Acme 1\n", "    name: Acme 1\n    aliases: [claude-3.5-haiku]\n")
    write(tmp_path / "team", "acme.yaml", text)
    t = load_table([shipped_pricing_dir(), tmp_path / "team"])
    assert t.model("claude-3.5-haiku").id == "acme-1"
    assert "claude-3.5-haiku" not in t.models["claude-3-5-haiku"].aliases
    assert t.providers["acme"].chat_overhead == ChatOverhead()


def test_override_alias_may_not_shadow_a_model_id(tmp_path):
    text = GOOD.replace("    name: Acme 1\n", "    name: Acme 1\n    aliases: [gpt-4o]\n")
    write(tmp_path / "team", "acme.yaml", text)
    with pytest.raises(CostgateError) as info:
        load_table([shipped_pricing_dir(), tmp_path / "team"])
    assert "alias 'gpt-4o' of 'acme-1' collides with model id 'gpt-4o'" in info.value.message
    assert info.value.location.line == 8


def test_a_layer_of_files_already_read():
    t = load_table([(TextFile("somewhere/acme.yaml", GOOD),)])
    assert list(t.models) == ["acme-1"] and t.models["acme-1"].file == "somewhere/acme.yaml"


# --- invariants -----------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=D("1e9"), allow_nan=False, allow_infinity=False))
def test_any_quoted_decimal_round_trips(price):
    text = GOOD.replace('input: "1.00"', f'input: "{price}"').replace(
        'output: "2.00"', f"output: '{price}'")
    [model] = load_file(text, "acme.yaml").models
    rates = model.prices[0].rates
    assert rates.input == price and str(rates.input) == str(price)
    assert rates.output == price and str(rates.output) == str(price)


def test_missing_path_and_empty_directory(tmp_path):
    with pytest.raises(CostgateError) as info:
        load_table([tmp_path / "nope.yaml"])
    assert info.value.message.startswith("cannot read pricing file")
    assert info.value.location.file.endswith("nope.yaml")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CostgateError, match=r"no \*\.yaml pricing files"):
        load_table([tmp_path / "empty"])
    with pytest.raises(CostgateError, match="no pricing files given"):
        load_table([])
