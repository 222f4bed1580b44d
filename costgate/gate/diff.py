"""The pull-request gate: estimate every gated spec at the base ref and at head, compare,
and decide which thresholds the change crosses.

Thresholds come from the *base* side's configuration when it has one, so a pull request
cannot loosen the gate that judges it (a change to costgate.yaml takes effect once merged).
Both sides are priced on the same day and seed, so only the change moves the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import CostgateError
from ..estimate.levers import what_if
from ..estimate.results import Estimate, Lever
from ..estimate.simulate import DEFAULT_SEED, estimate
from ..pricing import PriceTable, table_for
from ..repo import Config, GitTree, RepoView, Source, WorkTree, load_config
from ..repo.view import config_rel
from ..spec import Spec, load_spec
from .compare import compare_feature
from .model import GateResult


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
    """Compare every gated feature between ``base`` and ``head`` (default: working tree)."""
    root = Path(root).resolve()
    as_of = as_of or date.today()
    base_src = GitTree(root, base)
    head_src: Source = WorkTree(root) if head is None else GitTree(root, head)
    rel = config_rel(head_src, config_path)
    head_view = RepoView(head_src, load_config(head_src, rel))
    base_view = RepoView(base_src, base_config(base_src, rel))
    gate_cfg = base_view.config if base_view.config.file else head_view.config
    before = estimate_side(base_view, "base", as_of, seed, sessions)
    after = estimate_side(head_view, "head", as_of, seed, sessions)
    features = []
    tips: dict[str, tuple[Lever, ...]] = {}
    for feature in sorted(set(before) | set(after)):
        b, a = before.get(feature), after.get(feature)
        fd = compare_feature(feature, b.estimate if b else None, a.estimate if a else None, gate_cfg,
                             None if a is None else (a.spec, a.table))
        features.append(fd)
        if a is not None and any(c.level == "fail" for c in fd.crossings):
            tips[feature] = tuple(what_if(a.spec, a.table, a.estimate, seed=seed))
    return GateResult(base=base, head=head or "working tree", as_of=as_of, features=tuple(features),
                      config_file=gate_cfg.file, suggestions=tips)


def base_config(src: GitTree, rel: str | None) -> Config:
    """The config at base: the named file when base has it, else what base has, else the
    defaults (a config added by the pull request does not exist at base)."""
    if rel is not None and not src.exists(rel):
        return Config()
    try:
        return load_config(src, rel)
    except CostgateError as exc:
        raise CostgateError(f"at base {src.label}: {exc.message}", file=exc.location.file, line=exc.location.line,
                            hint=exc.hint) from None


def estimate_side(view: RepoView, role: str, as_of: date, seed: int, sessions: int) -> dict[str, Side]:
    """Every feature ``view`` gates, estimated, by feature id. Errors at a git ref say
    which side and ref."""
    src = view.source
    table = table_for(view)
    out: dict[str, Side] = {}
    for rel in view.discover():
        try:
            spec = load_spec(rel, src)
            est = estimate(spec, table, as_of=as_of, seed=seed, sessions=sessions)
        except CostgateError as exc:
            if isinstance(src, WorkTree):
                raise
            raise CostgateError(f"at {role} {src.label}: {exc.message}", file=exc.location.file,
                                line=exc.location.line, hint=exc.hint) from None
        if spec.feature in out:
            raise CostgateError(f"feature {spec.feature!r} is declared twice ({out[spec.feature].estimate.spec_file} "
                                f"and {rel})", file=rel, hint="feature ids must be unique in a repository")
        out[spec.feature] = Side(spec, table, est)
    return out


__all__ = ["diff", "estimate_side", "base_config", "Side"]
