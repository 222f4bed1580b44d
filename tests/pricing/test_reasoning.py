"""Reasoning and routing data in the price table: a model's ``reasoning:`` (approximate
mean reasoning tokens per effort level), its ``capability`` class, and the
``reasoning_output`` rate. Loading, one failing file per rule (message, line, hint), the
JSON Schema, the shipped data against docs/pricing.md, and what ``pricing show`` / ``list``
/ ``diff`` / ``sync`` make of them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sys
import types
from decimal import Decimal as D

import pytest
from helpers import GOOD, ROOT, assert_price_rule, layer, load_schema
from hypothesis import given, settings
from hypothesis import strategies as st

from costgate.errors import CostgateError
from costgate.pricing import RATE_KEYS, load_file, load_table, shipped_pricing_dir, validate
from costgate.pricing.diff import compare_tables
from costgate.pricing.model import CAPABILITIES, EFFORTS, ReasoningDefaults

DOC = (ROOT / "docs" / "pricing.md").read_text(encoding="utf-8")

# GOOD with a reasoning block and a class before `checked:` (line 9); block style so that
# every key has a line of its own: reasoning 9, effort_tokens 10, low 11, medium 12,
# high 13, default 14, source 15, capability 16.
BLOCK = """\
    reasoning:
      effort_tokens:
        low: 500
        medium: 4000
        high: 12000
      default: medium
      source: "an estimate: half of each thinking budget"
    capability: standard
