"""The rows, head line and notes of a ``costgate calibrate`` report, shared by its text
formats (``calibrate.py``) and its HTML page (``html_calibrate.py``), which must not import
each other."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from ..calibrate.model import Calibrated, error_percent
from ..estimate.results import Estimate
from ..spec.model import Measured
from .money import dollars, fixed, number

Escape = Callable[[str], str]
TOKEN_FIGURES = ("input_tokens", "output_tokens", "reasoning_tokens", "calls_per_session")
LABELS = {"input_tokens": "input tokens", "output_tokens": "output tokens", "reasoning_tokens": "reasoning tokens",
          "calls_per_session": "calls per session"}


def fig(m: Measured | None, places: int = 1) -> str:
    return "n/a" if m is None else f"{number(m.mean, places)} / {number(m.p95, places)}"


def err(value: Decimal | None) -> str:
    """An error in percent, signed, one place; a value that rounds to zero is 0.0%."""
    if value is None:
        return ""
    shown = fixed(value, 1)
    if Decimal(shown) == 0:
        return "0.0%"
    return f"{'+' if value > 0 else ''}{shown}%"


def rows(r: Calibrated) -> list[list[str]]:
    rows = []
    for c in r.calls:
        o, p = c.observed, c.projected
        first = True
        for k in TOKEN_FIGURES:
            places = 2 if k == "calls_per_session" else 1
            om, pm = getattr(o, k), getattr(p, k)
            rows.append([c.name if first else "", LABELS[k], fig(om, places), fig(pm, places),
                         err(error_percent(pm.mean, om.mean if om else None))])
            first = False
        rows.append(["", "cached share", f"{fixed(o.cached_share * 100, 1)}%", f"{fixed(p.cached_share * 100, 1)}%",
                     ""])
        rows.append(["", "cost per call", "n/a" if o.cost_per_call is None else dollars(o.cost_per_call, True),
                     dollars(p.cost_per_call, True), err(error_percent(p.cost_per_call, o.cost_per_call))])
        rows.append(["", "monthly cost", "n/a" if o.monthly_cost is None else dollars(o.monthly_cost),
                     dollars(p.monthly_cost), err(error_percent(p.monthly_cost, o.monthly_cost))])
    return rows


HEADERS = ["call", "figure", "observed (mean / p95)", "projected (mean / p95)", "error (mean)"]


def head(r: Calibrated) -> str:
    u = r.usage
    span = "" if u.start is None else f" {u.start.isoformat()} to {u.end.isoformat() if u.end else '?'}"
    return (f"usage{span}: {u.records:,} records, {u.sessions:,} sessions; prices as of {r.as_of.isoformat()}")


def notes(r: Calibrated, esc: Escape) -> list[str]:
    u, out = r.usage, []
    observed = r.observed_monthly
    out.append(f"monthly cost: observed {'n/a' if observed is None else dollars(observed)}, projected "
               f"{dollars(r.projected_monthly)} {err(error_percent(r.projected_monthly, observed))}".rstrip())
    if u.skipped:
        out.append(f"skipped {u.skipped:,} records without whole, non-negative input and output counts")
    if u.unmatched:
        names = ", ".join(f"{esc(name[:60])} ({n:,})" for name, n in u.unmatched)
        out.append(f"{u.unmatched_records:,} records name calls the spec does not have: {names}")
    if r.unmeasured:
        out.append(f"no records of: {', '.join(r.unmeasured)} (declared values kept)")
    unpriced = sorted({m for c in r.calls for m in c.observed.unpriced})
    if unpriced:
        out.append(f"not in the price table (observed cost n/a): {', '.join(esc(m[:60]) for m in unpriced)}")
    if r.written:
        out.append(f"wrote {esc(r.written)}: reference it with calibration: {{file: calibration.yaml}}")
    return out


def calibration_text(e: Estimate, name: Callable[[str], str]) -> str | None:
    """Which figures a spec's calibration file measured, and over when; ``name`` shows the
    file's name as the format needs (a code span in markdown, escaped text in HTML)."""
    c = e.calibration
    if c is None:
        return None
    return (f"{name(c.file)} ({c.start.isoformat()} to {c.end.isoformat()}, {c.records:,} records); "
            f"measured values replace {', '.join(c.replaced) if c.replaced else 'nothing'}")
