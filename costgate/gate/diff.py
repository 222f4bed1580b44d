"""The pull-request gate: estimate every gated spec at the base ref and at head, compare,
and decide which thresholds the change crosses.

The base branch is the authority: thresholds, spec discovery and the price table come
from it, so a pull request cannot loosen, narrow or re-price the gate that judges it (its
changes to costgate.yaml and to price layers take effect once merged, and are reported).
Both sides are priced on the same day, table and seed, so only the change moves the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, TypeVar

from ..errors import CostgateError
from ..estimate.levers import what_if
from ..estimate.results import Estimate, Lever
from ..estimate.simulate import DEFAULT_SEED, estimate
from ..pricing import PriceTable, table_for
from ..repo import GitTree, RepoView, Source, WorkTree
from ..repo.view import config_rel
from ..spec import Spec, load_spec
from .authority import base_config, config_text
from .compare import compare_feature
from .identity import files_declaring, match_features, renamed_paths
from .model import GateResult
from .pricing import head_pricing

T = TypeVar("T")


@dataclass(frozen=True)
class Side:
    """One feature as estimated on one side of the diff."""

    spec: Spec
    table: PriceTable
    estimate: Estimate


def diff(
    root: Path,
    base: str,
    head: str | None = None,
    *,
    config_path: str | Path | None = None,
    as_of: date | None = None,
    seed: int = DEFAULT_SEED,
    sessions: int = 500,
) -> GateResult:
    """Compare every gated feature between ``base`` and ``head`` (default: working tree).

    The base decides everything that judges the change: its config (or the built-in
    defaults when it has none) gives the thresholds, the ``specs:`` globs both sides are
    discovered with, and the price layers both sides are priced with. The pull request's
    own config and price-layer changes are reported, never used.
    """
    root = Path(root).resolve()
    as_of = as_of or date.today()
    base_src = GitTree(root, base)
    head_src: Source = WorkTree(root) if head is None else GitTree(root, head)
    rel = config_rel(head_src, config_path)
    if rel is not None and not base_src.exists(rel) and not head_src.exists(rel):
        raise CostgateError(f"config file not found at base or head: {rel}",
                            hint="--config names a file relative to the repository root")
    cfg = base_config(base_src, rel)
    base_src.max_bytes = head_src.max_bytes = cfg.limits.file_bytes
    base_view, head_view = RepoView(base_src, cfg), RepoView(head_src, cfg)
    table = _at_base(base_src, lambda: table_for(base_view))
    before = estimate_side(base_view, table, "base", as_of, seed, sessions)
    after = estimate_side(head_view, table, "head", as_of, seed, sessions)
    renames = renamed_paths(base_src, head_src)
    _follow_renames(head_view, base_src, table, before, after, renames, as_of, seed, sessions)
    ids = {id(s): s.spec.feature for s in (*before.values(), *after.values())}
    features = []
    tips: dict[str, tuple[Lever, ...]] = {}
    for b_path, a_path in match_features(before, after, ids, renames):
        b, a = before.get(b_path or ""), after.get(a_path or "")
        name = (a or b).spec.feature  # type: ignore[union-attr]
        fd = compare_feature(name, b.estimate if b else None, a.estimate if a else None, cfg,
                             None if a is None else (a.spec, a.table))
        features.append(fd)
        if a is not None and any(c.level == "fail" for c in fd.crossings):
            tips[name] = tuple(what_if(a.spec, a.table, a.estimate, seed=seed))
    features.sort(key=lambda f: f.feature)
    pricing, pricing_error = head_pricing(head_src, rel, table, after, as_of, seed, sessions, base)
    return GateResult(base=base, head=head or "working tree", as_of=as_of, features=tuple(features),
                      config_file=cfg.file, suggestions=tips,
                      config_changed=config_text(base_src, rel) != config_text(head_src, rel),
                      pricing=pricing, pricing_error=pricing_error)


def _at_base(src: GitTree, load: Callable[[], T]) -> T:
    try:
        return load()
    except CostgateError as exc:
        raise CostgateError(f"at base {src.label}: {exc.message}", file=exc.location.file, line=exc.location.line,
                            hint=exc.hint) from None


def _follow_renames(head: RepoView, base: GitTree, table: PriceTable, before: dict[str, Side],
                    after: dict[str, Side], renames: dict[str, str], as_of: date, seed: int, sessions: int) -> None:
    """A base spec that left the globs is still the same feature: found where git saw it
    renamed (``.yml``, another folder), or else in a file that declares the same feature
    id (renamed and rewritten, or not yet added to git); estimated there."""
    head_ids = {s.spec.feature for s in after.values()}
    for old, side in before.items():
        if old in after or side.spec.feature in head_ids:
            continue
        candidates = [renames[old]] if old in renames else files_declaring(head.source, base, side.spec.feature)
        for new in candidates:
            if new in after or not head.exists(new):
                continue
            try:
                spec = load_spec(new, head.source, head.config.limits)
            except CostgateError as exc:
                if renames.get(old) == new:  # git saw the gated spec renamed: it must still load
                    raise CostgateError(f"at head: {exc.message} (the gated spec {old} renamed)",
                                        file=exc.location.file, line=exc.location.line, hint=exc.hint) from None
                continue  # a file that merely mentions the feature id
            after[new] = Side(spec, table, estimate(spec, table, as_of=as_of, seed=seed, sessions=sessions))
            renames.setdefault(old, new)
            break


def estimate_side(view: RepoView, table: PriceTable, role: str, as_of: date, seed: int,
                  sessions: int) -> dict[str, Side]:
    """Every feature ``view`` gates, estimated with ``table``, by spec path. Errors at a
    git ref say which side and ref."""
    src = view.source
    out: dict[str, Side] = {}
    seen: dict[str, str] = {}
    for rel in view.discover():
        try:
            spec = load_spec(rel, src, view.config.limits)
            est = estimate(spec, table, as_of=as_of, seed=seed, sessions=sessions)
        except CostgateError as exc:
            if isinstance(src, WorkTree):
                raise
            raise CostgateError(f"at {role} {src.label}: {exc.message}", file=exc.location.file,
                                line=exc.location.line, hint=exc.hint) from None
        if spec.feature in seen:
            raise CostgateError(f"feature {spec.feature!r} is declared twice ({seen[spec.feature]} and {rel})",
                                file=rel, hint="feature ids must be unique in a repository")
        seen[spec.feature] = rel
        out[rel] = Side(spec, table, est)
    return out


__all__ = ["diff", "estimate_side", "Side"]
