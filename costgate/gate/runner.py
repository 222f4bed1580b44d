"""Estimating many specs for one run: each distinct estimate once, from the cache when it
can, in worker processes when several remain.

Specs are keyed by everything they are estimated from (``gate.keys``); equal keys are one
estimate, so a spec a pull request did not touch is estimated once for base and head, and
not at all when the cache holds it. What is left runs in ``jobs`` worker processes
(``fork`` where the platform has it, else ``spawn``); ``jobs=1``, or a single estimate,
runs in this process. Results come back in the order asked, each an ``Estimate`` or the
exception estimating it raised, so the caller raises the first failure in the same order
as a serial run would and the report is byte for byte the same.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

from ..estimate import analyse
from ..estimate.results import Analysis, Estimate
from ..estimate.simulate import DEFAULT_SEED, DEFAULT_SESSIONS, estimate
from ..pricing import PriceTable
from ..repo import Source
from ..spec import Spec
from .cache import EstimateCache
from .keys import estimate_key, spec_inputs, table_digest

Progress = Callable[[int, int, Path], None]
Item = tuple[Spec, PriceTable, bool]
"""A spec, the table to price it with, and whether to price alternatives."""


def default_jobs() -> int:
    """The cores this process may run on."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13
    if counter is not None:
        return counter() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@dataclass
class Runner:
    """Estimates for one run: one day, seed and session count; an optional cache."""

    as_of: date
    seed: int
    sessions: int
    cache: EstimateCache = field(default_factory=lambda: EstimateCache(None))
    jobs: int = 1
    progress: Progress | None = None
    computed: int = 0
    """Estimates actually computed (not found in the cache or shared)."""
    _inputs: dict[int, tuple[Spec, str | None]] = field(default_factory=dict, repr=False)
    _tables: dict[int, tuple[PriceTable, str]] = field(default_factory=dict, repr=False)

    def note(self, spec: Spec, source: Source) -> None:
        """Record what ``spec`` was read from (call right after loading it from ``source``)."""
        self._inputs[id(spec)] = (spec, spec_inputs(spec, source))

    def key(self, spec: Spec, table: PriceTable, alternatives: bool) -> str | None:
        noted = self._inputs.get(id(spec))
        if noted is None or noted[0] is not spec or noted[1] is None:
            return None
        if id(table) not in self._tables:
            self._tables[id(table)] = (table, table_digest(table))
        return estimate_key(noted[1], self._tables[id(table)][1], as_of=self.as_of, seed=self.seed,
                            sessions=self.sessions, alternatives=alternatives)

    def estimate(self, spec: Spec, table: PriceTable, alternatives: bool = True) -> Estimate:
        """One estimate, raising what estimating raises."""
        outcome = self.estimate_all([(spec, table, alternatives)])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def estimate_all(self, items: Sequence[Item]) -> list[Estimate | Exception]:
        """The outcome of each item, in order: from the cache, shared between equal keys,
        or computed (in worker processes when ``jobs`` > 1 and several are left)."""
        keys = [self.key(*item) for item in items]
        first: dict[str, int] = {}
        outcomes: dict[int, Estimate | Exception] = {}
        todo: list[int] = []
        for i, key in enumerate(keys):
            if key is not None and key in first:
                continue
            if key is not None:
                first[key] = i
                cached = self.cache.get(key)
                if cached is not None:
                    outcomes[i] = cached
                    continue
            todo.append(i)
        computed = self._compute([items[i] for i in todo])
        self.computed += len(todo)
        for i, outcome in zip(todo, computed):
            outcomes[i] = outcome
            key = keys[i]
            if key is not None and isinstance(outcome, Estimate):
                self.cache.put(key, outcome)
        return [outcomes[first[k] if k is not None else i] for i, k in enumerate(keys)]

    def _compute(self, items: list[Item]) -> list[Estimate | Exception]:
        if self.jobs > 1 and len(items) > 1:
            try:
                return _parallel(items, self.as_of, self.seed, self.sessions, min(self.jobs, len(items)),
                                 self.progress)
            except _NoPool:
                pass
        out: list[Estimate | Exception] = []
        for n, item in enumerate(items, 1):
            if self.progress:
                self.progress(n, len(items), Path(item[0].file))
            out.append(_safe(item, self.as_of, self.seed, self.sessions))
        return out


