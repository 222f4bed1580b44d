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
from typing import Sequence

from ..errors import CostgateError
from ..estimate.simulate import DEFAULT_SEED, estimate
from ..pricing import PriceTable, table_for
from ..pricing.diff import compare_tables
from ..repo import GitTree, RepoView, Source, WorkTree, load_config
from ..repo.view import config_rel
from ..spec import load_spec
from .diff import base_config
from .model import PricingDiff, SpecImpact

AUTO = "auto"
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
    models = tuple(head_table.models[head_table.canonical(m)].id if head_table.canonical(m) in head_table.models
                   else m for m in names)
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
