"""A git ref, read from git objects: the same answers as the working tree, for base and head.

Symlinks are followed inside the tree as the working tree follows them on disk (a link
that leaves the repository is refused on both sides); submodules are refused; blobs over
``max_bytes`` are not read.
"""

from __future__ import annotations

import os
import posixpath
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CostgateError
from ..limits import DEFAULT_LIMITS
from .git import git, git_bytes
from .paths import normalise
from .worktree import too_large

LEAVES_HINT = "use a path inside the repository, relative to the file that names it"
MAX_LINKS = 40
CI_FETCH_HINTS = (
    ("GITHUB_ACTIONS", "the checkout is shallow by default: give actions/checkout `with: {fetch-depth: 0}`"),
    ("GITLAB_CI", "GitLab clones shallowly: set the job variable `GIT_DEPTH: 0`"),
)
"""(environment variable set by a CI platform, how to get the full history there)."""
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "JENKINS_URL", "TF_BUILD",
                "BITBUCKET_BUILD_NUMBER", "TEAMCITY_VERSION")
"""Any of these set (non-empty, not 'false'): running in CI, where a missing base is a checkout setting."""


def _succeeds(root: Path, *args: str) -> bool:
    try:
        git(root, *args)
    except CostgateError:
        return False
    return True


def _ci_hint(ref: str, fetch: str) -> str | None:
    """How to get ``ref`` in CI, or None when not running in CI."""
    if not any(os.environ.get(v, "").lower() not in ("", "false", "0") for v in CI_VARIABLES):
        return None
    platform = next((hint for var, hint in CI_FETCH_HINTS if os.environ.get(var)), None)
    how = (f"{platform}, or run `{fetch}` in a step before" if platform
           else f"run `{fetch}` in a step before (or clone the full history)")
    return f"in CI the base must be fetched before costgate runs: {how}; or pass --fetch-base (it fetches that commit)"


def missing_ref(root: Path, ref: str) -> CostgateError:
    """The error for a ref git cannot resolve, saying what to do: not a git repository,
    a repository with no commits yet, or a ref not fetched (in CI: the checkout's depth;
    locally: ``git fetch``)."""
    try:
        git(root, "--version")
    except CostgateError as exc:  # git is not installed: that, not the ref, is the problem
        return exc
    if not _succeeds(root, "rev-parse", "--git-dir"):
        return CostgateError(f"not a git repository ({root.name or root}): costgate diff compares two commits",
                             hint="run it inside your repository (or pass -C DIR); to start one: git init && git add -A "
                                  "&& git commit -m 'Add costgate'; `costgate estimate SPEC` needs no git")
    if not _succeeds(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"):
        return CostgateError(f"no commits yet, so there is no {ref!r} to compare with",
                             hint="commit your files first (git add -A && git commit -m 'Add costgate'), then change "
                                  "something and run `costgate diff --base HEAD` to see what the change costs")
    if ref.startswith("-") or not ref or ":" in ref:
        return CostgateError(f"unknown git ref {ref!r}", hint="a ref names a branch, tag or commit")
    remote, _, branch = ref.partition("/")
    if ref.startswith("HEAD"):
        fetch = "git fetch --unshallow"  # HEAD~N beyond the history here: a shallow clone
    else:
        fetch = f"git fetch origin {shlex.quote(branch if remote == 'origin' and branch else ref)}"
    hint = _ci_hint(ref, fetch)
    if hint is None:
        here = f"origin/{ref}"
        if remote != "origin" and _succeeds(root, "rev-parse", "--verify", "--quiet", f"refs/remotes/{here}"):
            hint = f"there is no local {ref!r}, but there is {here!r}: pass --base {shlex.quote(here)}"
        else:
            hint = (f"fetch it first (`{fetch}`), or check the name with `git branch -a` "
                    "(--base takes a branch, tag or commit)")
    return CostgateError(f"unknown git ref {ref!r}", hint=hint)


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
            raise missing_ref(self.root, self.ref) from None

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
