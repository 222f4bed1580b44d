"""Estimates as a terminal table, stable JSON, or markdown. No I/O: strings out.

The JSON schema is a contract (docs/json.md): money as decimal strings ("6309.00" for
monthly figures, six places for per-call and per-session), token counts as integers or
one-decimal strings for means, a top-level ``schema_version``. Add keys; never rename.
"""

from __future__ import annotations

import json
from typing import Callable, Sequence

from ..estimate.results import Analysis, CallEstimate, Estimate, Extras, ModelCost
from .approx import approximate_notes, samples_text, warning_text
from .calibrate import calibration_dict, calibration_lines
from .charts import mermaid, sparkline
from .crossings import removal
from .escape import code, md, plain
from .estimate_rows import (
    ALT_HEADERS,
    LEVER_HEADERS,
    alt_rows,
    call_headers,
    call_rows,
    growth_text,
    lever_rows,
    tails_text,
    worst_text,
)
from .html_estimate import to_html
from .money import (
    Parts,
    difference,
    dollars,
    fixed,
    number,
    parts,
    percent,
    plain_number,
    saving,
    total,
    usd,
    usd_small,
)
from .width import fit, tabulate, wrap

Escape = Callable[[str], str]
SCHEMA_VERSION = 1


# ------------------------------------------------------------------------------ JSON

def extras_dict(x: Extras | None) -> dict:
    """Growth, tails, worst case, what-if: always present (null when not declared)."""
    p = x.projection if x else None
    t = x.tails if x else None
    w = x.worst if x else None
    return {
        "projection": None if p is None else {
            "growth_per_month": plain_number(p.growth_per_month),
            "monthly_cost_usd": [usd(v) for v in p.months],
            "budget_monthly_usd": None if p.budget is None else usd(p.budget),
            "budget_exceeded_month": p.budget_month,
        },
        "users": None if t is None else {
            "count": t.users, "sessions_per_user_month": fixed(t.sessions_per_user, 2),
            "median_user_monthly_usd": usd_small(t.median), "p95_user_monthly_usd": usd_small(t.p95),
            "top1_user_monthly_usd": usd_small(t.top1),
        },
        "worst_case": None if w is None else {
            "calls_per_user_per_day": plain_number(w.calls_per_user_per_day), "cost_per_call_usd": usd_small(w.cost_per_call),
            "monthly_cost_usd": usd(w.monthly), "budget_usd": None if w.budget is None else usd(w.budget),
            "over_budget": w.over_budget,
        },
        "what_if": None if x is None or x.levers is None else [
            {"lever": lv.lever, "call": lv.call, "description": lv.description,
             "monthly_cost_usd": usd(lv.monthly_cost),
             "monthly_saving_usd": usd(saving(lv)),
             "saving_percent": fixed(lv.saving_percent, 1), "trade_off": lv.trade_off,
             "removes": lv.removes, "system_prompt_tokens_saved": lv.tokens_saved}
            for lv in x.levers
        ],
    }


def _approximation(m: ModelCost) -> dict | None:
    a = m.approximation  # the tokenizer's measured error bar: null when exact or unmeasured
    return None if a is None else {"p50_error": plain_number(a.p50_error), "p95_error": plain_number(a.p95_error), "source": a.source}


def _call_dict(c: CallEstimate, i: int, p: Parts) -> dict:
    return {
        "name": c.name,
        "per_session": plain_number(c.per_session),
        "tokenizer": c.tokenizer,
        "approximate": c.approximate,
        "system_prompt_tokens": c.static_system_tokens,
        "system_rendered_tokens": c.system_tokens,
        "tool_tokens": c.tool_tokens,
        "context_tokens_mean": fixed(c.context_tokens_mean, 1),
        "input_tokens": {
            "mean": fixed(c.input_tokens_mean, 1),
            "p50": c.input_tokens_p50,
            "p95": c.input_tokens_p95,
        },
        "output_tokens_mean": fixed(c.output_tokens_mean, 1),
        "reasoning_tokens_mean": fixed(c.reasoning_tokens_mean, 1),
        "cached_prefix_tokens": c.cached_prefix_tokens,
        "bindings": [{"field": b.field, "file": b.file, "key": b.key, "line": b.line, "value": b.value}
                     for b in c.bindings],
        "cost_per_call_usd": usd_small(c.cost_per_call),
        "cost_per_session_usd": usd_small(p.call_session[i]),
        "monthly_cost_usd": usd(p.call_monthly[i]),
        "monthly_share_percent": p.call_share[i],
        "models": [
            {
                "model": m.model,
                "share": plain_number(m.share),
                "tokenizer": m.tokenizer,
                "approximate": m.approximate,
                "approximate_parts": list(m.approximate_parts),
                "approximation": _approximation(m),
                "input_tokens_mean": fixed(m.input_tokens_mean, 1),
                "cost_per_call_usd": usd_small(m.cost_per_call),
                "monthly_cost_usd": usd(p.model_monthly[i][j]),
            }
            for j, m in enumerate(c.models)
        ],
    }



