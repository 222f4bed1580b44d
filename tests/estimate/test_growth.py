"""Growth, budget runway, per-user tails and the worst case (costgate.estimate.growth),
against hand computations on helpers.spec_file (described in test_levers.py)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from helpers import AS_OF_DATE, est, spec_file
from hypothesis import given, settings
from hypothesis import strategies as st

from costgate.estimate.growth import budget_month_closed_form, project, user_tails, worst_case
from costgate.estimate.simulate import estimate
from costgate.pricing import load_table
from costgate.spec import load_spec

M = 1_000_000


@settings(max_examples=60, deadline=None)
@given(monthly=st.decimals(min_value=1, max_value=100000, places=2),
       growth=st.decimals(min_value="0.001", max_value="0.5", places=3),
       budget=st.decimals(min_value=1, max_value=200000, places=2))
def test_budget_month_matches_closed_form(monthly, growth, budget):
    p = project(monthly, growth, budget, months=120)
    closed = budget_month_closed_form(monthly, growth, budget)
    assert p.budget_month == (closed if closed is not None and closed <= 120 else None)


def test_growth_projection_compounds():
    p = project(D(1000), D("0.1"), D(2000))
    assert p.months[:3] == (D(1000), D("1100.0"), D("1210.00"))
    assert p.budget_month == 9  # 1000 * 1.1^8 = 2143.59 > 2000 >= 1000 * 1.1^7


def test_user_tails_heavy_split_and_worst_case(tmp_path):
    p = spec_file(tmp_path, top_extra="limits: {calls_per_user_per_hour: 10, calls_per_user_per_day: 100, "
                                      "max_input_tokens: 8000}\nbudget: {worst_case_usd: 50000}")
    text = p.read_text().replace("days_per_month: 30}", "days_per_month: 30, users: {count: 1000, "
                                 "heavy_user_share: 0.1, heavy_user_multiplier: 10}}")
    p.write_text(text)
    spec, table = load_spec(p), load_table()
    e = estimate(spec, table, as_of=AS_OF_DATE, alternatives=False)
    tails = user_tails(e, spec.traffic.users)
    light = D(300000) / (1000 * (D("0.9") + D("0.1") * 10))
    assert tails.median == light * e.cost_per_session
    assert tails.p95 == tails.top1 == 10 * light * e.cost_per_session
    w = worst_case(spec, e, table, AS_OF_DATE)
    assert w.calls_per_user_per_day == 100  # min(10 x 24, 100)
    assert w.cost_per_call == (8000 * D("2.5") + 800 * 10) / M
    assert w.monthly == D(84000) and w.over_budget


def test_zipf_tails_by_hand(tmp_path):
    p = spec_file(tmp_path)
    p.write_text(p.read_text().replace("days_per_month: 30}", "days_per_month: 30, users: {count: 4, zipf_exponent: 1}}"))
    spec = load_spec(p)
    assert spec.traffic.users.zipf == 1
    e = est(p)
    tails = user_tails(e, spec.traffic.users)
    harmonic = 1 + 1 / 2 + 1 / 3 + 1 / 4  # user of rank r gets r^-1 / H_4 of the sessions
    sessions = D(300000)
    # nearest-rank quantiles over 4 users ascending by usage: median = 2nd lightest (rank 3),
    # p95 and top 1% = the heaviest (rank 1)
    assert abs(tails.median - sessions * D(repr((1 / 3) / harmonic)) * e.cost_per_session) < D("1e-12")
    assert abs(tails.top1 - sessions * D(repr(1 / harmonic)) * e.cost_per_session) < D("1e-12")
    assert tails.p95 == tails.top1


@pytest.mark.parametrize("s", [0.5, 1.0, 1.1, 2.0, 3.5])
def test_generalized_harmonic_beyond_the_exact_terms_matches_the_sum(s):
    """Past 100,000 users the Zipf normaliser comes from Euler-Maclaurin: it must agree
    with the term-by-term sum (math.fsum) to 1e-12."""
    import math

    from costgate.estimate.growth import generalized_harmonic

    n = 250_000
    exact = math.fsum(j ** -s for j in range(1, n + 1))
    assert abs(generalized_harmonic(n, s) - exact) <= 1e-12 * exact


def test_a_billion_users_is_a_closed_form_not_a_loop():
    from costgate.estimate.growth import generalized_harmonic

    # H(1e9, 2) is pi^2/6 minus the tail ~1/n: the closed form gets it without 1e9 terms
    assert abs(generalized_harmonic(10**9, 2.0) - (3.141592653589793 ** 2 / 6 - 1e-9)) < 1e-12
