"""A spec's ``calibration: {file: calibration.yaml}``: what production usage measured
(``costgate calibrate --write``), read through the repository's confined source like a
template, and applied to the spec's calls so measured values replace declared guesses.

What a calibration replaces, per call it measured (docs/calibrate.md):

* ``output_tokens`` mean (a declared ``max`` stays, unless the measured mean is above it);
* ``reasoning`` tokens mean and p95, when the call declares reasoning or the records show some;
* requests per session: ``per_session``, or an agent loop's ``steps`` mean and p95.

Input tokens and the cached share are measured and reported, never applied: the spec
computes them from its templates, samples and cache settings.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..errors import CostgateError
from ..fields import Fields
from ..limits import DEFAULT_LIMITS, WorkLimits
from ..repo.source import Source, read_text
from ..yamlio import DocPath, loads
from .keys import CALL_NAME, MAXIMA
from .model import STEP_LAWS, CalibratedCall, Calibration, Call, Measured, Output, Reasoning, StepLaw

CALIBRATION_VERSION = 1
TOP = ("version", "feature", "start", "end", "records", "projected_monthly_usd", "calls")
CALL = ("records", "input_tokens", "output_tokens", "reasoning_tokens", "calls_per_session", "cached_share")
MEASURED = ("mean", "p95")
PER_SESSION = ("mean", "p95", "distribution")
MAX_TOKENS = Decimal(10**9)
MAX_OUTPUT = Decimal(MAXIMA["calls[].output_tokens"])
MAX_REASONING = Decimal(MAXIMA["calls[].reasoning.tokens"])
MAX_RECORDS = 10**15


def read_calibration(source: Source, rel: str, feature: str, *, referenced_from: str, line: int | None,
                     work: WorkLimits = DEFAULT_LIMITS) -> Calibration:
    """The calibration file ``rel`` of the spec of ``feature``; every mistake a
    CostgateError at its line (the file is pull-request input: strictly checked). The
    values it applies are held to the bounds a declared value has: output and reasoning
    tokens to the spec's maxima, requests per session to ``work.turns_per_session``."""
    doc = loads(read_text(source, rel, referenced_from=referenced_from, line=line), rel)
    f = Fields(doc, top="calibration")
    data = f.mapping((), doc.data, TOP, ("version", "feature", "start", "end", "records", "calls"))
    if type(data["version"]) is not int or data["version"] != CALIBRATION_VERSION:
        raise f.error(("version",), f"unsupported calibration version {data['version']!r}",
                      "this costgate reads version: 1; re-run costgate calibrate --write")
    got = f.ident(("feature",), data["feature"])
    if got != feature:
        raise f.error(("feature",), f"this calibration is of feature {got[:60]!r}, not {feature!r}",
                      "point calibration: at the file costgate calibrate --write made for this spec")
    start, end = f.day(("start",), data["start"]), f.day(("end",), data["end"])
    if end < start:
        raise f.error(("end",), f"end ({end}) is before start ({start})")
    monthly = data.get("projected_monthly_usd")
    records = f.count(("records",), data["records"])
    if records > MAX_RECORDS:
        raise f.error(("records",), f"records must be <= {MAX_RECORDS}")
    calls = data["calls"]
    if not isinstance(calls, dict) or not calls:
        raise f.error(("calls",), "calls must map each measured call's name to its measurements")
    return Calibration(
        file=rel, start=start, end=end,
        records=records,
        calls=tuple(_call(f, ("calls", name), name, value, work) for name, value in calls.items()),
        projected_monthly_usd=None if monthly is None else f.number(("projected_monthly_usd",), monthly,
                                                                    maximum=Decimal(10**12)))


