"""Shared fixtures: hermetic environment, throwaway repositories, an in-process CLI.

Every test runs with HOME and TIKTOKEN_CACHE_DIR pointing into its own tmp dir (so
nothing tiktoken or costgate might cache lands outside it) and with NO_COLOR=1 so CLI
output is plain text. The working directory is left alone; tests pass absolute paths.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Callable

import pytest

from costgate.cli import main


@pytest.fixture(autouse=True)
def _hermetic(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", str(cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("COSTGATE_DEBUG", raising=False)
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


def write_spec(root: Path, yaml_text: str | None = None, files: dict[str, str] | None = None,
               name: str = "bot.costgate.yaml") -> Path:
    """Write ``files`` (repo-relative path -> text) under ``root``, plus the spec itself as
    ``name`` when ``yaml_text`` is given. Returns the spec's absolute path."""
    for rel, text in (files or {}).items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    spec = root / name
    if yaml_text is not None:
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(yaml_text, encoding="utf-8")
    return spec


@pytest.fixture
def repo(tmp_path) -> Path:
    """An empty repository root (a ``.git`` directory is all find_root looks for)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


@pytest.fixture
def run(capsys) -> Callable[..., tuple[int, str, str]]:
    """Run ``costgate ARGS...`` in-process through ``costgate.cli.main`` (the real error
    boundary) and return (exit_code, stdout, stderr)."""

    def _run(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()  # drop anything printed before
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


# Hypothesis keeps no example database in the repository: runs stay hermetic and
# reproducible (properties that need a fixed counterexample pin it with @example).
import tempfile as _tempfile  # noqa: E402

from hypothesis import settings as _hyp_settings  # noqa: E402
from hypothesis.configuration import set_hypothesis_home_dir as _set_home  # noqa: E402

_set_home(_tempfile.mkdtemp(prefix="costgate-hypothesis-"))  # not the repository

_hyp_settings.register_profile("costgate", database=None)
_hyp_settings.load_profile("costgate")
