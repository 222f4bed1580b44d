"""Where a repository's files come from: the working tree on disk, or a git ref.

Both sides answer the same four questions (which files exist, read one, match a glob,
turn a user-given path into a repository-relative one) through the same path rules in
``paths``, so base and head are read the same way. Every read is confined: a path that
leaves the repository is refused, not read. ``costgate diff`` estimates the base branch
straight from git objects this way, without a checkout.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

from ..errors import CostgateError
from .paths import glob_match, normalise
from .worktree import WorkTree

LEAVES_HINT = "use a path inside the repository, relative to the file that names it"
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"


class Source(Protocol):
    """A read-only view of one side of a repository. ``read_bytes`` takes a normalised
    repository-relative path and refuses anything that is not a regular file inside the
    repository (symlinks are followed only while they stay inside)."""

    root: Path
    label: str
    max_bytes: int
    """Largest file read (the ``file_bytes`` limit)."""
    digests: dict[str, str]
    """SHA-256 of every file read through ``read_data``, by normalised path: what the
    estimate cache keys a spec by (the bytes that were parsed, not a second read)."""

    def files(self) -> frozenset[str]: ...

    def exists(self, rel: str) -> bool: ...

    def read_bytes(self, rel: str, max_bytes: int | None = None) -> bytes: ...


def find_root(start: Path) -> Path:
    """The repository root: the nearest ancestor holding .git (the top of the git work
    tree, so a sub-folder with its own costgate.yaml is read with the same paths as git
    objects are), else the nearest holding costgate.yaml, else ``start``."""
    start = start.resolve()
    chain = [start, *start.parents]
    for marker in (".git", "costgate.yaml"):
        for d in chain:
            if (d / marker).exists():
                return d
    return start if start.is_dir() else start.parent


def confine(rel: str, *, referenced_from: str | None = None, line: int | None = None) -> str:
    """``rel`` normalised, or an error when it leaves the repository or holds control
    characters (a newline in a file name would forge lines in logs and comments)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in rel):
        raise CostgateError(f"path {rel!r} contains control characters", file=referenced_from, line=line,
                            hint="rename the file without newlines, tabs or other control characters")
    norm = normalise(rel)
    if norm is None:
        raise CostgateError(f"path {rel!r} leaves the repository", file=referenced_from, line=line,
                            hint=LEAVES_HINT)
    if ".git" in norm.split("/"):
        raise CostgateError(f"path {norm!r} is inside .git", file=referenced_from, line=line,
                            hint="costgate reads the repository's files, not git's own (which may hold credentials)")
    return norm


def read_text(src: Source, rel: str, *, referenced_from: str | None = None, line: int | None = None) -> str:
    """A UTF-8 text file of ``src``; every failure is a CostgateError at the referencing line."""
    data = read_data(src, rel, referenced_from=referenced_from, line=line)
    try:
        return data.decode("utf-8-sig")  # a leading byte-order mark is not text
    except UnicodeDecodeError:
        raise CostgateError(f"{confine(rel)} is not UTF-8 text", file=referenced_from, line=line) from None


def read_data(src: Source, rel: str, *, referenced_from: str | None = None, line: int | None = None,
              max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file of ``src`` inside the repository (not an LFS pointer);
    every failure is a CostgateError at the referencing line."""
    norm = confine(rel, referenced_from=referenced_from, line=line)
    if not src.exists(norm):
        at = "" if isinstance(src, WorkTree) else f" at {src.label}"
        raise CostgateError(f"file not found{at}: {norm}", file=referenced_from, line=line,
                            hint="paths in a spec are relative to the spec file")
    try:
        data = src.read_bytes(norm, max_bytes)
    except CostgateError as exc:
        raise CostgateError(exc.message, file=referenced_from, line=line, hint=exc.hint) from None
    if data.startswith(LFS_POINTER):
        raise CostgateError(f"{norm} is a Git LFS pointer, not the file's text", file=referenced_from, line=line,
                            hint="commit prompt, sample and price files as plain text (not through LFS), so base "
                                 "and head read the same content")
    src.digests[norm] = hashlib.sha256(data).hexdigest()
    return data


def glob(src: Source, pattern: str) -> list[str]:
    """Files of ``src`` matching ``pattern`` (the one glob rule of ``paths``), sorted."""
    return sorted(f for f in src.files() if glob_match(f, pattern))


def relative(src: Source, path: str | Path) -> str:
    """A user-given path (absolute, or relative to the current directory) made
    repository-relative; refuses anything outside the root."""
    p = Path(path)
    p = p if p.is_absolute() else Path.cwd() / p
    # The folder is resolved (the checkout may sit behind a symlink); the file itself is
    # not, so a symlinked spec is judged by where it points when it is read.
    full = Path(os.path.realpath(p.parent)) / p.name
    try:
        return full.relative_to(src.root).as_posix()
    except ValueError:
        raise CostgateError(f"{str(path)!r} is outside the repository ({src.root})",
                            hint="costgate only reads files inside the repository") from None
