"""Comparing one feature's estimates at base and head: whether anything it reports
changed, and which thresholds the change crosses. Numbers in, numbers out."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Literal, Sequence

from ..errors import CostgateError
from ..estimate.growth import worst_case
from ..estimate.results import (
    CALL_PRECISION,
    MONTHLY_PRECISION,
    TOKEN_MEAN_PRECISION,
    CallEstimate,
    Estimate,
    apportioned,
    reported,
)
from ..pricing import PriceTable
from ..repo import Config, Limit, Thresholds
from ..spec import Spec
from .identity import match_calls
from .model import (
    CallDiff,
    Crossing,
    FeatureDiff,
    FeatureStatus,
    Level,
    SettingChange,
    ThresholdName,
    once,
    system_prompt_pair,
)

ZERO = Decimal(0)


def crossed(limit: Limit, before: Decimal, after: Decimal) -> bool:
    """Growth beyond the percentage or the absolute amount (``mode: any``), or beyond
    both (``mode: all``), of the ones the limit sets; decreases never cross. Growth from
    zero exceeds any percentage."""
    growth = after - before
    if growth <= 0:
        return False
    tests = []
    if limit.amount is not None:
        tests.append(growth > limit.amount)
    if limit.percent is not None:
        tests.append(before == 0 or growth * 100 / before > limit.percent)
    if not tests:
        return False
    return all(tests) if limit.mode == "all" else any(tests)


def below_floor(limit: Limit, before: Estimate, after: Estimate) -> bool:
    """The feature's monthly cost rose by less than the limit's ``min_monthly_usd``
    (compared as the report shows the change: displayed after minus displayed before):
    its growth only warns."""
    if limit.min_monthly_usd is None:
        return False
    return monthly_increase(before, after) < limit.min_monthly_usd


def monthly_increase(before: Estimate, after: Estimate) -> Decimal:
    """The feature's monthly cost change as reported: the difference of the displayed
    figures (cents), so before, after and change add up on the page."""
    return reported(after.monthly_cost, MONTHLY_PRECISION) - reported(before.monthly_cost, MONTHLY_PRECISION)


_q = reported


def _call_key(c: CallEstimate) -> tuple:
    return (c.name, c.per_session, c.tokenizer, c.approximate, c.system_tokens, c.system_prompt_tokens, c.tool_tokens,
            _q(c.context_tokens_mean, TOKEN_MEAN_PRECISION), _q(c.input_tokens_mean, TOKEN_MEAN_PRECISION),
            c.input_tokens_p50, c.input_tokens_p95, _q(c.output_tokens_mean, TOKEN_MEAN_PRECISION),
            c.cached_prefix_tokens, _q(c.cost_per_call, CALL_PRECISION), _q(c.cost_per_session, CALL_PRECISION),
            _q(c.monthly_cost, MONTHLY_PRECISION),
            tuple((m.model, m.share, m.tokenizer, m.approximate, _q(m.input_tokens_mean, TOKEN_MEAN_PRECISION),
                   _q(m.cost_per_call, CALL_PRECISION), _q(m.monthly_cost, MONTHLY_PRECISION)) for m in c.models))


def fingerprint(e: Estimate) -> tuple:
    """Every number an estimate reports, at the precision it is reported: equal
    fingerprints mean the feature's report did not change (the spec's path aside)."""
    money = (_q(e.cost_per_session, CALL_PRECISION), _q(e.cost_per_session_p95, CALL_PRECISION),
             _q(e.monthly_cost, MONTHLY_PRECISION),
             None if e.budget_monthly_usd is None else _q(e.budget_monthly_usd, MONTHLY_PRECISION))
    alternatives = tuple((a.name, a.kind, None if a.monthly_cost is None else _q(a.monthly_cost, MONTHLY_PRECISION),
                          None if a.cost_per_session is None else _q(a.cost_per_session, CALL_PRECISION), a.error)
                         for a in e.alternatives)
    # Parts of a total are displayed apportioned (report.money.apportion): which part
    # carries a cent depends on the remainders, so the displayed parts are compared too.
    calls = apportioned([c.monthly_cost for c in e.calls], MONTHLY_PRECISION)
    parts = (tuple(calls), tuple(apportioned([c.cost_per_session for c in e.calls], CALL_PRECISION)),
             tuple(apportioned([v for _, v in e.by_model], MONTHLY_PRECISION)),
             tuple(tuple(apportioned([m.monthly_cost for m in c.models], MONTHLY_PRECISION, shown))
                   for c, shown in zip(e.calls, calls)))
    return (e.feature, e.as_of, e.seed, e.samples, e.approximate, e.sessions_per_day, e.days_per_month, money, parts,
            tuple(_call_key(c) for c in e.calls),
            tuple((m.model, _q(m.monthly_cost, MONTHLY_PRECISION)) for m in e.by_model),
            alternatives, e.warnings)


def compare_feature(feature: str, before: Estimate | None, after: Estimate | None, cfg: Config,
                    head: tuple[Spec, PriceTable] | None = None) -> FeatureDiff:
    """One feature at base (``before``) and head (``after``), judged by ``cfg`` under its
    id at base (the config that judges it knows that name)."""
    spec_file = (after or before).spec_file  # type: ignore[union-attr]
    status: FeatureStatus
    if before is None:
        status = "added"
    elif after is None:
        status = "removed"
    else:
        status = "unchanged" if fingerprint(before) == fingerprint(after) else "changed"
    files = (before.spec_file if before else "", after.spec_file if after else "")
    calls = tuple(CallDiff(p.after.name if p.after else p.before.name, p.before, p.after)  # type: ignore[union-attr]
                  for p in match_calls(before.calls if before else (), after.calls if after else (), files))
    judged = before.feature if before else feature
    crossings: list[Crossing] = []
    if after is not None and status in ("changed", "added"):
        levels: tuple[tuple[Level, Thresholds], ...] = (
            ("fail", cfg.for_feature(judged)), ("warn", cfg.for_feature(judged, warn=True)))
        for level, thresholds in levels:
            crossings += feature_crossings(level, judged, before, after, thresholds, cfg, calls)
        crossings += lifecycle_crossings(feature, before, after, cfg.for_feature(judged), head)
        worst = worst_case(head[0], after, head[1], after.as_of) if head is not None else None
        if worst is not None and worst.over_budget:
            crossings.append(Crossing("fail", "worst_case_usd", feature, None, None, worst.monthly,
                                      budget=worst.budget, worst=worst, file=after.spec_file, line=1))
    if after is None and before is not None:
        crossings.append(Crossing("warn", "feature_removed", feature, None, before.monthly_cost, ZERO,
                                  file=before.spec_file, line=1))
    setting = changed_setting(calls)
    final = once([replace(c, feature=feature) if setting is None or c.threshold not in FEATURE_COSTS
                  else replace(c, feature=feature, file=setting.file, line=setting.line, setting=setting)
                  for c in crossings])
    base_file = before.spec_file if before and after and before.spec_file != after.spec_file else None
    return FeatureDiff(feature, spec_file, status, before, after, calls, final, base_file)


def lifecycle_crossings(feature: str, before: Estimate | None, after: Estimate, t: Thresholds,
                        head: tuple[Spec, PriceTable] | None) -> list[Crossing]:
    """A model the head uses that is retired (fail) or deprecated (warning) on the price
    day, when the base did not use it so (or the feature is new): the pull request moves
    the feature onto it. A model already retired at base is reported, not failed again."""
    known = set(before.warnings) if before is not None else set()
    out: list[Crossing] = []
    for w in after.warnings:
        threshold: ThresholdName = "retired_model" if w.status == "retired" else "deprecated_model"
        if w in known or getattr(t, threshold) is False:
            continue
        call, file, line = _model_at(w.model, after, head)
        out.append(Crossing("fail" if w.status == "retired" else "warn", threshold, feature, call, None,
                            after.monthly_cost, file=file, line=line, lifecycle=w))
    return out


def _model_at(model: str, after: Estimate, head: tuple[Spec, PriceTable] | None) -> tuple[str | None, str, int]:
    """The first call that names ``model`` (by id or alias) at head, and where: the app's
    settings line when the call's model is bound to it, else the spec's model line."""
    if head is not None:
        spec, table = head
        for call in spec.calls:
            for name in call.models:
                try:
                    found = table.model(name, as_of=after.as_of).id
                except CostgateError:  # the estimate priced every name; defensive only
                    continue
                if found == model:
                    bound = call.binding("model")
                    if bound is not None and bound.value == name and bound.file:
                        return call.name, bound.file, bound.line or 1
                    return call.name, after.spec_file, call.model_line(name) or 1
    return None, after.spec_file, 1


FEATURE_COSTS = ("monthly_cost_increase", "monthly_budget_usd", "worst_case_usd")
"""The crossings of a feature's cost: when a bound app setting changed, they point at it."""


