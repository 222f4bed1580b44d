"""What an estimate was computed from, as one hash: the estimate cache's key.

Two estimates with equal keys are equal, so the gate estimates a spec that a pull request
did not change once (for base and head) and a later run not at all. The key is SHA-256
over a canonical JSON document of every input:

* the spec's path, and the path and SHA-256 of every file it read (the spec, its
  templates and its samples, as parsed: ``Source.digests`` records the bytes each read
  returned), its ``vars`` and the work limits it was loaded under;
* the price table's content: every model, provider, alias and tokenizer approximation
  (without the names of the files they were read from, which no estimate shows);
* the as-of day, seed, simulated sessions and whether alternatives were priced;
* costgate itself: its version, a hash of its own code (a development install changes
  without a version bump), Python's, tiktoken's and Jinja2's versions, and the tokenizer
  plug-ins installed or registered.

A spec some of whose files were not recorded gets no key: it is estimated, never cached.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import asdict, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..pricing import PriceTable
from ..repo import Source
from ..repo.paths import normalise
from ..spec import Spec
from ..version import __version__

FORMAT = 3
"""Bumped when the key document or the cache entry changes shape."""
PACKAGE = Path(__file__).resolve().parents[1]


def _hash(doc: Any) -> str:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=repr)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 over costgate's own Python files (path and bytes), read once per process."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(path.relative_to(PACKAGE).as_posix().encode("utf-8") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _versions(*names: str) -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _entry_points() -> list[list[str | None]]:
    from importlib.metadata import entry_points

    points = [[ep.name, ep.value, getattr(ep.dist, "name", None), getattr(ep.dist, "version", None)]
              for ep in entry_points(group="costgate.tokenizers")]
    return sorted(points, key=repr)


@lru_cache(maxsize=1)
def _installed() -> str:
    return _hash({"costgate": __version__, "code": code_digest(), "format": FORMAT,
                  "python": platform.python_version(),
                  "packages": _versions("tiktoken", "jinja2", "mstache", "dotpromptz-handlebars"),  # they render
                  "plugins": _entry_points()})


def environment() -> str:
    """costgate, its code, and what its numbers depend on outside the repository: the
    installation (read once per process) and the tokenizers registered now."""
    from ..tokens import registered

    return _hash([_installed(), list(registered())])


def table_digest(table: PriceTable) -> str:
    """The price table's content, independent of the files (and refs) it was read from."""
    return _hash({
        "models": sorted((k, repr(replace(m, file="", line=0))) for k, m in table.models.items()),
        "providers": sorted((k, repr(replace(p, file=""))) for k, p in table.providers.items()),
        "aliases": sorted(table.aliases.items()),
        "approximations": sorted((k, repr(a)) for k, a in table.approximations.items()),
    })


def spec_inputs(spec: Spec, source: Source) -> str | None:
    """The spec's share of the key: its path, every file it read (path and SHA-256), its
    vars and work limits; None when a file's bytes were not recorded on ``source``."""
    files = []
    for rel in spec.files:
        digest = source.digests.get(normalise(rel) or rel)
        if digest is None:
            return None
        files.append([rel, digest])
    return _hash({"spec": spec.file, "files": files, "vars": repr(spec.vars), "work": asdict(spec.work)})


def estimate_key(inputs: str, table: str, *, as_of: date, seed: int, sessions: int, alternatives: bool) -> str:
    """The cache key of one estimate: ``spec_inputs``, ``table_digest``, the run's
    parameters and ``environment``."""
    return _hash({"spec": inputs, "table": table, "as_of": as_of.isoformat(), "seed": seed, "sessions": sessions,
                  "alternatives": alternatives, "environment": environment()})


__all__ = ["FORMAT", "code_digest", "environment", "table_digest", "spec_inputs", "estimate_key"]
