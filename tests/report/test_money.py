"""Display rounding (costgate.report.money): exact Decimal arithmetic, rounded half up
only when shown."""

from __future__ import annotations

from decimal import Decimal as D

from costgate.report.money import dollars, fixed, number, percent, usd, usd_small


def test_display_rounds_half_up_not_to_even():
    assert dollars(D("1234.565")) == "$1,234.57"  # half-to-even would show $1,234.56
    assert usd(D("1234.565")) == "1234.57"
    assert dollars(D("-1234.565")) == "-$1,234.57"  # halves round away from zero
    assert dollars(D("0.1234565"), small=True) == "$0.123457"  # per call and per session: six places
    assert usd_small(D("0.0000255")) == "0.000026"
    assert percent(D("234.565"), D(1000)) == "23.5"  # 23.4565%
    assert fixed(D("2604.25"), 1) == "2604.3"
    assert number(D("2.5")) == "3" and number(D(1234567)) == "1,234,567"


def test_money_change_never_says_zero_percent():
    from decimal import Decimal as D

    from costgate.report.money import change

    assert change(D("1662.13"), D("1661.67")) == "-$0.46 (-0.03%)"  # 0.46 / 1662.13 = 0.0277%
    assert change(D(100), D(150)) == "+$50.00 (+50.0%)"
    assert change(D(0), D(5)) == "+$5.00"  # no percentage of nothing
    assert change(D(7), D(7)) == "no change"
