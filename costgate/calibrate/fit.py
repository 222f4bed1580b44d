"""From the aggregation's sums to a call's observed figures: exact means (integer sums
over counts), the percentiles DuckDB computed, and the observed cost of a request priced
at the price table's rates (``Rates``: input, cached input, output, reasoning output).

The cost of a record is its uncached input at the input rate, its cached input at the
cached-input rate (the input rate where a model has none), its answer at the output rate
and its reasoning at the reasoning rate (the output rate where a model has none). Batch
discounts, long-context tiers and cache writes are not in usage records and not applied.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..errors import CostgateError
from ..pricing import PriceTable
from ..spec.model import Call, Measured
from .model import CallSums, ModelSums, Observed

MILLION = Decimal(1_000_000)
ZERO = Decimal(0)


def mean(total: int, count: int) -> Decimal:
    return Decimal(total) / Decimal(count) if count else ZERO


def observe(s: CallSums, call: Call, table: PriceTable, as_of: date, sessions_per_month: Decimal) -> Observed:
    """The call's observed figures; the records' model names are looked up in ``table``
    (a record without a model is priced on the call's main model)."""
    per_session = None
    if s.sessions:
        per_session = Measured(mean(s.session_calls or 0, s.sessions), s.per_session_p95 or ZERO)
    cost, unpriced = _cost(s.models, call, table, as_of)
    per_call = None if cost is None else cost / s.count
    calls_a_session = per_session.mean if per_session is not None else call.per_session
    return Observed(
        count=s.count,
        input_tokens=Measured(mean(s.input_sum, s.count), s.input_p95),
        output_tokens=Measured(mean(s.output_sum, s.count), s.output_p95),
        reasoning_tokens=Measured(mean(s.reasoning_sum, s.count), s.reasoning_p95),
        calls_per_session=per_session,
        cached_share=mean(s.cached_sum, s.input_sum),
        cost_per_call=per_call,
        monthly_cost=None if per_call is None else per_call * calls_a_session * sessions_per_month,
        unpriced=unpriced,
    )


def _cost(models: tuple[ModelSums, ...], call: Call, table: PriceTable, as_of: date) -> tuple[Decimal | None, tuple[str, ...]]:
    main = max(call.mix, key=lambda m: m.share).model
    total, unpriced = ZERO, []
    for m in models:
        name = m.model or main
        try:
            rates = table.model(name, as_of=as_of).price_at(as_of).rates
        except CostgateError:
            unpriced.append(name)
            continue
        cached_rate = rates.cached_input if rates.cached_input is not None else rates.input
        out_rate = rates.output if rates.output is not None else ZERO
        reasoning_rate = rates.reasoning_output if rates.reasoning_output is not None else out_rate
        total += (Decimal(m.input - m.cached) * rates.input + Decimal(m.cached) * cached_rate
                  + Decimal(m.output) * out_rate + Decimal(m.reasoning) * reasoning_rate) / MILLION
    return (None if unpriced else total), tuple(sorted(set(unpriced)))


__all__ = ["observe", "mean"]
