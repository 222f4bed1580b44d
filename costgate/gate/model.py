"""What the gate decided: per feature and per call, before and after, and the thresholds
crossed. Crossings carry numbers (the limit, the budget, the worst case); the sentences
that explain them are written by the renderers in ``report``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, Mapping, Sequence

from ..estimate.results import CallEstimate, Estimate, Lever, Lifecycle, WorstCase
from ..pricing.diff import TableDiff
from ..repo import Limit

ZERO = Decimal(0)
Level = Literal["fail", "warn"]
ThresholdName = Literal["system_prompt_growth", "tool_definitions_growth", "monthly_cost_increase",
                        "monthly_budget_usd", "worst_case_usd", "new_feature_system_prompt_tokens",
                        "new_feature_monthly_usd", "feature_removed", "retired_model", "deprecated_model",
                        "calibration_drift"]
FeatureStatus = Literal["changed", "unchanged", "added", "removed"]
CallStatus = Literal["added", "removed", "kept"]


@dataclass(frozen=True)
class SettingChange:
    """A call setting the spec reads from the app's own settings file whose value differs
    between base and head: the change behind a crossing, which then points at it."""

    call: str
    field: str
    """The setting within its call (``model``, ``max_tokens``, ...)."""
    file: str
    key: str
    line: int | None
    """Where ``key`` is written in ``file`` at head."""
    before: str
    after: str


@dataclass(frozen=True)
class Crossing:
    level: Level
    threshold: ThresholdName
    feature: str
    call: str | None
    before: Decimal | None
    after: Decimal
    limit: Limit | None = None
    """The growth limit crossed (system_prompt_growth, tool_definitions_growth,
    monthly_cost_increase)."""
    budget: Decimal | None = None
    """The budget crossed (monthly_budget_usd, worst_case_usd)."""
    worst: WorstCase | None = None
    """The worst case behind a worst_case_usd crossing."""
    file: str | None = None
    line: int | None = None
    monthly_increase: Decimal | None = None
    """The feature's monthly cost increase (USD), when the limit has a ``min_monthly_usd``
    floor: what the floor was compared with."""
    below_floor: bool = False
    """The increase is under the limit's floor, so a crossing of the fail thresholds is
    reported as a warning."""
    setting: SettingChange | None = None
    """The app setting whose change the crossing points at (``file``/``line`` are its),
    when the feature binds one that changed."""
    lifecycle: Lifecycle | None = None
    """The model behind a retired_model / deprecated_model crossing, and since when."""

    @property
    def key(self) -> tuple[str, str | None, str]:
        """What a crossing is about: one entry per key in a report."""
        return (self.feature, self.call, self.threshold)


def once(crossings: Sequence[Crossing]) -> tuple[Crossing, ...]:
    """Each (feature, call, threshold) once, at its most severe level, in first-seen
    order: a check that fails is not repeated as a warning (the ``warn:`` thresholds, or
    a floor, may cross it too)."""
    kept: dict[tuple[str, str | None, str], Crossing] = {}
    for c in crossings:
        if c.key not in kept or (c.level == "fail" and kept[c.key].level == "warn"):
            kept[c.key] = c
    return tuple(kept.values())


@dataclass(frozen=True)
class Invocation:
    """The options a gate run was given, as it used them: what the report's footer writes
    out so that running ``costgate diff`` again reproduces the report."""

    base: str
    head: str | None
    """The head ref as given; None: the working tree."""
    as_of: date
    """The price day used (given, or the day of the run)."""
    config: str | None = None
    """``--config`` as a repository-relative path, when given."""
    seed: int | None = None
    """``--seed``, when not the default."""


def system_prompt_pair(before: CallEstimate | None, after: CallEstimate | None) -> tuple[int | None, int | None]:
    """A call's system prompt at base and head as the gate compares it: the static text
    on both sides when both have it computed, else the rendered system text on both (a
    static count is never compared with a rendered one)."""
    if before is not None and after is not None and (before.system_prompt_tokens is None
                                                     or after.system_prompt_tokens is None):
        return before.system_tokens, after.system_tokens
    return (None if before is None else before.static_system_tokens,
            None if after is None else after.static_system_tokens)


@dataclass(frozen=True)
class CallDiff:
    name: str
    before: CallEstimate | None
    after: CallEstimate | None

    @property
    def renamed_from(self) -> str | None:
        """The call's name at base, when the pull request renamed it."""
        if self.before is not None and self.after is not None and self.before.name != self.after.name:
            return self.before.name
        return None

    @property
    def system_prompt_tokens(self) -> tuple[int | None, int | None]:
        """The call's system prompt at base and head, as the gate compares them."""
        return system_prompt_pair(self.before, self.after)

    @property
    def status(self) -> CallStatus:
        return "added" if self.before is None else "removed" if self.after is None else "kept"

    @property
    def monthly_delta(self) -> Decimal:
        return (self.after.monthly_cost if self.after else ZERO) - (self.before.monthly_cost if self.before else ZERO)