def estimate_dict(e: Estimate, x: Extras | None = None) -> dict:
    p = parts(e)
    return {
        "feature": e.feature,
        "spec": e.spec_file,
        "as_of": e.as_of.isoformat(),
        "seed": e.seed,
        "samples": e.samples,
        "samples_total": e.samples_total,
        "approximate": e.approximate,
        "traffic": {
            "sessions_per_day": plain_number(e.sessions_per_day),
            "days_per_month": plain_number(e.days_per_month),
            "sessions_per_month": plain_number(e.sessions_per_month),
        },
        "cost_per_session_usd": usd_small(e.cost_per_session),
        "cost_per_session_p95_usd": usd_small(e.cost_per_session_p95),
        "monthly_cost_usd": usd(e.monthly_cost),
        "monthly_cost_se_usd": usd(e.monthly_cost_se),
        "monthly_cost_ci95_usd": [usd(v) for v in e.monthly_cost_ci95],
        "budget_monthly_usd": None if e.budget_monthly_usd is None else usd(e.budget_monthly_usd),
        "budget_used_percent": None if e.budget_monthly_usd is None else percent(e.monthly_cost, e.budget_monthly_usd),
        "calls": [_call_dict(c, i, p) for i, c in enumerate(e.calls)],
        "by_model": [
            {"model": m, "monthly_cost_usd": usd(p.by_model[i]), "share_percent": p.by_model_share[i]}
            for i, (m, _) in enumerate(e.by_model)
        ],
        "alternatives": [
            {
                "name": a.name,
                "kind": a.kind,
                "cost_per_session_usd": None if a.cost_per_session is None else usd_small(a.cost_per_session),
                "monthly_cost_usd": None if a.monthly_cost is None else usd(a.monthly_cost),
                "savings_usd": None if a.monthly_cost is None else usd(-difference(e.monthly_cost, a.monthly_cost)),
                "error": a.error,
            }
            for a in e.alternatives
        ],
        "warnings": [warning_text(w) for w in e.warnings],
        **extras_dict(x), **calibration_dict(e),
    }


def to_json(analyses: Sequence[Analysis]) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "kind": "estimate",
           "estimates": [estimate_dict(a.estimate, a.extras) for a in analyses]}
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------- table / md

def _summary_lines(e: Estimate) -> list[str]:
    lines = [
        f"per session: mean {dollars(e.cost_per_session, small=True)}, p95 {dollars(e.cost_per_session_p95, small=True)}",
        f"per month:   {dollars(e.monthly_cost)}  ({number(e.sessions_per_day)} sessions/day x {number(e.days_per_month)} days"
        f" = {number(e.sessions_per_month)} sessions)",
    ]
    low, high = e.monthly_cost_ci95
    lines.append(f"sampling:    ±{dollars(e.monthly_cost_se)} standard error of the monthly mean, 95% interval "
                 f"{dollars(low)} to {dollars(high)} ({e.samples:,} samples)")
    if e.budget_monthly_usd is not None:
        used = percent(e.monthly_cost, e.budget_monthly_usd)
        verdict = "OVER BUDGET" if e.monthly_cost > e.budget_monthly_usd else "within budget"
        lines.append(f"budget:      {dollars(e.budget_monthly_usd)}/month, {used}% used ({verdict})")
    return lines + calibration_lines(e)


def _footnotes(e: Estimate, esc: Escape) -> list[str]:
    notes = approximate_notes(e, esc) if e.approximate else []
    return notes + [f"warning: {esc(warning_text(w))}" for w in e.warnings]