"""
REASONS = GOOD.replace("    checked:", BLOCK + "    checked:", 1)


def edit(old: str, new: str, text: str = REASONS) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --- loading --------------------------------------------------------------------------


def test_reasoning_capability_and_reasoning_rate_load():
    text = edit('        output: "2.00"\n', '        output: "2.00"\n        reasoning_output: "3.50"\n')
    [m] = load_file(text, "acme.yaml").models
    assert m.capability == "standard"
    assert m.reasoning == ReasoningDefaults({"low": 500, "medium": 4000, "high": 12000},
                                            "an estimate: half of each thinking budget", "medium")
    assert list(m.reasoning.effort_tokens) == ["low", "medium", "high"]
    with pytest.raises(TypeError):
        m.reasoning.effort_tokens["low"] = 1  # type: ignore[index]  # read only
    assert hash(m) == hash(dataclasses.replace(m))  # a model stays hashable
    rates = m.prices[0].rates
    assert rates.reasoning_output == D("3.50") and rates.output == D("2.00")


def test_absent_keys_mean_no_reasoning_and_no_class():
    [m] = load_file(GOOD, "acme.yaml").models
    assert m.reasoning is None and m.capability is None
    assert m.prices[0].rates.reasoning_output is None


def test_levels_are_kept_in_effort_order_and_default_is_optional():
    text = edit("        low: 500\n        medium: 4000\n        high: 12000\n      default: medium\n",
                "        xhigh: 16000\n        minimal: 0\n")
    [m] = load_file(text, "acme.yaml").models
    assert list(m.reasoning.effort_tokens.items()) == [("minimal", 0), ("xhigh", 16000)]
    assert m.reasoning.default is None


def test_new_keys_are_in_the_loader_tables():
    assert "reasoning_output" in RATE_KEYS
    assert EFFORTS == ("minimal", "low", "medium", "high", "xhigh")
    assert CAPABILITIES == ("frontier", "standard", "small")


# --- validation: one failing file per rule, with message, line and hint -----------------

EMBED = GOOD.replace("    checked:", "    kind: embedding\n    capability: small\n    checked:", 1)
CONTEXT = edit("    reasoning:\n", "    context_window: 8000\n    reasoning:\n")

CASES = {
    "unknown effort": (edit("        high: 12000", "        hihg: 12000"),
                       "unknown reasoning effort 'hihg' in models[0].reasoning.effort_tokens", 13,
                       "did you mean 'high'"),
    "negative tokens": (edit("low: 500", "low: -5"),
                        "models[0].reasoning.effort_tokens.low is negative: -5", 11, "0 or more"),
    "quoted tokens": (edit("low: 500", 'low: "500"'),
                      "models[0].reasoning.effort_tokens.low must be an integer", 11, "without quotes"),
    "fractional tokens": (edit("low: 500", "low: 500.5"),
                          "models[0].reasoning.effort_tokens.low must be an integer", 11, "whole number"),
    "less tokens for more effort": (edit("high: 12000", "high: 2000"),
                                    "models[0].reasoning.effort_tokens.high 2,000 is less than medium 4,000",
                                    13, "not swapped"),
    "more than the context window": (CONTEXT, "models[0].reasoning.effort_tokens.high 12,000 is more "
                                     "than the context window 8,000", 14, "context window"),
    "implausibly many tokens": (edit("high: 12000", "high: 2000000"),
                                "models[0].reasoning.effort_tokens.high 2,000,000 is more than 1,000,000",
                                13, "mean reasoning tokens per request"),
    "no levels": (edit("        low: 500\n        medium: 4000\n        high: 12000\n", "        {}\n")
                  .replace("      effort_tokens:\n        {}", "      effort_tokens: {}"),
                  "models[0].reasoning.effort_tokens must be a mapping of effort level to tokens", 10,
                  "effort_tokens: {low: 500"),
    "default not listed": (edit("default: medium", "default: minimal"),
                           "models[0].reasoning.default must be one of the levels in effort_tokens "
                           "(low, medium, high), got 'minimal'", 14, "add 'minimal: N' under effort_tokens"),
    "default not a level": (edit("default: medium", "default: hi"),
                            "models[0].reasoning.default must be one of the levels in effort_tokens", 14,
                            "did you mean 'high'"),
    "missing source": (edit('      source: "an estimate: half of each thinking budget"\n', ""),
                       "missing required key 'source' in models[0].reasoning", 9, "source:"),
    "empty source": (edit('"an estimate: half of each thinking budget"', '" "'),
                     "models[0].reasoning.source must be a non-empty string", 15, None),
    "unknown reasoning key": (edit("      default: medium\n", "      budget: 1024\n"),
                              "unknown key 'budget' in models[0].reasoning", 14, "allowed keys:"),
    "reasoning not a mapping": (GOOD.replace("    checked:", "    reasoning: true\n    checked:", 1),
                                "models[0].reasoning must be a mapping, got boolean True", 9, None),
    "unknown capability": (edit("capability: standard", "capability: frontir"),
                           "models[0].capability must be one of frontier, standard, small, got 'frontir'",
                           16, "did you mean 'frontier'?"),
    "capability on an embedding model": (EMBED, "models[0].capability is for chat models, not kind: embedding",
                                         10, "remove 'capability:'"),
    "reasoning on an embedding model": (
        REASONS.replace("    reasoning:", "    kind: embedding\n    reasoning:", 1).replace("    capability: standard\n", ""),
        "models[0].reasoning is for chat models, not kind: embedding", 10, "neither reason"),
    "reasoning rate without reasoning": (
        GOOD.replace('        output: "2.00"\n', '        output: "2.00"\n        reasoning_output: "3.00"\n'),
        "models[0].prices[0].reasoning_output is set but models[0] has no reasoning: block", 14,
        "add reasoning:"),
    "reasoning rate in a tier without reasoning": (
        GOOD + '        tiers:\n          - {above: 1000, input: "2", output: "3", reasoning_output: "4"}\n',
        "models[0].prices[0].tiers[0].reasoning_output is set but models[0] has no reasoning: block", 15,
        "remove reasoning_output"),
    "negative reasoning rate": (edit('        output: "2.00"\n', '        output: "2.00"\n        reasoning_output: "-1"\n'),
                                "models[0].prices[0].reasoning_output is negative: '-1'", 22, "below zero"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_validation_rule(tmp_path, case):
    assert_price_rule(tmp_path, *CASES[case])


def test_validate_command_reports_file_and_line(tmp_path, run):
    d = layer(tmp_path, {"acme.yaml": edit("high: 12000", "high: 2000")})
    code, out, err = run("pricing", "validate", d)
    assert code == 2 and out == ""
    assert "acme.yaml:13: models[0].reasoning.effort_tokens.high 2,000 is less than medium 4,000" in err
    assert "hint: more effort never means fewer reasoning tokens" in err


def test_validate_lints_the_reasoning_rate_like_any_rate(tmp_path):
    text = edit('        output: "2.00"\n', '        output: "2.00"\n        reasoning_output: "3.5e-06"\n')
    [err] = validate([layer(tmp_path, {"acme.yaml": text})]).errors
    assert err.message == "models[0].prices[0].reasoning_output uses exponent notation: '3.5e-06'"
    assert err.location.line == 22 and "'3.5'" in err.hint


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(EFFORTS), st.integers(0, 200_000), min_size=1))
def test_any_non_decreasing_levels_load_and_a_decrease_is_refused(levels):
    listed = [e for e in EFFORTS if e in levels]
    body = "".join(f"        {e}: {levels[e]}\n" for e in listed)
    text = GOOD.replace("    checked:", f"    reasoning:\n      effort_tokens:\n{body}"
                        "      source: estimate\n    checked:", 1)
    values = [levels[e] for e in listed]
    decreases = [i for i in range(1, len(values)) if values[i] < values[i - 1]]
    if not decreases:
        [m] = load_file(text, "acme.yaml").models
        assert dict(m.reasoning.effort_tokens) == {e: levels[e] for e in listed}
        assert list(m.reasoning.effort_tokens) == listed
    else:
        with pytest.raises(CostgateError) as info:
            load_file(text, "acme.yaml")
        first = decreases[0]
        assert f"effort_tokens.{listed[first]} " in info.value.message
        assert info.value.location.line == 11 + first


# --- the JSON Schema ------------------------------------------------------------------


def test_the_schema_checks_the_new_keys():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    validator = jsonschema.Draft202012Validator(load_schema("pricing.schema.json"))

    def errors(text: str) -> list[str]:
        data = yaml.safe_load(text)
        data["models"][0]["checked"] = str(data["models"][0]["checked"])
        for p in data["models"][0]["prices"]:
            p["since"] = str(p["since"])
        return [e.message for e in validator.iter_errors(data)]

    assert errors(REASONS) == []
    assert errors(edit("capability: standard", "capability: frontir"))
    assert errors(edit("high: 12000", "hihg: 12000"))
    assert errors(edit("low: 500", "low: -5"))
    assert errors(edit("      default: medium\n", "      budget: 1\n"))
    assert errors(EMBED)  # no capability on embedding models
    assert errors(edit('        output: "2.00"\n', '        output: "2.00"\n        reasoning_output: 3.5\n'))


# --- the shipped data -----------------------------------------------------------------

REASONING_MODELS = {
    "o1", "o3", "o3-mini", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5.1", "gpt-5.2",
    "claude-3-7-sonnet", "claude-sonnet-4", "claude-opus-4", "claude-opus-4-1", "claude-sonnet-4-5",
    "claude-haiku-4-5", "claude-opus-4-5", "claude-sonnet-4-6", "claude-opus-4-6",
    "gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3-pro-preview",
    "gemini-3-flash-preview", "deepseek-reasoner",
}
# Added by `sync --add-new` from genai-prices 0.2.3, given blocks by the family rule (docs/pricing.md)
REASONING_MODELS |= {
    "claude-haiku-5-5", "claude-opus-4-7", "claude-opus-4-8", "claude-opus-5", "claude-opus-5-5",
    "claude-sonnet-5", "claude-sonnet-5-5", "codex-mini", "deepseek-flash", "deepseek-v3.1-terminus",
    "deepseek-v3.2", "deepseek-v4-flash", "deepseek-v4-pro", "gemini-3.1-flash-lite",
    "gemini-3.1-pro-preview", "gemini-3.5-flash", "gemini-3.5-flash-lite", "gemini-3.6-flash",
    "gemini-3.7-flash", "gemini-3.8-flash", "gpt-5-pro", "gpt-5.1-codex-mini", "gpt-5.2-pro", "gpt-5.3",
    "gpt-5.3-codex", "gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-5.4-pro", "gpt-5.5", "gpt-5.5-pro",
    "grok-3-mini", "grok-3-mini-fast", "grok-4-0709", "grok-4-1-fast-reasoning", "grok-4-fast-reasoning",
    "grok-4.20", "grok-4.20-multi-agent-0309", "grok-4.3", "grok-4.5", "grok-4.6", "grok-4.7",
    "grok-code-fast-1", "o1-pro", "o3-pro",
}


def test_every_chat_model_has_a_class_and_no_embedding_model_has_one(table):
    for m in table.models.values():
        assert (m.capability is not None) == (m.kind == "chat"), m.id


def test_shipped_classes_spot_check(table):
    classes = {m: table.model(m).capability for m in (
        "gpt-5", "o3", "claude-opus-4-5", "gemini-2.5-pro", "gpt-4o", "gpt-4.1", "gemini-2.5-flash",
        "gpt-5-mini", "gpt-4o-mini", "gpt-5-nano", "claude-haiku-4-5", "gemini-2.5-flash-lite")}
    assert classes == {"gpt-5": "frontier", "o3": "frontier", "claude-opus-4-5": "frontier",
                       "gemini-2.5-pro": "frontier", "gpt-4o": "standard", "gpt-4.1": "standard",
                       "gemini-2.5-flash": "standard", "gpt-5-mini": "standard", "gpt-4o-mini": "small",
                       "gpt-5-nano": "small", "claude-haiku-4-5": "small", "gemini-2.5-flash-lite": "small"}


def test_reasoning_models_are_the_ones_that_reason(table):
    assert {m.id for m in table.models.values() if m.reasoning} == REASONING_MODELS
    for m in table.models.values():
        r = m.reasoning
        if r is None:
            continue
        assert r.source.startswith("Estimate, not a measurement"), m.id  # says it is approximate
        assert r.default is None or r.default in r.effort_tokens, m.id
        assert not any(p.rates.reasoning_output for p in m.prices)  # every shipped model bills it as output


def test_documented_defaults(table):
    defaults = {m: table.model(m).reasoning.default for m in (
        "o3", "gpt-5", "gpt-5.1", "claude-sonnet-4-5", "gemini-2.5-pro", "gemini-2.5-flash-lite",
        "gemini-3-pro-preview", "deepseek-reasoner")}
    assert defaults == {"o3": "medium", "gpt-5": "medium", "gpt-5.1": None, "claude-sonnet-4-5": None,
                        "gemini-2.5-pro": "medium", "gemini-2.5-flash-lite": None,
                        "gemini-3-pro-preview": "high", "deepseek-reasoner": "medium"}
    assert list(table.model("gemini-3-pro-preview").reasoning.effort_tokens) == ["low", "high"]
    assert list(table.model("gpt-5.2").reasoning.effort_tokens) == ["low", "medium", "high", "xhigh"]


def test_shipped_figures_are_the_documented_heuristic(table):
    """docs/pricing.md's heuristic table is the data: every shipped figure but DeepSeek's
    (one figure for every level, documented apart) is the table's mean for its level."""
    rows = dict(re.findall(r"^\| `(\w+)` \| [0-9,]+ \| ([0-9,]+) \|", DOC, re.M))
    assert set(rows) == set(EFFORTS)
    heuristic = {e: int(n.replace(",", "")) for e, n in rows.items()}
    one_figure = {"deepseek": 8000, "xai": heuristic["medium"]}  # no effort setting: one figure at every level
    for m in table.models.values():
        if not m.reasoning:
            continue
        if m.provider in one_figure and len(set(m.reasoning.effort_tokens.values())) == 1:
            assert set(m.reasoning.effort_tokens.values()) == {one_figure[m.provider]}, m.id
            continue
        assert all(heuristic[e] == n for e, n in m.reasoning.effort_tokens.items()), m.id
    assert set(table.model("deepseek-reasoner").reasoning.effort_tokens.values()) == {8000}
    assert "8,000" in DOC


