"""What an estimate is: plain frozen records the reports, the gate and a Python user read.

Money fields are exact ``Decimal`` USD; token means are ``Decimal``; nothing is rounded
here (display rounding lives in ``report.money``). This is the one result model: every
renderer and the gate read these records and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from typing import Literal, NamedTuple, Sequence

from ..spec.model import Calibration

# The precision results are reported at: report.money rounds to these for display, and the
# gate compares at these to decide whether a feature changed.
MONTHLY_PRECISION = Decimal("0.01")
CALL_PRECISION = Decimal("0.000001")
TOKEN_MEAN_PRECISION = Decimal("0.1")
_WIDE = Context(prec=80)  # rounding never fails, however large the number


def reported(value: Decimal, quantum: Decimal) -> Decimal:
    """``value`` at a reported precision, half up: the one rounding rule (reports show
    it, the gate compares at it)."""
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=_WIDE)


def apportioned(parts: Sequence[Decimal], quantum: Decimal, total: Decimal | None = None) -> list[Decimal]:
    """``parts`` at ``quantum`` so that they add up to ``total`` (default: the parts' sum
    rounded half up): largest remainder (Hamilton). Every part is first rounded down;
    the units still missing go one each to the parts with the largest remainders, ties to
    the earlier part. Each result is its value rounded down or up, so within one unit of
    its own rounding; when the half-up roundings of parts >= 0 already add up, they are
    the result.
    ``total`` must lie between the parts' sum rounded down and up (an apportioned
    display of that sum). Exact; ``report.money.apportion`` is this rule for display."""
    floors = [p.quantize(quantum, rounding=ROUND_FLOOR, context=_WIDE) for p in parts]
    exact = _sum(parts)
    target = reported(exact, quantum) if total is None else total
    missing = int(_WIDE.divide(_WIDE.subtract(target, _sum(floors)), quantum))
    # Parts with a remainder, largest remainder first, ties in order.
    rest = sorted((i for i, (p, f) in enumerate(zip(parts, floors)) if p != f), key=lambda i: (floors[i] - parts[i], i))
    if not 0 <= missing <= len(rest):
        raise ValueError(f"{target} is not an apportionable total of parts summing to {exact}")
    for i in rest[:missing]:
        floors[i] += quantum
    return floors


def _sum(values: Sequence[Decimal]) -> Decimal:
    total = Decimal(0)
    for v in values:
        total = _WIDE.add(total, v)
    return total

@dataclass(frozen=True)
class TokenizerError:
    """The measured error of an approximate tokenizer family (pricing ``tokenizers:`` ``error:``):
    the median and 95th-percentile relative error of a text's count, as fractions (0.22 is 22%)."""

    p50_error: Decimal
    p95_error: Decimal
    source: str
    """Where the figures come from: the family's ``source`` in the price table."""


AlternativeKind = Literal["model", "scenario"]
LeverKind = Literal["prompt_caching", "route", "history_window", "batch", "compress_system", "history_caching",
                    "tool_pruning", "step_cap"]


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
    approximate_parts: tuple[str, ...] = ()
    """What makes the figures approximate: "tokenizer" (a ratio over another vocabulary),
    "tools" (an unpublished tool-definition rule), "images" (an approximate image formula)."""
    approximation: TokenizerError | None = None
    """The approximate tokenizer's measured error; None when the count is exact or the family
    has no measured error."""


@dataclass(frozen=True)
class BoundValue:
    """A call setting the spec reads from the app's own settings file, and the value it
    read: what the gate points at when that value changes between base and head."""

    field: str
    """The setting within its call (``model``, ``mix.gpt-4o``, ``max_tokens``, ...)."""
    file: str
    key: str
    line: int | None
    """Where ``key`` is written in ``file``."""
    value: str
    """The value read, as text (``"gpt-4o"``, ``"800"``, ``"true"``)."""


