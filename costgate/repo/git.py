"""Running git: the one place costgate starts a git process (read-only commands only)."""

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
