"""Exact percentiles from a histogram: the token counts of a call take few distinct
values, so DuckDB groups them (``value -> how many records``, a hash aggregate that spills
to disk) and the percentile is read off the sorted histogram here, exactly, in Decimal.

The definition is DuckDB's ``quantile_cont`` (linear interpolation between the closest
ranks, R's type 7): position q x (n - 1) in the sorted values, interpolated between the
values at its floor and its ceiling. Unlike ``quantile_cont`` it never holds every value
in memory, so any number of records fits in bounded memory.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

P95 = Decimal("0.95")


def quantile_cont(histogram: Sequence[tuple[int, int]], q: Decimal = P95) -> Decimal:
    """The ``q`` quantile of the values a histogram ``[(value, count), ...]`` (values
    ascending, counts > 0) describes; 0 for an empty one."""
    n = sum(c for _, c in histogram)
    if n == 0:
        return Decimal(0)
    pos = q * (n - 1)
    lo = int(pos)
    low, high = _at(histogram, lo), _at(histogram, min(lo + 1, n - 1))
    return Decimal(low) + (pos - lo) * (Decimal(high) - Decimal(low))


def _at(histogram: Sequence[tuple[int, int]], rank: int) -> int:
    """The value at 0-based ``rank`` in sorted order."""
    seen = 0
    for value, count in histogram:
        seen += count
        if rank < seen:
            return value
    return histogram[-1][0]


__all__ = ["quantile_cont", "P95"]
