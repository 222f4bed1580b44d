"""Hostile and broken input to calibrate: exit 2 naming the file, never a traceback, names
from the command line never pasted into SQL, a hostile calibration.yaml refused at its line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import AS_OF, QUERIES, SPEC, assert_clean_error, hello, spec_text, write

pytest.importorskip("duckdb")

ROW = "bot,answer,s1,gpt-4o,2026-10-01 10:00:00,1000,100,0,0\n"
HEADER = "feature,call,session,model,timestamp,input_tokens,output_tokens,reasoning_tokens,cached_tokens\n"
WEIRD = 'we"ird; DROP TABLE records; --'


@pytest.fixture
def bot(repo: Path) -> Path:
    write(repo, {SPEC: spec_text(), "queries.txt": QUERIES, "prompts/system.j2": hello(100), "usage.csv": HEADER + ROW})
    return repo


def test_a_column_name_with_quotes_and_semicolons_is_an_identifier(run, bot):
    quoted = '"' + WEIRD.replace('"', '""') + '"'
    write(bot, {"weird.csv": HEADER.replace("call,", quoted + ",") + ROW})
    code, out, err = run("calibrate", bot / SPEC, "--usage", bot / "weird.csv", "--map", f"call={WEIRD}",
                         "--as-of", AS_OF)
    assert code == 0, err
    assert "1 records" in out


def test_a_missing_column_names_the_file(run, bot):
    code, out, err = run("calibrate", bot / SPEC, "--usage", bot / "usage.csv", "--map", f"call={WEIRD}")
    assert_clean_error(code, out, err, "usage.csv", "cannot read it")


def test_an_otlp_attribute_key_with_quotes_is_a_parameter(run, bot, tmp_path):
    from usage_synth import SUPPORT_BOT, records, write_otlp

    write_otlp(tmp_path / "t.jsonl", records(SUPPORT_BOT[:1], 5, feature="bot"))
    code, out, err = run("calibrate", bot / SPEC, "--usage", tmp_path / "t.jsonl", "--map", f"call={WEIRD}")
    assert_clean_error(code, out, err, "no usage records of feature 'bot'")


@pytest.mark.parametrize("name, text", [
    ("fake.parquet", "feature,call\nbot,answer\n"),
    ("fake.jsonl", "{not json at all\n"),
    ("fake.csv", "\x00\x01\x02 binary \x00\n\x00"),
])
def test_a_file_that_is_not_what_it_claims_names_the_file(run, bot, name, text):
    write(bot, {name: text})
    code, out, err = run("calibrate", bot / SPEC, "--usage", bot / name)
    assert code == 2, err
    assert name in err and "Traceback" not in err


def test_the_bad_file_among_many_is_named(run, bot):
    write(bot, {"a.parquet": "x", "b.parquet": "y"})
    import duckdb

    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{bot / 'usage.csv'}', header=true)) TO '{bot / 'a.parquet'}' "
                "(FORMAT parquet)")
    code, out, err = run("calibrate", bot / SPEC, "--usage", str(bot / "*.parquet"))
    assert_clean_error(code, out, err, "b.parquet")
    assert "a.parquet" not in err


@pytest.mark.parametrize("args, needle", [
    (("--usage", "nothing-*.csv"), "no usage files match"),
    (("--usage", "usage.txt"), "not a usage file"),
    (("--usage", "usage.csv", "--map", "cal=x"), "unknown field 'cal'"),
    (("--usage", "usage.csv", "--map", "input_tokens="), "cannot be unset"),
    (("--usage", "usage.csv", "--memory-limit", "lots"), "--memory-limit"),
    (("--usage", "usage.csv", "--map", "feature=call"), "no usage records of feature 'bot'"),
])
def test_bad_arguments(run, bot, args, needle, monkeypatch):
    write(bot, {"usage.txt": "x"})
    monkeypatch.chdir(bot)
    code, out, err = run("calibrate", bot / SPEC, *args)
    assert_clean_error(code, out, err, needle)


CAL = """\
version: 1
feature: bot
start: 2026-10-01
end: 2026-10-31
records: 10
calls:
  answer:
    records: 10
    input_tokens: {mean: 100, p95: 200}
    output_tokens: {mean: 50, p95: 90}
    reasoning_tokens: {mean: 0, p95: 0}
    calls_per_session: {mean: 2, p95: 4}
    cached_share: 0
