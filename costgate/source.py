"""Where spec, template and sample files are read from: the working tree or a git ref.

Every path a spec names is resolved relative to the spec and must stay inside the
repository root; specs come from pull requests, and ``{file: ../../etc/passwd}`` must be
refused, not read. Reading through this one interface is also what lets ``costgate diff``
estimate the base branch straight from git objects without a checkout.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import CostgateError

MAX_FILE_BYTES = 5_000_000


def find_root(start: Path) -> Path:
    """The repository root: the nearest ancestor holding .git (or costgate.yaml)."""
    start = start.resolve()
    for d in [start, *start.parents]:
        if (d / ".git").exists() or (d / "costgate.yaml").is_file():
            return d
    return start if start.is_dir() else start.parent


@dataclass
class WorkTree:
    """Files on disk, confined to ``root``."""

    root: Path
    label: str = "working tree"

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    def rel(self, path: str | Path) -> str:
        """Repository-relative POSIX path; refuses anything outside the root."""
        p = Path(path)
        full = (p if p.is_absolute() else Path.cwd() / p).resolve()
        try:
            return full.relative_to(self.root).as_posix()
        except ValueError:
            raise CostgateError(f"{path} is outside the repository ({self.root})",
                                hint="costgate only reads files inside the repository") from None

    def read_text(self, rel: str, *, referenced_from: str | None = None, line: int | None = None) -> str:
        full = (self.root / rel).resolve()
        try:
            full.relative_to(self.root)
        except ValueError:
            raise CostgateError(f"path {rel!r} leaves the repository", file=referenced_from, line=line,
                                hint="use a path inside the repository, relative to the spec") from None
        if not full.is_file():
            raise CostgateError(f"file not found: {rel}", file=referenced_from, line=line,
                                hint="paths in a spec are relative to the spec file")
        if full.stat().st_size > MAX_FILE_BYTES:
            raise CostgateError(f"{rel} is larger than {MAX_FILE_BYTES // 1_000_000} MB", file=referenced_from, line=line)
        try:
            return full.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CostgateError(f"{rel} is not UTF-8 text", file=referenced_from, line=line) from None

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def glob(self, pattern: str) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.glob(pattern)
                      if p.is_file() and ".git" not in p.relative_to(self.root).parts)


@dataclass
class GitTree:
    """Files as they are in ``ref`` of the repository at ``root``, read from git objects."""

    root: Path
    ref: str
    label: str = ""
    _files: set[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.label = self.label or self.ref
        try:
            self.commit = _git(self.root, "rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}").strip()
        except CostgateError:
            raise CostgateError(f"unknown git ref {self.ref!r}",
                                hint="fetch the base branch first (actions/checkout with fetch-depth: 0) or pass a valid --base") from None

    def rel(self, path: str | Path) -> str:
        return WorkTree(self.root).rel(path)

    def files(self) -> set[str]:
        if self._files is None:
            out = _git(self.root, "ls-tree", "-r", "--name-only", "-z", self.commit)
            self._files = {f for f in out.split("\0") if f}
        return self._files

    def exists(self, rel: str) -> bool:
        return _normalise(rel) in self.files()

    def read_text(self, rel: str, *, referenced_from: str | None = None, line: int | None = None) -> str:
        norm = _normalise(rel)
        if norm is None:
            raise CostgateError(f"path {rel!r} leaves the repository", file=referenced_from, line=line,
                                hint="use a path inside the repository, relative to the spec")
        if norm not in self.files():
            raise CostgateError(f"file not found at {self.label}: {norm}", file=referenced_from, line=line)
        data = _git(self.root, "cat-file", "blob", f"{self.commit}:{norm}", binary=True)
        if len(data) > MAX_FILE_BYTES:
            raise CostgateError(f"{norm} is larger than {MAX_FILE_BYTES // 1_000_000} MB", file=referenced_from, line=line)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise CostgateError(f"{norm} is not UTF-8 text", file=referenced_from, line=line) from None

    def glob(self, pattern: str) -> list[str]:
        return sorted(f for f in self.files() if PurePosixPath(f).match(pattern) or _glob_match(f, pattern))


def _glob_match(path: str, pattern: str) -> bool:
    """``**/`` matches zero or more directories, as Path.glob does."""
    import fnmatch

    if pattern.startswith("**/"):
        return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern[3:]) or \
            fnmatch.fnmatch(posixpath.basename(path), pattern[3:])
    return fnmatch.fnmatch(path, pattern)


def _normalise(rel: str) -> str | None:
    norm = posixpath.normpath(rel.replace("\\", "/"))
    if norm.startswith("../") or norm == ".." or norm.startswith("/"):
        return None
    return norm


def join(base_file: str, rel: str) -> str:
    """Resolve ``rel`` against the directory of ``base_file`` (both repo-relative)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_file), rel))


def _git(root: Path, *args: str, binary: bool = False):
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise CostgateError("git is not installed", hint="costgate diff reads the base branch with git") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed"
        raise CostgateError(msg)
    return proc.stdout if binary else proc.stdout.decode("utf-8", "replace")
