"""Comparing one feature's estimates at base and head: whether anything it reports
changed, and which thresholds the change crosses. Numbers in, numbers out."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Sequence

from ..estimate.growth import worst_case
from ..estimate.results import CALL_PRECISION, MONTHLY_PRECISION, TOKEN_MEAN_PRECISION, CallEstimate, Estimate, reported
from ..pricing import PriceTable
from ..repo import Config, Limit, Thresholds
from ..spec import Spec
from .identity import match_calls
from .model import CallDiff, Crossing, FeatureDiff, FeatureStatus, Level

ZERO = Decimal(0)


def crossed(limit: Limit, before: Decimal, after: Decimal) -> bool:
    """Growth beyond either the percentage or the absolute amount; decreases never cross."""
    growth = after - before
    if growth <= 0:
        return False
    if limit.amount is not None and growth > limit.amount:
        return True
    if limit.percent is not None:
        if before == 0:
            return True
        return growth * 100 / before > limit.percent
    return False


_q = reported


def _call_key(c: CallEstimate) -> tuple:
    return (c.name, c.per_session, c.tokenizer, c.approximate, c.system_tokens,
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
    return (e.feature, e.as_of, e.seed, e.samples, e.approximate, e.sessions_per_day, e.days_per_month, money,
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
        worst = worst_case(head[0], after, head[1], after.as_of) if head is not None else None
        if worst is not None and worst.over_budget:
            crossings.append(Crossing("fail", "worst_case_usd", feature, None, None, worst.monthly,
                                      budget=worst.budget, worst=worst, file=after.spec_file, line=1))
    if after is None and before is not None:
        crossings.append(Crossing("warn", "feature_removed", feature, None, before.monthly_cost, ZERO,
                                  file=before.spec_file, line=1))
    crossings = [replace(c, feature=feature) for c in crossings]
    base_file = before.spec_file if before and after and before.spec_file != after.spec_file else None
    return FeatureDiff(feature, spec_file, status, before, after, calls, tuple(crossings), base_file)


def _new_feature_crossings(level: Level, feature: str, after: Estimate, t: Thresholds) -> list[Crossing]:
    """A feature the pull request adds has no base to grow from: absolute limits."""
    out: list[Crossing] = []
    cap = t.new_feature_system_prompt_tokens
    for c in after.calls if cap is not None else ():
        if c.system_tokens > cap:  # type: ignore[operator]
            in_spec = c.system_file == after.spec_file
            out.append(Crossing(level, "new_feature_system_prompt_tokens", feature, c.name, None,
                                Decimal(c.system_tokens), budget=cap, file=c.system_file or after.spec_file,
                                line=c.line if in_spec else 1))
    usd = t.new_feature_monthly_usd
    if usd is not None and after.monthly_cost > usd:
        out.append(Crossing(level, "new_feature_monthly_usd", feature, None, None, after.monthly_cost, budget=usd,
                            file=after.spec_file, line=1))
    return out


def feature_crossings(level: Level, feature: str, before: Estimate | None, after: Estimate, t: Thresholds,
                      cfg: Config, calls: Sequence[CallDiff]) -> list[Crossing]:
    out: list[Crossing] = []
    for cd in calls:
        if cd.before is None or cd.after is None:
            continue
        limit = (cfg.for_call(feature, cd.before.name) if level == "fail" else t).system_prompt_growth
        b, a = Decimal(cd.before.system_tokens), Decimal(cd.after.system_tokens)
        if limit and crossed(limit, b, a):
            in_spec = cd.after.system_file == after.spec_file
            out.append(Crossing(level, "system_prompt_growth", feature, cd.name, b, a, limit=limit,
                                file=cd.after.system_file or after.spec_file,
                                line=cd.after.line if in_spec else 1))
    if before is None:
        out += _new_feature_crossings(level, feature, after, t)
    lim = t.monthly_cost_increase
    if before is not None and lim and crossed(lim, before.monthly_cost, after.monthly_cost):
        out.append(Crossing(level, "monthly_cost_increase", feature, None, before.monthly_cost, after.monthly_cost,
                            limit=lim, file=after.spec_file, line=1))
    budget = t.monthly_budget_usd
    if budget is None and level == "fail":
        budget = after.budget_monthly_usd
    grew = before is None or after.monthly_cost > before.monthly_cost  # decreases never fail
    if budget is not None and after.monthly_cost > budget and grew:
        out.append(Crossing(level, "monthly_budget_usd", feature, None,
                            None if before is None else before.monthly_cost, after.monthly_cost, budget=budget,
                            file=after.spec_file, line=1))
    return out
