"""The display rule (costgate.report.money): parts shown next to a total are apportioned
by largest remainder, so the displayed parts add up to the displayed total."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st
from report.results import ESTIMATE

from costgate.estimate.results import Analysis, ModelSpend
from costgate.report import estimate as estimate_report
from costgate.report.money import apportion, change, difference, shares, total

CENT = D("0.01")
MICRO = D("0.000001")

money = st.decimals(min_value=D(0), max_value=D("1e9"), places=7, allow_nan=False, allow_infinity=False)
signed = st.decimals(min_value=D("-1e6"), max_value=D("1e6"), places=5, allow_nan=False, allow_infinity=False)


def test_three_parts_of_fourteen_cents_add_up():
    # Each is $0.0466...: half up shows $0.05 three times next to a total of $0.14.
    parts = [D("0.14") / 3] * 3
    assert apportion(parts) == [D("0.05"), D("0.05"), D("0.04")]  # ties: the earlier part
    assert sum(apportion(parts)) == D("0.14")


def test_shares_add_up_to_exactly_100():
    assert shares([D(1), D(1), D(1)]) == ["33.4", "33.3", "33.3"]  # half up: 99.9%
    assert shares([D(2), D(1)]) == ["66.7", "33.3"]
    assert shares([D(0), D(0)]) == [None, None]  # a percentage of nothing


def test_parts_that_already_add_up_keep_their_own_rounding():
    assert apportion([D("1.234"), D("2.346")]) == [D("1.23"), D("2.35")]
    assert apportion([D("0.0000255"), D("0.1")], MICRO) == [D("0.000026"), D("0.100000")]


def test_an_explicit_total_nests_parts_under_an_apportioned_part():
    assert apportion([D("0.004"), D("0.004")], CENT, D("0.01")) == [D("0.01"), D("0.00")]
    assert apportion([D("0.004"), D("0.004")], CENT, D("0.00")) == [D("0.00"), D("0.00")]


def test_a_saving_is_displayed_before_minus_displayed_after():
    assert difference(D("10.004"), D("5.005")) == D("-4.99")  # $10.00 - $5.01, not $5.00 (exact 4.999)
    assert change(D("10.004"), D("5.005")) == "-$4.99 (-50.0%)"
    assert total([D("1.005"), D("1.005")]) == D("2.02")  # features: the sum of their displays


@given(st.lists(money, max_size=12))
def test_apportioned_parts_add_up_to_the_rounded_total(parts):
    shown = apportion(parts)
    assert sum(shown, D(0)) == sum(parts, D(0)).quantize(CENT, rounding="ROUND_HALF_UP")


@given(st.lists(money, max_size=12))
def test_each_part_is_within_one_unit_of_its_own_rounding(parts):
    for part, shown in zip(parts, apportion(parts)):
        assert abs(shown - part.quantize(CENT, rounding="ROUND_HALF_UP")) <= CENT
        assert abs(shown - part) < CENT  # rounded down or up, never further


@given(st.lists(signed, max_size=12))
def test_signed_parts_add_up_too(parts):
    assert sum(apportion(parts), D(0)) == sum(parts, D(0)).quantize(CENT, rounding="ROUND_HALF_UP")


@given(st.lists(money, min_size=1, max_size=8), st.integers(min_value=0, max_value=7))
def test_order_stable(parts, k):
    """Deterministic, and a part's display depends on where it stands only through ties:
    moving a part moves its display with it unless it ties another's remainder."""
    assert apportion(parts) == apportion(list(parts))
    i = k % len(parts)
    rotated = parts[i:] + parts[:i]
    shown, shown_rotated = apportion(parts), apportion(rotated)
    rems = [p - p.quantize(CENT, rounding="ROUND_FLOOR") for p in parts]
    if len(set(rems)) == len(rems):  # no ties: the rotation rotates the displays
        assert shown_rotated == shown[i:] + shown[:i]


@given(st.lists(money.filter(lambda v: v > 0), min_size=1, max_size=12))
def test_shares_always_sum_to_100(parts):
    got = shares(parts)
    assert sum(D(s) for s in got if s is not None) == D("100.0")


def _three_calls_of_a_third():
    """Three calls, each a third of $0.14 a month, on three models."""
    third = D("0.14") / 3
    calls = tuple(replace(ESTIMATE.calls[0], name=f"c{i}", cost_per_session=D("0.0000007") / 3,
                          monthly_cost=third, models=(replace(ESTIMATE.calls[0].models[0], monthly_cost=third),))
                  for i in range(3))
    return replace(ESTIMATE, calls=calls, monthly_cost=D("0.14"), cost_per_session=D("0.0000007"),
                   by_model=tuple(ModelSpend(f"m{i}", third) for i in range(3)), alternatives=(),
                   as_of=date(2026, 11, 1))


def test_renderers_show_parts_that_add_up():
    e = _three_calls_of_a_third()
    doc = json.loads(estimate_report.to_json([Analysis(e)]))["estimates"][0]
    assert [c["monthly_cost_usd"] for c in doc["calls"]] == ["0.05", "0.05", "0.04"]
    assert doc["monthly_cost_usd"] == "0.14"
    assert sum(D(c["cost_per_session_usd"]) for c in doc["calls"]) == D(doc["cost_per_session_usd"])
    assert [c["monthly_share_percent"] for c in doc["calls"]] == ["33.4", "33.3", "33.3"]
    assert [m["monthly_cost_usd"] for m in doc["by_model"]] == ["0.05", "0.05", "0.04"]
    assert [m["share_percent"] for m in doc["by_model"]] == ["33.4", "33.3", "33.3"]
    for render in (estimate_report.to_table, estimate_report.to_markdown):
        text = render([Analysis(e)])
        assert text.count("$0.05") >= 2 and "$0.04" in text and "$0.14" in text
        assert "33.4%" in text and "33.3%" in text and "33.5%" not in text
