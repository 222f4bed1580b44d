"""`costgate estimate` at the command line: the what-if table, the markdown projection,
and prices by --as-of (a price cut, a retired model). The arithmetic behind the numbers
is tested in tests/estimate/; money here is hand-computed on helpers.query_spec (18
input and 100 output tokens per request)."""

from __future__ import annotations

import datetime as dt
import json

from helpers import FIXTURES, QUERY, query_spec

from costgate.pricing import load_table


def test_cli_what_if_prints_the_ranked_table(capsys):
    from costgate.cli import main

    spec = FIXTURES / "support-bot" / "support-bot.costgate.yaml"
    code = main(["estimate", str(spec), "--what-if", "--as-of", "2026-11-01", "--no-alternatives"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("#    call"))
    first = lines[header + 2].split()
    assert first[:5] == ["1", "answer", "route", "to", "gpt-4.1-nano"]
    assert "sparkline" not in out and any(ch in out for ch in "▁▂▃▄▅▆▇█")  # growth_per_month: 0.05


def test_markdown_shows_the_mermaid_projection(capsys):
    from costgate.cli import main

    spec = FIXTURES / "rag-answerer" / "rag-answerer.costgate.yaml"
    assert main(["estimate", str(spec), "--format", "markdown", "--as-of", "2026-11-01", "--no-alternatives"]) == 0
    out = capsys.readouterr().out
    assert "```mermaid\nxychart-beta" in out
    assert "exceeds the $2,500.00 budget in month" in out


# ------------------------------------------------------------ price history by --as-of

def test_as_of_before_and_after_the_o3_price_cut(repo, run):
    (repo / "queries.txt").write_text(QUERY + "\n")
    (repo / "bot.costgate.yaml").write_text(query_spec("o3", "o3-bot"))
    totals = {}
    for day in ("2025-06-09", "2025-06-10"):
        code, out, _ = run("estimate", repo / "bot.costgate.yaml", "--as-of", day, "--format", "json",
                           "--no-alternatives")
        assert code == 0
        totals[day] = json.loads(out)["estimates"][0]["monthly_cost_usd"]
    # 30,000 sessions/month. o3 reasons at medium effort by default: 4,000 hidden tokens
    # (pricing/openai.yaml) billed as output with the 100 visible ones.
    # before: (18 x 10 + 4,100 x 40) / 1M; after: (18 x 2 + 4,100 x 8) / 1M
    assert totals == {"2025-06-09": "4925.40", "2025-06-10": "985.08"}


def test_estimating_a_retired_model_warns(repo, run):
    (repo / "queries.txt").write_text(QUERY + "\n")
    (repo / "bot.costgate.yaml").write_text(query_spec("claude-3-5-sonnet", "old-bot"))
    retired = load_table().model("claude-3-5-sonnet").retired
    code, _, err = run("estimate", repo / "bot.costgate.yaml", "--as-of", retired.isoformat())
    assert code == 0 and f"claude-3-5-sonnet was retired on {retired}" in err
    before = (retired - dt.timedelta(days=1)).isoformat()
    code, _, err = run("estimate", repo / "bot.costgate.yaml", "--as-of", before)
    assert code == 0 and "retired" not in err
