"""What a pull request that edits price tables changes: rates, models, and spend.

``compare_tables`` lists every rate in force on one day that differs between two tables,
and the models added or removed. ``pricing_diff`` builds the tables a repository uses at a
base ref and at head (its full table directory, ``pricing/`` in costgate's own repository,
plus the config's ``pricing:`` override layers), then prices every gated spec with both,
templates and samples held fixed at head, so only the price change moves the numbers.
It reports; it never gates.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from tabulate import tabulate

from . import __version__
from .config import Config, load_config
from .errors import CostgateError
from .money import change, dollars, percent, usd
from .pricing import Model, PricePeriod, PriceTable, load_table, shipped_pricing_dir
from .pricing_check import RATE_KEYS
from .simulate import DEFAULT_SEED, estimate
from .source import GitTree, WorkTree
from .spec import load_spec

MARKER = "<!-- costgate-pricing-report -->"
SCHEMA_VERSION = 1
AUTO = "auto"
DEFAULT_TABLE_DIR = "pricing"
ZERO = Decimal(0)


@dataclass(frozen=True)
class RateChange:
    """One rate (or the tokenizer) of one model that differs between base and head."""

    model: str
    provider: str
    field: str  # a rate key, "tier >200,000 input", or "tokenizer"
    before: Decimal | str | None
    after: Decimal | str | None

    @property
    def percent(self) -> str | None:
        if isinstance(self.before, Decimal) and isinstance(self.after, Decimal):
            return percent(self.after - self.before, self.before)
        return None


@dataclass(frozen=True)
class TableDiff:
    changes: tuple[RateChange, ...]
    added: tuple[Model, ...]
    removed: tuple[Model, ...]
    history: tuple[str, ...]  # models whose price periods changed without a change today

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.added or self.removed or self.history)

    @property
    def changed_models(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.model for c in self.changes))


@dataclass(frozen=True)
class SpecImpact:
    """A gated spec's projected monthly cost on the base table and on the head table."""

    feature: str
    spec_file: str
    models: tuple[str, ...]
    before: Decimal | None
    after: Decimal | None
    error: str | None = None

    @property
    def delta(self) -> Decimal | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True)
class PricingDiff:
    base: str
    head: str
    as_of: date
    table: TableDiff
    impacts: tuple[SpecImpact, ...]

    @property
    def monthly_before(self) -> Decimal:
        return sum((i.before for i in self.impacts if i.delta is not None), ZERO)

    @property
    def monthly_after(self) -> Decimal:
        return sum((i.after for i in self.impacts if i.delta is not None), ZERO)


# ------------------------------------------------------------------------ comparing

def _period(model: Model, as_of: date) -> PricePeriod | None:
    try:
        return model.price_at(as_of)
    except CostgateError:  # not priced yet on that day
        return None


def _rate_changes(b: Model, h: Model, as_of: date) -> list[RateChange]:
    pb, ph = _period(b, as_of), _period(h, as_of)
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
    return out


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


# --------------------------------------------------------------- tables at a git ref

def table_at(root: Path, src: WorkTree | GitTree, cfg: Config, table_dir: str | None) -> PriceTable:
    """The price table a repository uses in ``src``: its full table directory (when it has
    one, else this install's shipped table) plus the config's override layers."""
    if isinstance(src, WorkTree):
        first = root / table_dir if table_dir and (root / table_dir).is_dir() else shipped_pricing_dir()
        return load_table([first, *[root / layer for layer in cfg.pricing]])
    names: dict[Path, str] = {}

    def layer(rel: str) -> tuple[Path, ...]:
        rel = rel.strip("/")
        files = [rel] if src.exists(rel) else sorted(
            f for f in src.files() if posixpath.dirname(f) == rel and f.endswith(".yaml"))
        keys = tuple(Path(f"{src.label}:{f}") for f in files)
        names.update(zip(keys, files))
        return keys

    first = layer(table_dir) if table_dir else ()
    layers: list = [first or shipped_pricing_dir()]
    for rel in cfg.pricing:
        files = layer(rel)
        if not files:
            raise CostgateError(f"pricing layer {rel!r} not found at {src.label}", file=cfg.file,
                                hint="every path under pricing: must exist in the repository")
        layers.append(files)
    return load_table(layers, read_text=lambda p: src.read_text(names[p]) if p in names
                      else p.read_text(encoding="utf-8"))


