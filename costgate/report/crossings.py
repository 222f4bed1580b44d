"""Crossed thresholds and what-if levers in words: the sentences the comment, the table,
the JSON ``message`` field and the annotations share."""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from ..estimate.results import Lever
from ..gate.model import Crossing
from ..repo import Limit
from .money import dollars, fixed, number, percent


def describe_limit(limit: Limit, unit: str) -> str:
    """'10% or 200 tokens', '20% or $500'."""
    parts = []
    if limit.percent is not None:
        parts.append(f"{limit.percent}%")
    if limit.amount is not None:
        parts.append(f"${limit.amount}" if unit == "usd" else f"{limit.amount} tokens")
    return " or ".join(parts)


def limit_text(c: Crossing) -> str:
    """The limit a crossing crossed, as the JSON ``limit`` field shows it."""
    if c.threshold == "new_feature_system_prompt_tokens" and c.budget is not None:
        return f"{number(c.budget)} tokens"
    if c.threshold == "feature_removed":
        return ""
    if c.limit is not None:
        return describe_limit(c.limit, "tokens" if c.threshold == "system_prompt_growth" else "usd")
    return dollars(c.budget) if c.budget is not None else ""


def _growth(before: Decimal, after: Decimal) -> str:
    d = after - before
    pct = percent(d, before)
    return f"{'+' if d >= 0 else ''}{number(d)}" + (f", {'+' if d >= 0 else ''}{pct}%" if pct else "")


def crossing_message(c: Crossing) -> str:
    """One sentence: what grew, from what to what, over which limit."""
    f, b, a = c.feature, c.before or Decimal(0), c.after
    if c.threshold == "system_prompt_growth":
        return (f"system prompt of {f}/{c.call} grew from {number(b)} to {number(a)} tokens "
                f"({_growth(b, a)}), over the {limit_text(c)} limit")
    if c.threshold == "monthly_cost_increase":
        d = a - b
        return (f"projected monthly cost of {f} rose from {dollars(b)} to {dollars(a)} "
                f"(+{dollars(d)}, +{percent(d, b) or 'inf'}%), over the {limit_text(c)} limit")
    if c.threshold == "new_feature_system_prompt_tokens":
        return (f"system prompt of new feature {f}/{c.call} is {number(a)} tokens, over the {limit_text(c)} "
                "allowed for a new feature")
    if c.threshold == "new_feature_monthly_usd":
        return f"new feature {f} is projected at {dollars(a)}/month, over the {limit_text(c)} allowed for a new feature"
    if c.threshold == "feature_removed":
        return (f"{f} is no longer gated: its spec was deleted, or no longer matches the specs: globs "
                f"(it was projected at {dollars(b)}/month at base)")
    if c.threshold == "worst_case_usd" and c.worst is not None:
        w = c.worst
        return (f"worst case of {f} is {dollars(w.monthly)}/month if every user hits the limits "
                f"({number(w.calls_per_user_per_day)} calls/day at {dollars(w.cost_per_call, True)}), "
                f"over its {limit_text(c)} worst-case budget")
    return (f"projected monthly cost of {f} is {dollars(a)}, over its {limit_text(c)} budget"
            + (" (new feature)" if c.before is None else ""))


def removal(lv: Lever) -> str | None:
    """What a text-editing lever removes, with the tokens it saves: shown next to the
    saving, so the edit can be checked before anyone makes it. None for other levers."""
    if lv.removes is None:
        return None
    tokens = "" if lv.tokens_saved is None else f"; {number(lv.tokens_saved)} fewer system-prompt tokens per request"
    return f"{lv.removes}{tokens}"


def suggestions(levers: Sequence[Lever], n: int = 3) -> list[str]:
    """The top savings as sentences for the gate's comment."""
    out = []
    for lv in levers:
        if lv.saving <= 0:
            continue
        what = removal(lv)
        out.append(f"`{lv.call}`: {lv.description}{'' if what is None else f' ({what})'} would save "
                   f"{dollars(lv.saving)}/month ({fixed(lv.saving_percent, 1)}%); trade-off: {lv.trade_off}")
        if len(out) == n:
            break
    return out
