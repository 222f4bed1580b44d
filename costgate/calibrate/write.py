"""``calibration.yaml``: what ``costgate calibrate --write`` leaves beside the spec.

Deterministic text (fixed key order, numbers at fixed precision, no timestamps of the
run), so a recalibration is a reviewable diff. Only counts, shares and dates are
written, never a record's content or a call name the spec does not declare.
"""

from __future__ import annotations

import os
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ..errors import CostgateError
from ..spec.calibration import CALIBRATION_VERSION
from ..spec.calibration import step_law as law  # the law the spec applies on reading the file
from ..spec.model import CalibratedCall, Calibration, Measured
from .model import Calibrated

CALIBRATION_FILE = "calibration.yaml"
TOKENS = Decimal("0.1")
PER_SESSION = Decimal("0.001")
SHARE = Decimal("0.0001")
USD = Decimal("0.01")


def _q(value: Decimal, quantum: Decimal) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _m(m: Measured, quantum: Decimal) -> Measured:
    return Measured(_q(m.mean, quantum), _q(m.p95, quantum))


def calibration_of(result: Calibrated, rel: str) -> Calibration:
    """The calibration ``result`` measured, at the precision the file keeps (so what the
    spec later reads is what this run applied)."""
    if result.usage.start is None or result.usage.end is None:
        raise CostgateError("the usage records carry no timestamps, so the calibration has no date range",
                            hint="map the timestamp field: --map timestamp=COLUMN (docs/calibrate.md)")
    calls = []
    for c in result.calls:
        o = c.observed
        per = o.calls_per_session
        calls.append(CalibratedCall(
            name=c.name, count=o.count, input_tokens=_m(o.input_tokens, TOKENS),
            output_tokens=_m(o.output_tokens, TOKENS), reasoning_tokens=_m(o.reasoning_tokens, TOKENS),
            calls_per_session=None if per is None else _m(per, PER_SESSION), cached_share=_q(o.cached_share, SHARE)))
    return Calibration(file=rel, start=result.usage.start, end=result.usage.end, records=result.usage.records,
                       calls=tuple(calls))


def render(cal: Calibration, feature: str) -> str:
    out = [
        "# Measured by `costgate calibrate --write` from production usage records (docs/calibrate.md).",
        "# Reference it from the spec (calibration: {file: calibration.yaml}) so these values replace",
        "# the declared output tokens, reasoning tokens and requests per session.",
        f"version: {CALIBRATION_VERSION}",
        f"feature: {feature}",
        f"start: {cal.start.isoformat()}",
        f"end: {cal.end.isoformat()}",
        f"records: {cal.records}",
    ]
    if cal.projected_monthly_usd is not None:
        out.append(f"projected_monthly_usd: {_q(cal.projected_monthly_usd, USD)}")
    out.append("calls:")
    for c in cal.calls:
        out += [
            f"  {c.name}:",
            f"    records: {c.count}",
            f"    input_tokens: {{mean: {c.input_tokens.mean}, p95: {c.input_tokens.p95}}}",
            f"    output_tokens: {{mean: {c.output_tokens.mean}, p95: {c.output_tokens.p95}}}",
            f"    reasoning_tokens: {{mean: {c.reasoning_tokens.mean}, p95: {c.reasoning_tokens.p95}}}",
        ]
        s = c.calls_per_session
        if s is not None:  # measured only where records carry a session
            out.append(f"    calls_per_session: {{mean: {s.mean}, p95: {s.p95}, distribution: {law(s)}}}")
        out.append(f"    cached_share: {c.cached_share}")
    return "\n".join(out) + "\n"


def write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; never through a symlink (a repository could
    point calibration.yaml anywhere)."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise CostgateError(f"{path.name} beside the spec is not a regular file; not overwriting it",
                            hint="remove it, then run costgate calibrate --write again")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


__all__ = ["CALIBRATION_FILE", "calibration_of", "render", "write_file", "law"]