def _config(root: Path, src, config_path: Path | None) -> Config:
    read = None if isinstance(src, WorkTree) else (lambda rel: src.read_text(rel))
    if config_path is not None and read is not None:
        rel = WorkTree(root).rel(config_path) if Path(config_path).exists() else str(config_path)
        return load_config(root, Path(rel), read) if src.exists(rel) else Config(root=root)
    return load_config(root, config_path, read)


def _auto_table_dir(root: Path, sides, configs: Sequence[Config]) -> str | None:
    layers = {layer.strip("/") for c in configs for layer in c.pricing}
    if DEFAULT_TABLE_DIR in layers:
        return None
    for src in sides:
        has = (root / DEFAULT_TABLE_DIR).is_dir() if isinstance(src, WorkTree) else any(
            posixpath.dirname(f) == DEFAULT_TABLE_DIR and f.endswith(".yaml") for f in src.files())
        if has:
            return DEFAULT_TABLE_DIR
    return None


def pricing_diff(root: Path, base: str, head: str | None = None, *, config_path: Path | None = None,
                 table_dir: str | None = AUTO, as_of: date | None = None, seed: int = DEFAULT_SEED,
                 sessions: int = 500) -> PricingDiff:
    """Compare the price tables at ``base`` and ``head`` (default: the working tree) and
    price every spec gated at head with both. ``table_dir`` is the repository-relative
    directory holding a full table (``auto``: ``pricing/`` when present and not an
    override layer; ``None``: this install's shipped table)."""
    root = Path(root).resolve()
    as_of = as_of or date.today()
    base_src = GitTree(root, base)
    head_src = WorkTree(root) if head is None else GitTree(root, head)
    head_cfg = _config(root, head_src, config_path)
    base_cfg = _config(root, base_src, config_path)
    if table_dir == AUTO:
        table_dir = _auto_table_dir(root, (base_src, head_src), (base_cfg, head_cfg))
    try:
        base_table = table_at(root, base_src, base_cfg, table_dir)
    except CostgateError as exc:
        raise CostgateError(f"at base {base}: {exc.message}", file=exc.location.file,
                            line=exc.location.line, hint=exc.hint) from None
    head_table = table_at(root, head_src, head_cfg, table_dir)
    impacts = []
    for rel in sorted({f for pattern in head_cfg.specs for f in head_src.glob(pattern)}):
        spec = load_spec(rel if isinstance(head_src, GitTree) else root / rel, head_src)
        names = dict.fromkeys(m for c in spec.calls for m in c.models)
        models = tuple(head_table.models[head_table.aliases.get(m, m)].id
                       if head_table.aliases.get(m, m) in head_table.models else m for m in names)
        costs, error = [], None
        for table in (base_table, head_table):
            try:
                costs.append(estimate(spec, table, as_of=as_of, seed=seed, sessions=sessions,
                                      alternatives=False).monthly_cost)
            except CostgateError as exc:
                costs.append(None)
                error = error or f"{'base' if table is base_table else 'head'}: {exc.message}"
        impacts.append(SpecImpact(spec.feature, rel, models, costs[0], costs[1], error))
    return PricingDiff(base, head or "working tree", as_of,
                       compare_tables(base_table, head_table, as_of), tuple(impacts))


# ------------------------------------------------------------------------ reporting

def _price(value) -> str:
    return "—" if value is None else str(value)


def _change(c: RateChange) -> str:
    if c.before is None:
        return "new"
    if c.after is None:
        return "dropped"
    pct = c.percent
    return "changed" if pct is None else f"{'+' if not pct.startswith('-') else ''}{pct}%"


def _delta(before: Decimal | None, after: Decimal | None) -> str:
    return "n/a" if before is None or after is None else change(before, after)


def _money(v: Decimal | None) -> str:
    return "n/a" if v is None else dollars(v)


def verdict(r: PricingDiff) -> str:
    t = r.table
    if not t.changed:
        return "costgate pricing: no price changes"
    n = len(t.changes)
    parts = [f"{n} rate{'s' if n != 1 else ''} changed on {len(t.changed_models)} "
             f"model{'s' if len(t.changed_models) != 1 else ''}",
             f"{len(t.added)} model{'s' if len(t.added) != 1 else ''} added",
             f"{len(t.removed)} removed"]
    return (f"costgate pricing: {', '.join(parts)}; gated monthly spend "
            f"{_delta(r.monthly_before, r.monthly_after)}")


