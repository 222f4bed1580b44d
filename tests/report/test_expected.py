"""Renderers on hand-built results (tests/report/results.py), compared with the expected
text beside them in tests/report/expected/: no git repository, no estimator.

After a deliberate change to a report format, regenerate the files and review the diff:

    COSTGATE_UPDATE_EXPECTED=1 python -m pytest tests/report/test_expected.py
    git diff tests/report/expected/
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from decimal import Decimal as D
from pathlib import Path
from typing import Callable

import pytest
from report.results import ANALYSIS, ANALYSIS_WHAT_IF, BOT_AFTER, BOT_BEFORE, ESTIMATE, GATE_RESULT, NIGHTLY

from costgate.estimate.results import Analysis
from costgate.report import estimate as estimate_report
from costgate.report import gate as gate_report
from costgate.report.annotations import annotations

EXPECTED = Path(__file__).resolve().parent / "expected"
UPDATE = os.environ.get("COSTGATE_UPDATE_EXPECTED") == "1"

RENDERERS: dict[str, Callable[[], str]] = {
    "gate.md": lambda: gate_report.to_markdown(GATE_RESULT),
    "gate.txt": lambda: gate_report.to_table(GATE_RESULT),
    "gate.json": lambda: gate_report.to_json(GATE_RESULT),
    "annotations.txt": lambda: "\n".join(annotations(GATE_RESULT)) + "\n",
    "estimate.txt": lambda: estimate_report.to_table([ANALYSIS]),
    "estimate.md": lambda: estimate_report.to_markdown([ANALYSIS]),
    "estimate.json": lambda: estimate_report.to_json([ANALYSIS]),
    "estimate-what-if.txt": lambda: estimate_report.to_table([ANALYSIS_WHAT_IF]),
    "estimate-what-if.md": lambda: estimate_report.to_markdown([ANALYSIS_WHAT_IF]),
    "estimate-what-if.json": lambda: estimate_report.to_json([ANALYSIS_WHAT_IF]),
}


@pytest.fixture(autouse=True)
def _records_only(monkeypatch):
    """No git repository and no estimate: a renderer test that needs one fails."""
    import costgate.estimate.simulate

    def refuse(*args, **kwargs):
        raise AssertionError("renderer tests take hand-built records: no subprocess, no estimator")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(costgate.estimate.simulate, "estimate", refuse)


@pytest.mark.parametrize("name", list(RENDERERS))
def test_renderer_output_is_the_expected_file(name):
    text = RENDERERS[name]()
    path = EXPECTED / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.is_file(), f"{path} is missing: run with COSTGATE_UPDATE_EXPECTED=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed: review, then COSTGATE_UPDATE_EXPECTED=1"


def test_every_expected_file_has_a_renderer():
    assert sorted(p.name for p in EXPECTED.iterdir()) == sorted(RENDERERS)


# --------------------------------------------------------- the fixtures add up by hand

def test_gate_fixture_arithmetic():
    for e in (BOT_BEFORE, BOT_AFTER, NIGHTLY):
        for c in e.calls:
            assert c.cost_per_session == c.per_session * c.cost_per_call
            assert c.monthly_cost == c.cost_per_session * e.sessions_per_month
        assert e.monthly_cost == sum(c.monthly_cost for c in e.calls)
    # gpt-4o at $2.50 / $10.00 per 1M tokens
    for e, output in ((BOT_BEFORE, D(1400)), (BOT_AFTER, D("1719.13"))):
        (call,) = e.calls
        assert call.cost_per_call == (call.input_tokens_mean * D("2.50") + output * D("10.00")) / 1_000_000
    assert (GATE_RESULT.monthly_before, GATE_RESULT.monthly_after) == (D(1045), D("1279.565"))


def test_estimate_fixture_arithmetic():
    e = ESTIMATE
    route, answer = e.calls
    assert route.cost_per_call == (150 * D("0.15") + 5 * D("0.60")) / 1_000_000
    mini, big = answer.models
    assert mini.cost_per_call == (2500 * D("0.15") + 220 * D("0.60")) / 1_000_000
    assert big.cost_per_call == (2500 * D("2.50") + 220 * D("10.00")) / 1_000_000
    assert answer.cost_per_call == mini.share * mini.cost_per_call + big.share * big.cost_per_call
    for c in e.calls:
        assert c.cost_per_session == c.per_session * c.cost_per_call
        assert c.monthly_cost == c.cost_per_session * e.sessions_per_month == sum(m.monthly_cost for m in c.models)
        for m in c.models:
            assert m.cost_per_session == m.share * c.per_session * m.cost_per_call
    assert e.cost_per_session == sum(c.cost_per_session for c in e.calls)
    assert e.monthly_cost == sum(c.monthly_cost for c in e.calls) == sum(v for _, v in e.by_model)
    cheap = e.alternatives[0]
    assert cheap.cost_per_session == route.cost_per_call + 2 * mini.cost_per_call
    assert cheap.monthly_cost == cheap.cost_per_session * e.sessions_per_month


# ------------------------------------------------- rounding half up, where it shows

def test_half_cents_round_up_in_the_gate_report():
    text = RENDERERS["gate.md"]()
    assert "$1,234.57" in text and "$1,234.56" not in text  # support-bot after: $1,234.565
    assert "$1,279.57" in text  # the total after: $1,279.565
    assert "$0.123457" in text  # a session after: $0.1234565
    assert "+$234.57 (+22.4%)" in text  # 234.565 / 1,045 = 22.4465%


def test_half_cents_round_up_in_the_estimate_report():
    text = RENDERERS["estimate.txt"]()
    assert "$0.77" in text  # route: $0.765 a month
    assert "$31.19" in text  # all on gpt-4o-mini: $31.185
    assert "$174.16" in text  # the total: $174.159


# ------------------------------------------------ tool tokens, only where there are tools

def test_tool_tokens_get_a_column_only_when_a_call_sends_tools():
    from dataclasses import replace

    from report.results import ANSWER_CALL, ROUTE_CALL

    assert "tool tok" not in RENDERERS["estimate.txt"]() and "tool tok" not in RENDERERS["estimate.md"]()
    tooled = Analysis(replace(ESTIMATE, calls=(ROUTE_CALL, replace(ANSWER_CALL, tool_tokens=1234))))
    for text in (estimate_report.to_table([tooled]), estimate_report.to_markdown([tooled])):
        header = next(line for line in text.splitlines() if "system tok" in line)
        assert "tool tok" in header and header.index("system tok") < header.index("tool tok")
        assert "1,234" in text
    calls = json.loads(estimate_report.to_json([tooled]))["estimates"][0]["calls"]
    assert [(c["tool_tokens"], c["system_prompt_tokens"]) for c in calls] == [(0, 120), (1234, 2000)]


def test_system_prompt_tokens_in_the_estimate_json_is_the_static_text():
    from dataclasses import replace

    from report.results import ANSWER_CALL, ROUTE_CALL

    static = Analysis(replace(ESTIMATE, calls=(ROUTE_CALL, replace(ANSWER_CALL, system_prompt_tokens=1500))))
    answer = json.loads(estimate_report.to_json([static]))["estimates"][0]["calls"][1]
    assert (answer["system_prompt_tokens"], answer["system_rendered_tokens"]) == (1500, 2000)


def test_tool_tokens_in_the_gate_report_only_when_a_call_sends_tools():
    from dataclasses import replace

    from costgate.gate.model import CallDiff

    assert "tool tokens" not in RENDERERS["gate.md"]()
    bot = GATE_RESULT.features[0]
    b, a = bot.calls[0].before, bot.calls[0].after
    tooled = replace(bot, calls=(CallDiff("answer", replace(b, tool_tokens=300), replace(a, tool_tokens=500)),))
    result = replace(GATE_RESULT, features=(tooled, *GATE_RESULT.features[1:]))
    assert "| tool tokens" in gate_report.to_markdown(result)
    assert "300 → 500" in gate_report.to_markdown(result) and "300 → 500" in gate_report.to_table(result)
    call = json.loads(gate_report.to_json(result))["features"][0]["calls"][0]
    assert (call["tool_tokens_before"], call["tool_tokens_after"]) == (300, 500)


def test_model_ids_from_a_price_layer_reach_the_terminal_shown_not_obeyed():
    """A model id only has to be free of whitespace, so a repository's price layer can
    name one with an ANSI escape: every line of the table report shows it escaped (the
    'by model' line as the calls table does)."""
    from costgate.report.estimate import to_table

    evil = "gpt-4o\x1b[2J"
    calls = tuple(dataclasses.replace(c, models=tuple(dataclasses.replace(m, model=evil) if m.model == "gpt-4o" else m
                                                      for m in c.models)) for c in ESTIMATE.calls)
    e = dataclasses.replace(ESTIMATE, calls=calls,
                            by_model=tuple((evil if m == "gpt-4o" else m, v) for m, v in ESTIMATE.by_model))
    text = to_table([Analysis(e)])
    assert "\x1b" not in text
    assert "by model:" in text and "gpt-4o\\x1b[2J $" in text


def test_per_user_and_worst_case_lines_from_hand_computed_figures():
    """Per-user tails and the worst case as every format prints them. Hand-computed: the
    answer call's mix costs $0.0028899 a call; 1,000 users each making 50 calls a day for
    30 days is 1,000 x 50 x 30 x $0.0028899 = $4,334.85 a month, over a $4,000 budget.
    Per-user figures at six places, half up: $0.0000125 -> $0.000013, $0.0000345 ->
    $0.000035 (banker's would say $0.000034), $0.00012345 -> $0.000123."""
    from costgate.estimate.results import Extras, UserTails, WorstCase
    from costgate.report.html_estimate import to_html

    worst = WorstCase(D(50), D("0.0028899"), D(1000) * 50 * 30 * D("0.0028899"), D(4000))
    assert worst.monthly == D("4334.85")
    a = Analysis(ESTIMATE, Extras(tails=UserTails(1000, D(30), D("0.0000125"), D("0.0000345"), D("0.00012345")),
                                  worst=worst))
    per_user = "median $0.000013, p95 $0.000035, top 1% $0.000123 per month (1,000 users)"
    worst_text = "$4,334.85/month if every user makes 50 calls/day at $0.002890 each OVER the worst-case budget $4,000.00"
    for text in (estimate_report.to_table([a]), estimate_report.to_markdown([a]), to_html([a])):
        assert per_user in text and worst_text in text
    doc = json.loads(estimate_report.to_json([a]))["estimates"][0]
    assert doc["users"]["p95_user_monthly_usd"] == "0.000035"
    assert doc["worst_case"]["monthly_cost_usd"] == "4334.85" and doc["worst_case"]["over_budget"] is True
