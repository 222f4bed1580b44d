"""The issue's acceptance: on 1,000,000 synthetic records with known distributions,
calibrate recovers every mean within 1% and every p95 within 5% of the true value (the
laws' own formulas, not the sample's)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from helpers import AS_OF, FIXTURES
from usage_synth import ACCEPTANCE, write_parquet_sql

pytest.importorskip("duckdb")

LAWS = ACCEPTANCE


def _close(got: str, true: float, tolerance: float) -> bool:
    return abs(float(Decimal(got)) - true) <= tolerance * true


@pytest.mark.slow  # ~3 s to draw a million records in DuckDB, ~4 s to calibrate them
def test_a_million_records_recover_the_true_distributions(run, tmp_path):
    n = write_parquet_sql(tmp_path / "usage.parquet", LAWS, sessions=250_000)
    assert n >= 1_000_000
    code, out, err = run("calibrate", FIXTURES / "support-bot" / "support-bot.costgate.yaml", "--usage",
                         tmp_path / "usage.parquet", "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)["calibration"]
    assert doc["usage"]["records"] == n and doc["usage"]["sessions"] == 250_000
    for law, call in zip(LAWS, doc["calls"]):
        assert call["name"] == law.name
        o = call["observed"]
        figures = [("input_tokens", law.input), ("reasoning_tokens", law.reasoning)]
        for name, true in figures:
            if true is None:
                assert o[name] == {"mean": "0.0", "p95": "0.0"}
                continue
            assert _close(o[name]["mean"], true.mean, 0.01), (law.name, name, o[name], true.mean)
            assert _close(o[name]["p95"], true.p95, 0.05), (law.name, name, o[name], true.p95)
        # answer tokens: output minus reasoning, the output law itself
        assert _close(o["output_tokens"]["mean"], law.output.mean, 0.01), (law.name, o["output_tokens"])
        assert _close(o["output_tokens"]["p95"], law.output.p95, 0.05), (law.name, o["output_tokens"])
        assert _close(o["calls_per_session"]["mean"], law.per_session, 0.01)
        assert _close(o["calls_per_session"]["p95"], law.per_session_p95, 0.05)
        # floor(input x share) / input: just under the share
        assert _close(o["cached_share"], law.cached_share, 0.01) if law.cached_share else o["cached_share"] == "0.0000"