def _lever_notes(x: Extras, esc: Escape, markdown: bool) -> list[str]:
    """Under the table, what each text-editing lever removes (by row number): too long
    for a column, and the part to check before making the edit."""
    notes = [f"#{i}: {esc(what)}" for i, lv in enumerate(x.levers or (), 1)
             if (what := removal(lv)) is not None]
    if not notes:
        return []
    return ["", *(f"- {n}" for n in notes)] if markdown else ["", *notes]


def _extra_lines(e: Estimate, x: Extras | None, markdown: bool, width: int | None = None) -> list[str]:
    if x is None:
        return []
    out: list[str] = []
    p = x.projection
    if p is not None and p.growth_per_month:
        head = growth_text(p)
        if markdown:
            out += ["", head, "", mermaid(p, f"{e.feature}: projected monthly spend")]
        else:
            out += [f"growth:      {sparkline(p.months)}  {head}"]
    if x.tails is not None:
        out.append(f"- per user: {tails_text(x.tails)}" if markdown else f"per user:    {tails_text(x.tails)}")
    if x.worst is not None:
        out.append(f"- worst case: {worst_text(x.worst)}" if markdown else f"worst case:  {worst_text(x.worst)}")
    if x.levers is not None:
        out.append("")
        title = "what-if (one lever at a time, ranked by monthly saving):"
        out.append(f"**{title}**" if markdown else title)
        out.append("")
        if x.levers:
            rows = lever_rows(x, md if markdown else plain)
            out.append(tabulate(rows, headers=LEVER_HEADERS, tablefmt="github", disable_numparse=True) if markdown
                       else fit(rows, LEVER_HEADERS, width))
            out += _lever_notes(x, md if markdown else plain, markdown)
        else:
            out.append("no applicable lever")
    return out


CALL_HIDE_ORDER = ("system tok", "tool tok", "output tok", "per session", "$/call", "share",
                   "input tok mean / p50 / p95", "$/session")
"""Columns hidden to fit a terminal, first hidden first (call, model, $/month always stay)."""


def to_table(analyses: Sequence[Analysis], width: int | None = None) -> str:
    """The terminal report; ``width``: fit tables and wrap lines to it (``report.width``)."""
    out = []
    for a in analyses:
        e, x = a.estimate, a.extras
        out.append(f"{e.feature}  ({plain(e.spec_file)})  prices as of {e.as_of.isoformat()}, {samples_text(e)}, seed {e.seed}")
        out += ["", fit(call_rows(e, plain), call_headers(e), width, CALL_HIDE_ORDER), "", *_summary_lines(e)]
        if e.by_model:
            p = parts(e)
            out.append("by model:    " + ", ".join(f"{plain(m)} {dollars(p.by_model[i])} ({p.by_model_share[i] or '0.0'}%)"
                                                   for i, (m, _) in enumerate(e.by_model)))
        out.extend(_extra_lines(e, x, markdown=False, width=width))
        if e.alternatives:
            out += ["", fit(alt_rows(e, plain), ALT_HEADERS, width)]
        notes = _footnotes(e, plain)
        out += ["", *notes, ""] if notes else [""]
    if len(analyses) > 1:
        out += [f"total across {len(analyses)} features: "
                f"{dollars(total([a.estimate.monthly_cost for a in analyses]))}/month", ""]
    return "\n".join(line if "\n" in line else wrap(line, width) for line in out)


def to_markdown(analyses: Sequence[Analysis]) -> str:
    out = []
    for a in analyses:
        e, x = a.estimate, a.extras
        out.append(f"### {e.feature}: {dollars(e.monthly_cost)}/month")
        out.append("")
        out.append(f"{code(e.spec_file)}, prices as of {e.as_of.isoformat()}, {samples_text(e)}, seed {e.seed}")
        out.append("")
        out.append(tabulate(call_rows(e, md), headers=call_headers(e), tablefmt="github", disable_numparse=True))
        out.append("")
        out.extend(f"- {' '.join(line.split())}" for line in _summary_lines(e))
        out.extend(_extra_lines(e, x, markdown=True))
        if e.alternatives:
            out.append("")
            out.append(tabulate(alt_rows(e, md), headers=ALT_HEADERS,
                                tablefmt="github", disable_numparse=True))
        notes = _footnotes(e, md)
        if notes:
            out.append("")
            out.extend(f"> {n}" for n in notes)
        out.append("")
    return "\n".join(out)


FORMATS = {"table": to_table, "json": to_json, "markdown": to_markdown, "html": to_html}
