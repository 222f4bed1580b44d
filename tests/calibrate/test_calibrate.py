"""``costgate calibrate`` on small hand-made exports: every printed figure checked by hand,
the three source kinds agreeing, --write and the spec's calibration: key, the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import AS_OF, QUERIES, SPEC, hello, load_schema, schema_errors, spec_text, write

pytest.importorskip("duckdb")

HEADER = "feature,call,session,model,timestamp,input_tokens,output_tokens,reasoning_tokens,cached_tokens,prompt\n"
ROWS = [
    "bot,answer,s1,gpt-4o,2026-10-01 10:00:00,1000,100,0,0,SECRET-PROMPT",
    "bot,answer,s1,gpt-4o,2026-10-02 10:00:00,2000,300,0,1000,SECRET-PROMPT",
    "bot,answer,s2,gpt-4o,2026-10-03 10:00:00,3000,200,0,0,SECRET-PROMPT",
    "bot,other,s2,gpt-4o,2026-10-03 10:00:01,10,10,0,0,SECRET-PROMPT",
    "elsewhere,answer,s9,gpt-4o,2026-09-01 10:00:00,9,9,0,0,SECRET-PROMPT",
    "bot,answer,s3,gpt-4o,2026-10-04 10:00:00,abc,5,0,0,SECRET-PROMPT",
]
CSV = HEADER + "\n".join(ROWS) + "\n"


@pytest.fixture
def bot(repo: Path) -> Path:
    """The gate's bot spec (gpt-4o, one answer call, 1,000 sessions a day, 30 days)."""
    write(repo, {SPEC: spec_text(), "queries.txt": QUERIES, "prompts/system.j2": hello(1000), "usage.csv": CSV})
    return repo


