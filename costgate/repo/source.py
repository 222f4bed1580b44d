"""Where a repository's files come from: the working tree on disk, or a git ref.

Both sides answer the same four questions (which files exist, read one, match a glob,
turn a user-given path into a repository-relative one) through the same path rules in
``paths``, so base and head are read the same way. Every read is confined: a path that
leaves the repository is refused, not read. ``costgate diff`` estimates the base branch
straight from git objects this way, without a checkout.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..errors import CostgateError
from .paths import glob_match, normalise

MAX_FILE_BYTES = 5_000_000
LEAVES_HINT = "use a path inside the repository, relative to the file that names it"


class Source(Protocol):
    """A read-only view of one side of a repository."""

    root: Path
    label: str

    def files(self) -> frozenset[str]: ...

    def exists(self, rel: str) -> bool: ...

    def read_bytes(self, rel: str) -> bytes: ...


def find_root(start: Path) -> Path:
    """The repository root: the nearest ancestor holding .git (or costgate.yaml)."""
    start = start.resolve()
    for d in [start, *start.parents]:
        if (d / ".git").exists() or (d / "costgate.yaml").is_file():
            return d
    return start if start.is_dir() else start.parent


def confine(rel: str, *, referenced_from: str | None = None, line: int | None = None) -> str:
    """``rel`` normalised, or an error when it leaves the repository."""
    norm = normalise(rel)
    if norm is None:
        raise CostgateError(f"path {rel!r} leaves the repository", file=referenced_from, line=line,
                            hint=LEAVES_HINT)
    return norm


def read_text(src: Source, rel: str, *, referenced_from: str | None = None, line: int | None = None) -> str:
    """A UTF-8 text file of ``src``; every failure is a CostgateError at the referencing line."""
    norm = confine(rel, referenced_from=referenced_from, line=line)
    if not src.exists(norm):
        at = "" if isinstance(src, WorkTree) else f" at {src.label}"
        raise CostgateError(f"file not found{at}: {norm}", file=referenced_from, line=line,
                            hint="paths in a spec are relative to the spec file")
    try:
        data = src.read_bytes(norm)
    except CostgateError as exc:
        raise CostgateError(exc.message, file=referenced_from, line=line, hint=exc.hint) from None
    if len(data) > MAX_FILE_BYTES:
        raise CostgateError(f"{norm} is larger than {MAX_FILE_BYTES // 1_000_000} MB", file=referenced_from, line=line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CostgateError(f"{norm} is not UTF-8 text", file=referenced_from, line=line) from None


def glob(src: Source, pattern: str) -> list[str]:
    """Files of ``src`` matching ``pattern`` (the one glob rule of ``paths``), sorted."""
    return sorted(f for f in src.files() if glob_match(f, pattern))


def relative(src: Source, path: str | Path) -> str:
    """A user-given path (absolute, or relative to the current directory) made
    repository-relative; refuses anything outside the root."""
    p = Path(path)
    full = (p if p.is_absolute() else Path.cwd() / p).resolve()
    try:
        return full.relative_to(src.root).as_posix()
    except ValueError:
        raise CostgateError(f"{path} is outside the repository ({src.root})",
                            hint="costgate only reads files inside the repository") from None


@dataclass
class WorkTree:
    """Files on disk under ``root`` (``.git`` excluded)."""

    root: Path
    label: str = "working tree"
    _files: frozenset[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    def files(self) -> frozenset[str]:
        if self._files is None:
            found: set[str] = set()
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames[:] = sorted(d for d in dirnames if d != ".git")
                base = Path(dirpath).relative_to(self.root).as_posix()
                found.update(n if base == "." else f"{base}/{n}" for n in filenames)
            self._files = frozenset(found)
        return self._files

    def exists(self, rel: str) -> bool:
        norm = normalise(rel)
        return norm is not None and (self.root / norm).is_file()

    def read_bytes(self, rel: str) -> bytes:
        full = (self.root / rel).resolve()
        try:
            full.relative_to(self.root)
        except ValueError:
            raise CostgateError(f"path {rel!r} leaves the repository", hint=LEAVES_HINT) from None
        try:
            return full.read_bytes()
        except OSError as exc:
            raise CostgateError(f"cannot read {rel}: {exc.strerror or exc}") from None


@dataclass
class GitTree:
    """Files as they are in ``ref`` of the repository at ``root``, read from git objects."""

    root: Path
    ref: str
    label: str = ""
    commit: str = ""
    _files: frozenset[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.label = self.label or self.ref
        try:
            self.commit = git(self.root, "rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}").strip()
        except CostgateError:
            raise CostgateError(f"unknown git ref {self.ref!r}",
                                hint="fetch the base branch first (actions/checkout with fetch-depth: 0) or pass a valid --base") from None

    def files(self) -> frozenset[str]:
        if self._files is None:
            out = git(self.root, "ls-tree", "-r", "--name-only", "-z", self.commit)
            self._files = frozenset(f for f in out.split("\0") if f)
        return self._files

    def exists(self, rel: str) -> bool:
        return normalise(rel) in self.files()

    def read_bytes(self, rel: str) -> bytes:
        return git_bytes(self.root, "cat-file", "blob", f"{self.commit}:{rel}")


def git_bytes(root: Path, *args: str) -> bytes:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise CostgateError("git is not installed", hint="costgate diff reads the base branch with git") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed"
        raise CostgateError(msg)
    return proc.stdout


def git(root: Path, *args: str) -> str:
    return git_bytes(root, *args).decode("utf-8", "replace")
