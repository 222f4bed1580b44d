"""A git ref, read from git objects: the same answers as the working tree, for base and head.

Symlinks are followed inside the tree as the working tree follows them on disk (a link
that leaves the repository is refused on both sides); submodules are refused; blobs over
``max_bytes`` are not read.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CostgateError
from ..limits import DEFAULT_LIMITS
from .git import git, git_bytes
from .paths import normalise
from .worktree import too_large

LEAVES_HINT = "use a path inside the repository, relative to the file that names it"
MAX_LINKS = 40


@dataclass(frozen=True)
class Entry:
    mode: str
    """100644/100755 a file, 120000 a symlink, 160000 a submodule."""
    sha: str
    size: int


@dataclass
class GitTree:
    """Files as they are in ``ref`` of the repository at ``root``, read from git objects."""

    root: Path
    ref: str
    label: str = ""
    commit: str = ""
    max_bytes: int = DEFAULT_LIMITS.file_bytes
    digests: dict[str, str] = field(default_factory=dict, repr=False)
    """SHA-256 of each file read through ``source.read_data`` (see ``Source.digests``)."""
    _entries: dict[str, Entry] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.label = self.label or self.ref
        if self.ref.startswith("-"):
            raise CostgateError(f"unknown git ref {self.ref!r}", hint="a ref names a branch, tag or commit")
        try:
            self.commit = git(self.root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                              f"{self.ref}^{{commit}}").strip()
        except CostgateError:
            raise CostgateError(f"unknown git ref {self.ref!r}",
                                hint="fetch the base branch first (actions/checkout with fetch-depth: 0) or pass a valid --base") from None

    def entries(self) -> dict[str, Entry]:
        if self._entries is None:
            out = git(self.root, "ls-tree", "-r", "-l", "-z", "--full-tree", self.commit)
            entries = {}
            for record in out.split("\0"):
                if not record:
                    continue
                meta, _, path = record.partition("\t")
                mode, _kind, sha, size = meta.split()
                entries[path] = Entry(mode, sha, int(size) if size.isdigit() else 0)
            self._entries = entries
        return self._entries

    def files(self) -> frozenset[str]:
        return frozenset(self.entries())

    def exists(self, rel: str) -> bool:
        norm = normalise(rel)
        if norm is None:
            return False
        try:
            return self._resolve(norm) in self.entries()
        except CostgateError:  # a link that leaves the tree or loops: reading says which
            return True

    def _resolve(self, norm: str) -> str:
        """``norm`` with every symlink on its way followed, inside the tree."""
        entries = self.entries()
        for _ in range(MAX_LINKS):
            parts = norm.split("/")
            for i in range(1, len(parts) + 1):
                prefix = "/".join(parts[:i])
                entry = entries.get(prefix)
                if entry is None or entry.mode != "120000":
                    continue
                target = git_bytes(self.root, "cat-file", "blob", entry.sha).decode("utf-8", "replace")
                joined = posixpath.join(posixpath.dirname(prefix), target, *parts[i:])
                resolved = None if target.startswith("/") else normalise(joined)
                if resolved is None:
                    raise CostgateError(f"{norm} is a symlink that leaves the repository", hint=LEAVES_HINT)
                norm = resolved
                break
            else:
                return norm
        raise CostgateError(f"{norm}: too many levels of symlinks")

    def read_bytes(self, rel: str, max_bytes: int | None = None) -> bytes:
        limit = self.max_bytes if max_bytes is None else max_bytes
        norm = self._resolve(rel)
        entry = self.entries().get(norm)
        if entry is None:
            raise CostgateError(f"file not found at {self.label}: {rel}")
        if entry.mode == "160000":
            raise CostgateError(f"{rel} is a git submodule", hint="costgate reads files of this repository only")
        if entry.size > limit:
            raise too_large(rel, "file_bytes" if max_bytes is None else "sample_bytes", limit)
        return git_bytes(self.root, "cat-file", "blob", entry.sha)