def test_docs_name_every_level_class_and_key():
    from costgate.pricing.loader import REASONING_KEYS

    for name in (*EFFORTS, *CAPABILITIES, *REASONING_KEYS, "reasoning_output", "capability"):
        assert f"`{name}`" in DOC, name
    assert "approximate" in DOC


# --- pricing show / list --------------------------------------------------------------


def test_show_text_has_class_reasoning_and_only_the_rate_columns_in_use(run):
    code, out, _ = run("pricing", "show", "o3", "--as-of", "2026-11-01")
    assert code == 0
    facts = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in out.split("\n\n")[0].splitlines())
    assert facts["capability"] == "frontier"
    assert facts["reasoning"] == ("low ~500, medium ~4,000, high ~12,000 tokens per request "
                                  "(approximate; default medium)")
    assert facts["reasoning source"].startswith("Estimate, not a measurement: OpenAI publishes no mean.")
    header = next(line for line in out.splitlines() if line.startswith("since"))
    assert header.split() == ["since", "applies", "to", "input", "cached", "output", "batch", "in",
                              "batch", "out"]  # no cache-write or reasoning columns: o3 has none
    code, out, _ = run("pricing", "show", "claude-sonnet-4-5")
    assert "off unless asked for" in out and "write 5m" in out and "reasoning out" not in out
    code, out, _ = run("pricing", "show", "gpt-4o")
    assert re.search(r"^reasoning +-$", out, re.M) and re.search(r"^capability +standard$", out, re.M)
    assert "reasoning source" not in out
    code, out, _ = run("pricing", "show", "text-embedding-3-small")
    assert re.search(r"^capability +-$", out, re.M)
    assert "output" in out.splitlines()[-3]  # input and output are always shown