def changed_setting(calls: Sequence[CallDiff]) -> SettingChange | None:
    """The first setting (calls in order, then the call's bindings in spec order) bound
    on both sides whose value differs between base and head: a change in the app's own
    config, which is then where the feature's cost crossings point."""
    for cd in calls:
        if cd.before is None or cd.after is None:
            continue
        base = {b.field: b.value for b in cd.before.bindings}
        for b in cd.after.bindings:
            if b.field in base and base[b.field] != b.value:
                return SettingChange(cd.name, b.field, b.file, b.key, b.line, base[b.field], b.value)
    return None


def _new_feature_crossings(level: Level, feature: str, after: Estimate, t: Thresholds) -> list[Crossing]:
    """A feature the pull request adds has no base to grow from: absolute limits."""
    out: list[Crossing] = []
    cap = t.new_feature_system_prompt_tokens
    for c in after.calls if cap is not None else ():
        if c.static_system_tokens > cap:  # type: ignore[operator]
            in_spec = c.system_file == after.spec_file
            out.append(Crossing(level, "new_feature_system_prompt_tokens", feature, c.name, None,
                                Decimal(c.static_system_tokens), budget=cap, file=c.system_file or after.spec_file,
                                line=c.line if in_spec else c.system_line or 1))
    usd = t.new_feature_monthly_usd
    if usd is not None and after.monthly_cost > usd:
        out.append(Crossing(level, "new_feature_monthly_usd", feature, None, None, after.monthly_cost, budget=usd,
                            file=after.spec_file, line=1))
    return out


