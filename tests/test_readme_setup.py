"""The README's set-up works as written on a fresh machine: its install command makes a
new virtual environment and installs this checkout into it (from the package registry,
through pip's cache), its test command runs there, and its quick start prints exactly
what the README shows.

Slow (a virtual environment and an install). Run on a copy of the checkout, so the
`.venv` the commands make is not the one running this test; the one thing normalised in
the output is that copy's path, should it appear.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, readme_quick_start, readme_setup

pytestmark = pytest.mark.slow

NOT_COPIED = shutil.ignore_patterns(".venv", ".git", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis",
                                    "__pycache__", "node_modules", "build", "dist", "*.egg-info")


def _pip_cache() -> str:
    """pip's cache as the person running the tests has it (the hermetic fixtures point
    HOME and XDG_CACHE_HOME elsewhere, which would make every run download again)."""
    return os.environ.get("PIP_CACHE_DIR") or str(Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache" / "pip")


def _environment() -> dict[str, str]:
    """This environment without the virtual environment running the tests (a fresh shell's)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "COLUMNS")}
    if sys.prefix != sys.base_prefix:  # drop our venv's bin from PATH, as a new shell would not have it
        ours = str(Path(sys.prefix) / "bin")
        env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != ours)
    env["PIP_CACHE_DIR"] = _pip_cache()
    return env


def test_readme_setup_and_quick_start_in_a_fresh_venv(tmp_path):
    if shutil.which("python3", path=_environment()["PATH"]) is None:
        pytest.skip("no python3 on PATH")
    checkout = tmp_path / "costgate"
    shutil.copytree(ROOT, checkout, ignore=NOT_COPIED, symlinks=True)
    install, test = readme_setup()
    quick, shown = readme_quick_start()
    # One shell session, the commands as the README writes them, in its order: install,
    # quick start (its output kept), test command. The test command runs the suite's
    # collection only (PYTEST_ADDOPTS), which imports every test module in the new
    # environment: running the whole suite again from inside it would double CI's time.
    script = f"set -e\n{install}\n{quick} > quick-start.out\nPYTEST_ADDOPTS='--collect-only -q' {test}\n"
    proc = subprocess.run(["bash", "-c", script], cwd=checkout, env=_environment(), capture_output=True, text=True,
                          timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (checkout / ".venv" / "bin" / "costgate").is_file()  # the console script, in the new environment
    assert " tests collected in " in proc.stdout, proc.stdout[-2000:]
    out = (checkout / "quick-start.out").read_text(encoding="utf-8").replace(str(checkout / ".venv"), ".venv")
    assert out == shown  # byte for byte