@dataclass(frozen=True)
class FeatureDiff:
    feature: str
    spec_file: str
    status: FeatureStatus
    before: Estimate | None
    after: Estimate | None
    calls: tuple[CallDiff, ...]
    crossings: tuple[Crossing, ...]
    base_spec_file: str | None = None
    """Where the feature's spec was at base, when it moved."""

    @property
    def renamed_from(self) -> str | None:
        """The feature's id at base, when the pull request renamed it."""
        if self.before is not None and self.after is not None and self.before.feature != self.after.feature:
            return self.before.feature
        return None

    @property
    def monthly_before(self) -> Decimal:
        return self.before.monthly_cost if self.before else ZERO

    @property
    def monthly_after(self) -> Decimal:
        return self.after.monthly_cost if self.after else ZERO

    @property
    def monthly_delta(self) -> Decimal:
        return self.monthly_after - self.monthly_before

    @property
    def noise(self) -> Decimal:
        """Half-width of the 95% interval of the change that sampling alone explains."""
        se = [e.monthly_cost_se for e in (self.before, self.after) if e is not None]
        return Decimal("1.96") * sum((s * s for s in se), Decimal(0)).sqrt()

    @property
    def within_noise(self) -> bool:
        """A change smaller than what estimating on a sample of inputs alone explains."""
        return self.status == "changed" and self.monthly_delta != 0 and abs(self.monthly_delta) <= self.noise


@dataclass(frozen=True)
class GateResult:
    base: str
    head: str
    as_of: date
    features: tuple[FeatureDiff, ...]
    config_file: str | None = None
    suggestions: Mapping[str, tuple[Lever, ...]] = field(default_factory=dict)
    """Failing feature -> its what-if levers, ranked by saving."""
    config_changed: bool = False
    """The pull request edits the gate's config (which judges it only once merged)."""
    pricing: PricingDiff | None = None
    """Price-layer changes in the pull request, priced but never used to judge it."""
    pricing_error: str | None = None
    """Why the pull request's own price layers could not be read, when they could not."""
    invocation: Invocation | None = None
    """How the run was asked for (None: a result built by hand, reproduced from
    ``base``, ``head`` and ``as_of``)."""
    base_commit: str | None = None
    """The commit ``base`` resolved to (None: a result built by hand)."""
    head_commit: str | None = None
    """The commit ``head`` resolved to; for the work tree, its HEAD commit."""
    head_uncommitted: bool = False
    """Head is the work tree and it differs from ``head_commit`` (uncommitted changes)."""

    @property
    def crossings(self) -> tuple[Crossing, ...]:
        """Every crossing, each (feature, call, threshold) once at its most severe level."""
        return once([c for f in self.features for c in f.crossings])

    @property
    def failures(self) -> tuple[Crossing, ...]:
        return tuple(c for c in self.crossings if c.level == "fail")

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def changed(self) -> bool:
        return any(f.status != "unchanged" for f in self.features)

    @property
    def monthly_before(self) -> Decimal:
        return sum((f.monthly_before for f in self.features), ZERO)

    @property
    def monthly_after(self) -> Decimal:
        return sum((f.monthly_after for f in self.features), ZERO)

    @property
    def monthly_delta(self) -> Decimal:
        return self.monthly_after - self.monthly_before


@dataclass(frozen=True)
class SpecImpact:
    """A gated spec's projected monthly cost on the base table and on the head table."""

    feature: str
    spec_file: str
    models: tuple[str, ...]
    before: Decimal | None
    after: Decimal | None
    error: str | None = None

    @property
    def delta(self) -> Decimal | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True)
class PricingDiff:
    base: str
    head: str
    as_of: date
    table: TableDiff
    impacts: tuple[SpecImpact, ...]

    @property
    def monthly_before(self) -> Decimal:
        return sum((i.before for i in self.impacts if i.before is not None and i.after is not None), ZERO)

    @property
    def monthly_after(self) -> Decimal:
        return sum((i.after for i in self.impacts if i.before is not None and i.after is not None), ZERO)
