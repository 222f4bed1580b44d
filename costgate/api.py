"""The library entry points the CLI (and a Python user) call: find specs, pick the
price table a repository uses, estimate. Thin glue over spec/pricing/simulate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .config import Config, load_config
from .errors import CostgateError
from .growth import Projection, UserTails, WorstCase, project, user_tails, worst_case
from .levers import Lever, what_if
from .pricing import PriceTable, load_table, shipped_pricing_dir
from .simulate import DEFAULT_SEED, DEFAULT_SESSIONS, Estimate, estimate
from .source import GitTree, WorkTree, find_root
from .spec import Spec, load_spec

SPEC_SUFFIX = ".costgate.yaml"


def discover(paths: Sequence[str | Path], cwd: Path | None = None) -> list[Path]:
    """Expand files and directories into spec files. A directory yields the specs its
    ``costgate.yaml`` lists (``specs:`` globs) or else every ``**/*.costgate.yaml``."""
    cwd = cwd or Path.cwd()
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        p = p if p.is_absolute() else cwd / p
        if p.is_dir():
            globs: Iterable[str] = ("**/*" + SPEC_SUFFIX,)
            if (p / "costgate.yaml").is_file():
                globs = load_config(p).specs
            matches = sorted({m.resolve() for g in globs for m in p.glob(g) if m.is_file()
                              and ".git" not in m.parts})
            if not matches:
                raise CostgateError(f"no specs found under {raw}",
                                    hint=f"name spec files *{SPEC_SUFFIX}, or list them under specs: in costgate.yaml")
            found.extend(matches)
        elif p.is_file():
            found.append(p.resolve())
        else:
            raise CostgateError(f"no such file or directory: {raw}")
    return list(dict.fromkeys(found))


def table_for(root: Path, config: Config | None = None, extra: Sequence[Path] = (),
              source: WorkTree | GitTree | None = None) -> PriceTable:
    """The shipped table plus the repository's override layers (config ``pricing:``),
    plus any ``extra`` layers (``--pricing``), later layers winning."""
    layers = list(config.pricing) if config else []
    if not layers and not extra and source is None:
        return load_table()
    if isinstance(source, GitTree):
        return _git_table(source, layers)
    return load_table([shipped_pricing_dir(), *[root / layer for layer in layers], *extra])


def _git_table(source: GitTree, layers: Sequence[str]) -> PriceTable:
    """Override layers as they were at a git ref (the shipped table is this install's)."""
    import posixpath
    import tempfile

    files = []
    for layer in layers:
        layer = layer.rstrip("/")
        if source.exists(layer):
            files.append(layer)
        else:
            files.extend(sorted(f for f in source.files() if posixpath.dirname(f) == layer and f.endswith(".yaml")))
    if not files:
        return load_table()
    with tempfile.TemporaryDirectory(prefix="costgate-pricing-") as tmp:
        paths = []
        for i, rel in enumerate(files):
            target = Path(tmp) / f"{i:03d}" / posixpath.basename(rel)
            target.parent.mkdir(parents=True)
            target.write_text(source.read_text(rel), encoding="utf-8")
            paths.append(target)
        return load_table([shipped_pricing_dir(), *paths])


@dataclass(frozen=True)
class Extras:
    """What comes after the estimate: growth, budget runway, user tails, worst case and,
    on request, the ranked what-if levers."""

    projection: Projection | None = None
    tails: UserTails | None = None
    worst: WorstCase | None = None
    levers: tuple[Lever, ...] | None = None


def extras_for(spec: Spec, table: PriceTable, e: Estimate, *, levers: bool = False) -> Extras:
    t = spec.traffic
    projection = None
    if t.growth_per_month or e.budget_monthly_usd is not None:
        projection = project(e.monthly_cost, t.growth_per_month, e.budget_monthly_usd)
    return Extras(
        projection=projection,
        tails=user_tails(e, t.users) if t.users else None,
        worst=worst_case(spec, e, table, e.as_of),
        levers=tuple(what_if(spec, table, e, seed=e.seed)) if levers else None,
    )


def analyse_files(
    paths: Sequence[str | Path],
    *,
    as_of: date | None = None,
    seed: int = DEFAULT_SEED,
    sessions: int = DEFAULT_SESSIONS,
    pricing: Sequence[Path] = (),
    alternatives: bool = True,
    levers: bool = False,
    progress: Callable[[int, int, Path], None] | None = None,
) -> list[tuple[Estimate, Extras]]:
    """Like ``estimate_files``, with each estimate's ``Extras``. ``progress(i, n, path)``
    is called before each spec (the CLI shows it on a terminal)."""
    out = []
    found = discover(paths)
    tables: dict[Path, PriceTable] = {}  # one config read and price table per repository
    for i, spec_path in enumerate(found, 1):
        if progress:
            progress(i, len(found), spec_path)
        root = find_root(spec_path.parent)
        if root not in tables:
            tables[root] = table_for(root, load_config(root), tuple(pricing))
        table = tables[root]
        spec = load_spec(spec_path, WorkTree(root))
        e = estimate(spec, table, as_of=as_of, seed=seed, sessions=sessions, alternatives=alternatives)
        out.append((e, extras_for(spec, table, e, levers=levers)))
    return out


__all__ = ["discover", "table_for", "analyse_files", "extras_for", "Extras", "load_spec", "load_table", "estimate", "Spec", "Estimate"]
