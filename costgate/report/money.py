"""Display rounding, in one place. Arithmetic stays exact Decimal; only these round."""

from __future__ import annotations

from decimal import Decimal

from ..estimate.results import CALL_PRECISION, MONTHLY_PRECISION, reported

CENT = MONTHLY_PRECISION
MICRO = CALL_PRECISION


def usd(value: Decimal) -> str:
    """Monthly-scale money for JSON: '6309.00'."""
    return str(reported(value, CENT))


def usd_small(value: Decimal) -> str:
    """Per-call and per-session money for JSON: '0.021030'."""
    return str(reported(value, MICRO))


def dollars(value: Decimal, small: bool = False) -> str:
    """Human money: '$6,309.00', '$0.021030'; negative as '-$12.00'."""
    q = reported(value, MICRO if small else CENT)
    sign = "-" if q < 0 else ""
    return f"{sign}${abs(q):,}"


def number(value: Decimal | int, places: int = 0) -> str:
    q = reported(Decimal(value), Decimal(1).scaleb(-places))
    return f"{q:,}"


def fixed(value: Decimal | int, places: int) -> str:
    """A plain decimal string for JSON: fixed(Decimal('2604.23'), 1) -> '2604.2'."""
    return str(reported(Decimal(value), Decimal(1).scaleb(-places)))


def percent(part: Decimal, whole: Decimal, places: int = 1) -> str | None:
    """part/whole as a percentage string ('12.5'), None when whole is zero."""
    if not whole:
        return None
    return str(reported((Decimal(100) * part / whole), Decimal(1).scaleb(-places)))


def share(value: Decimal) -> str:
    """A 0..1 share as a percentage: Decimal('0.7') -> '70%'."""
    return f"{(value * 100).normalize():f}%"


def change(before: Decimal, after: Decimal, small: bool = False) -> str:
    """A money change for reports: '+$94.14 (+5.6%)', '-$5.00', 'no change'."""
    d = after - before
    if d == 0:
        return "no change"
    pct = percent(d, before)
    places = 1
    while pct is not None and Decimal(pct) == 0 and places < 4:  # -0.0% says nothing: show -0.03%
        places += 1
        pct = percent(d, before, places)
    sign = "+" if d > 0 else ""
    return f"{sign}{dollars(d, small)}" + (f" ({sign}{pct}%)" if pct else "")
