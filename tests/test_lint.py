"""Style and types are part of the test suite: ruff over the code and tests, mypy over the
library (configured in pyproject.toml), so the one test command checks them too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_ruff_is_clean():
    proc = _run("ruff", "check", "costgate", "tests", "bench")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy_is_clean():
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr
