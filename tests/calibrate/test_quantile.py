"""Exact percentiles from histograms agree with DuckDB's own quantile_cont over the raw
values (the definition they implement), for any values and any q."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costgate.calibrate.quantile import quantile_cont

duckdb = pytest.importorskip("duckdb")
CON = duckdb.connect()


@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=80),
       st.sampled_from(["0", "0.01", "0.5", "0.9", "0.95", "0.99", "1"]))
def test_the_histogram_percentile_is_duckdbs_quantile_cont(values, q):
    histogram = sorted(Counter(values).items())
    got = quantile_cont(histogram, Decimal(q))
    ref = CON.execute(f"SELECT quantile_cont(x, {q}) FROM (SELECT unnest(?::BIGINT[]) AS x)", [values]).fetchone()[0]
    assert abs(got - Decimal(repr(ref))) <= Decimal(ref) * Decimal("1e-12") + Decimal("1e-6")


def test_by_hand():
    assert quantile_cont([(1000, 1), (2000, 1), (3000, 1)]) == Decimal("2900.00")  # 2000 + 0.9 x 1000
    # 19 zeros and one 5: position 0.95 x 19 = 18.05, between rank 18 (0) and rank 19 (5)
    assert quantile_cont([(0, 19), (5, 1)]) == Decimal("0.25")
    assert quantile_cont([]) == 0
