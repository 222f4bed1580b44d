"""``costgate calibrate`` as a terminal table, markdown or JSON (docs/calibrate.md), and
the calibration line an estimate shows when measured values replaced declared ones.

JSON contract (``costgate/schemas/calibrate.schema.json``): per call an ``observed``
object with ``count`` and ``input_tokens``, ``output_tokens``, ``reasoning_tokens`` and
``calls_per_session``, each ``{mean, p95}``; the same figures ``projected``; the
``error`` of each in percent. Token figures are one-decimal strings, money decimal
strings (as in the estimate's JSON). Add keys; never rename.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Callable

from tabulate import tabulate

from ..calibrate.model import Calibrated, CallCalibration, Observed, Projected, error_percent
from ..estimate.results import Estimate
from ..spec.model import Calibration, Measured
from .escape import code, md, plain
from .money import dollars, fixed, number, usd, usd_small

Escape = Callable[[str], str]
SCHEMA_VERSION = 1
TOKEN_FIGURES = ("input_tokens", "output_tokens", "reasoning_tokens", "calls_per_session")
LABELS = {"input_tokens": "input tokens", "output_tokens": "output tokens", "reasoning_tokens": "reasoning tokens",
          "calls_per_session": "calls per session"}


def _pair(m: Measured | None, places: int = 1) -> dict | None:
    return None if m is None else {"mean": fixed(m.mean, places), "p95": fixed(m.p95, places)}


def _pct(value: Decimal | None) -> str | None:
    if value is None:
        return None
    shown = fixed(value, 1)
    return "0.0" if Decimal(shown) == 0 else shown


def _money(value: Decimal | None, small: bool) -> str | None:
    return None if value is None else (usd_small(value) if small else usd(value))


def _side(o: Observed | Projected) -> dict:
    out: dict = {"count": o.count} if isinstance(o, Observed) else {}
    out.update({k: _pair(getattr(o, k), 3 if k == "calls_per_session" else 1) for k in TOKEN_FIGURES})
    out.update({"cached_share": fixed(o.cached_share, 4), "cost_per_call_usd": _money(o.cost_per_call, True),
                "monthly_cost_usd": _money(o.monthly_cost, False)})
    if isinstance(o, Observed):
        out["unpriced_models"] = list(o.unpriced)
    return out


def _errors(c: CallCalibration) -> dict:
    o, p = c.observed, c.projected
    out: dict = {}
    for k in TOKEN_FIGURES:
        om, pm = getattr(o, k), getattr(p, k)
        out[k] = {"mean": _pct(error_percent(pm.mean, om.mean if om else None)),
                  "p95": _pct(error_percent(pm.p95, om.p95 if om else None))}
    out["cached_share"] = _pct(error_percent(p.cached_share, o.cached_share))
    out["cost_per_call"] = _pct(error_percent(p.cost_per_call, o.cost_per_call))
    out["monthly_cost"] = _pct(error_percent(p.monthly_cost, o.monthly_cost))
    return out


def calibrated_dict(r: Calibrated) -> dict:
    u = r.usage
    return {
        "feature": r.feature, "spec": r.spec_file, "as_of": r.as_of.isoformat(),
        "usage": {"records": u.records, "skipped": u.skipped, "sessions": u.sessions,
                  "start": None if u.start is None else u.start.isoformat(),
                  "end": None if u.end is None else u.end.isoformat(),
                  "unmatched_records": u.unmatched_records,
                  "unmatched": [{"call": name, "count": n} for name, n in u.unmatched]},
        "calls": [{"name": c.name, "count": c.observed.count, "observed": _side(c.observed),
                   "projected": _side(c.projected), "error": _errors(c)} for c in r.calls],
        "unmeasured_calls": list(r.unmeasured),
        "monthly_cost": {"observed_usd": _money(r.observed_monthly, False), "projected_usd": usd(r.projected_monthly),
                         "error": _pct(error_percent(r.projected_monthly, r.observed_monthly))},
        "written": r.written,
    }


def to_json(r: Calibrated) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "kind": "calibrate", "calibration": calibrated_dict(r)}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _fig(m: Measured | None, places: int = 1) -> str:
    return "n/a" if m is None else f"{number(m.mean, places)} / {number(m.p95, places)}"


def _err(value: Decimal | None) -> str:
    """An error in percent, signed, one place; a value that rounds to zero is 0.0%."""
    if value is None:
        return ""
    shown = fixed(value, 1)
    if Decimal(shown) == 0:
        return "0.0%"
    return f"{'+' if value > 0 else ''}{shown}%"


def _rows(r: Calibrated) -> list[list[str]]:
    rows = []
    for c in r.calls:
        o, p = c.observed, c.projected
        first = True
        for k in TOKEN_FIGURES:
            places = 2 if k == "calls_per_session" else 1
            om, pm = getattr(o, k), getattr(p, k)
            rows.append([c.name if first else "", LABELS[k], _fig(om, places), _fig(pm, places),
                         _err(error_percent(pm.mean, om.mean if om else None))])
            first = False
        rows.append(["", "cached share", f"{fixed(o.cached_share * 100, 1)}%", f"{fixed(p.cached_share * 100, 1)}%",
                     ""])
        rows.append(["", "cost per call", "n/a" if o.cost_per_call is None else dollars(o.cost_per_call, True),
                     dollars(p.cost_per_call, True), _err(error_percent(p.cost_per_call, o.cost_per_call))])
        rows.append(["", "monthly cost", "n/a" if o.monthly_cost is None else dollars(o.monthly_cost),
                     dollars(p.monthly_cost), _err(error_percent(p.monthly_cost, o.monthly_cost))])
    return rows


HEADERS = ["call", "figure", "observed (mean / p95)", "projected (mean / p95)", "error (mean)"]


def _head(r: Calibrated) -> str:
    u = r.usage
    span = "" if u.start is None else f" {u.start.isoformat()} to {u.end.isoformat() if u.end else '?'}"
    return (f"usage{span}: {u.records:,} records, {u.sessions:,} sessions; prices as of {r.as_of.isoformat()}")


def _notes(r: Calibrated, esc: Escape) -> list[str]:
    u, out = r.usage, []
    observed = r.observed_monthly
    out.append(f"monthly cost: observed {'n/a' if observed is None else dollars(observed)}, projected "
               f"{dollars(r.projected_monthly)} {_err(error_percent(r.projected_monthly, observed))}".rstrip())
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


def to_table(r: Calibrated) -> str:
    out = [f"{r.feature}  ({plain(r.spec_file)})  {_head(r)}", "",
           tabulate(_rows(r), headers=HEADERS, tablefmt="simple", disable_numparse=True), ""]
    out += _notes(r, plain)
    return "\n".join(out) + "\n"


def to_markdown(r: Calibrated) -> str:
    out = [f"### {r.feature}: observed vs projected", "", f"{code(r.spec_file)}, {_head(r)}", "",
           tabulate(_rows(r), headers=HEADERS, tablefmt="github", disable_numparse=True), ""]
    out += [f"- {n}" for n in _notes(r, md)]
    return "\n".join(out) + "\n"


FORMATS = {"table": to_table, "markdown": to_markdown, "json": to_json}


# ------------------------------------------------------- in the estimate's own reports

def calibration_lines(e: Estimate) -> list[str]:
    """The estimate's line saying which figures a calibration measured, and over when."""
    c = e.calibration
    if c is None:
        return []
    return [f"calibrated:  {_range(c)}; measured values replace "
            f"{', '.join(c.replaced) if c.replaced else 'nothing'}"]


def _range(c: Calibration) -> str:
    """The file name as is when it is plain (letters, digits, ``_.-/``), else as a code span
    (the reports that show this line include markdown, and a pull request names the file)."""
    name = c.file if re.fullmatch(r"[A-Za-z0-9_./-]+", c.file) else code(c.file)
    return f"{name} ({c.start.isoformat()} to {c.end.isoformat()}, {c.records:,} records)"


def calibration_dict(e: Estimate) -> dict:
    """The estimate's JSON ``calibration`` key: null for a spec without a calibration file
    (every key is always present, as the closed JSON Schema has it)."""
    c = e.calibration
    if c is None:
        return {"calibration": None}
    return {"calibration": {"file": c.file, "start": c.start.isoformat(), "end": c.end.isoformat(),
                            "records": c.records, "replaced": list(c.replaced),
                            "projected_monthly_usd": None if c.projected_monthly_usd is None
                            else usd(c.projected_monthly_usd)}}


__all__ = ["FORMATS", "calibrated_dict", "calibration_lines", "calibration_dict"]
