"""What an estimate is: plain frozen records the reports, the gate and a Python user read.

Money fields are exact ``Decimal`` USD; token means are ``Decimal``; nothing is rounded
here (display rounding lives in ``money``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ModelCost:
    model: str
    share: Decimal
    cost_per_call: Decimal
    cost_per_session: Decimal
    monthly_cost: Decimal
    input_tokens_mean: Decimal
    approximate: bool
    tokenizer: str


@dataclass(frozen=True)
class CallEstimate:
    name: str
    per_session: Decimal
    models: tuple[ModelCost, ...]
    tokenizer: str  # of the call's main model (largest share), which the token figures use
    approximate: bool
    system_tokens: int
    context_tokens_mean: Decimal
    input_tokens_mean: Decimal
    input_tokens_p50: int
    input_tokens_p95: int
    output_tokens_mean: Decimal
    cached_prefix_tokens: int
    cost_per_call: Decimal
    cost_per_session: Decimal
    monthly_cost: Decimal
    system_file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Alternative:
    name: str
    kind: str  # "model" (every call on this model) | "scenario"
    cost_per_session: Decimal | None
    monthly_cost: Decimal | None
    error: str | None = None


@dataclass(frozen=True)
class Estimate:
    feature: str
    spec_file: str
    as_of: date
    seed: int
    sessions_per_day: Decimal
    days_per_month: Decimal
    calls: tuple[CallEstimate, ...]
    cost_per_session: Decimal
    cost_per_session_p95: Decimal
    monthly_cost: Decimal
    by_model: tuple[tuple[str, Decimal], ...]
    alternatives: tuple[Alternative, ...]
    budget_monthly_usd: Decimal | None
    approximate: bool
    warnings: tuple[str, ...]
    samples: int

    @property
    def sessions_per_month(self) -> Decimal:
        return self.sessions_per_day * self.days_per_month

    def call(self, name: str) -> CallEstimate:
        return next(c for c in self.calls if c.name == name)
