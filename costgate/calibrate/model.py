"""What calibration measures and concludes: plain frozen records, exact where exact.

``Usage`` is what the aggregation returns (integer sums, percentiles); ``Observed`` a
call's measured figures; ``Calibrated`` the whole comparison the renderers take.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..spec.model import Measured


@dataclass(frozen=True)
class ModelSums:
    """One call's records on one model: the integer token sums that price them."""

    model: str | None
    count: int
    input: int
    """Input tokens, cached ones included."""
    cached: int
    output: int
    """Answer tokens (reasoning excluded)."""
    reasoning: int


@dataclass(frozen=True)
class CallSums:
    name: str
    count: int
    input_sum: int
    input_p95: Decimal
    output_sum: int
    output_p95: Decimal
    reasoning_sum: int
    reasoning_p95: Decimal
    cached_sum: int
    sessions: int | None
    """Sessions of the feature the per-session figures are over (None: no session field)."""
    session_calls: int | None
    per_session_p95: Decimal | None
    models: tuple[ModelSums, ...]


@dataclass(frozen=True)
class Usage:
    records: int
    """Records of the feature with input and output counts."""
    skipped: int
    """Records of the feature without a whole, non-negative input or output count."""
    start: date | None
    end: date | None
    sessions: int
    unmatched: tuple[tuple[str, int], ...]
    """Call names the records give that the spec does not have (the 10 commonest), with counts."""
    unmatched_records: int
    calls: tuple[CallSums, ...]


@dataclass(frozen=True)
class Observed:
    """A call as its records measured it."""

    count: int
    input_tokens: Measured
    output_tokens: Measured
    reasoning_tokens: Measured
    calls_per_session: Measured | None
    """None when the records carry no session."""
    cached_share: Decimal
    cost_per_call: Decimal | None
    """Mean USD per request at the price table's rates; None when a model is not priced."""
    monthly_cost: Decimal | None
    """cost_per_call x calls per session x the spec's sessions a month."""
    unpriced: tuple[str, ...] = ()


@dataclass(frozen=True)
class Projected:
    """The same figures as the spec projects them (``costgate estimate``)."""

    input_tokens: Measured
    output_tokens: Measured
    """p95: the declared max, else the mean (the spec declares a mean)."""
    reasoning_tokens: Measured
    calls_per_session: Measured
    cached_share: Decimal
    cost_per_call: Decimal
    monthly_cost: Decimal


@dataclass(frozen=True)
class CallCalibration:
    name: str
    observed: Observed
    projected: Projected


@dataclass(frozen=True)
class Calibrated:
    feature: str
    spec_file: str
    as_of: date
    usage: Usage
    calls: tuple[CallCalibration, ...]
    """The spec's calls the records measured, in spec order."""
    unmeasured: tuple[str, ...]
    """The spec's calls no record measured."""
    written: str | None = None
    """The calibration file ``--write`` wrote (repository-relative)."""

    @property
    def observed_monthly(self) -> Decimal | None:
        costs = [c.observed.monthly_cost for c in self.calls]
        known = [c for c in costs if c is not None]
        return None if not costs or len(known) < len(costs) else sum(known, Decimal(0))

    @property
    def projected_monthly(self) -> Decimal:
        return sum((c.projected.monthly_cost for c in self.calls), Decimal(0))


def error_percent(projected: Decimal | None, observed: Decimal | None) -> Decimal | None:
    """How far the projection is from what was observed, in percent of the observed
    value (positive: the spec over-projects); None when either is unknown or observed is 0."""
    if projected is None or observed is None or observed == 0:
        return None
    return (projected - observed) * 100 / observed