CallGrowth = Literal["system_prompt_growth", "tool_definitions_growth"]


def _call_sizes(name: CallGrowth, before: CallEstimate, after: CallEstimate) -> tuple[Decimal, Decimal]:
    if name == "tool_definitions_growth":
        return Decimal(before.tool_tokens), Decimal(after.tool_tokens)
    b, a = system_prompt_pair(before, after)
    return Decimal(b or 0), Decimal(a or 0)


def _growth(level: Level, threshold: ThresholdName, limit: Limit | None, sides: tuple[Estimate, Estimate],
            sizes: tuple[Decimal, Decimal], call: str | None, file: str, line: int | None) -> Crossing | None:
    """A growth limit's crossing when ``sizes`` (base, head) cross it; a failing one is a
    warning when the feature's monthly cost rose by less than the limit's floor."""
    (before, after), (b, a) = sides, sizes
    if limit is None or not crossed(limit, b, a):
        return None
    floored = below_floor(limit, before, after)
    increase = None if limit.min_monthly_usd is None else monthly_increase(before, after)
    return Crossing("warn" if floored else level, threshold, after.feature, call, b, a, limit=limit,
                    monthly_increase=increase, below_floor=floored, file=file, line=line)


def _call_crossings(level: Level, feature: str, before: Estimate, after: Estimate, t: Thresholds, cfg: Config,
                    calls: Sequence[CallDiff]) -> list[Crossing]:
    """The per-call growth limits (system prompt, tool definitions) of calls on both sides."""
    out: list[Crossing] = []
    growth: tuple[CallGrowth, ...] = ("system_prompt_growth", "tool_definitions_growth")
    for cd in calls:
        if cd.before is None or cd.after is None:
            continue
        limits = cfg.for_call(feature, cd.before.name) if level == "fail" else t
        for name in growth:
            b, a = _call_sizes(name, cd.before, cd.after)
            in_spec = name == "tool_definitions_growth" or cd.after.system_file == after.spec_file
            file = after.spec_file if name == "tool_definitions_growth" else cd.after.system_file or after.spec_file
            c = _growth(level, name, getattr(limits, name), (before, after), (b, a), cd.name, file,
                        cd.after.line if in_spec else cd.after.system_line or 1)
            if c is not None:
                out.append(c)
    return out


def feature_crossings(level: Level, feature: str, before: Estimate | None, after: Estimate, t: Thresholds,
                      cfg: Config, calls: Sequence[CallDiff]) -> list[Crossing]:
    out: list[Crossing] = []
    if before is None:
        out += _new_feature_crossings(level, feature, after, t)
    else:
        out += _call_crossings(level, feature, before, after, t, cfg, calls)
        c = _growth(level, "monthly_cost_increase", t.monthly_cost_increase, (before, after),
                    (before.monthly_cost, after.monthly_cost), None, after.spec_file, 1)
        if c is not None:
            out.append(c)
    drift = calibration_drift(level, feature, before, after, t)
    if drift is not None:
        out.append(drift)
    budget = t.monthly_budget_usd
    if budget is None and level == "fail":
        budget = after.budget_monthly_usd
    grew = before is None or after.monthly_cost > before.monthly_cost  # decreases never fail
    if budget is not None and after.monthly_cost > budget and grew:
        out.append(Crossing(level, "monthly_budget_usd", feature, None,
                            None if before is None else before.monthly_cost, after.monthly_cost, budget=budget,
                            file=after.spec_file, line=1))
    return out


def calibration_drift(level: Level, feature: str, before: Estimate | None, after: Estimate,
                      t: Thresholds) -> Crossing | None:
    """A calibrated spec whose projection moved more than ``calibration_drift`` percent
    (either way) from the projection its calibration recorded: the measured values no
    longer describe what the spec projects, so it is time to calibrate again. Compared
    at the reported precision (cents).

    The reference is the base's calibration when the base has one: a pull request that
    rewrites ``projected_monthly_usd`` beside a change of the spec must not move the mark
    it is judged by (the base is the authority). A calibration the pull request adds is
    its own reference, and dropping the spec's ``calibration:`` key does not end the check."""
    cal = after.calibration
    if before is not None and before.calibration is not None and before.calibration.projected_monthly_usd is not None:
        cal = before.calibration  # also when the pull request drops its spec's calibration: key
    if t.calibration_drift is None or cal is None or cal.projected_monthly_usd is None:
        return None
    ref = reported(cal.projected_monthly_usd, MONTHLY_PRECISION)
    now = reported(after.monthly_cost, MONTHLY_PRECISION)
    moved = abs(now - ref)
    if not (moved * 100 > t.calibration_drift * ref if ref else moved > 0):
        return None
    return Crossing(level, "calibration_drift", feature, None, ref, now, budget=t.calibration_drift, file=cal.file,
                    line=1)