def test_show_json_adds_capability_reasoning_and_the_rate(run):
    code, out, _ = run("pricing", "show", "gemini-3-pro-preview", "--format", "json", "--as-of", "2026-11-01")
    assert code == 0
    doc = json.loads(out)
    assert doc["capability"] == "frontier"
    assert doc["reasoning"] == {
        "effort_tokens": {"low": 500, "high": 12000}, "default": "high", "approximate": True,
        "source": load_table().model("gemini-3-pro-preview").reasoning.source}
    assert doc["current"]["reasoning_output"] is None
    assert doc["current"]["tiers"][0]["reasoning_output"] is None
    doc = json.loads(run("pricing", "show", "gpt-4o", "--format", "json")[1])
    assert doc["reasoning"] is None and doc["capability"] == "standard"


def test_a_reasoning_rate_shows_in_show_and_list(tmp_path, run):
    text = edit('        output: "2.00"\n', '        output: "2.00"\n        reasoning_output: "3.50"\n')
    d = layer(tmp_path, {"acme.yaml": text})
    code, out, _ = run("pricing", "show", "acme-1", "--pricing", d, "--as-of", "2026-11-01")
    assert code == 0
    header, _, row = out.splitlines()[-3:]
    assert header.split()[-2:] == ["reasoning", "out"] and row.split()[-1] == "3.50"
    code, out, _ = run("pricing", "list", "--pricing", d, "--provider", "acme", "--as-of", "2026-11-01")
    header, _, row = out.splitlines()[2:5]
    assert "output    reasoning out    batch in/out" in header
    assert row.split()[:7] == ["acme-1", "acme", "1.00", "-", "-", "2.00", "3.50"]
    code, out, _ = run("pricing", "list", "--provider", "openai")  # nobody has one: no column
    assert "reasoning" not in out
    doc = json.loads(run("pricing", "list", "--pricing", d, "--provider", "acme", "--format", "json")[1])
    assert doc["models"][0]["current"]["reasoning_output"] == "3.50"
    assert doc["models"][0]["capability"] == "standard"


