"""From paths on the command line to analyses: find the specs, read each through its
repository's view, pick the price table that repository uses, estimate, and add what
comes after the estimate (growth, tails, worst case, levers)."""

from __future__ import annotations

import os
import posixpath
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

from ..errors import CostgateError
from ..pricing import PriceTable, table_for
from ..repo import Config, RepoView, Source, WorkTree, find_root, open_view
from ..repo.config import discover_config
from ..repo.source import relative
from ..repo.view import SPEC_SUFFIX
from ..spec import Spec, load_spec
from .growth import project, user_tails, worst_case
from .levers import what_if
from .results import Analysis, Estimate, Extras
from .simulate import DEFAULT_SEED, DEFAULT_SESSIONS, estimate

DISCOVER_ALL = ("**/*" + SPEC_SUFFIX,)
Estimator = Callable[[Spec, PriceTable, Source], Estimate]


def discover(paths: Sequence[str | Path], cwd: Path | None = None) -> list[Path]:
    """Expand files and directories into spec files. A directory yields the specs its
    ``costgate.yaml`` lists (``specs:`` globs, relative to the directory) or else every
    ``**/*.costgate.yaml`` under it."""
    cwd = cwd or Path.cwd()
    found: list[Path] = []
    for raw in paths:
        if any(ord(c) < 32 for c in str(raw)):
            raise CostgateError(f"path {str(raw)!r} contains control characters")
        p = Path(os.path.abspath(Path(raw) if Path(raw).is_absolute() else cwd / raw))
        if p.is_dir():
            view = open_view(p) if (p / "costgate.yaml").is_file() else None
            rels = view.discover() if view else open_view_plain(p).discover(DISCOVER_ALL)
            if not rels:
                raise CostgateError(f"no specs found under {raw}",
                                    hint=f"name spec files *{SPEC_SUFFIX}, or list them under specs: in costgate.yaml")
            found.extend(p / rel for rel in rels)  # not resolved: a symlink is judged where it stands
        elif p.is_file():
            found.append(p)
        elif os.path.lexists(p):
            raise CostgateError(f"{str(raw)!r} is not a regular file or directory",
                                hint="name spec files or directories of them")
        else:
            raise CostgateError(f"no such file or directory: {str(raw)!r}")
    return list(dict.fromkeys(found))


def open_view_plain(directory: Path) -> RepoView:
    """A work-tree view of ``directory`` with the default config (no config file read)."""
    return RepoView(WorkTree(directory), Config())


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
    estimator: Estimator | None = None,
) -> list[Analysis]:
    """Estimate every spec ``paths`` name, each with its extras. ``progress(i, n, path)``
    is called before each spec (the CLI shows it on a terminal); ``estimator(spec, table,
    source)`` replaces the estimate itself (the gate's cache plugs in here)."""
    out = []
    found = discover(paths)
    views: dict[tuple[Path, str | None], tuple[RepoView, PriceTable]] = {}  # one per repository and config
    for i, spec_path in enumerate(found, 1):
        if progress:
            progress(i, len(found), spec_path)
        root = find_root(spec_path.parent)
        key = (root, discover_config(WorkTree(root), posixpath.dirname(relative(WorkTree(root), spec_path))))
        if key not in views:
            view = open_view(root, config=None if key[1] is None else root / key[1])
            view.source.max_bytes = view.config.limits.file_bytes
            views[key] = (view, table_for(view, tuple(pricing)))
        view, table = views[key]
        spec = load_spec(relative(view.source, spec_path), view.source, view.config.limits)
        e = estimator(spec, table, view.source) if estimator else estimate(
            spec, table, as_of=as_of, seed=seed, sessions=sessions, alternatives=alternatives)
        out.append(Analysis(e, extras_for(spec, table, e, levers=levers)))
    return out


__all__ = ["discover", "analyse_files", "extras_for", "Analysis"]
