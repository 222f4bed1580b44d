"""The rows of an estimate's tables and its growth, per-user and worst-case sentences, built once for every format: the terminal table and
markdown (``estimate.py``) pass their escaping, the HTML page (``html_estimate.py``)
passes ``str`` and escapes each cell itself. Figures are ``report.money``'s displays."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from ..estimate.results import CallEstimate, Estimate, Extras, Projection, UserTails, WorstCase
from .approx import APPROX_MARK
from .escape import plain
from .money import change, dollars, fixed, number, parts, saving, share

Escape = Callable[[str], str]

CALL_HEADERS = ["call", "model", "per session", "system tok", "input tok mean / p50 / p95", "output tok",
                "$/call", "$/session", "$/month", "share"]
CALL_NUMERIC_FROM = 2
"""The calls table's columns from this one on are numbers."""
ALT_HEADERS = ["alternative", "kind", "$/month", "vs declared"]
LEVER_HEADERS = ["#", "call", "lever", "saving/month", "%", "trade-off"]


def mix(c: CallEstimate, esc: Escape = plain) -> str:
    """A call's model, or its mix with each model's share ('gpt-4o-mini 70%, gpt-4o 30%')."""
    if len(c.models) == 1:
        return esc(c.models[0].model)
    return ", ".join(f"{esc(m.model)} {share(m.share)}" for m in c.models)


def tok(value: Decimal | int, approximate: bool) -> str:
    """A token count, marked ``~`` when approximate."""
    return (APPROX_MARK if approximate else "") + number(value)


def has_tools(e: Estimate) -> bool:
    """The tool-token column is shown only for specs with a call that sends tools."""
    return any(c.tool_tokens for c in e.calls)


def call_headers(e: Estimate) -> list[str]:
    return CALL_HEADERS[:4] + ["tool tok"] + CALL_HEADERS[4:] if has_tools(e) else CALL_HEADERS


def call_rows(e: Estimate, esc: Escape) -> list[list[str]]:
    rows = []
    tools = has_tools(e)
    p = parts(e)
    for i, c in enumerate(e.calls):
        a = c.approximate
        rows.append([
            c.name, mix(c, esc), number(c.per_session, 2).rstrip("0").rstrip("."),
            tok(c.static_system_tokens, a), *([tok(c.tool_tokens, a)] if tools else []),
            f"{tok(c.input_tokens_mean, a)} / {tok(c.input_tokens_p50, a)} / {tok(c.input_tokens_p95, a)}",
            tok(c.output_tokens_mean, False),
            dollars(c.cost_per_call, small=True), dollars(p.call_session[i], small=True),
            dollars(p.call_monthly[i]), f"{p.call_share[i] or '0.0'}%",
        ])
    return rows


def alt_rows(e: Estimate, esc: Escape) -> list[list[str]]:
    """The declared mix, then each alternative's monthly cost and its change ($/month: column 2)."""
    rows = [["declared mix", "", dollars(e.monthly_cost), ""]]
    for a in e.alternatives:
        label = f"all on {esc(a.name)}" if a.kind == "model" else f"scenario {a.name}"
        if a.monthly_cost is None:
            rows.append([label, a.kind, "n/a", esc(a.error or "")])
            continue
        rows.append([label, a.kind, dollars(a.monthly_cost), change(e.monthly_cost, a.monthly_cost)])
    return rows


def lever_rows(x: Extras, esc: Escape) -> list[list[str]]:
    """The ranked what-if levers (saving and percentage: columns 3 and 4)."""
    return [[str(i), lv.call, esc(lv.description), dollars(saving(lv)), f"{fixed(lv.saving_percent, 1)}%",
             lv.trade_off] for i, lv in enumerate(x.levers or (), 1)]


def growth_text(p: Projection) -> str:
    """'12-month projection at 5%/month growth: $100.00 → $171.03; stays within ...'."""
    when = ("" if p.budget is None else f"; exceeds the {dollars(p.budget)} budget in month {p.budget_month}"
            if p.budget_month else f"; stays within the {dollars(p.budget)} budget for 12 months")
    return (f"12-month projection at {share(p.growth_per_month)}/month growth: "
            f"{dollars(p.months[0])} → {dollars(p.months[-1])}{when}")


def tails_text(t: UserTails) -> str:
    return (f"median {dollars(t.median, True)}, p95 {dollars(t.p95, True)}, top 1% "
            f"{dollars(t.top1, True)} per month ({number(t.users)} users)")


def worst_text(w: WorstCase) -> str:
    verdict = "" if w.budget is None else ((" OVER the worst-case budget " if w.over_budget
                                            else " within the worst-case budget ") + dollars(w.budget))
    return (f"{dollars(w.monthly)}/month if every user makes {number(w.calls_per_user_per_day)} calls/day "
            f"at {dollars(w.cost_per_call, True)} each{verdict}")
