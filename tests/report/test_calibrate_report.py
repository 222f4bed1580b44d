"""The calibrate renderers from a hand-built result (no DuckDB, no estimate): figures,
signs, n/a, and names from usage records escaped for each destination."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

from helpers import load_schema, schema_errors

from costgate.calibrate.model import Calibrated, CallCalibration, Observed, Projected, Usage
from costgate.report.calibrate import FORMATS
from costgate.spec.model import Measured

HOSTILE = "<img src=x>|@team ::error::x"


def result(cost: D | None = D("0.002")) -> Calibrated:
    obs = Observed(count=4, input_tokens=Measured(D("1000"), D("1500.5")), output_tokens=Measured(D("250"), D("400")),
                   reasoning_tokens=Measured(D(0), D(0)), calls_per_session=Measured(D("2"), D("4")),
                   cached_share=D("0.25"), cost_per_call=cost, monthly_cost=None if cost is None else D("120"),
                   unpriced=() if cost else ("mystery",))
    proj = Projected(input_tokens=Measured(D("1100"), D("1200")), output_tokens=Measured(D("200"), D("200")),
                     reasoning_tokens=Measured(D(0), D(0)), calls_per_session=Measured(D("2"), D("2")),
                     cached_share=D(0), cost_per_call=D("0.0015"), monthly_cost=D("90"))
    usage = Usage(records=5, skipped=1, start=date(2026, 10, 1), end=date(2026, 10, 2), sessions=2,
                  unmatched=((HOSTILE, 1),), unmatched_records=1,
                  calls=())
    return Calibrated("bot", "bot.costgate.yaml", date(2026, 11, 1), usage, (CallCalibration("answer", obs, proj),), ())


def test_table_figures_and_errors():
    out = FORMATS["table"](result())
    assert "1,000.0 / 1,500.5" in out and "1,100.0 / 1,200.0" in out
    assert "+10.0%" in out  # input: (1100 - 1000) / 1000
    assert "-20.0%" in out  # output: (200 - 250) / 250
    assert "0.0%" in out  # calls per session
    assert "-25.0%" in out  # cost per call and month: (0.0015 - 0.002) / 0.002, (90 - 120) / 120
    assert "monthly cost: observed $120.00, projected $90.00 -25.0%" in out
    assert "skipped 1 records" in out


def test_unknown_cost_is_na():
    out = FORMATS["table"](result(cost=None))
    assert "n/a" in out and "not in the price table (observed cost n/a): mystery" in out
    doc = json.loads(FORMATS["json"](result(cost=None)))
    assert doc["calibration"]["calls"][0]["error"]["cost_per_call"] is None
    assert schema_errors(load_schema("calibrate.schema.json"), doc) == []


def test_names_from_records_are_escaped():
    md = FORMATS["markdown"](result())
    assert "<img src=x>" not in md and "@team" not in md
    assert "\\<img src=x\\>\\|@\u200bteam" in md
    doc = json.loads(FORMATS["json"](result()))
    assert doc["calibration"]["usage"]["unmatched"] == [{"call": HOSTILE, "count": 1}]


def test_html_page_has_the_table_charts_and_escapes_names():
    import re

    page = FORMATS["html"](result())
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "<img" not in page
    assert "&lt;img src=x&gt;" in page  # the unmatched call name from the records, escaped
    # the same figures as the table format: observed and projected token pairs, the errors
    for figure in ("1,000.0 / 1,500.5", "1,100.0 / 1,200.0", "+10.0%", "-20.0%", "-25.0%"):
        assert figure in page
    # two charts (output tokens, monthly cost), each a figure with its data table: $120.00 observed, $90.00 projected
    assert len(re.findall(r'<figure role="img"', page)) == 2
    assert ">$120.00<" in page and ">$90.00<" in page and ">250.0<" in page and ">200.0<" in page
    unknown = FORMATS["html"](result(cost=None))
    assert ">n/a<" in unknown
