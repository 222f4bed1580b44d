"""Beyond this month: compound growth, the month spend first exceeds the budget, what the
median and the heaviest users cost, and the worst case when every user hits the limits.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

from ..pricing import PriceTable
from ..spec import Spec, Users
from .billing import dec, plain_cost
from .results import Estimate, Projection, UserTails, WorstCase

ZERO, ONE = Decimal(0), Decimal(1)


def project(monthly: Decimal, growth: Decimal, budget: Decimal | None = None, months: int = 12) -> Projection:
    """Month m costs monthly * (1 + growth)^(m - 1)."""
    series = tuple(monthly * (ONE + growth) ** (m - 1) for m in range(1, months + 1))
    first = None
    if budget is not None:
        first = next((m for m, v in enumerate(series, 1) if v > budget), None)
    return Projection(growth, series, budget, first)


def budget_month_closed_form(monthly: Decimal, growth: Decimal, budget: Decimal) -> int | None:
    """The first month m with monthly * (1+g)^(m-1) > budget, from logarithms; None if never."""
    if monthly > budget:
        return 1
    if growth <= 0 or monthly <= 0:
        return None
    x = (budget / monthly).ln() / (ONE + growth).ln()
    return int(x.to_integral_value(rounding="ROUND_FLOOR")) + 2


EXACT_TERMS = 100_000


def generalized_harmonic(n: int, s: float) -> float:
    """H(n, s) = sum of j**-s for j = 1..n: summed term by term up to 100,000 users, and
    beyond by the Euler-Maclaurin formula (its next term is below 1e-20 of the sum), so a
    billion users cost as much as a hundred thousand."""
    head = math.fsum(j ** -s for j in range(1, min(n, EXACT_TERMS) + 1))
    if n <= EXACT_TERMS:
        return head
    m = EXACT_TERMS
    integral = math.log(n / m) if s == 1 else (n ** (1 - s) - m ** (1 - s)) / (1 - s)
    ends = (n ** -s - m ** -s) / 2
    slopes = (-s * n ** (-s - 1) + s * m ** (-s - 1)) / 12
    return head + integral + ends + slopes


def user_tails(e: Estimate, users: Users) -> UserTails:
    """Monthly cost of the median, p95 and top-1% user under the declared distribution."""
    n = users.count
    sessions = e.sessions_per_month
    cost = e.cost_per_session

    def at(q: Decimal) -> Decimal:
        rank_up = max(1, math.ceil(q * n))  # nearest rank, ascending by usage
        if users.zipf is not None:
            s = float(users.zipf)
            harmonic = generalized_harmonic(n, s)
            weight = Decimal(repr((n - rank_up + 1) ** -s / harmonic))
            return sessions * weight * cost
        h, k = users.heavy_user_share, users.heavy_user_multiplier
        light = sessions / (n * (ONE - h + h * k))
        heavy_count = int((h * n).to_integral_value())
        per_user = light * k if rank_up > n - heavy_count else light
        return per_user * cost

    return UserTails(n, sessions / n, at(Decimal("0.5")), at(Decimal("0.95")), at(Decimal("0.99")))


def worst_case(spec: Spec, e: Estimate, table: PriceTable, as_of: date) -> WorstCase | None:
    """Every user at their rate limit, every request at its largest input and output, on
    the most expensive model of the spec, with retries and no cache."""
    limits, traffic = spec.limits, spec.traffic
    if limits is None or traffic.users is None:
        return None
    caps = [c for c in (None if limits.calls_per_user_per_hour is None else limits.calls_per_user_per_hour * 24,
                        limits.calls_per_user_per_day) if c is not None]
    if not caps:
        return None
    per_day = min(caps)
    worst = ZERO
    for call, ce in zip(spec.calls, e.calls):
        tokens_in = limits.max_input_tokens or ce.input_tokens_p95
        out = Decimal(call.max_tokens or call.output.max or call.output.mean)
        for model_id in call.models:
            rates = table.model(model_id, as_of=as_of).price_at(as_of).rates_for(tokens_in)
            cost = dec(plain_cost(rates, tokens_in, Fraction(out)) * Fraction(ONE + call.retry_rate))
            worst = max(worst, cost)
    monthly = Decimal(traffic.users.count) * per_day * traffic.days_per_month * worst
    return WorstCase(per_day, worst, monthly, spec.budget.worst_case_usd)
