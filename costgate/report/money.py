"""Display rounding, in one place. Arithmetic stays exact Decimal; only these round.

The rule: a figure is shown rounded half up to its precision (cents for monthly money,
millionths of a dollar per call and per session, tenths of a percent), except where it is
shown as a part of a total: then the parts are apportioned by largest remainder
(``apportion``) so the displayed parts add up to the displayed total; percentages of a
total add up to exactly 100.0 (``shares``); a change or a saving is the displayed after
minus the displayed before (``difference``); a sum of separately reported totals (features)
is the sum of their displays (``total``). JSON carries the same displayed values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from ..estimate.results import CALL_PRECISION, MONTHLY_PRECISION, Estimate, Lever, apportioned, reported

CENT = MONTHLY_PRECISION
MICRO = CALL_PRECISION


PERCENT = Decimal("0.1")
HUNDRED = Decimal(100)


def apportion(parts: Sequence[Decimal], quantum: Decimal = MONTHLY_PRECISION,
              total: Decimal | None = None) -> list[Decimal]:
    """Parts of a total as displayed, by largest remainder (Hamilton): each part rounded
    down to ``quantum``, then the units the rounded total still lacks go one each to the
    largest remainders (ties: the earlier part). They add up to ``total`` (an already
    displayed total) or, by default, to the parts' exact sum rounded half up; each is
    within one unit of its own half-up rounding, and equal to it whenever those already
    add up. 3 x $0.0466 (total $0.14) shows as $0.05, $0.05, $0.04."""
    return apportioned(parts, quantum, total)


def shares(parts: Sequence[Decimal], places: int = 1) -> list[str | None]:
    """Each part as a percentage of the parts' sum, apportioned to add up to exactly 100
    ('33.4', '33.3', '33.3'); None for every part when the sum is zero."""
    whole = sum(parts, Decimal(0))
    if not whole:
        return [None] * len(parts)
    exact = [HUNDRED * p / whole for p in parts]
    return [plain_number(v) for v in apportioned(exact, Decimal(1).scaleb(-places), HUNDRED.quantize(Decimal(1).scaleb(-places)))]


def difference(before: Decimal, after: Decimal, small: bool = False) -> Decimal:
    """A change or a saving as displayed: displayed ``after`` minus displayed ``before``,
    so 'before, after, change' adds up on the page."""
    q = MICRO if small else CENT
    return reported(after, q) - reported(before, q)


def saving(lever: Lever) -> Decimal:
    """A what-if lever's monthly saving as displayed: the displayed declared cost minus
    the displayed cost with the lever applied."""
    return -difference(lever.monthly_cost + lever.saving, lever.monthly_cost)


def total(values: Sequence[Decimal], small: bool = False) -> Decimal:
    """A sum of separately reported totals (features) as displayed: the sum of their
    displays, so each keeps the figure its own report shows and the sum adds up."""
    q = MICRO if small else CENT
    return sum((reported(v, q) for v in values), Decimal(0))


def plain_number(value: Decimal | int) -> str:
    """A number for JSON (and any text a program reads) in plain positional notation,
    never an exponent: ``Decimal('3.00E+16')`` -> '30000000000000000', ``Decimal('1E-8')``
    -> '0.00000001'. Every Decimal a report serialises goes through here (``str`` of a
    Decimal switches to exponent form for large or small values)."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def usd(value: Decimal) -> str:
    """Monthly-scale money for JSON: '6309.00'."""
    return plain_number(reported(value, CENT))


def usd_small(value: Decimal) -> str:
    """Per-call and per-session money for JSON: '0.021030'."""
    return plain_number(reported(value, MICRO))


def dollars(value: Decimal, small: bool = False) -> str:
    """Human money: '$6,309.00', '$0.021030'; negative as '-$12.00'."""
    q = reported(value, MICRO if small else CENT)
    sign = "-" if q < 0 else ""
    return f"{sign}${abs(q):,}"


def number(value: Decimal | int, places: int = 0) -> str:
    q = reported(Decimal(value), Decimal(1).scaleb(-places))
    return f"{q:,}"


def whole(value: Decimal | int) -> int:
    """A count shown as a whole number, rounded half up like ``number`` (a mean of
    2,400.5 tokens is 2,401 in every report, never banker's 2,400)."""
    return int(reported(Decimal(value), Decimal(1)))


def fixed(value: Decimal | int, places: int) -> str:
    """A plain decimal string for JSON: fixed(Decimal('2604.23'), 1) -> '2604.2'."""
    return plain_number(reported(Decimal(value), Decimal(1).scaleb(-places)))


def error_percent(fraction: Decimal) -> str:
    """A relative error as a percentage, to one place and without a trailing ".0" (0.34 -> "34")."""
    text = fixed(fraction * 100, 1)
    return text[:-2] if text.endswith(".0") else text


def percent(part: Decimal, whole: Decimal, places: int = 1) -> str | None:
    """part/whole as a percentage string ('12.5'), None when whole is zero."""
    if not whole:
        return None
    return plain_number(reported((Decimal(100) * part / whole), Decimal(1).scaleb(-places)))


def share(value: Decimal) -> str:
    """A 0..1 share as a percentage: Decimal('0.7') -> '70%'."""
    return f"{(value * 100).normalize():f}%"


def change(before: Decimal, after: Decimal, small: bool = False, shown: Decimal | None = None) -> str:
    """A money change for reports: '+$94.14 (+5.6%)', '-$5.00', 'no change'. The amount is
    the ``difference`` of the displayed figures (``shown``, when they are apportioned
    parts); the sign and percentage are exact."""
    d = after - before
    if d == 0:
        return "no change"
    shown = difference(before, after, small) if shown is None else shown
    pct = percent(d, before)
    places = 1
    while pct is not None and Decimal(pct) == 0 and places < 4:  # -0.0% says nothing: show -0.03%
        places += 1
        pct = percent(d, before, places)
    sign = "+" if d > 0 else ""
    return f"{sign}{dollars(shown, small)}" + (f" ({sign}{pct}%)" if pct else "")


@dataclass(frozen=True)
class Parts:
    """An estimate's parts-of-a-total figures as displayed (by ``apportion`` and
    ``shares``), read by every renderer of it: indexed like ``calls`` and ``by_model``."""

    call_monthly: list[Decimal]
    """Each call's monthly cost; they add up to the displayed monthly total."""
    call_session: list[Decimal]
    """Each call's cost per session; they add up to the displayed session cost."""
    call_share: list[str | None]
    """Each call's percentage of the monthly cost; they add up to 100.0."""
    model_monthly: list[list[Decimal]]
    """Per call, each model's monthly cost; they add up to the call's displayed cost."""
    by_model: list[Decimal]
    by_model_share: list[str | None]


def parts(e: Estimate) -> Parts:
    monthly = apportion([c.monthly_cost for c in e.calls])
    return Parts(
        call_monthly=monthly,
        call_session=apportion([c.cost_per_session for c in e.calls], MICRO),
        call_share=shares([c.monthly_cost for c in e.calls]),
        model_monthly=[apportion([m.monthly_cost for m in c.models], CENT, shown)
                       for c, shown in zip(e.calls, monthly)],
        by_model=apportion([v for _, v in e.by_model]),
        by_model_share=shares([v for _, v in e.by_model]),
    )
