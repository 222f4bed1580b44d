"""What changed between two price tables: every rate in force on one day that differs
(and the tokenizer, reasoning tokens per effort level and capability class, which move
estimates and routing advice as much as a rate), models added and removed, and models
whose price history changed. Numbers only; the
renderers in ``report.pricing`` write them out, ``gate.pricing`` prices specs with both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .model import EFFORTS, RATE_KEYS, Model, PriceTable


@dataclass(frozen=True)
class RateChange:
    """One rate (or the tokenizer) of one model that differs between base and head."""

    model: str
    provider: str
    field: str
    """A rate key, "tier >200,000 input", "tokenizer", "reasoning tokens (medium)" or
    "capability"."""
    before: Decimal | str | None
    after: Decimal | str | None


@dataclass(frozen=True)
class TableDiff:
    changes: tuple[RateChange, ...]
    added: tuple[Model, ...]
    removed: tuple[Model, ...]
    history: tuple[str, ...]
    """Models whose price periods changed without a change today."""

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.added or self.removed or self.history)

    @property
    def changed_models(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.model for c in self.changes))


# ------------------------------------------------------------------------ comparing

def _rate_changes(b: Model, h: Model, as_of: date) -> list[RateChange]:
    pb, ph = b.priced_at(as_of), h.priced_at(as_of)
    out = []

    def add(field: str, old, new) -> None:
        if old != new:
            out.append(RateChange(h.id, h.provider, field, old, new))

    for key in RATE_KEYS:
        add(key, getattr(pb.rates, key) if pb else None, getattr(ph.rates, key) if ph else None)
    tiers_b = {t.above: t.rates for t in (pb.tiers if pb else ())}
    tiers_h = {t.above: t.rates for t in (ph.tiers if ph else ())}
    for above in sorted(set(tiers_b) | set(tiers_h)):
        for key in RATE_KEYS:
            add(f"tier >{above:,} {key}", getattr(tiers_b.get(above), key, None),
                getattr(tiers_h.get(above), key, None))
    add("tokenizer", b.tokenizer, h.tokenizer)
    rb, rh = (m.reasoning.effort_tokens if m.reasoning else {} for m in (b, h))
    for effort in EFFORTS:
        add(f"reasoning tokens ({effort})", _count(rb.get(effort)), _count(rh.get(effort)))
    add("capability", b.capability, h.capability)
    return out


def _count(tokens: int | None) -> Decimal | None:
    return None if tokens is None else Decimal(tokens)


def compare_tables(base: PriceTable, head: PriceTable, as_of: date) -> TableDiff:
    """Rates in force on ``as_of`` that differ, models added and removed, and models whose
    price history changed while today's price did not (e.g. a future price announced)."""
    changes: list[RateChange] = []
    history = []
    for mid in sorted(set(base.models) & set(head.models)):
        b, h = base.models[mid], head.models[mid]
        found = _rate_changes(b, h, as_of)
        changes += found
        if not found and b.prices != h.prices:
            sb, sh = {p.since for p in b.prices}, {p.since for p in h.prices}
            dates = ", ".join(f"+{d}" for d in sorted(sh - sb)) + ", ".join(
                f"-{d}" for d in sorted(sb - sh))
            history.append(f"{mid}: price periods changed ({dates or 'an earlier period edited'})")
    added = tuple(head.models[m] for m in sorted(set(head.models) - set(base.models)))
    removed = tuple(base.models[m] for m in sorted(set(base.models) - set(head.models)))
    return TableDiff(tuple(changes), added, removed, tuple(history))


