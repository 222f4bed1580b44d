"""Compare the price table with pydantic's genai-prices data, and write what differs.

``genai_prices`` is an optional dependency (``pip install 'costgate[sync]'``) and only its
bundled snapshot is read: nothing is fetched. For every model costgate carries, the
ordinary rates in force on one day (input, cached input, output; long-context tiers too)
are compared, and cache writes and a separate reasoning rate are reported. What cannot be mapped is listed, never guessed: models genai-prices does
not know, genai-prices fields costgate does not model (audio, images, web search ...),
and time-of-day prices.

``write_updates`` appends a new price period (``since: <day>``) to each model that
differs, by inserting text after its last period, so history and comments are kept.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import CostgateError
from .loader import load_file
from .model import RATE_KEYS, Model, PricePeriod, PriceTable

SOURCE = "genai-prices"
# costgate provider -> genai-prices provider (meta's Llama models are priced as on Groq)
PROVIDERS = {"openai": "openai", "anthropic": "anthropic", "google": "google",
             "mistral": "mistral", "deepseek": "deepseek", "meta": "groq", "xai": "x-ai"}
FIELDS = {"input_mtok": "input", "cache_read_mtok": "cached_input", "output_mtok": "output"}
REPORTED = {"cache_write_mtok": "cache_write_5m", "cache_write_1h_mtok": "cache_write_1h",
            "output_reasoning_mtok": "reasoning_output"}
KNOWN = set(FIELDS) | set(REPORTED)


@dataclass(frozen=True)
class Difference:
    model: str
    provider: str
    field: str
    """input | cached_input | output | "tier >200,000 input" ..."""
    ours: Decimal | None
    theirs: Decimal | None

    @property
    def writable(self) -> bool:
        return self.field in FIELDS.values() and self.theirs is not None


@dataclass(frozen=True)
class SyncReport:
    source: str  # "genai-prices 0.2.3"
    as_of: _dt.date
    compared: int
    differences: tuple[Difference, ...]
    unmapped: tuple[str, ...]  # what could not be compared, one line each


def load_genai_prices() -> ModuleType:
    try:
        return importlib.import_module("genai_prices")
    except ImportError:
        raise CostgateError("the genai-prices package is not installed",
                            hint="pip install 'costgate[sync]'") from None


def _their_price(info: Any, when: _dt.datetime, notes: list[str], mid: str) -> Any:
    """The price set genai-prices applies at ``when`` (noon UTC: its later conditional
    prices win when active). Time-of-day prices are noted, as costgate has none."""
    prices = info.prices
    if not isinstance(prices, list):
        return prices
    chosen = prices[0].prices
    for cp in prices:
        c = cp.constraint
        if c is not None and hasattr(c, "start_time"):
            notes.append(f"{mid}: {SOURCE} has time-of-day prices; compared the one in force "
                         f"at 12:00 UTC ({c.start_time:%H:%M}-{c.end_time:%H:%M} UTC)")
        if c is None or c.active(when):
            chosen = cp.prices
    return chosen


def _split(value: Any) -> tuple[Decimal | None, dict[int, Decimal]]:
    """A genai-prices price: a Decimal, or TieredPrices(base, tiers=[Tier(start, price)])."""
    if value is None:
        return None, {}
    if hasattr(value, "base"):
        return Decimal(value.base), {t.start: Decimal(t.price) for t in value.tiers}
    return Decimal(value), {}


def compare(table: PriceTable, as_of: _dt.date, module: ModuleType | None = None) -> SyncReport:
    """Compare every model of ``table`` with genai-prices' bundled data on ``as_of``."""
    gp = module or load_genai_prices()
    snapshot = gp.data_snapshot.get_snapshot()
    by_id = {p.id: p for p in snapshot.providers}
    when = _dt.datetime.combine(as_of, _dt.time(12), tzinfo=_dt.timezone.utc)
    diffs: list[Difference] = []
    notes: list[str] = []
    extra_fields: dict[str, list[str]] = {}
    compared = 0
    for m in sorted(table.models.values(), key=lambda m: (m.provider, m.id)):
        provider = by_id.get(PROVIDERS.get(m.provider, m.provider))
        if provider is None:
            notes.append(f"{m.id}: provider {m.provider!r} not in {SOURCE}")
            continue
        info = next((i for ref in (m.id, *m.aliases) if (i := provider.find_model(ref))), None)
        if info is None:
            notes.append(f"{m.id}: not in {SOURCE} ({provider.id})")
            continue
        try:
            ours = m.price_at(as_of)
        except CostgateError:
            notes.append(f"{m.id}: no costgate price on {as_of}")
            continue
        compared += 1
        theirs = _their_price(info, when, notes, m.id)
        values = {k: v for k, v in vars(theirs).items() if v is not None and not k.startswith("_")}
        for key in sorted(set(values) - KNOWN):
            extra_fields.setdefault(key, []).append(m.id)
        diffs += _compare_model(m, ours, values)
        for alias in m.aliases:
            other = provider.find_model(alias)
            current = table.canonical(alias, as_of) == m.id  # a dated alias may mean another model that day
            if other is not None and other.id != info.id and current:
                p = _their_price(other, when, [], alias)
                theirs_in, theirs_out = _split(getattr(p, "input_mtok", None))[0], _split(
                    getattr(p, "output_mtok", None))[0]
                if (theirs_in, theirs_out) != (ours.rates.input, ours.rates.output):
                    notes.append(f"{m.id}: alias {alias} is {other.id} in {SOURCE}, priced "
                                 f"{theirs_in}/{theirs_out} there, {ours.rates.input}/"
                                 f"{ours.rates.output} here (input/output)")
    notes += [f"{SOURCE} field {k} is not modelled by costgate (on {', '.join(v)})"
              for k, v in sorted(extra_fields.items())]
    version = getattr(gp, "__version__", "?")
    return SyncReport(f"{SOURCE} {version}", as_of, compared, tuple(diffs), tuple(notes))


