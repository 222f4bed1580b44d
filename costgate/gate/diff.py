"""The pull-request gate: estimate every gated spec at the base ref and at head, compare,
and decide which thresholds the change crosses.

The base branch is the authority: thresholds, spec discovery and the price table come
from it, so a pull request cannot loosen, narrow or re-price the gate that judges it (its
changes to costgate.yaml and to price layers take effect once merged, and are reported).
Both sides are priced on the same day, table and seed, so only the change moves the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable, NoReturn, TypeVar

from ..errors import CostgateError
from ..estimate.levers import what_if
from ..estimate.results import Estimate, Lever
from ..estimate.simulate import DEFAULT_SEED
from ..pricing import PriceTable, table_for
from ..repo import Config, GitTree, RepoView, Source, WorkTree
from ..repo.git import head_state
from ..repo.view import config_rel
from ..spec import Spec, load_spec
from .authority import base_config, config_text
from .cache import EstimateCache
from .compare import compare_feature
from .identity import files_declaring, match_features, renamed_paths
from .model import Crossing, FeatureDiff, GateResult, Invocation
from .pricing import head_pricing
from .runner import Progress, Runner

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
    cache: EstimateCache | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> GateResult:
    """Compare every gated feature between ``base`` and ``head`` (default: working tree).

    The base decides everything that judges the change: its config (or the built-in
    defaults when it has none) gives the thresholds, the ``specs:`` globs both sides are
    discovered with, and the price layers both sides are priced with. The pull request's
    own config and price-layer changes are reported, never used.

    A spec whose inputs are the same on both sides is estimated once; ``cache`` keeps
    estimates between runs (``gate.cache``); ``jobs`` > 1 estimates in that many worker
    processes; ``progress(i, n, path)`` is told of each estimate computed. None of them
    changes a number, a message or the order of anything reported.
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
    runner = Runner(as_of, seed, sessions, cache or EstimateCache(None), jobs, progress)
    before, after = estimate_sides(runner, table, (base_view, "base"), (head_view, "head"))
    renames = renamed_paths(base_src, head_src)
    _follow_renames(head_view, base_src, table, before, after, renames, runner)
    features, tips = _compare(before, after, renames, cfg, seed, (base_src, head_src))
    pricing, pricing_error = head_pricing(head_src, rel, table, after, as_of, seed, sessions, base, runner=runner)
    runner.cache.prune()
    head_commit, uncommitted = (head_src.commit, False) if isinstance(head_src, GitTree) else head_state(root)
    return GateResult(base=base, head=head or "working tree", as_of=as_of, features=tuple(features),
                      base_commit=base_src.commit, head_commit=head_commit, head_uncommitted=uncommitted,
                      config_file=cfg.file, suggestions=tips,
                      config_changed=config_text(base_src, rel) != config_text(head_src, rel),
                      pricing=pricing, pricing_error=pricing_error,
                      invocation=Invocation(base, head, as_of, rel, None if seed == DEFAULT_SEED else seed))


def _compare(before: dict[str, Side], after: dict[str, Side], renames: dict[str, str], cfg: Config, seed: int,
             sources: tuple[Source, Source]) -> tuple[list[FeatureDiff], dict[str, tuple[Lever, ...]]]:
    """Each matched feature compared (sorted by id), and what-if levers for the failing ones."""
    features = []
    tips: dict[str, tuple[Lever, ...]] = {}
    ids = {id(s): s.spec.feature for s in (*before.values(), *after.values())}
    for b_path, a_path in match_features(before, after, ids, renames):
        b, a = before.get(b_path or ""), after.get(a_path or "")
        name = (a or b).spec.feature  # type: ignore[union-attr]
        fd = compare_feature(name, b.estimate if b else None, a.estimate if a else None, cfg,
                             None if a is None else (a.spec, a.table))
        features.append(replace(fd, crossings=tuple(at_changed_line(c, fd.spec_file, *sources) for c in fd.crossings)))
        if a is not None and any(c.level == "fail" for c in fd.crossings):
            tips[name] = tuple(what_if(a.spec, a.table, a.estimate, seed=seed))
    return sorted(features, key=lambda f: f.feature), tips