def _call(f: Fields, p: DocPath, name: Any, value: Any, work: WorkLimits) -> CalibratedCall:
    if not isinstance(name, str) or not re.fullmatch(CALL_NAME, name):
        raise f.error(p, f"a call name must be an identifier, got {str(name)[:40]!r}")
    v = f.mapping(p, value, CALL, tuple(k for k in CALL if k != "calls_per_session"))
    return CalibratedCall(
        name=name, count=f.count(p + ("records",), v["records"]),
        input_tokens=_measured(f, p + ("input_tokens",), v["input_tokens"], MEASURED),
        output_tokens=_measured(f, p + ("output_tokens",), v["output_tokens"], MEASURED, MAX_OUTPUT),
        reasoning_tokens=_measured(f, p + ("reasoning_tokens",), v["reasoning_tokens"], MEASURED, MAX_REASONING),
        calls_per_session=None if "calls_per_session" not in v
        else _per_session(f, p + ("calls_per_session",), v["calls_per_session"], work),
        cached_share=f.share(p + ("cached_share",), v["cached_share"]))


def _per_session(f: Fields, p: DocPath, value: Any, work: WorkLimits) -> Measured:
    """Requests per session, within the turns_per_session limit a declared per_session
    or steps count has (the spec's calls are simulated that many times a session)."""
    m = _measured(f, p, value, PER_SESSION)
    for key, number in (("mean", m.mean), ("p95", m.p95)):
        if number > work.turns_per_session:
            over = work.exceeded("turns_per_session", number, f.where(p + (key,)))
            raise f.error(p + (key,), over.message, over.hint)
    return m


def _measured(f: Fields, p: DocPath, value: Any, keys: tuple[str, ...], top: Decimal = MAX_TOKENS) -> Measured:
    v = f.mapping(p, value, keys, MEASURED)
    mean = f.number(p + ("mean",), v["mean"], maximum=top)
    p95 = f.number(p + ("p95",), v["p95"], maximum=top)
    if "distribution" in v:
        f.choice(p + ("distribution",), v["distribution"], STEP_LAWS)
    return Measured(mean, p95)


def step_law(m: Measured) -> StepLaw:
    """The step law measured requests per session fit: fixed when the p95, rounded up to
    a whole request, is not above the mean (every session made the same number)."""
    return "fixed" if Decimal(math.ceil(m.p95)) <= m.mean else "negative_binomial"


def apply_calibration(calls: tuple[Call, ...], calibration: Calibration, feature: str,
                      spec_file: str, line: int | None) -> tuple[tuple[Call, ...], Calibration]:
    """``calls`` with the measured values in place of the declared ones, and the
    calibration with the settings it replaced listed (``answer.output_tokens``, ...)."""
    names = {c.name for c in calls}
    for m in calibration.calls:
        if m.name not in names:
            raise CostgateError(f"{calibration.file} measures call {m.name!r}, which {feature} does not "
                                "have", file=spec_file, line=line,
                                hint="re-run costgate calibrate --write after renaming or removing a call")
    out, replaced = [], []
    for call in calls:
        measured = calibration.call(call.name)
        if measured is None:
            out.append(call)
            continue
        new, fields = calibrated_call(call, measured)
        out.append(new)
        replaced += [f"{call.name}.{f}" for f in fields]
    return tuple(out), replace(calibration, replaced=tuple(replaced))


def calibrated_call(call: Call, m: CalibratedCall) -> tuple[Call, list[str]]:
    """One call with ``m``'s measurements applied, and the names of the settings replaced."""
    fields = ["output_tokens"]
    cap = call.output.max if call.output.max is not None and call.output.max >= m.output_tokens.mean else None
    changes: dict[str, Any] = {"output": Output(m.output_tokens.mean, cap)}
    r = m.reasoning_tokens
    if call.reasoning is not None or r.mean > 0:
        changes["reasoning"] = Reasoning(mean=r.mean, p95=r.p95 if r.p95 > r.mean else None)
        fields.append("reasoning")
    s = m.calls_per_session
    if s is None:
        pass
    elif call.steps is not None and s.mean >= 1:
        law = step_law(s)
        changes["steps"] = replace(call.steps, mean=s.mean, p95=None if law == "fixed" else Decimal(math.ceil(s.p95)),
                                   distribution=law)
        changes["per_session"] = s.mean
        fields.append("steps")
    elif call.steps is None and s.mean > 0:
        changes["per_session"] = s.mean
        fields.append("per_session")
    return replace(call, **changes), fields


__all__ = ["read_calibration", "apply_calibration", "calibrated_call", "step_law", "CALIBRATION_VERSION"]
