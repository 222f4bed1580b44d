"""`costgate pricing ...`: validate, list/show, diff on a throwaway git repository, override
precedence, price history through `estimate --as-of`, and the genai-prices sync.

Expected money is hand-computed: the user text "Summarize the plot of Hamlet in one
sentence." is 11 o200k tokens; OpenAI bills 3 per message + 1 for the role "user" + 3
priming the reply, so every request below has 18 input tokens and 100 output tokens.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest

import costgate.cli
from costgate.pricing import table_for
from costgate.repo import open_view
from costgate.pricing import load_table, shipped_pricing_dir, validate
from costgate.cli.pricing import pricing
from costgate.tokens import get_tokenizer

if "pricing" not in costgate.cli.cli.commands:
    costgate.cli.cli.add_command(pricing)

D = Decimal
QUERY = "Summarize the plot of Hamlet in one sentence."
from test_pricing import GOOD  # noqa: E402  (the minimal valid price file, shared)


def spec(model: str, feature: str) -> str:
    return (f"version: 1\nfeature: {feature}\n"
            "traffic: {sessions_per_day: 1000, days_per_month: 30}\n"
            "samples: {file: queries.txt}\n"
            f"calls:\n  - name: ask\n    model: {model}\n    per_session: 1\n"
            '    user: "{{ query }}"\n    output_tokens: 100\n')


def test_the_hand_computed_token_count():
    tok = get_tokenizer("o200k_base")
    assert tok.count(QUERY) == 11 and tok.count("user") == 1  # 3 + 1 + 11 + 3 = 18


# --- validate -------------------------------------------------------------------------


def layer(tmp_path: Path, files: dict[str, str]) -> Path:
    d = tmp_path / "layer"
    d.mkdir(exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


def test_validate_shipped_table(run):
    code, out, err = run("pricing", "validate")
    n = len(load_table().models)
    assert (code, err) == (0, "")
    assert out == f"{n} models in {len(list(shipped_pricing_dir().glob('*.yaml')))} files OK\n"


def test_validate_a_team_layer_over_the_shipped_table(tmp_path, run):
    # 'claude' is declared in the shipped anthropic.yaml: a team layer may use it
    d = layer(tmp_path, {"acme.yaml": GOOD.replace("o200k_base", "claude")})
    assert run("pricing", "validate", d) == (0, "1 models in 1 files OK\n", "")


# Rules only `pricing validate` enforces (loading stays lenient); the loader's own rules
# each have a failing fixture in tests/test_pricing.py (CASES).
LINT_CASES = {
    "exponent notation": (GOOD.replace('input: "1.00"', 'input: "2.5e-06"'),
                          "models[0].prices[0].input uses exponent notation: '2.5e-06'", 12,
                          "per 1M tokens it is '2.5'"),
    "exponent in a tier": (GOOD + '        tiers:\n          - {above: 1000, input: "1E+1", output: "3"}\n',
                           "models[0].prices[0].tiers[0].input uses exponent notation", 15,
                           "plain decimal"),
    "batch above regular": (GOOD.replace('output: "2.00"', 'output: "2.00"\n        batch_output: "4.00"'),
                            "batch_output 4.00 is more than output 2.00 in models[0].prices[0]", 14,
                            "swapped"),
}


@pytest.mark.parametrize("case", list(LINT_CASES), ids=list(LINT_CASES))
def test_validate_lint_rules(tmp_path, run, case):
    text, message, line, hint = LINT_CASES[case]
    d = layer(tmp_path, {"acme.yaml": text})
    load_table([d])  # loads fine: only validate is this strict
    code, out, err = run("pricing", "validate", d)
    assert code == 2 and out == ""
    assert f"acme.yaml:{line}: {message}" in err
    assert hint in err


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


def test_validate_aliases_unique_across_providers(tmp_path, run):
    acme = GOOD.replace("    name: Acme 1\n", "    name: Acme 1\n    aliases: [shared]\n")
    beta = acme.replace("provider: acme", "provider: beta").replace("acme-1", "beta-1")
    d = layer(tmp_path, {"acme.yaml": acme, "beta.yaml": beta})
    code, _, err = run("pricing", "validate", d)
    assert code == 2
    assert "beta.yaml:8: alias 'shared' of 'beta-1' collides with alias of 'acme-1' (" in err
    assert "acme.yaml:8)" in err


def test_validate_unknown_tokenizer_and_missing_source(tmp_path):
    d = layer(tmp_path, {"acme.yaml": GOOD.replace("o200k_base", "sentencepiece")})
    [err] = validate([d]).errors
    assert err.message == "unknown tokenizer 'sentencepiece' for model 'acme-1'"
    assert err.location.line == 8 and "known:" in err.hint
    d = layer(tmp_path, {"acme.yaml": GOOD.replace("source: https://acme.example/pricing\n", "")})
    [err] = validate([d]).errors
    assert "missing required key 'source'" in err.message


# --- list / show ----------------------------------------------------------------------


def test_list_and_show(run):
    code, out, _ = run("pricing", "list", "--provider", "openai", "--as-of", "2026-01-01")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("gpt-4o "))
    assert row.split()[:7] == ["gpt-4o", "openai", "2.50", "1.25", "-", "10.00", "1.25/5.00"]
    assert "claude" not in out
    code, out, _ = run("pricing", "list", "--provider", "anthropic")
    assert "~claude (1.16x o200k_base)" in out and ">200,000: 6.00/22.50" in out
    code, out, _ = run("pricing", "show", "o3", "--as-of", "2025-06-09")
    assert code == 0
    assert "2025-04-16*" in out and "2025-06-10 " in out
    code, out, _ = run("pricing", "show", "claude-sonnet-4.5", "--format", "json")
    doc = json.loads(out)
    assert doc["schema_version"] == 1 and doc["model"] == "claude-sonnet-4-5"
    assert doc["tokenizer_approximate"] and doc["tokenizer_ratio"] == "1.16"
    assert doc["current"]["tiers"][0]["above"] == 200000
    code, _, err = run("pricing", "show", "gpt-4o-minii")
    assert code == 2 and "did you mean 'gpt-4o-mini'" in err
    code, _, err = run("pricing", "list", "--provider", "opneai")
    assert code == 2 and "did you mean 'openai'" in err


# --- price history through estimate ---------------------------------------------------


def test_as_of_before_and_after_the_o3_price_cut(repo, run):
    (repo / "queries.txt").write_text(QUERY + "\n")
    (repo / "bot.costgate.yaml").write_text(spec("o3", "o3-bot"))
    totals = {}
    for day in ("2025-06-09", "2025-06-10"):
        code, out, _ = run("estimate", repo / "bot.costgate.yaml", "--as-of", day, "--format", "json",
                           "--no-alternatives")
        assert code == 0
        totals[day] = json.loads(out)["estimates"][0]["monthly_cost_usd"]
    # 30,000 sessions/month; before: (18 x 10 + 100 x 40) / 1M; after: (18 x 2 + 100 x 8) / 1M
    assert totals == {"2025-06-09": "125.40", "2025-06-10": "25.08"}


def test_estimating_a_retired_model_warns(repo, run):
    (repo / "queries.txt").write_text(QUERY + "\n")
    (repo / "bot.costgate.yaml").write_text(spec("claude-3-5-sonnet", "old-bot"))
    retired = load_table().model("claude-3-5-sonnet").retired
    code, _, err = run("estimate", repo / "bot.costgate.yaml", "--as-of", retired.isoformat())
    assert code == 0 and f"claude-3-5-sonnet was retired on {retired}" in err
    before = (retired - dt.timedelta(days=1)).isoformat()
    code, _, err = run("estimate", repo / "bot.costgate.yaml", "--as-of", before)
    assert code == 0 and "retired" not in err


# --- override precedence --------------------------------------------------------------

OVERRIDE = """\
schema_version: 1
provider: openai
name: OpenAI ({who})
source: https://intranet.example/contract
models:
  - id: gpt-4o
    name: GPT-4o ({who})
    tokenizer: o200k_base
    checked: 2026-11-01
    prices:
      - since: 2024-01-01
        input: "{price}"
        output: "10.00"
