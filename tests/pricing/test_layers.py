"""Pricing layers (costgate.pricing.layers): the shipped table < the config's `pricing:`
layers in order < --pricing flags. Money is hand-computed on helpers.query_spec (18
input and 100 output tokens per request)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

from helpers import QUERY, query_spec

from costgate.pricing import table_for
from costgate.repo import open_view

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
    (repo / "bot.costgate.yaml").write_text(query_spec("gpt-4o", "bot"))
    code, out, _ = run("estimate", repo / "bot.costgate.yaml", "--as-of", "2026-01-01", "--format", "json",
                       "--no-alternatives", "--pricing", repo / "flag")
    assert json.loads(out)["estimates"][0]["monthly_cost_usd"] == "32.70"