def _safe(item: Item, as_of: date, seed: int, sessions: int) -> Estimate | Exception:
    spec, table, alternatives = item
    try:
        return estimate(spec, table, as_of=as_of, seed=seed, sessions=sessions, alternatives=alternatives)
    except Exception as exc:  # raised by the caller, in order
        return exc


# ------------------------------------------------------------------ worker processes

class _NoPool(Exception):
    """Worker processes cannot be started here: estimate in this process instead."""


_WORK: tuple[list[Item], date, int, int] | None = None


def _init(work: tuple[list[Item], date, int, int]) -> None:
    global _WORK
    _WORK = work


def _run(index: int) -> Estimate | Exception:
    assert _WORK is not None
    items, as_of, seed, sessions = _WORK
    outcome = _safe(items[index], as_of, seed, sessions)
    if isinstance(outcome, Exception):
        try:
            pickle.dumps(outcome)
        except Exception:
            return RuntimeError(f"{type(outcome).__name__}: {outcome}")
    return outcome


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _shippable(items: list[Item]) -> list[Item]:
    """Items a spawned worker can unpickle (price tables hold read-only mapping proxies)."""
    return [(spec, replace(table, providers=dict(table.providers), models=dict(table.models),
                           aliases=dict(table.aliases), approximations=dict(table.approximations),
                           dated=dict(table.dated)), alt)
            for spec, table, alt in items]


def _parallel(items: list[Item], as_of: date, seed: int, sessions: int, workers: int,
              progress: Progress | None) -> list[Estimate | Exception]:
    ctx = _context()
    work = (items if ctx.get_start_method() == "fork" else _shippable(items), as_of, seed, sessions)
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init, initargs=(work,))
    except (OSError, ImportError, NotImplementedError, ValueError):
        raise _NoPool() from None
    outcomes: dict[int, Estimate | Exception] = {}
    try:
        futures: dict[Future, int] = {pool.submit(_run, i): i for i in range(len(items))}
        for done, future in enumerate(as_completed(futures), 1):
            outcomes[futures[future]] = future.result()
            if progress:
                progress(done, len(items), Path(items[futures[future]][0].file))
    except (BrokenProcessPool, OSError):
        pass  # a worker died (killed, out of memory): what is left runs here, as serially
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [outcomes[i] if i in outcomes else _safe(items[i], as_of, seed, sessions) for i in range(len(items))]


# ------------------------------------------------------------ costgate estimate

def analyse_cached(paths: Sequence[str | Path], *, cache: EstimateCache, as_of: date | None = None,
                   seed: int = DEFAULT_SEED, sessions: int = DEFAULT_SESSIONS, pricing: Sequence[Path] = (),
                   alternatives: bool = True, levers: bool = False,
                   progress: Progress | None = None) -> list[Analysis]:
    """``analyse.analyse_files`` with the estimate cache: a spec whose key is in
    ``cache`` is not estimated again (its extras, which are cheap or asked for, are); the
    others are analysed by ``analyse_files`` itself, one by one, and filed."""
    if not cache.enabled:
        return analyse.analyse_files(paths, as_of=as_of, seed=seed, sessions=sessions, pricing=pricing,
                             alternatives=alternatives, levers=levers, progress=progress)
    day = as_of or date.today()
    runner = Runner(day, seed, sessions, cache)

    def cached(spec: Spec, table: PriceTable, source: Source) -> Estimate:
        runner.note(spec, source)
        key = runner.key(spec, table, alternatives)
        hit = cache.get(key) if key is not None else None
        if hit is not None:
            return hit
        e = estimate(spec, table, as_of=day, seed=seed, sessions=sessions, alternatives=alternatives)
        if key is not None:
            cache.put(key, e)
        return e

    out = analyse.analyse_files(paths, as_of=day, seed=seed, sessions=sessions, pricing=pricing,
                                alternatives=alternatives, levers=levers, progress=progress, estimator=cached)
    cache.prune()
    return out


__all__ = ["Runner", "default_jobs", "Item", "analyse_cached"]