"""


def test_override_precedence(repo, run):
    """shipped table < config `pricing:` layers in order < --pricing flags."""
    for name, price in (("team-a", "3.00"), ("team-b", "4.00"), ("flag", "5.00")):
        (repo / name).mkdir()
        (repo / name / "openai.yaml").write_text(OVERRIDE.format(who=name, price=price))
    day = dt.date(2026, 1, 1)
    assert table_for(open_view(repo)).model("gpt-4o").price_at(day).rates.input == D("2.50")
    (repo / "costgate.yaml").write_text("pricing: [team-a]\n")
    assert table_for(open_view(repo)).model("gpt-4o").price_at(day).rates.input == D("3.00")
    (repo / "costgate.yaml").write_text("pricing: [team-a, team-b]\n")
    t = table_for(open_view(repo))
    assert t.model("gpt-4o").price_at(day).rates.input == D("4.00")
    assert t.model("gpt-4o-mini").price_at(day).rates.input == D("0.15")  # untouched: shipped
    t = table_for(open_view(repo), (repo / "flag",))
    assert t.model("gpt-4o").price_at(day).rates.input == D("5.00")
    # and end to end: 30,000 x (18 x 5.00 + 100 x 10) / 1M = 32.70
    (repo / "queries.txt").write_text(QUERY + "\n")
    (repo / "bot.costgate.yaml").write_text(spec("gpt-4o", "bot"))
    code, out, _ = run("estimate", repo / "bot.costgate.yaml", "--as-of", "2026-01-01", "--format", "json",
                       "--no-alternatives", "--pricing", repo / "flag")
    assert json.loads(out)["estimates"][0]["monthly_cost_usd"] == "32.70"


# --- pricing diff on a throwaway git repository ---------------------------------------


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def git_repo(tmp_path) -> Path:
    root = tmp_path / "gitrepo"
    shutil.copytree(shipped_pricing_dir(), root / "pricing")
    (root / "specs").mkdir()
    (root / "specs" / "queries.txt").write_text(QUERY + "\n")
    (root / "specs" / "big.costgate.yaml").write_text(spec("gpt-4o", "big-bot"))
    (root / "specs" / "small.costgate.yaml").write_text(spec("gpt-4o-mini", "small-bot"))
    (root / "costgate.yaml").write_text('specs: ["specs/*.costgate.yaml"]\n')
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    openai = root / "pricing" / "openai.yaml"
    text = openai.read_text()
    old = '      - since: 2024-10-02\n        input: "2.50"\n'
    assert old in text
    openai.write_text(text.replace(old, '      - since: 2024-10-02\n        input: "5.00"\n'))
    return root


def test_pricing_diff_markdown(git_repo, run):
    code, out, err = run("pricing", "diff", "--base", "main", "-C", git_repo, "--as-of", "2026-01-01",
                         "--format", "markdown")
    assert (code, err) == (0, "")
    assert out.startswith("<!-- costgate-pricing-report -->\n## ")
    assert "| gpt-4o  | openai     | input                    | 2.50     | 5.00    | +100.0%  |" in out
    # big-bot: 30,000 x 18 x (5.00 - 2.50) / 1M = $1.35 on $31.35 (1045e-6 x 30,000)
    assert "| `big-bot`   | gpt-4o      | $31.35           | $32.70          | +$1.35 (+4.3%) |" in out
    assert "| `small-bot` | gpt-4o-mini | $1.88            | $1.88           | no change      |" in out
    assert "gated monthly spend +$1.35" in out


def test_pricing_diff_json_and_committed_head(git_repo, run):
    git(git_repo, "commit", "-q", "-am", "double gpt-4o input")
    code, out, _ = run("pricing", "diff", "--base", "HEAD~1", "--head", "HEAD", "-C", git_repo,
                       "--as-of", "2026-01-01", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["schema_version"] == 1
    assert doc["changes"] == [{"model": "gpt-4o", "provider": "openai", "field": "input",
                               "before": "2.50", "after": "5.00", "change_percent": "100.0"}]
    assert doc["added"] == doc["removed"] == []
    big, small = doc["features"]
    assert (big["feature"], big["monthly_delta_usd"], big["monthly_delta_percent"]) == ("big-bot", "1.35", "4.3")
    assert (small["feature"], small["monthly_delta_usd"]) == ("small-bot", "0.00")


def test_pricing_diff_models_added_removed_and_no_change(git_repo, run):
    git(git_repo, "checkout", "-q", "--", "pricing/openai.yaml")
    code, out, _ = run("pricing", "diff", "--base", "main", "-C", git_repo, "--as-of", "2026-01-01")
    assert code == 0 and out.startswith("costgate pricing: no price changes")
    meta = git_repo / "pricing" / "meta.yaml"
    text = meta.read_text()
    start = text.index("  - id: llama-4-scout")
    meta.write_text(text[:start] + text[start:].replace("llama-4-scout", "llama-5-scout"))
    code, out, _ = run("pricing", "diff", "--base", "main", "-C", git_repo, "--as-of", "2026-01-01",
                       "--format", "markdown")
    assert "- added `llama-5-scout` (meta)" in out and "- removed `llama-4-scout` (meta)" in out


def test_pricing_diff_unknown_ref(git_repo, run):
    code, _, err = run("pricing", "diff", "--base", "nope", "-C", git_repo)
    assert code == 2 and "unknown git ref 'nope'" in err


# --- sync with genai-prices -----------------------------------------------------------


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
