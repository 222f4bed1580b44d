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

from ..calibrate.model import Calibrated, CallCalibration, Observed, Projected, error_percent
from ..estimate.results import Estimate
from ..spec.model import Measured
from .calibrate_rows import HEADERS, TOKEN_FIGURES, calibration_text, head, notes, rows
from .escape import code, md, plain
from .html_calibrate import to_html
from .money import fixed, usd, usd_small
from .width import tabulate

Escape = Callable[[str], str]
SCHEMA_VERSION = 1


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


def to_table(r: Calibrated) -> str:
    out = [f"{r.feature}  ({plain(r.spec_file)})  {head(r)}", "",
           tabulate(rows(r), headers=HEADERS, tablefmt="simple", disable_numparse=True), ""]
    out += notes(r, plain)
    return "\n".join(out) + "\n"


def to_markdown(r: Calibrated) -> str:
    out = [f"### {r.feature}: observed vs projected", "", f"{code(r.spec_file)}, {head(r)}", "",
           tabulate(rows(r), headers=HEADERS, tablefmt="github", disable_numparse=True), ""]
    out += [f"- {n}" for n in notes(r, md)]
    return "\n".join(out) + "\n"


FORMATS = {"table": to_table, "markdown": to_markdown, "json": to_json, "html": to_html}


# ------------------------------------------------------- in the estimate's own reports

def calibration_lines(e: Estimate) -> list[str]:
    """The estimate's line saying which figures a calibration measured, and over when."""
    text = calibration_text(e, _name)
    return [] if text is None else [f"calibrated:  {text}"]


def _name(file: str) -> str:
    """The file name as is when it is plain (letters, digits, ``_.-/``), else as a code span
    (the reports that show this line include markdown, and a pull request names the file)."""
    return file if re.fullmatch(r"[A-Za-z0-9_./-]+", file) else code(file)


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