"""


@pytest.mark.parametrize("cal, needles", [
    (CAL.replace("records: 10\ncalls", "record: 10\ncalls"), ("calibration.yaml:5", "unknown key 'record'")),
    (CAL.replace("feature: bot", "feature: other"), ("calibration.yaml:2", "not 'bot'")),
    (CAL.replace("  answer:", "  ghost:"), ("bot.costgate.yaml", "'ghost'")),
    (CAL.replace("end: 2026-10-31", "end: 2026-09-01"), ("calibration.yaml:4", "before start")),
    (CAL.replace("cached_share: 0", "cached_share: 2"), ("calibration.yaml:13", "cached_share")),
    (CAL.replace("{mean: 50, p95: 90}", "{mean: 50, p95: 90, x: 1}"), ("calibration.yaml:10", "unknown key 'x'")),
    # applied values keep the bounds a declared one has (10**8 requests a session ran for minutes)
    (CAL.replace("{mean: 2, p95: 4}", "{mean: 100000000, p95: 100000000}"),
     ("calibration.yaml:12", "turns_per_session limit of 1,000")),
    (CAL.replace("{mean: 2, p95: 4}", "{mean: 2, p95: 1001}"), ("calibration.yaml:12", "p95: 1001 is over")),
    (CAL.replace("{mean: 50, p95: 90}", "{mean: 20000000, p95: 20000000}"),
     ("calibration.yaml:10", "must be <= 10000000")),
    (CAL.replace("reasoning_tokens: {mean: 0, p95: 0}", "reasoning_tokens: {mean: 5, p95: 20000000}"),
     ("calibration.yaml:11", "must be <= 10000000")),
])
def test_a_hostile_calibration_file_is_refused_at_its_line(run, bot, cal, needles):
    write(bot, {"calibration.yaml": cal, SPEC: spec_text(extra="calibration: {file: calibration.yaml}\n")})
    code, out, err = run("estimate", bot / SPEC, "--as-of", AS_OF, "--no-cache")
    assert_clean_error(code, out, err, *needles)


def test_a_calibration_file_outside_the_repository_is_refused(run, bot, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(CAL)
    write(bot, {SPEC: spec_text(extra="calibration: {file: ../outside.yaml}\n")})
    code, out, err = run("estimate", bot / SPEC, "--as-of", AS_OF, "--no-cache")
    assert code == 2 and "records: 10" not in out + err
    os.symlink(outside, bot / "calibration.yaml")
    write(bot, {SPEC: spec_text(extra="calibration: {file: calibration.yaml}\n")})
    code, out, err = run("estimate", bot / SPEC, "--as-of", AS_OF, "--no-cache")
    assert code == 2 and "records: 10" not in out + err


def test_write_never_follows_a_symlink(run, bot, tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("keep")
    os.symlink(target, bot / "calibration.yaml")
    code, out, err = run("calibrate", bot / SPEC, "--usage", bot / "usage.csv", "--write", "--as-of", AS_OF)
    assert_clean_error(code, out, err, "not a regular file")
    assert target.read_text() == "keep"


def test_the_measured_values_apply(run, bot):
    """calibration: replaces output_tokens (10 -> 50) and per_session (1 -> 2): the monthly
    cost moves by exactly the output and request count change (gpt-4o, output $10/1M)."""
    import json

    code, out, _ = run("estimate", bot / SPEC, "--as-of", AS_OF, "--no-cache", "--format", "json")
    before = json.loads(out)["estimates"][0]
    write(bot, {"calibration.yaml": CAL, SPEC: spec_text(extra="calibration: {file: calibration.yaml}\n")})
    code, out, err = run("estimate", bot / SPEC, "--as-of", AS_OF, "--no-cache", "--format", "json")
    after = json.loads(out)["estimates"][0]
    assert code == 0, err
    call_b, call_a = before["calls"][0], after["calls"][0]
    assert call_a["output_tokens_mean"] == "50.0" and call_a["per_session"] == "2"
    # per call: +40 output tokens at $10/1M = +$0.0004
    from decimal import Decimal

    assert Decimal(call_a["cost_per_call_usd"]) - Decimal(call_b["cost_per_call_usd"]) == Decimal("0.000400")
    # per month (30,000 sessions): before 1 call a session at c, after 2 at c + $0.0004, so
    # after = 2 x before + 2 x 30,000 x $0.0004 = 2 x before + $24.00 (to the cent either side)
    gap = Decimal(after["monthly_cost_usd"]) - (2 * Decimal(before["monthly_cost_usd"]) + Decimal("24.00"))
    assert abs(gap) <= Decimal("0.01"), gap


def test_a_glob_match_with_brackets_in_its_name_is_read_as_itself(run, bot):
    """The CLI expands globs once: a matched file named a[1].csv is not a glob again."""
    write(bot, {"exports/a[1].csv": HEADER + ROW})
    code, out, err = run("calibrate", bot / SPEC, "--usage", str(bot / "exports" / "*.csv"), "--as-of", AS_OF)
    assert code == 0, err
    assert "1 records" in out
