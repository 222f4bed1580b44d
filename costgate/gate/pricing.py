"""What a pull request that edits price tables changes in gated spend.

``pricing_diff`` builds the tables a repository uses at a base ref and at head (its full
table directory, ``pricing/`` in costgate's own repository, plus the config's
``pricing:`` override layers), then prices every gated spec with both, templates and
samples held fixed at head, so only the price change moves the numbers. It reports; it
never gates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Mapping, Protocol, Sequence

from ..errors import CostgateError
from ..estimate.results import Estimate
from ..estimate.simulate import DEFAULT_SEED, estimate
from ..pricing import PriceTable, table_for
from ..pricing.diff import compare_tables
from ..repo import GitTree, RepoView, Source, WorkTree, load_config
from ..repo.view import config_rel
from ..spec import Spec, load_spec
from .authority import base_config
from .model import PricingDiff, SpecImpact
from .runner import Runner

AUTO = "auto"


class HasSpec(Protocol):
    """One side's feature (``gate.diff.Side``): its spec and estimate."""

    @property
    def spec(self) -> Spec: ...

    @property
    def estimate(self) -> Estimate: ...

DEFAULT_TABLE_DIR = "pricing"
ZERO = Decimal(0)


def _auto_table_dir(views: Sequence[RepoView]) -> str | None:
    """``pricing/`` when either side has one and no config layers it already."""
    layers = {layer.strip("/") for v in views for layer in v.config.pricing}
    if DEFAULT_TABLE_DIR in layers:
        return None
    return DEFAULT_TABLE_DIR if any(v.layer(DEFAULT_TABLE_DIR) for v in views) else None


def pricing_diff(root: Path, base: str, head: str | None = None, *, config_path: str | Path | None = None,
                 table_dir: str | None = AUTO, as_of: date | None = None, seed: int = DEFAULT_SEED,
                 sessions: int = 500) -> PricingDiff:
    """Compare the price tables at ``base`` and ``head`` (default: the working tree) and
    price every spec gated at head with both. ``table_dir`` is the repository-relative
    directory holding a full table (``auto``: ``pricing/`` when present and not an
    override layer; ``None``: this install's shipped table)."""
    root = Path(root).resolve()
    as_of = as_of or date.today()
    base_src = GitTree(root, base)
    head_src: Source = WorkTree(root) if head is None else GitTree(root, head)
    rel = config_rel(head_src, config_path)
    head_view = RepoView(head_src, load_config(head_src, rel))
    base_view = RepoView(base_src, base_config(base_src, rel))
    if table_dir == AUTO:
        table_dir = _auto_table_dir((base_view, head_view))
    try:
        base_table = table_for(base_view, table_dir=table_dir)
    except CostgateError as exc:
        raise CostgateError(f"at base {base}: {exc.message}", file=exc.location.file,
                            line=exc.location.line, hint=exc.hint) from None
    head_table = table_for(head_view, table_dir=table_dir)
    impacts = [_impact(head_src, rel, base_table, head_table, as_of, seed, sessions) for rel in head_view.discover()]
    return PricingDiff(base, head or "working tree", as_of,
                       compare_tables(base_table, head_table, as_of), tuple(impacts))


def _impact(src: Source, rel: str, base_table: PriceTable, head_table: PriceTable, as_of: date, seed: int,
            sessions: int) -> SpecImpact:
    spec = load_spec(rel, src)
    names = dict.fromkeys(m for c in spec.calls for m in c.models)
    models = tuple(head_table.canonical(m, as_of) for m in names)
    costs: list[Decimal | None] = []
    error = None
    for side, table in (("base", base_table), ("head", head_table)):
        try:
            costs.append(estimate(spec, table, as_of=as_of, seed=seed, sessions=sessions,
                                  alternatives=False).monthly_cost)
        except CostgateError as exc:
            costs.append(None)
            error = error or f"{side}: {exc.message}"
    return SpecImpact(spec.feature, rel, models, costs[0], costs[1], error)


def head_pricing(head: Source, rel: str | None, table: PriceTable, after: Mapping[str, HasSpec], as_of: date,
                 seed: int, sessions: int, base: str, *, runner: Runner | None = None) -> tuple[PricingDiff | None, str | None]:
    """What the pull request's own price layers would change once merged: the table diff
    and each gated feature priced with both tables. Never used to judge the pull request;
    a head table that does not load is reported, not fatal. ``runner`` (the gate's)
    estimates with the cache and worker processes."""
    try:
        head_cfg = load_config(head, rel) if rel is None or head.exists(rel) else None
        head_table = table_for(RepoView(head, head_cfg)) if head_cfg is not None else table
    except CostgateError as exc:
        return None, f"the pull request's config or price layers do not load: {exc}"
    changes = compare_tables(table, head_table, as_of)
    if not changes.changed:
        return None, None
    sides = sorted(after.items())
    runner = runner or Runner(as_of, seed, sessions)
    outcomes = runner.estimate_all([(side.spec, head_table, False) for _, side in sides])
    impacts = []
    for (path, side), outcome in zip(sides, outcomes):
        models = tuple(dict.fromkeys(m for c in side.spec.calls for m in c.models))
        priced, error = None, None
        if isinstance(outcome, CostgateError):
            error = f"head: {outcome.message}"
        elif isinstance(outcome, Exception):
            raise outcome
        else:
            priced = outcome.monthly_cost
        impacts.append(SpecImpact(side.spec.feature, path, models, side.estimate.monthly_cost, priced, error))
    return PricingDiff(base, head.label, as_of, changes, tuple(impacts)), None
