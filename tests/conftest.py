"""Shared fixtures: hermetic environment, throwaway repositories, an in-process CLI, the
gate on a git repository. Plain helpers (paths, git, spec builders) are in helpers.py.

Every test runs with HOME, TIKTOKEN_CACHE_DIR and XDG_CACHE_HOME pointing into tmp dirs
of its own (so nothing tiktoken or costgate caches lands outside them; costgate's estimate
cache goes to $XDG_CACHE_HOME/costgate, kept out of HOME so that tests asserting HOME is
untouched see only what else is written there) and with NO_COLOR=1 so CLI
output is plain text. The working directory is left alone (tests that must not see this
checkout's config use ``neutral_cwd``); tests pass absolute paths.
"""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path
from typing import Callable

import pytest
from helpers import AS_OF, QUERIES, SPEC, commit, hello, init_repo, run_costgate, spec_text, write
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir


@pytest.fixture(autouse=True)
def _hermetic(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", str(cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("COSTGATE_DEBUG", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)  # terminal tables are full width unless a test sets it
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", _no_network)
    yield


def _no_network(self, address, *args):
    """costgate must never touch the network: any in-process connection fails the test
    (local Unix sockets are allowed)."""
    if self.family == socket.AF_UNIX:
        return _REAL_CONNECT(self, address, *args)
    raise AssertionError(f"network access attempted: {address!r}")


_REAL_CONNECT = socket.socket.connect


@pytest.fixture
def loopback(monkeypatch):
    """Allow connections to 127.0.0.1 only, for the local mock APIs of tests/publish
    (mock_github and friends); any other address still fails the test."""

    def connect(self, address, *args):
        if self.family == socket.AF_INET and isinstance(address, tuple) and address[0] == "127.0.0.1":
            return _REAL_CONNECT(self, address, *args)
        return _no_network(self, address, *args)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def repo(tmp_path) -> Path:
    """An empty repository root (a ``.git`` directory is all find_root looks for)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


@pytest.fixture
def run() -> Callable[..., tuple[int, str, str]]:
    """Run ``costgate ARGS...`` in-process through ``costgate.cli.main`` (the real error
    boundary) and return (exit_code, stdout, stderr)."""
    return run_costgate


@pytest.fixture
def neutral_cwd(tmp_path, monkeypatch):
    """Run from a directory with no costgate.yaml or pyproject.toml (not this checkout,
    which has both), so only -C decides which repository's config is read. Running from
    elsewhere is tested on purpose in test_config_is_read_when_run_from_another_directory."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def gitrepo(tmp_path):
    """A git repository whose first commit holds the bot spec (helpers.SPEC_TEXT) with a
    1,000-token prompt. Call it with extra/replacement files for the base commit."""

    def _make(files: dict[str, str | None] | None = None, *, tokens: int = 1000, model: str = "gpt-4o",
              extra: str = "") -> Path:
        root = init_repo(tmp_path / "repo")
        write(root, {SPEC: spec_text(model, extra), "queries.txt": QUERIES, "prompts/system.j2": hello(tokens)})
        write(root, files or {})
        commit(root, "base")
        return root

    return _make


@pytest.fixture
def gate(run):
    """`costgate diff -C ROOT --as-of AS_OF ARGS...` -> (exit code, stdout, stderr)."""

    def _gate(root: Path, *args: str | Path, command: str = "diff") -> tuple[int, str, str]:
        if command == "diff" and "--base" not in args:
            args = ("--base", "HEAD", *args)
        return run(command, "-C", root, "--as-of", AS_OF, *args)

    return _gate


# Hypothesis keeps no example database in the repository: runs stay hermetic and
# reproducible (properties that need a fixed counterexample pin it with @example).
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="costgate-hypothesis-"))  # not the repository
settings.register_profile("costgate", database=None)
settings.load_profile("costgate")
