"""`costgate pricing sync --add-new` (costgate.pricing.add) and `--from litellm`: new models
are added by rule, unmapped ones listed; every current genai-prices 0.2.3 model of the
shipped providers' own APIs resolves; every price both tables know agrees except the
documented differences."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import types
from decimal import Decimal as D

import pytest

from costgate.pricing import load_table, shipped_pricing_dir, validate
from costgate.pricing.add import CURRENT, _known, current_models, plan, write_new

DAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def gp():
    mod = pytest.importorskip("genai_prices")
    if mod.__version__ != "0.2.3":
        pytest.skip("the shipped table was generated from genai-prices 0.2.3")
    return mod


def test_every_current_model_resolves(gp):
    """Every current chat/embedding model genai-prices lists for a shipped provider's own
    API is in the table (by id, alias, or genai-prices' own match), except those no rule
    maps, which sync lists."""
    table = load_table()
    report = plan(table, DAY, gp)
    assert report.new == ()  # nothing left to add: the shipped files are in sync
    unmapped = {u.split(":")[0] for u in report.unmapped}
    assert unmapped == {"openai/gpt-5.6-luna", "openai/gpt-5.6-sol", "openai/gpt-5.6-terra",
                        "openai/gpt-6-astra", "openai/gpt-6-luna", "openai/gpt-6-rosalind",
                        "openai/gpt-6-sol", "openai/gpt-6.1-sol", "openai/gpt-6.1-terra",
                        "openai/gpt-rosalind-discovery", "anthropic/claude-fable-5",
                        "anthropic/claude-fable-5-1", "anthropic/claude-fable-5-2",
                        "anthropic/claude-mythos-5-2", "google/gemini-4-argon", "xai/grok-build-0.1"}
    for provider in CURRENT:
        for info in current_models(provider, gp):
            if f"{provider}/{info.id}" not in unmapped:
                assert info.id in _known(table, provider, gp), info.id
    # this year's flagships resolve by their own ids
    for mid in ("gpt-5.4", "gpt-5.4-mini", "gpt-5.5", "claude-opus-4-7", "claude-opus-4-8",
                "claude-sonnet-5", "gemini-3.1-pro-preview", "gemini-3.5-flash", "deepseek-v3.2",
                "deepseek-v4-pro", "deepseek-v4-flash", "grok-4", "grok-4.20", "grok-4.7",
                "grok-code-fast-1"):
        assert table.model(mid).checked >= DAY


def test_new_models_carry_rules_and_history(gp):
    table = load_table()
    g = table.model("grok-4.20")
    assert (g.provider, g.tokenizer, g.capability) == ("xai", "grok", "frontier")
    assert [p.since for p in g.prices] == [dt.date(2026, 4, 29), dt.date(2026, 4, 30)]
    assert g.prices[-1].rates.input == D("1.25") and g.prices[-1].tiers[0].above == 199999
    assert table.approximations["grok"].ratio == D("1.00")
    assert table.model("gpt-5.4").tokenizer == "o200k_base" and table.model("gpt-5.4").cache_min_tokens == 1024
    assert table.model("gpt-5.4").prices[-1].rates.batch_input == D("1.25")
    assert table.model("gemini-embedding-001").kind == "embedding"
    assert table.model("deepseek-v4-flash").capability == "small"
    assert validate([shipped_pricing_dir()]).ok


def test_add_new_writes_a_new_model_in_a_temp_copy(tmp_path, gp, run):
    d = tmp_path / "pricing"
    shutil.copytree(shipped_pricing_dir(), d)
    text = (d / "openai.yaml").read_text()
    cut = text.index("  # added from genai-prices 0.2.3 by `costgate pricing sync --add-new` on 2026-11-26\n  - id: gpt-5.4\n")
    end = text.index("  # added from", cut + 10)
    (d / "openai.yaml").write_text(text[:cut] + text[end:])  # drop gpt-5.4
    (d / "xai.yaml").unlink()
    assert plan(load_table([d]), DAY, gp).new[0].id == "gpt-5.4"
    code, out, _ = run("pricing", "sync", "--from", "genai-prices", "--dir", str(d), "--as-of",
                       "2026-11-26", "--add-new")
    assert code == 0 and "new in genai-prices 0.2.3: openai/gpt-5.4" in out
    assert "xai/grok-build-0.1: no capability class rule" in out
    written = write_new(plan(load_table([d]), DAY, gp), d, DAY)
    assert sorted(p.name for p in written) == ["openai.yaml", "xai.yaml"]
    assert (d / "openai.yaml").read_text().startswith(text[:cut])  # existing entries untouched
    t = load_table([d])
    assert t.model("gpt-5.4").prices == load_table().model("gpt-5.4").prices
    assert len([m for m in t.models.values() if m.provider == "xai"]) == 16


def test_unmapped_models_are_listed_not_guessed():
    info = types.SimpleNamespace(id="gpt-7-nova", name="GPT-7 Nova", deprecated=None, context_window=None,
                                 match=types.SimpleNamespace(equals="gpt-7-nova"),
                                 prices=types.SimpleNamespace(input_mtok=D("1"), output_mtok=D("2")))
    provider = types.SimpleNamespace(id="openai", models=[info], find_model=lambda ref: None)
    mod = types.ModuleType("genai_prices")
    mod.__version__ = "9.9"
    mod.data_snapshot = types.SimpleNamespace(get_snapshot=lambda: types.SimpleNamespace(providers=[provider]))
    report = plan(load_table(), DAY, mod)
    assert report.new == () and report.unmapped == ("openai/gpt-7-nova: no tokenizer family rule; add it by hand",)


def test_litellm_cross_check_from_a_local_file(tmp_path, run):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1.2e-05},
                                "xai/grok-4": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05}}))
    code, out, _ = run("pricing", "sync", "--from", f"litellm:{path}", "--as-of", "2026-11-26",
                       "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["compared"] == 2
    assert [(d["model"], d["field"], d["ours"], d["theirs"]) for d in report["differences"]] == [
        ("gpt-4o", "output", "10.00", "12")]


def test_litellm_without_a_copy(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "tokencost", None)
    import importlib.util
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    code, _, err = run("pricing", "sync", "--from", "litellm")
    assert code == 2 and "--from litellm:PATH" in err
