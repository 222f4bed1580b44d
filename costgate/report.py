"""Estimates as a terminal table, stable JSON, or markdown. No I/O: strings out.

The JSON schema is a contract (docs/json.md): money as decimal strings ("6309.00" for
monthly figures, six places for per-call and per-session), token counts as integers or
one-decimal strings for means, a top-level ``schema_version``. Add keys; never rename.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Sequence

from tabulate import tabulate

from .money import dollars, number, percent, share, usd, usd_small
from .simulate import CallEstimate, Estimate

SCHEMA_VERSION = 1
APPROX_MARK = "~"


def _mix(c: CallEstimate) -> str:
    if len(c.models) == 1:
        return c.models[0].model
    return ", ".join(f"{m.model} {share(m.share)}" for m in c.models)


def _tok(value, approximate: bool, places: int = 0) -> str:
    return (APPROX_MARK if approximate else "") + number(value, places)


# ------------------------------------------------------------------------------ JSON

def estimate_dict(e: Estimate) -> dict:
    return {
        "feature": e.feature,
        "spec": e.spec_file,
        "as_of": e.as_of.isoformat(),
        "seed": e.seed,
        "samples": e.samples,
        "approximate": e.approximate,
        "traffic": {
            "sessions_per_day": str(e.sessions_per_day),
            "days_per_month": str(e.days_per_month),
            "sessions_per_month": str(e.sessions_per_month),
        },
        "cost_per_session_usd": usd_small(e.cost_per_session),
        "cost_per_session_p95_usd": usd_small(e.cost_per_session_p95),
        "monthly_cost_usd": usd(e.monthly_cost),
        "budget_monthly_usd": None if e.budget_monthly_usd is None else usd(e.budget_monthly_usd),
        "budget_used_percent": None if e.budget_monthly_usd is None else percent(e.monthly_cost, e.budget_monthly_usd),
        "calls": [
            {
                "name": c.name,
                "per_session": str(c.per_session),
                "tokenizer": c.tokenizer,
                "approximate": c.approximate,
                "system_prompt_tokens": c.system_tokens,
                "context_tokens_mean": number(c.context_tokens_mean, 1).replace(",", ""),
                "input_tokens": {
                    "mean": number(c.input_tokens_mean, 1).replace(",", ""),
                    "p50": c.input_tokens_p50,
                    "p95": c.input_tokens_p95,
                },
                "output_tokens_mean": number(c.output_tokens_mean, 1).replace(",", ""),
                "cached_prefix_tokens": c.cached_prefix_tokens,
                "cost_per_call_usd": usd_small(c.cost_per_call),
                "cost_per_session_usd": usd_small(c.cost_per_session),
                "monthly_cost_usd": usd(c.monthly_cost),
                "monthly_share_percent": percent(c.monthly_cost, e.monthly_cost),
                "models": [
                    {
                        "model": m.model,
                        "share": str(m.share),
                        "tokenizer": m.tokenizer,
                        "approximate": m.approximate,
                        "input_tokens_mean": number(m.input_tokens_mean, 1).replace(",", ""),
                        "cost_per_call_usd": usd_small(m.cost_per_call),
                        "monthly_cost_usd": usd(m.monthly_cost),
                    }
                    for m in c.models
                ],
            }
            for c in e.calls
        ],
        "by_model": [
            {"model": m, "monthly_cost_usd": usd(v), "share_percent": percent(v, e.monthly_cost)}
            for m, v in e.by_model
        ],
        "alternatives": [
            {
                "name": a.name,
                "kind": a.kind,
                "cost_per_session_usd": None if a.cost_per_session is None else usd_small(a.cost_per_session),
                "monthly_cost_usd": None if a.monthly_cost is None else usd(a.monthly_cost),
                "savings_usd": None if a.monthly_cost is None else usd(e.monthly_cost - a.monthly_cost),
                "error": a.error,
            }
            for a in e.alternatives
        ],
        "warnings": list(e.warnings),
    }


def to_json(estimates: Sequence[Estimate], extra: dict | None = None) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "kind": "estimate", "estimates": [estimate_dict(e) for e in estimates]}
    if extra:
        doc.update(extra)
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------- table / md

def _call_rows(e: Estimate) -> list[list[str]]:
    rows = []
    for c in e.calls:
        a = c.approximate
        rows.append([
            c.name, _mix(c), number(c.per_session, 2).rstrip("0").rstrip("."),
            _tok(c.system_tokens, a),
            f"{_tok(c.input_tokens_mean, a)} / {_tok(c.input_tokens_p50, a)} / {_tok(c.input_tokens_p95, a)}",
            _tok(c.output_tokens_mean, False),
            dollars(c.cost_per_call, small=True), dollars(c.cost_per_session, small=True),
            dollars(c.monthly_cost), f"{percent(c.monthly_cost, e.monthly_cost) or '0.0'}%",
        ])
    return rows


CALL_HEADERS = ["call", "model", "per session", "system tok", "input tok mean / p50 / p95", "output tok",
                "$/call", "$/session", "$/month", "share"]


def _summary_lines(e: Estimate) -> list[str]:
    lines = [
        f"per session: mean {dollars(e.cost_per_session, small=True)}, p95 {dollars(e.cost_per_session_p95, small=True)}",
        f"per month:   {dollars(e.monthly_cost)}  ({number(e.sessions_per_day)} sessions/day x {number(e.days_per_month)} days"
        f" = {number(e.sessions_per_month)} sessions)",
    ]
    if e.budget_monthly_usd is not None:
        used = percent(e.monthly_cost, e.budget_monthly_usd)
        verdict = "OVER BUDGET" if e.monthly_cost > e.budget_monthly_usd else "within budget"
        lines.append(f"budget:      {dollars(e.budget_monthly_usd)}/month, {used}% used ({verdict})")
    return lines


def _alt_rows(e: Estimate) -> list[list[str]]:
    rows = [["declared mix", "", dollars(e.monthly_cost), ""]]
    for a in e.alternatives:
        label = f"all on {a.name}" if a.kind == "model" else f"scenario {a.name}"
        if a.monthly_cost is None:
            rows.append([label, a.kind, "n/a", a.error or ""])
            continue
        diff = a.monthly_cost - e.monthly_cost
        pct = percent(diff, e.monthly_cost)
        rows.append([label, a.kind, dollars(a.monthly_cost),
                     f"{'+' if diff > 0 else ''}{dollars(diff)} ({'+' if diff > 0 else ''}{pct}%)" if pct else ""])
    return rows


def _footnotes(e: Estimate) -> list[str]:
    notes = []
    if e.approximate:
        toks = sorted({m.tokenizer for c in e.calls for m in c.models if m.approximate})
        notes.append(f"{APPROX_MARK} approximate: token counts for {', '.join(toks)} are o200k counts times a "
                     "calibration ratio (see `costgate pricing show MODEL`); costs on those models are approximate too")
    notes += [f"warning: {w}" for w in e.warnings]
    return notes


def to_table(estimates: Sequence[Estimate]) -> str:
    out = []
    for e in estimates:
        out.append(f"{e.feature}  ({e.spec_file})  prices as of {e.as_of.isoformat()}, {e.samples} samples, seed {e.seed}")
        out.append("")
        out.append(tabulate(_call_rows(e), headers=CALL_HEADERS, tablefmt="simple", disable_numparse=True))
        out.append("")
        out.extend(_summary_lines(e))
        if e.by_model:
            out.append("by model:    " + ", ".join(f"{m} {dollars(v)} ({percent(v, e.monthly_cost) or '0.0'}%)"
                                                   for m, v in e.by_model))
        if e.alternatives:
            out.append("")
            out.append(tabulate(_alt_rows(e), headers=["alternative", "kind", "$/month", "vs declared"],
                                tablefmt="simple", disable_numparse=True))
        notes = _footnotes(e)
        if notes:
            out.append("")
            out.extend(notes)
        out.append("")
    if len(estimates) > 1:
        total = sum((e.monthly_cost for e in estimates), Decimal(0))
        out.append(f"total across {len(estimates)} features: {dollars(total)}/month")
        out.append("")
    return "\n".join(out)


def to_markdown(estimates: Sequence[Estimate]) -> str:
    out = []
    for e in estimates:
        out.append(f"### {e.feature}: {dollars(e.monthly_cost)}/month")
        out.append("")
        out.append(f"`{e.spec_file}`, prices as of {e.as_of.isoformat()}, {e.samples} samples, seed {e.seed}")
        out.append("")
        out.append(tabulate(_call_rows(e), headers=CALL_HEADERS, tablefmt="github", disable_numparse=True))
        out.append("")
        out.extend(f"- {line.replace('  ', ' ').strip()}" for line in _summary_lines(e))
        if e.alternatives:
            out.append("")
            out.append(tabulate(_alt_rows(e), headers=["alternative", "kind", "$/month", "vs declared"],
                                tablefmt="github", disable_numparse=True))
        notes = _footnotes(e)
        if notes:
            out.append("")
            out.extend(f"> {n}" for n in notes)
        out.append("")
    return "\n".join(out)
