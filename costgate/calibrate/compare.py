"""Observed against projected: the spec's estimate (``costgate/estimate/``) gives the
projected side of every figure ``fit.observe`` measured."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..estimate.results import CallEstimate, Estimate
from ..pricing import PriceTable
from ..spec import Spec
from ..spec.model import Call, Measured
from .fit import observe
from .model import Calibrated, CallCalibration, Projected, Usage

ZERO = Decimal(0)


def projected(c: CallEstimate, call: Call) -> Projected:
    """A call's projection. Output p95: the declared max, else the mean; reasoning p95:
    the declared p95, else the mean; requests per session p95: the steps p95, else the
    fixed count."""
    out_max = call.output.max
    reasoning_p95 = call.reasoning.p95 if call.reasoning is not None and call.reasoning.p95 is not None else None
    steps_p95 = call.steps.p95 if call.steps is not None and call.steps.p95 is not None else c.per_session
    return Projected(
        input_tokens=Measured(c.input_tokens_mean, Decimal(c.input_tokens_p95)),
        output_tokens=Measured(c.output_tokens_mean, Decimal(out_max) if out_max is not None else c.output_tokens_mean),
        reasoning_tokens=Measured(c.reasoning_tokens_mean, reasoning_p95 if reasoning_p95 is not None
                                  else c.reasoning_tokens_mean),
        calls_per_session=Measured(c.per_session, steps_p95),
        cached_share=ZERO if not c.input_tokens_mean else Decimal(c.cached_prefix_tokens) / c.input_tokens_mean,
        cost_per_call=c.cost_per_call,
        monthly_cost=c.monthly_cost,
    )


def calibrate(spec: Spec, estimate: Estimate, usage: Usage, table: PriceTable, as_of: date) -> Calibrated:
    """Every call the records measured, observed beside projected, in spec order."""
    sums = {s.name: s for s in usage.calls}
    month = spec.traffic.sessions_per_day * spec.traffic.days_per_month
    calls = tuple(CallCalibration(call.name, observe(sums[call.name], call, table, as_of, month),
                                  projected(estimate.call(call.name), call))
                  for call in spec.calls if call.name in sums)
    return Calibrated(feature=spec.feature, spec_file=spec.file, as_of=as_of, usage=usage, calls=calls,
                      unmeasured=tuple(c.name for c in spec.calls if c.name not in sums))


__all__ = ["calibrate", "projected"]
