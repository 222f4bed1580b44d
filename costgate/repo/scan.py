"""A bounded look around a working tree: which files there are, skipping what no one
writes by hand (``costgate init --detect``).

Unlike ``WorkTree.files`` (every file, for resolving a spec's globs), this walk prunes
dependency, build and cache folders, other repositories and symlinked folders before
descending, visits folders and files in sorted order (the same answer on every machine),
and stops after ``max_files`` files, saying so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = frozenset({
    "node_modules", "bower_components", "jspm_packages", "vendor", "third_party", "site-packages",
    "venv", "virtualenv", "__pycache__", "build", "dist", "target", "out", "coverage", "htmlcov",
    "__pypackages__", "Pods", "DerivedData",
})
"""Folders skipped by name (every folder whose name starts with "." is skipped too:
.git, .venv, .tox, .mypy_cache, .next, ...)."""
VENV_MARKERS = ("pyvenv.cfg", "conda-meta")
"""A folder holding one of these is a virtual environment, whatever its name."""
MAX_FILES = 20_000
"""Files listed at most; a larger tree is listed in part (``Listing.truncated``)."""


@dataclass(frozen=True)
class Listing:
    files: tuple[str, ...]
    """Repository-relative POSIX paths, in walk order (sorted folder by folder)."""
    truncated: bool = False
    """The walk stopped at ``max_files``."""
    skipped_dirs: int = 0
    """Folders not descended into (dependencies, builds, caches, other repositories, links)."""


def _skip(parent: Path, name: str) -> bool:
    if name.startswith(".") or name in SKIP_DIRS or name.endswith(".egg-info"):
        return True
    here = parent / name
    if here.is_symlink():
        return True
    return any(os.path.lexists(here / m) for m in (*VENV_MARKERS, ".git"))


def scan(root: Path, max_files: int = MAX_FILES) -> Listing:
    """The files under ``root`` a person may have written, at most ``max_files`` of them."""
    root = Path(root).resolve()
    found: list[str] = []
    skipped = 0
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        keep = sorted(d for d in dirnames if not _skip(here, d))
        skipped += len(dirnames) - len(keep)
        dirnames[:] = keep
        base = here.relative_to(root).as_posix()
        for name in sorted(filenames):
            if len(found) >= max_files:
                return Listing(tuple(found), True, skipped)
            found.append(name if base == "." else f"{base}/{name}")
    return Listing(tuple(found), False, skipped)