def at_changed_line(c: Crossing, spec_file: str, base: Source, head: Source) -> Crossing:
    """A crossing that points into a template (not the spec, not a bound setting, which
    already name their line) moved to the first line the pull request changed there, at
    or below where the prompt starts: where a reviewer's annotation belongs."""
    if not c.file or c.file == spec_file or c.setting is not None or not (base.exists(c.file) and head.exists(c.file)):
        return c
    try:
        old, new = (src.read_bytes(c.file).decode("utf-8", "replace").splitlines() for src in (base, head))
    except CostgateError:
        return c
    start = c.line or 1
    for n in range(start, max(len(old), len(new)) + 1):
        if old[n - 1:n] != new[n - 1:n]:
            return replace(c, line=n)
    return c


def _at_base(src: GitTree, load: Callable[[], T]) -> T:
    try:
        return load()
    except CostgateError as exc:
        raise CostgateError(f"at base {src.label}: {exc.message}", file=exc.location.file, line=exc.location.line,
                            hint=exc.hint) from None


def _follow_renames(head: RepoView, base: GitTree, table: PriceTable, before: dict[str, Side],
                    after: dict[str, Side], renames: dict[str, str], runner: Runner) -> None:
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
            runner.note(spec, head.source)
            after[new] = Side(spec, table, runner.estimate(spec, table))
            renames.setdefault(old, new)
            break


@dataclass(frozen=True)
class _Loaded:
    """One spec path of a side: the spec, or what loading it raised."""

    rel: str
    spec: Spec | None
    error: Exception | None = None
    raw: bool = False
    """The error is raised as it is (finding the specs, which a serial run did unwrapped)."""


def _load(view: RepoView, runner: Runner) -> list[_Loaded]:
    """The side's specs in order, up to the first that fails to load (a serial run stops
    there; what it raised is kept, to be raised in turn)."""
    try:
        paths = view.discover()
    except Exception as exc:
        return [_Loaded("", None, exc, raw=True)]
    out = []
    for rel in paths:
        try:
            spec = load_spec(rel, view.source, view.config.limits)
        except Exception as exc:
            out.append(_Loaded(rel, None, exc))
            break
        runner.note(spec, view.source)
        out.append(_Loaded(rel, spec))
    return out


def estimate_sides(runner: Runner, table: PriceTable,
                   *sides: tuple[RepoView, str]) -> tuple[dict[str, Side], ...]:
    """Every feature each side gates, estimated with ``table``, by spec path; the specs of
    all sides estimated together (each distinct one once). The first failure in a serial
    run's order is raised: side by side, spec path by spec path, loading before estimating
    before the feature-id check; errors at a git ref say which side and ref."""
    loaded = [_load(view, runner) for view, _ in sides]
    items = [(x.spec, table, True) for side in loaded for x in side if x.spec is not None]
    outcomes = iter(runner.estimate_all(items))
    out = []
    for (view, role), side in zip(sides, loaded):
        results: dict[str, Side] = {}
        seen: dict[str, str] = {}
        for x in side:
            outcome = x.error if x.spec is None else next(outcomes)
            if isinstance(outcome, Exception):
                _raise_at(view.source, role, outcome, x.raw)
            assert x.spec is not None and isinstance(outcome, Estimate)
            if x.spec.feature in seen:
                raise CostgateError(f"feature {x.spec.feature!r} is declared twice ({seen[x.spec.feature]} and "
                                    f"{x.rel})", file=x.rel, hint="feature ids must be unique in a repository")
            seen[x.spec.feature] = x.rel
            results[x.rel] = Side(x.spec, table, outcome)
        out.append(results)
    return tuple(out)


def _raise_at(src: Source, role: str, exc: Exception, raw: bool = False) -> NoReturn:
    if raw or isinstance(src, WorkTree) or not isinstance(exc, CostgateError):
        raise exc
    raise CostgateError(f"at {role} {src.label}: {exc.message}", file=exc.location.file,
                        line=exc.location.line, hint=exc.hint) from None


def estimate_side(view: RepoView, table: PriceTable, role: str, as_of: date, seed: int,
                  sessions: int) -> dict[str, Side]:
    """Every feature ``view`` gates, estimated with ``table``, by spec path. Errors at a
    git ref say which side and ref."""
    return estimate_sides(Runner(as_of, seed, sessions), table, (view, role))[0]


__all__ = ["diff", "estimate_side", "estimate_sides", "Side"]
