"""`costgate pricing validate`, `list` and `show` at the command line: what they print
and their exit codes. The rules validate enforces are in tests/pricing/test_validate.py,
`pricing diff` in tests/gate/test_pricing.py, `pricing sync` in tests/pricing/test_sync.py.
"""

from __future__ import annotations

import json

from helpers import GOOD, layer

from costgate.pricing import load_table, shipped_pricing_dir

# --- validate -------------------------------------------------------------------------


def test_validate_shipped_table(run):
    code, out, err = run("pricing", "validate")
    n = len(load_table().models)
    assert (code, err) == (0, "")
    assert out == f"{n} models in {len(list(shipped_pricing_dir().glob('*.yaml')))} files OK\n"


def test_validate_a_team_layer_over_the_shipped_table(tmp_path, run):
    # 'claude' is declared in the shipped anthropic.yaml: a team layer may use it
    d = layer(tmp_path, {"acme.yaml": GOOD.replace("o200k_base", "claude")})
    assert run("pricing", "validate", d) == (0, "1 models in 1 files OK\n", "")


def test_validate_reports_every_file_and_exits_2(tmp_path, run):
    d = layer(tmp_path, {
        "acme.yaml": GOOD.replace('input: "1.00"', "input: 1.00"),
        "beta.yaml": GOOD.replace("provider: acme", "provider: beta").replace("acme-1", "beta-1")
                         .replace('output: "2.00"', 'output: "-2.00"'),
    })
    code, out, err = run("pricing", "validate", d)
    assert code == 2
    assert "acme.yaml:12: models[0].prices[0].input is a bare number" in err
    assert "beta.yaml:13: models[0].prices[0].output is negative: '-2.00'" in err
    assert "2 errors in the price files" in err


# --- list / show ----------------------------------------------------------------------


def test_list_and_show(run):
    code, out, _ = run("pricing", "list", "--provider", "openai", "--as-of", "2026-01-01")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("gpt-4o "))
    assert row.split()[:7] == ["gpt-4o", "openai", "2.50", "1.25", "-", "10.00", "1.25/5.00"]
    assert "claude" not in out
    code, out, _ = run("pricing", "list", "--provider", "anthropic")
    assert "~claude (1.182x o200k_base)" in out and "~claude-4.8 (1.546x cl100k_base)" in out and ">200,000: 6.00/22.50" in out
    code, out, _ = run("pricing", "show", "o3", "--as-of", "2025-06-09")
    assert code == 0
    assert "2025-04-16*" in out and "2025-06-10 " in out
    code, out, _ = run("pricing", "show", "claude-sonnet-4.5", "--format", "json")
    doc = json.loads(out)
    assert doc["schema_version"] == 1 and doc["model"] == "claude-sonnet-4-5"
    assert doc["kind"] == "pricing-show" and doc["model_kind"] == "chat"  # the model's kind no longer overwrites
    assert doc["tokenizer_approximate"] and doc["tokenizer_ratio"] == "1.182"
    assert doc["current"]["tiers"][0]["above"] == 200000
    code, _, err = run("pricing", "show", "gpt-4o-minii")
    assert code == 2 and "did you mean 'gpt-4o-mini'" in err
    code, _, err = run("pricing", "list", "--provider", "opneai")
    assert code == 2 and "did you mean 'openai'" in err
