"""Loading price tables (costgate.pricing.loader): the shipped data and its JSON Schema,
strict validation (one failing file per rule, with message and line), override layers.
The table as a model (lookups, billing rules) is in test_model.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from helpers import GOOD, assert_price_rule, load_schema, price_load_error, write
from hypothesis import given, settings
from hypothesis import strategies as st

from costgate.errors import CostgateError
from costgate.pricing import load_file, load_table, shipped_pricing_dir
from costgate.pricing.loader import TextFile
from costgate.tokens import ChatOverhead

# --- the shipped table ----------------------------------------------------------------


def test_shipped_table_loads_with_every_provider(table):
    assert set(table.providers) == {"openai", "anthropic", "google", "mistral", "deepseek", "meta", "xai"}
    for provider in table.providers.values():
        assert provider.source.startswith("https://")
        assert Path(provider.file).stem == provider.id
    assert load_table() is table  # the default table is cached
    assert shipped_pricing_dir().is_dir()


def test_shipped_files_match_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    validator = jsonschema.Draft202012Validator(load_schema("pricing.schema.json"))

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
    assert_price_rule(tmp_path, *CASES[case])


def test_duplicate_id_across_files_of_one_layer(tmp_path):
    write(tmp_path / "layer", {"acme.yaml": GOOD})
    write(tmp_path / "layer", {"beta.yaml": GOOD.replace("provider: acme", "provider: beta")})
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
    write(tmp_path / "layer", {"acme.yaml": GOOD.replace("o200k_base", "betatok")})
    write(tmp_path / "layer", {"beta.yaml": beta})
    t = load_table([tmp_path / "layer"])
    assert t.approximations["betatok"][:3] == ("cl100k_base", D("1.5"), "measured")
    tok = t.tokenizer(t.model("acme-1"))
    assert not tok.exact and tok.count("hello world") == 3  # 2 * 1.5


def test_invalid_yaml_and_empty_file(tmp_path):
    assert "invalid YAML" in price_load_error(tmp_path, "models: [\n").message
    assert "pricing file is empty" in price_load_error(tmp_path, "").message


# --- layers ---------------------------------------------------------------------------

OVERRIDE = """\
schema_version: 1
provider: openai
name: OpenAI (our negotiated rates)
source: https://intranet.example/llm-contract
models:
  - id: gpt-4o
    name: GPT-4o (contract)
    aliases: [gpt-4o-contract]
    tokenizer: o200k_base
    checked: 2026-11-01
    prices:
      - since: 2024-01-01
        input: "3.00"
        output: "9.00"
"""


def test_override_layer_replaces_a_model(tmp_path):
    write(tmp_path / "team", {"openai.yaml": OVERRIDE})
    t = load_table([shipped_pricing_dir(), tmp_path / "team"])
    gpt4o = t.model("gpt-4o")
    assert gpt4o.name == "GPT-4o (contract)"
    assert gpt4o.price_at(dt.date(2026, 11, 25)).rates.input == D("3.00")
    assert gpt4o.price_at(dt.date(2026, 11, 25)).rates.cached_input is None
    assert t.model("gpt-4o-contract") is gpt4o
    assert t.model("gpt-4o-2024-08-06").snapshot_of == "gpt-4o"  # a snapshot is a model of its own: kept
    assert t.model("gpt-4o-mini").price_at(dt.date(2026, 11, 25)).rates.input == D("0.15")
    assert t.providers["openai"].name == "OpenAI (our negotiated rates)"
    assert t.overhead(gpt4o) == ChatOverhead(3, 1, 3)  # kept: the override did not set one
    assert load_table().model("gpt-4o").price_at(dt.date(2026, 11, 25)).rates.input == D("2.50")


def test_override_alias_moves_and_new_provider_joins(tmp_path):
    text = GOOD.replace("    name: Acme 1\n", "    name: Acme 1\n    aliases: [claude-3.5-haiku]\n")
    write(tmp_path / "team", {"acme.yaml": text})
    t = load_table([shipped_pricing_dir(), tmp_path / "team"])
    assert t.model("claude-3.5-haiku").id == "acme-1"
    assert "claude-3.5-haiku" not in t.models["claude-3-5-haiku"].aliases
    assert t.providers["acme"].chat_overhead is None  # declares none: its family's template, if any
    assert t.overhead(t.model("acme-1")) == ChatOverhead()


def test_override_alias_may_not_shadow_a_model_id(tmp_path):
    text = GOOD.replace("    name: Acme 1\n", "    name: Acme 1\n    aliases: [gpt-4o]\n")
    write(tmp_path / "team", {"acme.yaml": text})
    with pytest.raises(CostgateError) as info:
        load_table([shipped_pricing_dir(), tmp_path / "team"])
    assert "alias 'gpt-4o' of 'acme-1' collides with model id 'gpt-4o'" in info.value.message
    assert info.value.location.line == 8


def test_a_layer_of_files_already_read():
    t = load_table([(TextFile("somewhere/acme.yaml", GOOD),)])
    assert list(t.models) == ["acme-1"] and t.models["acme-1"].file == "somewhere/acme.yaml"


# --- invariants -----------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=D("100000"), allow_nan=False, allow_infinity=False))
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


def test_approximated_family_names_are_ids_and_quoted(tmp_path):
    """A family is named by models' ``tokenizer:`` (an id without whitespace); a key no model
    could name is refused at its line, and the key is quoted in the message, never written
    raw (a newline there would start a line of its own: a forged ::error annotation)."""
    text = GOOD.replace("models:\n", 'tokenizers:\n  "acme tok\\n::error::x":\n    base: o200k_base\n'
                        '    ratio: "1.1"\n    source: https://acme.example/tok\nmodels:\n')
    err = price_load_error(tmp_path, text)
    assert err.location.line == 6, err
    assert err.message == ("tokenizers.'acme tok\\n::error::x' must not contain whitespace: "
                           "'acme tok\\n::error::x'"), err
    assert "\n" not in err.message