# --- diff and sync --------------------------------------------------------------------


def test_diff_reports_reasoning_and_class_changes(tmp_path):
    before = load_table([layer(tmp_path / "a", {"acme.yaml": REASONS})])
    after = load_table([layer(tmp_path / "b", {"acme.yaml": edit("medium: 4000", "medium: 6000").replace(
        "capability: standard", "capability: small").replace("        high: 12000\n", "")})])
    changes = {c.field: (c.before, c.after) for c in compare_tables(before, after, dt.date(2026, 1, 1)).changes}
    assert changes == {"reasoning tokens (medium)": (D(4000), D(6000)),
                       "reasoning tokens (high)": (D(12000), None), "capability": ("standard", "small")}


def test_sync_reports_a_separate_reasoning_rate(tmp_path, run, monkeypatch):
    info = types.SimpleNamespace(id="acme-1", prices=types.SimpleNamespace(
        input_mtok=D("1"), output_mtok=D("2"), output_reasoning_mtok=D("3")))
    provider = types.SimpleNamespace(id="acme", find_model=lambda ref: info if ref == "acme-1" else None)
    fake = types.ModuleType("genai_prices")
    fake.__version__ = "9.9"  # type: ignore[attr-defined]
    fake.data_snapshot = types.SimpleNamespace(  # type: ignore[attr-defined]
        get_snapshot=lambda: types.SimpleNamespace(providers=[provider]))
    monkeypatch.setitem(sys.modules, "genai_prices", fake)  # the shape test_sync.py fakes
    d = layer(tmp_path, {"acme.yaml": REASONS})
    code, out, _ = run("pricing", "sync", "--from", "genai-prices", "--dir", d, "--as-of", "2026-12-01",
                       "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["differences"] == [{"model": "acme-1", "provider": "acme", "field": "reasoning_output",
                                   "ours": None, "theirs": "3", "writable": False}]
    assert not any("output_reasoning_mtok" in u for u in doc["unmapped"])


def test_shipped_files_stay_valid():
    assert validate().ok
    assert (shipped_pricing_dir() / "openai.yaml").is_file()


def test_reasoning_survives_pickling_and_copies():
    """Spawned gate workers receive the table pickled; a mapping proxy alone cannot be."""
    import copy
    import pickle

    m = load_table().model("gpt-5")
    again = pickle.loads(pickle.dumps(m))
    assert again == m and again.reasoning == m.reasoning
    assert type(again.reasoning.effort_tokens) is type(m.reasoning.effort_tokens)
    assert copy.deepcopy(m.reasoning) == m.reasoning
    given = {"low": 1}
    r = ReasoningDefaults(given, "estimate")
    given["low"] = 2
    assert r.effort_tokens["low"] == 1  # a copy: the caller's dict cannot change it
