"""What-if: the changes a team makes to pass the gate, priced by the same simulator.

Each lever is applied alone to one call, the spec is re-estimated, and the saving is the
difference in projected monthly spend. Nothing here has its own cost model: a lever is
a spec edit, so its number is exactly what the team would see after making the change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from .pricing import PriceTable
from .simulate import DEFAULT_SEED, Estimate, estimate
from .spec import Call, History, Spec, Template

ZERO = Decimal(0)
WINDOW = 5
MAX_ROUTES = 3

TRADE_OFFS = {
    "prompt_caching": "none on output; the first call per cache lifetime pays the cache-write price",
    "route": "quality risk: a smaller model; evaluate it on your samples first",
    "history_window": f"the model forgets turns older than {WINDOW}; long conversations may lose context",
    "batch": "results within 24 hours instead of seconds; only for offline work",
    "compress_system": "low risk: whitespace and exact repeated lines removed; check formatting-sensitive prompts",
}


@dataclass(frozen=True)
class Lever:
    lever: str
    call: str
    description: str
    monthly_cost: Decimal
    saving: Decimal  # positive = cheaper than the spec as declared
    saving_percent: Decimal
    trade_off: str


def compress(text: str) -> str:
    """The system prompt with whitespace runs collapsed and exact repeated lines dropped:
    what a careful edit removes without changing what the prompt says."""
    seen: set[str] = set()
    out = []
    for line in text.splitlines():
        squeezed = re.sub(r"[ \t]+", " ", line).strip()
        if not squeezed:
            if out and out[-1] == "":
                continue
            out.append("")
            continue
        if squeezed in seen:
            continue
        seen.add(squeezed)
        out.append(squeezed)
    return "\n".join(out).strip("\n")


def _variants(spec: Spec, call: Call, table: PriceTable, as_of: date):
    if not call.cache.prompt_prefix:
        yield "prompt_caching", "turn on provider prompt caching of the static prefix", \
            replace(call, cache=replace(call.cache, prompt_prefix=True))
    if call.history.policy == "full" or (call.history.policy == "window" and (call.history.window or 0) > WINDOW):
        if call.per_session > WINDOW + 1:
            yield "history_window", f"keep only the last {WINDOW} turns of history", \
                replace(call, history=History("window", window=WINDOW))
    if call.latency == "offline" and call.batch < 1:
        yield "batch", "send every call through the batch API", replace(call, batch=Decimal(1))
    if call.system is not None:
        squeezed = compress(call.system.text)
        if squeezed != call.system.text.strip("\n") and len(squeezed) < len(call.system.text):
            yield "compress_system", "strip whitespace runs and repeated lines from the system prompt", \
                replace(call, system=Template(squeezed, call.system.file, call.system.first_line))
    families = {table.model(m).tokenizer for m in call.models}
    current = {table.model(m).id for m in call.models}
    for model in table.models.values():
        if (model.kind == "chat" and model.tokenizer in families and model.id not in current
                and not (model.retired and as_of >= model.retired)
                and not (model.deprecated and as_of >= model.deprecated)):  # never suggest a model on its way out
            try:
                model.price_at(as_of)
            except Exception:  # not yet priced on that day
                continue
            if call.batch and model.prices and model.price_at(as_of).rates.batch_input is None:
                continue
            yield "route", f"route to {model.id}", replace(call, mix=((model.id, Decimal(1)),))


def what_if(spec: Spec, table: PriceTable, base: Estimate | None = None, *, as_of: date | None = None,
            seed: int = DEFAULT_SEED) -> list[Lever]:
    """Every applicable lever, one at a time, ranked by monthly saving (largest first)."""
    as_of = as_of or (base.as_of if base else date.today())
    base = base or estimate(spec, table, as_of=as_of, seed=seed, alternatives=False)
    levers: list[Lever] = []
    for call in spec.calls:
        routes: list[Lever] = []
        for kind, description, changed in _variants(spec, call, table, as_of):
            calls = tuple(changed if c.name == call.name else c for c in spec.calls)
            result = estimate(replace(spec, calls=calls), table, as_of=as_of, seed=seed, sessions=50,
                              alternatives=False)
            saving = base.monthly_cost - result.monthly_cost
            pct = (saving * 100 / base.monthly_cost) if base.monthly_cost else ZERO
            lever = Lever(kind, call.name, description, result.monthly_cost, saving, pct, TRADE_OFFS[kind])
            if saving != 0:  # zero: the lever does not apply (e.g. prefix below the cache minimum)
                (routes if kind == "route" else levers).append(lever)
        routes = sorted((r for r in routes if r.saving > 0), key=lambda r: (-r.saving, r.description))
        levers.extend(routes[:MAX_ROUTES])
    return sorted(levers, key=lambda lv: (-lv.saving, lv.call, lv.lever, lv.description))


def suggestions(levers: list[Lever], n: int = 3) -> list[str]:
    """The top savings as sentences for the gate's comment."""
    from .money import dollars

    out = []
    for lv in levers:
        if lv.saving <= 0:
            continue
        out.append(f"`{lv.call}`: {lv.description} would save {dollars(lv.saving)}/month "
                   f"({lv.saving_percent.quantize(Decimal('0.1'))}%); trade-off: {lv.trade_off}")
        if len(out) == n:
            break
    return out


__all__ = ["Lever", "what_if", "suggestions", "compress"]