def _compare_model(m: Model, ours: PricePeriod, values: dict) -> list[Difference]:
    out = []
    tiers = {t.above: t.rates for t in ours.tiers}
    for key, field in {**FIELDS, **REPORTED}.items():
        base, their_tiers = _split(values.get(key))
        if m.kind == "embedding" and field == "output":
            continue  # costgate bills embeddings on input only
        mine = getattr(ours.rates, field)
        if base != mine:
            out.append(Difference(m.id, m.provider, field, mine, base))
        for above in sorted(set(their_tiers) | set(tiers)):
            mine_t = getattr(tiers[above], field) if above in tiers else None
            theirs_t = their_tiers.get(above)
            if theirs_t is None and base is not None and their_tiers:
                theirs_t = base  # a flat rate beside tiered ones holds above the tier too
            if mine_t != theirs_t and not (theirs_t is None and base is None):
                out.append(Difference(m.id, m.provider, f"tier >{above:,} {field}", mine_t, theirs_t))
    return out


# --------------------------------------------------------------------------- writing

def _q(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0").ljust(2, "0")
        text = f"{whole}.{frac}"
    else:
        text += ".00"
    return f'"{text}"'


def _period_lines(indent: str, since: _dt.date, rates: dict[str, Decimal | None],
                  tiers: list[tuple[int, dict[str, Decimal | None]]], note: str) -> list[str]:
    lines = [f"{indent}# {note}", f"{indent}- since: {since.isoformat()}"]
    lines += [f"{indent}  {k}: {_q(v)}" for k, v in rates.items() if v is not None]
    if tiers:
        lines.append(f"{indent}  tiers:")
        for above, tr in tiers:
            lines.append(f"{indent}    - above: {above}")
            lines += [f"{indent}      {k}: {_q(v)}" for k, v in tr.items() if v is not None]
    return lines


def write_updates(report: SyncReport, directory: Path, since: _dt.date) -> dict[Path, list[str]]:
    """Append a price period from ``since`` to every model with a writable difference, in
    ``directory``'s ``<provider>.yaml``. Returns, per file written, the models updated;
    models that already have a period from ``since`` or later are left alone (listed in
    the returned dict under the key ``Path('-')``)."""
    todo: dict[str, dict[str, list[Difference]]] = {}
    for d in report.differences:
        if d.writable:
            todo.setdefault(d.provider, {}).setdefault(d.model, []).append(d)
    written: dict[Path, list[str]] = {}
    for provider, models in sorted(todo.items()):
        path = Path(directory) / f"{provider}.yaml"
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        pf = load_file(text, str(path))
        edits: list[tuple[int, list[str]]] = []  # (insert after 0-based line, new lines)
        for mid, diffs in sorted(models.items()):
            model = next((m for m in pf.models if m.id == mid), None)
            if model is None:  # defined in another layer
                written.setdefault(Path("-"), []).append(f"{mid}: not defined in {path}")
                continue
            last = model.prices[-1]
            if last.since >= since:
                written.setdefault(Path("-"), []).append(
                    f"{mid}: already has a price period from {last.since}; edit it by hand")
                continue
            mpath = pf.model_paths[mid]
            doc = pf.doc
            under = [ln for p, ln in doc.lines.items() if p[:len(mpath) + 1] == mpath + ("prices",)]
            first = doc.line(mpath + ("prices", 0)) or 1
            indent = lines[first - 1][:len(lines[first - 1]) - len(lines[first - 1].lstrip())]
            rates = {k: getattr(last.rates, k) for k in RATE_KEYS}
            for d in diffs:
                rates[d.field] = d.theirs
            tiers = [(t.above, {k: getattr(t.rates, k) for k in RATE_KEYS}) for t in last.tiers]
            note = f"synced from {report.source} on {since.isoformat()} (costgate pricing sync)"
            edits.append((max(under), _period_lines(indent, since, rates, tiers, note)))
            checked = doc.line(mpath + ("checked",)) or 1
            lines[checked - 1] = re.sub(r"checked:\s*\S+", f"checked: {since.isoformat()}",
                                        lines[checked - 1])
            written.setdefault(path, []).append(mid)
        for after, new in sorted(edits, reverse=True):
            lines[after:after] = new
        if edits:
            out = "\n".join(lines) + ("\n" if text.endswith("\n") else "")
            load_file(out, str(path))  # never write a file that does not load
            path.write_text(out, encoding="utf-8")
    return written
