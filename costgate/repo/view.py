"""RepoView: the one way to read a repository, at a git ref or on disk.

A view is a source (work tree or git ref) plus the configuration read from that same
source. It discovers specs (one glob rule on both sides), reads spec, template and
sample files, and lists the files of each price layer. Every path goes through the
confined readers of ``source``, so base and head are read the same way and nothing
escapes the repository.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from ..errors import CostgateError
from .config import Config, discover_config, load_config
from .gittree import GitTree
from .paths import normalise
from .source import Source, find_root, glob, read_text, relative
from .worktree import WorkTree

SPEC_SUFFIX = ".costgate.yaml"


@dataclass(frozen=True)
class PriceLayer:
    """One ``pricing:`` entry of the config: a file, or a directory's ``*.yaml`` files."""

    path: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class RepoView:
    source: Source
    config: Config

    @property
    def root(self) -> Path:
        return self.source.root

    @property
    def label(self) -> str:
        return self.source.label

    def read_text(self, rel: str, *, referenced_from: str | None = None, line: int | None = None) -> str:
        return read_text(self.source, rel, referenced_from=referenced_from, line=line)

    def exists(self, rel: str) -> bool:
        return self.source.exists(rel)

    def discover(self, patterns: tuple[str, ...] | None = None) -> list[str]:
        """Spec files matching the config's ``specs:`` globs (or ``patterns``), sorted."""
        return sorted({f for p in (patterns or self.config.specs) for f in glob(self.source, p)})

    def display_name(self, rel: str) -> str:
        """How a file of this view is named in messages: ``rel`` on disk, ``ref:rel`` in git."""
        return rel if isinstance(self.source, WorkTree) else f"{self.source.label}:{rel}"

    def layer(self, path: str) -> PriceLayer | None:
        """The files of one price layer, or None when it does not exist on this side."""
        norm = normalise(path.rstrip("/"))
        if norm is None:
            raise CostgateError(f"pricing layer {path!r} leaves the repository", file=self.config.file,
                                hint="list pricing layers relative to the repository root")
        if self.source.exists(norm):
            return PriceLayer(norm, (norm,))
        files = tuple(sorted(f for f in self.source.files()
                             if posixpath.dirname(f) == norm and f.endswith(".yaml")))
        return PriceLayer(norm, files) if files else None

    def price_layers(self) -> list[PriceLayer]:
        """The config's ``pricing:`` layers, in order; each must exist."""
        out = []
        for path in self.config.pricing:
            found = self.layer(path)
            if found is None:
                raise CostgateError(f"pricing layer {path!r} not found at {self.label}", file=self.config.file,
                                    hint="every path under pricing: must be a .yaml file or a directory of them")
            out.append(found)
        return out


def open_view(root: Path, ref: str | None = None, config: str | Path | None = None, start: str = "") -> RepoView:
    """A view of ``root`` at ``ref`` (default: the working tree) with its config.
    ``config`` is a user-given path (relative to the current directory) or a
    repository-relative one; without it, the config nearest to folder ``start``
    (``discover_config``)."""
    source: Source = WorkTree(root) if ref is None else GitTree(root, ref)
    rel = config_rel(source, config) if config is not None else discover_config(source, start)
    return RepoView(source, load_config(source, rel))


def config_rel(source: Source, config: str | Path | None) -> str | None:
    """A ``--config`` value as a repository-relative path."""
    if config is None:
        return None
    p = Path(config)
    if p.is_absolute() or p.exists():
        return relative(source, p)
    return p.as_posix()


def view_for_file(path: Path) -> tuple[RepoView, str]:
    """The work-tree view of the repository holding ``path``, and the path in it."""
    root = find_root(path.resolve().parent)
    rel = relative(WorkTree(root), path)
    return open_view(root, start=posixpath.dirname(rel)), rel


__all__ = ["RepoView", "PriceLayer", "open_view", "view_for_file", "SPEC_SUFFIX", "find_root"]