def calibrate_json(run, root: Path, *args: str) -> dict:
    code, out, err = run("calibrate", root / SPEC, "--usage", root / "usage.csv", "--as-of", AS_OF,
                         "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)["calibration"]


def test_observed_figures_by_hand(run, bot):
    doc = calibrate_json(run, bot)
    # bot records with counts: 3 answer + 1 other (elsewhere is another feature; abc is skipped)
    assert doc["usage"] == {"records": 4, "skipped": 1, "sessions": 2, "start": "2026-10-01", "end": "2026-10-03",
                            "unmatched_records": 1, "unmatched": [{"call": "other", "count": 1}]}
    (call,) = doc["calls"]
    o = call["observed"]
    assert call["count"] == o["count"] == 3
    # inputs 1000, 2000, 3000: mean 2000; quantile_cont p95 = 2000 + 0.9 * 1000
    assert o["input_tokens"] == {"mean": "2000.0", "p95": "2900.0"}
    assert o["output_tokens"] == {"mean": "200.0", "p95": "290.0"}
    assert o["reasoning_tokens"] == {"mean": "0.0", "p95": "0.0"}
    # sessions s1 (2 answers), s2 (1 answer, 1 other): mean 1.5, p95 1 + 0.95 * 1
    assert o["calls_per_session"] == {"mean": "1.500", "p95": "1.950"}
    assert o["cached_share"] == "0.1667"  # 1000 / 6000
    # gpt-4o at 2.50 in, 1.25 cached, 10.00 out per 1M: 5000 * 2.5 + 1000 * 1.25 + 600 * 10 = 19,750 µ$ / 3
    assert o["cost_per_call_usd"] == "0.006583"
    # 0.01975 / 3 per call x 1.5 calls a session x 30,000 sessions a month
    assert o["monthly_cost_usd"] == "296.25"
    p = call["projected"]
    assert p["calls_per_session"] == {"mean": "1.000", "p95": "1.000"}
    assert p["output_tokens"]["mean"] == "10.0"
    assert call["error"]["output_tokens"]["mean"] == "-95.0"  # (10 - 200) / 200
    assert call["error"]["calls_per_session"]["mean"] == "-33.3"  # (1 - 1.5) / 1.5
    assert doc["monthly_cost"]["observed_usd"] == "296.25"
    assert schema_errors(load_schema("calibrate.schema.json"), {"schema_version": 1, "kind": "calibrate",
                                                                 "calibration": doc}) == []


def test_content_is_never_read_or_echoed(run, bot):
    for fmt in ("table", "markdown", "json"):
        code, out, err = run("calibrate", bot / SPEC, "--usage", bot / "usage.csv", "--as-of", AS_OF, "--format", fmt,
                             "--write")
        assert code == 0, err
        assert "SECRET" not in out + err
    assert "SECRET" not in (bot / "calibration.yaml").read_text()


@pytest.mark.parametrize("name", ["prompt", "gen_ai.input.messages", "gen_ai.output.messages", "response"])
def test_mapping_a_content_field_is_refused(run, bot, name):
    code, out, err = run("calibrate", bot / SPEC, "--usage", bot / "usage.csv", "--map", f"call={name}")
    assert code == 2 and "never reads" in err and "SECRET" not in out + err


def test_formats_agree(run, bot, tmp_path):
    """The same records as CSV, Parquet and OTLP JSON lines give the same figures."""
    import duckdb
    from usage_synth import SUPPORT_BOT, records, write_csv, write_otlp

    rows = list(records(SUPPORT_BOT[1:], 600, seed=3, feature="bot"))
    write_csv(tmp_path / "u.csv", iter(rows))
    write_otlp(tmp_path / "u.jsonl", iter(rows), per_line=50)
    con = duckdb.connect()
    con.execute("COPY (SELECT * FROM read_csv(?, header=true)) TO '" + str(tmp_path / "u.parquet") + "' (FORMAT parquet)",
                [str(tmp_path / "u.csv")])
    docs = []
    for f in ("u.csv", "u.parquet", "u.jsonl"):
        code, out, err = run("calibrate", bot / SPEC, "--usage", tmp_path / f, "--as-of", AS_OF, "--format", "json")
        assert code == 0, err
        docs.append(json.loads(out)["calibration"])
        assert "CANARY" not in out + err
    assert docs[0] == docs[1] == docs[2]
    # and the figures are the records' own: an independent computation in Python
    answer = [r for r in rows if r["call"] == "answer"]
    obs = docs[0]["calls"][0]["observed"]
    assert obs["count"] == len(answer)
    inputs = [r["input_tokens"] for r in answer]
    assert abs(float(obs["input_tokens"]["mean"]) - sum(inputs) / len(inputs)) <= 0.0501  # shown to one place
    assert abs(float(obs["input_tokens"]["p95"]) - quantile_cont(inputs, 0.95)) <= 0.0501


def quantile_cont(values: list[int], q: float) -> float:
    """Linear interpolation between the closest ranks (DuckDB's quantile_cont, R type 7)."""
    v = sorted(values)
    pos = q * (len(v) - 1)
    lo = int(pos)
    return v[lo] + (pos - lo) * (v[min(lo + 1, len(v) - 1)] - v[lo])


def test_write_then_reference_replaces_declared_values(run, bot):
    code, out, err = run("calibrate", bot / SPEC, "--usage", bot / "usage.csv", "--as-of", AS_OF, "--write")
    assert code == 0, err
    text = (bot / "calibration.yaml").read_text()
    assert "start: 2026-10-01\nend: 2026-10-03\nrecords: 4\n" in text
    assert "    output_tokens: {mean: 200.0, p95: 290.0}\n" in text
    assert "    calls_per_session: {mean: 1.500, p95: 1.950, distribution: negative_binomial}\n" in text
    write(bot, {SPEC: spec_text(extra="calibration: {file: calibration.yaml}\n")})
    code, out, err = run("estimate", bot / SPEC, "--as-of", AS_OF, "--format", "json", "--no-cache")
    assert code == 0, err
    e = json.loads(out)["estimates"][0]
    assert e["calls"][0]["output_tokens_mean"] == "200.0"
    assert e["calls"][0]["per_session"] == "1.500"
    assert e["calibration"]["replaced"] == ["answer.output_tokens", "answer.per_session"]
    assert e["calibration"]["start"] == "2026-10-01" and e["calibration"]["records"] == 4
    # the projection the file recorded is the estimate of the calibrated spec
    recorded = next(line for line in text.splitlines() if line.startswith("projected_monthly_usd:"))
    assert recorded == f"projected_monthly_usd: {e['monthly_cost_usd']}"
    code, out, err = run("estimate", bot / SPEC, "--as-of", AS_OF, "--no-cache")
    assert "calibrated:  calibration.yaml (2026-10-01 to 2026-10-03, 4 records); measured values replace " \
           "answer.output_tokens, answer.per_session" in out


def test_without_duckdb_exit_2_with_the_install_hint(run, bot, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "duckdb", None)
    code, out, err = run("calibrate", bot / SPEC, "--usage", bot / "usage.csv")
    assert code == 2 and "pip install 'costgate[calibrate]'" in err


def test_without_sessions_calls_per_session_is_not_measured_nor_replaced(run, bot):
    doc = calibrate_json(run, bot, "--map", "session=", "--write")
    assert doc["calls"][0]["observed"]["calls_per_session"] is None
    assert doc["calls"][0]["error"]["calls_per_session"] == {"mean": None, "p95": None}
    assert "calls_per_session" not in (bot / "calibration.yaml").read_text()
    write(bot, {SPEC: spec_text(extra="calibration: {file: calibration.yaml}\n")})
    code, out, err = run("estimate", bot / SPEC, "--as-of", AS_OF, "--format", "json", "--no-cache")
    e = json.loads(out)["estimates"][0]
    assert e["calibration"]["replaced"] == ["answer.output_tokens"] and e["calls"][0]["per_session"] == "1"


def test_a_model_the_price_table_lacks_leaves_the_cost_unknown(run, bot):
    write(bot, {"usage.csv": CSV.replace("bot,answer,s2,gpt-4o,", "bot,answer,s2,my-finetune,")})
    doc = calibrate_json(run, bot)
    o = doc["calls"][0]["observed"]
    assert o["cost_per_call_usd"] is None and o["monthly_cost_usd"] is None
    assert o["unpriced_models"] == ["my-finetune"]
    code, out, err = run("calibrate", bot / SPEC, "--usage", bot / "usage.csv", "--as-of", AS_OF)
    assert "not in the price table (observed cost n/a): my-finetune" in out


def test_anthropic_counts_cache_reads_apart_from_input(run, bot):
    """Anthropic's input_tokens exclude cache reads: input = 600 + 400, cached share 0.4."""
    write(bot, {"anthropic.csv": "feature,call,session_id,model,created_at,input_tokens,output_tokens,"
                                 "cache_read_input_tokens\n"
                                 "bot,answer,s1,gpt-4o,2026-10-01T10:00:00,600,50,400\n"})
    code, out, err = run("calibrate", bot / SPEC, "--usage", bot / "anthropic.csv", "--preset", "anthropic",
                         "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    o = json.loads(out)["calibration"]["calls"][0]["observed"]
    assert o["input_tokens"]["mean"] == "1000.0" and o["cached_share"] == "0.4000"
    # 600 at $2.50 + 400 at $1.25 + 50 at $10.00 per 1M
    assert o["cost_per_call_usd"] == "0.002500"


def test_otlp_call_from_the_span_name(run, bot, tmp_path):
    from usage_synth import SUPPORT_BOT, records, write_otlp

    rows = [dict(r, call="answer") for r in records(SUPPORT_BOT[:1], 4, feature="bot")]
    write_otlp(tmp_path / "t.json", iter(rows))  # span names are "chat <model>"
    code, out, err = run("calibrate", bot / SPEC, "--usage", tmp_path / "t.json", "--map", "call=span.name",
                         "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)["calibration"]
    assert doc["calls"] == [] and doc["usage"]["unmatched"] == [{"call": "chat gpt-4o-mini", "count": 4}]


def test_otlp_content_is_never_parsed_into_values(run, bot, tmp_path):
    """Span events and non-scalar attribute values (where content lives) are outside the
    schema costgate reads: odd shapes there change nothing and never reach the output."""
    span = {"name": "chat", "startTimeUnixNano": "1790000000000000000",
            "attributes": [{"key": "costgate.feature", "value": {"stringValue": "bot"}},
                           {"key": "costgate.call", "value": {"stringValue": "answer"}},
                           {"key": "gen_ai.usage.input_tokens", "value": {"intValue": 100}},
                           {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "20"}},
                           {"key": "gen_ai.input.messages",
                            "value": {"kvlistValue": {"values": [{"key": "content", "value": {"stringValue":
                                                                                             "SECRET"}}]}}}],
            "events": [{"name": "gen_ai.choice", "body": {"deep": [1, {"SECRET": ["SECRET" * 100]}]}}]}
    doc = {"resourceSpans": [{"scopeSpans": [{"spans": [span, span]}]}]}
    (tmp_path / "spans.json").write_text(json.dumps(doc, indent=1))
    code, out, err = run("calibrate", bot / SPEC, "--usage", tmp_path / "spans.json", "--as-of", AS_OF,
                         "--format", "json")
    assert code == 0, err
    assert "SECRET" not in out + err
    o = json.loads(out)["calibration"]["calls"][0]["observed"]
    assert o["count"] == 2 and o["input_tokens"]["mean"] == "100.0" and o["output_tokens"]["mean"] == "20.0"


def test_flattened_span_attributes_in_a_csv_with_the_otel_preset(run, bot):
    """A tracing tool's CSV export with one column per span attribute (dotted names) and an
    epoch-nanosecond start time reads with --preset otel."""
    write(bot, {"spans.csv": "costgate.feature,costgate.call,gen_ai.conversation.id,gen_ai.request.model,"
                             "startTimeUnixNano,gen_ai.usage.input_tokens,gen_ai.usage.output_tokens,"
                             "gen_ai.usage.reasoning.output_tokens,gen_ai.usage.cache_read.input_tokens\n"
                             "bot,answer,c1,gpt-4o,1790000000000000000,1000,120,20,500\n"})
    code, out, err = run("calibrate", bot / SPEC, "--usage", bot / "spans.csv", "--preset", "otel", "--as-of", AS_OF,
                         "--format", "json")
    assert code == 0, err
    doc = json.loads(out)["calibration"]
    assert doc["usage"]["start"] == "2026-09-21"  # 1,790,000,000 s after the epoch
    o = doc["calls"][0]["observed"]
    assert o["output_tokens"]["mean"] == "100.0" and o["reasoning_tokens"]["mean"] == "20.0"
    assert o["cached_share"] == "0.5000"
