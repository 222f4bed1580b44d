"""Issue 14: an approximate token count carries its family's measured error bar, in the
estimate JSON (``models[].approximation``) and in the text/markdown footnote."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from helpers import AS_OF_DATE, spec_file

from costgate.estimate.analyse import extras_for
from costgate.estimate.results import Analysis
from costgate.estimate.simulate import estimate
from costgate.gate.codec import decode_estimate, encode
from costgate.pricing import load_table, shipped_pricing_dir
from costgate.pricing.loader import TextFile
from costgate.report.estimate import to_json, to_markdown, to_table
from costgate.report.money import error_percent
from costgate.spec import load_spec

MEASURED = """\
schema_version: 1
provider: testco
name: Test Co
source: https://example.com/pricing
tokenizers:
  measured: {base: o200k_base, ratio: "1.25", error: {p50: "0.054", p95: "0.220"}, source: "test calibration"}
  unmeasured: {base: o200k_base, ratio: "1.10", source: "a guess"}
models:
  - id: measured-model
    name: Measured
    tokenizer: measured
    checked: 2026-11-01
    prices:
      - {since: 2024-01-01, input: "1.00", output: "4.00"}
  - id: unmeasured-model
    name: Unmeasured
    tokenizer: unmeasured
    checked: 2026-11-01
    prices:
      - {since: 2024-01-01, input: "1.00", output: "4.00"}
"""


def _analysis(tmp_path: Path, mix: str) -> Analysis:
    table = load_table([shipped_pricing_dir(), (TextFile("testco.yaml", MEASURED),)])
    path = spec_file(tmp_path)
    path.write_text(path.read_text().replace("model: gpt-4o", mix))
    spec = load_spec(path)
    e = estimate(spec, table, as_of=AS_OF_DATE, alternatives=False)
    return Analysis(e, extras_for(spec, table, e))


MIX = "mix: {measured-model: 0.5, unmeasured-model: 0.3, gpt-4o: 0.2}"


def test_json_approximation_per_model(tmp_path):
    doc = json.loads(to_json([_analysis(tmp_path, MIX)]))
    feature = doc["estimates"][0]
    models = {m["model"]: m for m in feature["calls"][0]["models"]}
    assert models["measured-model"]["approximation"] == {
        "p50_error": "0.054", "p95_error": "0.220", "source": "test calibration"}
    assert models["unmeasured-model"]["approximate"] is True
    assert models["unmeasured-model"]["approximation"] is None  # no measured error
    assert models["gpt-4o"]["approximation"] is None  # exact


def test_footnote_states_the_p95_error(tmp_path):
    a = _analysis(tmp_path, MIX)
    for text in (to_table([a]), to_markdown([a])):
        assert "measured ±22% (p95)" in text
        assert "unmeasured ±" not in text


def test_no_footnote_without_measured_error(tmp_path):
    text = to_table([_analysis(tmp_path, "model: unmeasured-model")])
    assert "(p95)" not in text


def test_error_bar_survives_the_cache(tmp_path):
    e = _analysis(tmp_path, MIX).estimate
    back = decode_estimate(json.loads(json.dumps(encode(e))))
    assert back == e
    assert back.calls[0].models[0].approximation is not None


def test_error_percent():
    assert error_percent(Decimal("0.220")) == "22"
    assert error_percent(Decimal("0.065")) == "6.5"
    assert error_percent(Decimal("0.413")) == "41.3"
