"""`costgate pricing sync --from genai-prices` (costgate.pricing.sync): differences are
reported, new price periods written only with --write, history and comments kept; and the
shipped table against the pinned genai-prices release."""

from __future__ import annotations

import datetime as dt
import json
import sys
import types
from decimal import Decimal as D

import pytest
from helpers import GOOD, layer

from costgate.pricing import load_table, validate


def fake_genai_prices(models: dict[str, dict]) -> types.ModuleType:
    """A stand-in with genai-prices' data shape: snapshot.providers[].find_model(ref)
    returning ModelInfo(id, prices) with ``input_mtok`` etc. attributes."""
    infos = {mid: types.SimpleNamespace(id=mid, prices=types.SimpleNamespace(**p)) for mid, p in models.items()}
    provider = types.SimpleNamespace(id="acme", find_model=lambda ref: infos.get(ref))
    snapshot = types.SimpleNamespace(providers=[provider])
    mod = types.ModuleType("genai_prices")
    mod.__version__ = "9.9"
    mod.data_snapshot = types.SimpleNamespace(get_snapshot=lambda: snapshot)
    return mod


ACME = GOOD.replace("models:\n", "models:\n  # the first model\n") + """\
  # a comment before the second model
  - id: acme-2
    name: Acme 2
    tokenizer: o200k_base
    checked: 2026-11-01
    prices:
      - since: 2025-01-01
        input: "3.00"
        cached_input: "0.30"
        output: "6.00"
        tiers:
          - above: 1000
            input: "6.00"
            output: "12.00"
"""


def test_sync_reports_and_writes_a_new_period(tmp_path, run, monkeypatch):
    d = layer(tmp_path, {"acme.yaml": ACME})
    monkeypatch.setitem(sys.modules, "genai_prices", fake_genai_prices({
        "acme-2": {"input_mtok": D("2.5"), "cache_read_mtok": D("0.3"), "output_mtok": D("6"),
                   "input_audio_mtok": D("9")},
    }))
    code, out, _ = run("pricing", "sync", "--from", "genai-prices", "--dir", d, "--as-of", "2026-12-01")
    assert code == 0
    # input differs; the tier genai-prices lacks is reported, never written
    assert "compared 1 models with genai-prices 9.9 on 2026-12-01: 3 differences" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("acme-2 ")]
    assert rows == [["acme-2", "acme", "input", "3.00", "2.5"],
                    ["acme-2", "acme", "tier", ">1,000", "input", "6.00", "-", "report", "only"],
                    ["acme-2", "acme", "tier", ">1,000", "output", "12.00", "-", "report", "only"]]
    assert "acme-1: not in genai-prices (acme)" in out
    assert "field input_audio_mtok is not modelled by costgate (on acme-2)" in out
    assert "dry run" in out and (d / "acme.yaml").read_text() == ACME
    code, out, _ = run("pricing", "sync", "--from", "genai-prices", "--dir", d, "--as-of", "2026-12-01",
                       "--write", "--format", "json")
    assert code == 0 and json.loads(out)["written"] == {str(d / "acme.yaml"): ["acme-2"]}
    text = (d / "acme.yaml").read_text()
    assert text.startswith(ACME[:ACME.index("  - id: acme-2")])  # acme-1 and comments untouched
    assert "# a comment before the second model" in text
    t = load_table([d])
    m = t.model("acme-2")
    assert [p.since for p in m.prices] == [dt.date(2025, 1, 1), dt.date(2026, 12, 1)]
    assert m.prices[0].rates.input == D("3.00")  # history kept
    new = m.prices[1]
    assert (new.rates.input, new.rates.cached_input, new.rates.output) == (D("2.50"), D("0.30"), D("6.00"))
    assert new.tiers[0].above == 1000 and new.tiers[0].rates.input == D("6.00")
    assert m.checked == dt.date(2026, 12, 1) and t.model("acme-1").checked == dt.date(2026, 11, 1)
    assert validate([d]).ok
    # a second run on the same day changes nothing and says why
    code, out, _ = run("pricing", "sync", "--from", "genai-prices", "--dir", d, "--as-of", "2026-12-01")
    assert "2 differences" in out and "already has a price period" not in out


def test_sync_without_the_package(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "genai_prices", None)
    code, _, err = run("pricing", "sync", "--from", "genai-prices")
    assert code == 2
    assert "genai-prices package is not installed" in err and "pip install 'costgate[sync]'" in err


def test_shipped_table_agrees_with_genai_prices_0_2_3():
    """Every shipped price genai-prices 0.2.3 also knows agrees for ordinary usage,
    except the differences explained in docs/pricing.md ("Where the prices come from")."""
    gp = pytest.importorskip("genai_prices")
    if gp.__version__ != "0.2.3":
        pytest.skip("the known differences are for genai-prices 0.2.3")
    from costgate.pricing.sync import compare

    report = compare(load_table(), dt.date(2026, 11, 25), gp)
    assert {(d.model, d.field.split(" ")[0]) for d in report.differences} == {
        ("claude-sonnet-4", "tier"),  # genai-prices has no long-context tier for Sonnet 4
        *{(m, f) for m in ("deepseek-chat", "deepseek-reasoner") for f in ("input", "cached_input", "output")},
    }
    assert any("alias mistral-large-latest is mistral-large" in u for u in report.unmapped)
