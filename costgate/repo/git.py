"""Running git: the one place costgate starts a git process. Read-only commands only,
except ``fetch_commit``, which runs only when asked (``costgate diff --fetch-base``)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Literal

from ..errors import CostgateError

_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_NO_REPLACE_OBJECTS": "1"}


def git_bytes(root: Path, *args: str) -> bytes:
    env = {**os.environ, **_ENV}
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


def run_with_input(root: Path, args: list[str], data: bytes) -> bytes:
    env = {**os.environ, **_ENV}
    proc = subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        raise CostgateError(proc.stderr.decode("utf-8", "replace").strip() or "git check-attr failed")
    return proc.stdout


def head_state(root: Path) -> tuple[str | None, bool]:
    """The work tree's HEAD commit (None before the first commit) and whether the work
    tree differs from it (modified, staged or untracked files): how a report names head."""
    try:
        sha = git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").strip() or None
        dirty = bool(git(root, "status", "--porcelain", "--untracked-files=normal").strip())
    except CostgateError:
        return None, False
    return sha, dirty


def has_commit(root: Path, ref: str) -> bool:
    """Whether ``ref`` names a commit present in the clone."""
    if ref.startswith("-"):
        return False
    try:
        git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except CostgateError:
        return False
    return True


def fetch_commit(root: Path, ref: str, remote: str = "origin") -> None:
    """Fetch one missing commit from ``remote``, shallow-safe: ``git fetch --no-tags
    --depth=1 REMOTE REF`` (a shallow clone gains only that commit). The only command
    here that touches the network or the object store; nothing calls it unless asked."""
    if ref.startswith("-") or not ref:
        raise CostgateError(f"unknown git ref {ref!r}", hint="a ref names a branch, tag or commit")
    branch = ref[len(remote) + 1:] if ref.startswith(f"{remote}/") else None
    spec = f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}" if branch else ref  # origin/main: the branch
    try:
        git(root, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--depth=1", "--end-of-options", remote, spec)
    except CostgateError as exc:
        raise CostgateError(f"could not fetch the base commit {ref!r} from {remote}: {exc.message}",
                            hint="check the remote and the ref, or fetch it before running costgate") from None


GitState = Literal["none", "empty", "commits"]
"""Where ``costgate init`` runs: not in a git repository (or git is not installed), in one
with no commits yet, or in one with commits (``costgate diff --base HEAD`` works)."""


def state(root: Path) -> GitState:
    """Whether ``root`` is inside a git repository, and whether that has commits."""
    try:
        git(root, "rev-parse", "--git-dir")
    except CostgateError:
        return "none"
    try:
        git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except CostgateError:
        return "empty"
    return "commits"
