"""Crossed thresholds and what-if levers in words: the sentences the comment, the table,
the JSON ``message`` field and the annotations share."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Sequence

from ..estimate.results import Lever
from ..gate.model import Crossing
from ..repo import Limit
from .escape import plain
from .money import difference, dollars, fixed, number, percent, plain_number, saving

TOKEN_LIMITS = ("system_prompt_growth", "tool_definitions_growth")
"""Growth limits counted in tokens (the others in USD)."""


def describe_limit(limit: Limit, unit: str) -> str:
    """'10% or 200 tokens', '20% or $500', '10% and 200 tokens' (``mode: all``)."""
    parts = []
    if limit.percent is not None:
        parts.append(f"{plain_number(limit.percent)}%")
    if limit.amount is not None:
        amount = plain_number(limit.amount)  # as configured, never in exponent form (2E+2 -> "200")
        parts.append(f"${amount}" if unit == "usd" else f"{amount} tokens")
    return (" and " if limit.mode == "all" else " or ").join(parts)


def _floor(limit: Limit) -> str:
    return "" if limit.min_monthly_usd is None else f", failing from +{dollars(limit.min_monthly_usd)}/month"


def limit_text(c: Crossing) -> str:
    """The limit a crossing crossed, as the JSON ``limit`` field shows it."""
    if c.threshold == "new_feature_system_prompt_tokens" and c.budget is not None:
        return f"{number(c.budget)} tokens"
    if c.threshold in ("feature_removed", "retired_model", "deprecated_model"):
        return ""
    if c.threshold == "calibration_drift" and c.budget is not None:
        return f"{c.budget.normalize():f}%"
    if c.limit is not None:
        return _limit(c) + _floor(c.limit)
    return dollars(c.budget) if c.budget is not None else ""


def _limit(c: Crossing) -> str:
    assert c.limit is not None
    return describe_limit(c.limit, "tokens" if c.threshold in TOKEN_LIMITS else "usd")


def _growth(before: Decimal, after: Decimal) -> str:
    d = after - before
    pct = percent(d, before)
    return f"{'+' if d >= 0 else ''}{number(d)}" + (f", {'+' if d >= 0 else ''}{pct}%" if pct else "")


def floor_note(c: Crossing) -> str:
    """Why a crossing of a fail threshold is only a warning: what it costs is under the
    limit's ``min_monthly_usd`` floor ('' otherwise)."""
    if not c.below_floor or c.limit is None or c.limit.min_monthly_usd is None or c.monthly_increase is None:
        return ""
    d = c.monthly_increase
    return (f"; a warning only: the monthly cost of {c.feature} changed by {'+' if d >= 0 else ''}{dollars(d)}, "
            f"under the {dollars(c.limit.min_monthly_usd)} floor (min_monthly_usd)")


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def setting_note(c: Crossing, esc: Callable[[str], str] = plain) -> str:
    """The app setting whose change a crossing points at, in words ('' when none): every
    piece the pull request wrote (key, file, values) shown through ``esc``, the escaping
    of the destination, and shortened (a message quotes briefly)."""
    s = c.setting
    if s is None:
        return ""
    at = s.file + (f":{s.line}" if s.line else "")
    return (f"; {esc(_short(s.key))} in {esc(_short(at, 120))} (bound to {s.call}.{esc(_short(s.field))}) changed "
            f"from {esc(_short(s.before))} to {esc(_short(s.after))}")


def crossing_message(c: Crossing) -> str:
    """One sentence: what grew, from what to what, over which limit."""
    return _message(c) + floor_note(c)


def _message(c: Crossing) -> str:
    f, b, a = c.feature, c.before or Decimal(0), c.after
    if c.threshold in TOKEN_LIMITS:
        what = "system prompt" if c.threshold == "system_prompt_growth" else "tool definitions"
        return (f"{what} of {f}/{c.call} grew from {number(b)} to {number(a)} tokens "
                f"({_growth(b, a)}), over the {_limit(c)} limit")
    if c.threshold == "monthly_cost_increase":
        d = a - b
        return (f"projected monthly cost of {f} rose from {dollars(b)} to {dollars(a)} "
                f"(+{dollars(difference(b, a))}, +{percent(d, b) or 'inf'}%), over the {_limit(c)} limit")
    if c.threshold == "new_feature_system_prompt_tokens":
        return (f"system prompt of new feature {f}/{c.call} is {number(a)} tokens, over the {limit_text(c)} "
                "allowed for a new feature")
    if c.threshold == "new_feature_monthly_usd":
        return f"new feature {f} is projected at {dollars(a)}/month, over the {limit_text(c)} allowed for a new feature"
    if c.threshold == "feature_removed":
        return (f"{f} is no longer gated: its spec was deleted, or no longer matches the specs: globs "
                f"(it was projected at {dollars(b)}/month at base)")
    if c.threshold in ("retired_model", "deprecated_model") and c.lifecycle is not None:
        life, where = c.lifecycle, f"{f}/{c.call}" if c.call else f
        if life.status == "retired":
            return (f"{where} uses {life.model}, retired on {life.since.isoformat()}: calls to it fail; "
                    "move the call to a current model (`costgate pricing list` shows the retired column)")
        return (f"{where} uses {life.model}, deprecated since {life.since.isoformat()}: it will be retired; "
                f"plan the move to its successor (`costgate pricing show {life.model}`)")
    if c.threshold == "calibration_drift":
        return (f"projected monthly cost of {f} is {dollars(a)}, {percent(abs(a - b), b) or 'inf'}% away from the "
                f"{dollars(b)} its calibration projected, over the {(c.budget or Decimal(0)).normalize():f}% "
                "calibration_drift limit; calibrate it again against recent usage (costgate calibrate --write)")
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
                   f"{dollars(saving(lv))}/month ({fixed(lv.saving_percent, 1)}%); trade-off: {lv.trade_off}")
        if len(out) == n:
            break
    return out