RATE_HEADERS = ["model", "provider", "rate (USD / 1M tokens)", "before", "after", "change"]
IMPACT_HEADERS = ["feature", "models", "$/month before", "$/month after", "change"]


def _rate_rows(r: PricingDiff) -> list[list[str]]:
    return [[c.model, c.provider, c.field, _price(c.before), _price(c.after), _change(c)]
            for c in r.table.changes]


def _impact_rows(r: PricingDiff, code: bool) -> list[list[str]]:
    q = "`" if code else ""
    return [[f"{q}{i.feature}{q}", ", ".join(i.models), _money(i.before), _money(i.after),
             _delta(i.before, i.after) if i.error is None else f"n/a ({i.error})"]
            for i in r.impacts]


def to_markdown(r: PricingDiff) -> str:
    t = r.table
    icon = "💲" if t.changed else "✅"
    out = [MARKER, f"## {icon} **{verdict(r).replace(';', '**;', 1) if ';' in verdict(r) else verdict(r) + '**'}", "",
           f"Base `{r.base}` → head `{r.head}`, prices as of {r.as_of.isoformat()}; "
           "templates and samples held fixed at head, so only prices move the numbers.", ""]
    if t.changes:
        out += ["### Price changes", "",
                tabulate(_rate_rows(r), headers=RATE_HEADERS, tablefmt="github", disable_numparse=True), ""]
    if t.added or t.removed:
        out += ["### Models added and removed", ""]
        out += [f"- added `{m.id}` ({m.provider})" for m in t.added]
        out += [f"- removed `{m.id}` ({m.provider})" for m in t.removed]
        out.append("")
    if t.history:
        out += ["### Price history", "", *[f"- {h}" for h in t.history], ""]
    out += ["### Gated features", ""]
    out.append(tabulate(_impact_rows(r, True), headers=IMPACT_HEADERS, tablefmt="github",
                        disable_numparse=True) if r.impacts else "_No gated specs found._")
    out += ["", f"<sub>costgate {__version__} · `costgate pricing diff --base {r.base}` · "
            "reports only, never fails</sub>", ""]
    return "\n".join(out)


def to_table(r: PricingDiff) -> str:
    t = r.table
    out = [verdict(r), f"base {r.base} -> head {r.head}, prices as of {r.as_of.isoformat()}", ""]
    if t.changes:
        out += [tabulate(_rate_rows(r), headers=RATE_HEADERS, tablefmt="simple", disable_numparse=True), ""]
    out += [f"added: {m.id} ({m.provider})" for m in t.added]
    out += [f"removed: {m.id} ({m.provider})" for m in t.removed]
    out += list(t.history)
    if t.added or t.removed or t.history:
        out.append("")
    if r.impacts:
        out.append(tabulate(_impact_rows(r, False), headers=IMPACT_HEADERS, tablefmt="simple",
                            disable_numparse=True))
    return "\n".join(out) + "\n"


def _json_price(v) -> str | None:
    return None if v is None else str(v)


def to_json(r: PricingDiff) -> str:
    doc = {
        "schema_version": SCHEMA_VERSION, "kind": "pricing-diff", "base": r.base, "head": r.head,
        "as_of": r.as_of.isoformat(), "changed": r.table.changed,
        "changes": [{"model": c.model, "provider": c.provider, "field": c.field,
                     "before": _json_price(c.before), "after": _json_price(c.after),
                     "change_percent": c.percent} for c in r.table.changes],
        "added": [{"model": m.id, "provider": m.provider} for m in r.table.added],
        "removed": [{"model": m.id, "provider": m.provider} for m in r.table.removed],
        "history": list(r.table.history),
        "monthly_cost_before_usd": usd(r.monthly_before), "monthly_cost_after_usd": usd(r.monthly_after),
        "features": [{"feature": i.feature, "spec": i.spec_file, "models": list(i.models),
                      "monthly_cost_before_usd": None if i.before is None else usd(i.before),
                      "monthly_cost_after_usd": None if i.after is None else usd(i.after),
                      "monthly_delta_usd": None if i.delta is None else usd(i.delta),
                      "monthly_delta_percent": None if i.delta is None else percent(i.delta, i.before),
                      "error": i.error} for i in r.impacts],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
