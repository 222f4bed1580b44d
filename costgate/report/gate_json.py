"""The gate's report as stable JSON (``costgate diff --format json``; docs/json.md)."""

from __future__ import annotations

import json
from decimal import Decimal

from ..estimate.results import Estimate
from ..gate.model import CallDiff, Crossing, FeatureDiff, GateResult
from .crossings import crossing_message, limit_text, setting_note
from .estimate import warning_text
from .money import change, difference, fixed, parts, percent, plain_number, total, usd, usd_small
from .pricing_diff import pricing_dict

SCHEMA_VERSION = 1
ZERO = Decimal(0)


def totals(result: GateResult) -> tuple[Decimal, Decimal]:
    """The gate's total monthly spend before and after as displayed: the sums of the
    features' displayed totals (``money.total``), so the feature rows add up to it."""
    return (total([f.monthly_before for f in result.features]), total([f.monthly_after for f in result.features]))


def shown(e: Estimate | None) -> dict[str, tuple[Decimal, Decimal]]:
    """Each call's displayed monthly cost and cost per session, apportioned to its
    feature's displayed totals as in the estimate report (by call name)."""
    if e is None:
        return {}
    p = parts(e)
    return {c.name: (m, s) for c, m, s in zip(e.calls, p.call_monthly, p.call_session)}


def changed_features(result: GateResult) -> list[FeatureDiff]:
    """The features whose monthly cost changed, in report order (the headline names them)."""
    return [f for f in result.features if f.status != "unchanged" and f.monthly_after != f.monthly_before]


def headline_json(result: GateResult) -> dict:
    """The headline's two numbers, each named: the total over all features, and each
    changed feature's own (``headline`` in docs/json.md)."""
    before, after = totals(result)
    return {
        "total": {"scope": "total", "features": len(result.features), "monthly_cost_before_usd": usd(before),
                  "monthly_cost_after_usd": usd(after), "monthly_delta_usd": usd(after - before),
                  "monthly_delta_percent": percent(result.monthly_delta, result.monthly_before),
                  "text": f"total monthly cost {change(before, after)}"},
        "by_feature": [{"scope": "feature", "feature": f.feature,
                        "monthly_delta_usd": usd(difference(f.monthly_before, f.monthly_after)),
                        "monthly_delta_percent": percent(f.monthly_delta, f.monthly_before),
                        "text": f"{f.feature} {change(f.monthly_before, f.monthly_after)}"}
                       for f in changed_features(result)],
    }


def _call_json(c: CallDiff, before: dict[str, tuple[Decimal, Decimal]], after: dict[str, tuple[Decimal, Decimal]]) -> dict:
    b, a = c.before, c.after
    bm, bs = before[b.name] if b else (None, None)
    am, as_ = after[a.name] if a else (None, None)
    return {
        "name": c.name, "status": c.status, "renamed_from": c.renamed_from,
        "system_prompt_tokens_before": c.system_prompt_tokens[0],
        "system_prompt_tokens_after": c.system_prompt_tokens[1],
        "tool_tokens_before": b.tool_tokens if b else None,
        "tool_tokens_after": a.tool_tokens if a else None,
        "input_tokens_mean_before": None if b is None else fixed(b.input_tokens_mean, 1),
        "input_tokens_mean_after": None if a is None else fixed(a.input_tokens_mean, 1),
        "cost_per_session_before_usd": None if bs is None else usd_small(bs),
        "cost_per_session_after_usd": None if as_ is None else usd_small(as_),
        "monthly_cost_before_usd": None if bm is None else usd(bm),
        "monthly_cost_after_usd": None if am is None else usd(am),
        "monthly_delta_usd": usd((am or ZERO) - (bm or ZERO)),
    }


def _setting_json(c: Crossing) -> dict | None:
    s = c.setting
    return None if s is None else {"call": s.call, "field": s.field, "file": s.file, "key": s.key, "line": s.line,
                                   "before": s.before, "after": s.after}


def to_json(result: GateResult) -> str:
    before, after = totals(result)
    doc = {
        "schema_version": SCHEMA_VERSION, "kind": "diff", "base": result.base, "head": result.head,
        "base_commit": result.base_commit, "head_commit": result.head_commit,
        "head_uncommitted": result.head_uncommitted,
        "as_of": result.as_of.isoformat(), "passed": result.passed, "changed": result.changed,
        "config": result.config_file,
        "config_changed": result.config_changed,
        "pricing": None if result.pricing is None else pricing_dict(result.pricing),
        "pricing_error": result.pricing_error,
        "monthly_cost_before_usd": usd(before), "monthly_cost_after_usd": usd(after),
        "monthly_delta_usd": usd(after - before),
        "monthly_delta_percent": percent(result.monthly_delta, result.monthly_before),
        "headline": headline_json(result),
        "features": [
            {
                "feature": f.feature, "spec": f.spec_file, "status": f.status,
                "renamed_from": f.renamed_from, "base_spec": f.base_spec_file,
                "within_noise": f.within_noise, "noise_usd": usd(f.noise),
                "cost_per_session_before_usd": None if f.before is None else usd_small(f.before.cost_per_session),
                "cost_per_session_after_usd": None if f.after is None else usd_small(f.after.cost_per_session),
                "monthly_cost_before_usd": None if f.before is None else usd(f.before.monthly_cost),
                "monthly_cost_after_usd": None if f.after is None else usd(f.after.monthly_cost),
                "monthly_delta_usd": usd(difference(f.monthly_before, f.monthly_after)),
                "monthly_delta_percent": percent(f.monthly_delta, f.monthly_before),
                "calls": [_call_json(c, shown(f.before), shown(f.after)) for c in f.calls],
                "warnings": [warning_text(w) for w in (f.after.warnings if f.after else ())],
            }
            for f in result.features
        ],
        "crossings": [
            {"level": c.level, "threshold": c.threshold, "feature": c.feature, "call": c.call,
             "before": None if c.before is None else plain_number(c.before), "after": plain_number(c.after), "limit": limit_text(c),
             "message": crossing_message(c) + setting_note(c), "file": c.file, "line": c.line,
             "setting": _setting_json(c), "below_floor": c.below_floor,
             "monthly_increase_usd": None if c.monthly_increase is None else usd(c.monthly_increase)}
            for c in result.crossings
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


__all__ = ["to_json", "totals", "shown", "SCHEMA_VERSION"]