@dataclass(frozen=True)
class CallEstimate:
    name: str
    per_session: Decimal
    models: tuple[ModelCost, ...]
    tokenizer: str
    """Of the call's main model (largest share), which the token figures use."""
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
    system_line: int | None = None
    """Line of ``system_file`` where the system prompt's text starts (a template file: 1;
    a prompt under a key, a Python constant or a .prompty section: its line there), so
    the gate points at the line an author edits."""
    tool_tokens: int = 0
    """Tokens of the call's tool definitions as billed with every request (0: no tools).
    A field of its own because tools are resent on every request like the system prompt,
    yet no prompt author sees them in the system template."""
    system_prompt_tokens: int | None = None
    """Tokens of the system template's static text: the prompt as written, sample data
    left out. None means not computed; ``static_system_tokens`` then falls back to
    ``system_tokens``. The gate's system-prompt thresholds compare this, so sample data
    substituted into the system message (input, which the cost thresholds catch) does
    not read as prompt growth."""

    reasoning_tokens_mean: Decimal = Decimal(0)
    """Hidden reasoning tokens per request on the call's main model (billed as output)."""
    bindings: tuple[BoundValue, ...] = ()
    """The call's settings read from the app's settings files (``Call.bindings``)."""

    @property
    def static_system_tokens(self) -> int:
        """The system prompt as written: ``system_prompt_tokens`` when computed, else the
        rendered ``system_tokens``."""
        return self.system_tokens if self.system_prompt_tokens is None else self.system_prompt_tokens


@dataclass(frozen=True)
class Alternative:
    name: str
    kind: AlternativeKind
    """"model": every call on this model; "scenario": a declared scenario."""
    cost_per_session: Decimal | None
    monthly_cost: Decimal | None
    error: str | None = None


@dataclass(frozen=True)
class Lifecycle:
    """A model of the spec that is on its way out on the estimate's day."""

    model: str
    status: Literal["retired", "deprecated"]
    since: date


class ModelSpend(NamedTuple):
    """A model's monthly spend across every call of a feature."""

    model: str
    monthly_cost: Decimal


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
    by_model: tuple[ModelSpend, ...]
    alternatives: tuple[Alternative, ...]
    budget_monthly_usd: Decimal | None
    approximate: bool
    warnings: tuple[Lifecycle, ...]
    samples: int
    samples_total: int = 0
    """Rows in the samples file; more than ``samples`` when a uniform sample was used."""
    monthly_cost_se: Decimal = Decimal(0)
    """Standard error of ``monthly_cost`` from estimating on a sample of inputs."""
    calibration: Calibration | None = None
    """The spec's calibration (measured values that replaced declared ones), if any."""

    @property
    def monthly_cost_ci95(self) -> tuple[Decimal, Decimal]:
        """The 95% interval of the monthly mean (normal approximation, never below zero)."""
        half = self.monthly_cost_se * Decimal("1.96")
        return max(Decimal(0), self.monthly_cost - half), self.monthly_cost + half

    @property
    def sessions_per_month(self) -> Decimal:
        return self.sessions_per_day * self.days_per_month

    def call(self, name: str) -> CallEstimate:
        return next(c for c in self.calls if c.name == name)


@dataclass(frozen=True)
class Projection:
    growth_per_month: Decimal
    months: tuple[Decimal, ...]
    """Monthly spend; month 1 is the current projection."""
    budget: Decimal | None
    budget_month: int | None
    """First month (1-based) whose spend exceeds the budget."""


@dataclass(frozen=True)
class UserTails:
    users: int
    sessions_per_user: Decimal
    """Mean sessions per user per month."""
    median: Decimal
    p95: Decimal
    top1: Decimal
    """The user at the 99th percentile of usage."""


@dataclass(frozen=True)
class WorstCase:
    calls_per_user_per_day: Decimal
    cost_per_call: Decimal
    monthly: Decimal
    budget: Decimal | None

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.monthly > self.budget


@dataclass(frozen=True)
class Lever:
    lever: LeverKind
    call: str
    description: str
    monthly_cost: Decimal
    saving: Decimal
    """Positive: cheaper than the spec as declared."""
    saving_percent: Decimal
    trade_off: str
    removes: str | None = None
    """For an edit of prompt text (compress_system): what it removes, in words, with the
    template file's line numbers; None for levers that edit no text."""
    tokens_saved: int | None = None
    """For an edit of prompt text: system-prompt tokens fewer per request (the largest
    rendering, as ``CallEstimate.system_tokens``); None for levers that edit no text."""


@dataclass(frozen=True)
class Extras:
    """What comes after the estimate: growth, budget runway, user tails, worst case and,
    on request, the ranked what-if levers."""

    projection: Projection | None = None
    tails: UserTails | None = None
    worst: WorstCase | None = None
    levers: tuple[Lever, ...] | None = None


@dataclass(frozen=True)
class Analysis:
    """One feature's estimate and what comes after it: what every renderer takes."""

    estimate: Estimate
    extras: Extras = Extras()
