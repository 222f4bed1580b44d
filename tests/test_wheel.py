"""The wheel carries the price table, py.typed and the JSON Schemas: build it, install it into a fresh venv, and run
`costgate pricing list` from outside the checkout.

Offline: the wheel is built without build isolation (hatchling must be installed, as the
`test` extra does) and the venv sees this interpreter's site-packages for dependencies.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from helpers import ROOT

pytestmark = pytest.mark.slow  # builds a wheel and a venv: seconds; `-m "not slow"` skips it


def test_installed_wheel_lists_the_shipped_prices(tmp_path):
    pytest.importorskip("hatchling", reason="building the wheel offline needs hatchling (pip install hatchling)")
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist)], check=True, env=env, cwd=tmp_path)
    [wheel] = dist.glob("costgate-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    # PEP 561: type checkers use costgate's annotations; the JSON Schemas ship for editors and scripts
    shipped = {f"costgate/{p.relative_to(ROOT / 'costgate').as_posix()}"
               for p in (ROOT / "costgate" / "schemas").glob("*.schema.json")}
    assert "costgate/py.typed" in names and "costgate/__main__.py" in names
    assert len(shipped) >= 10 and shipped <= names
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=False, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    # Dependencies come from this interpreter's site-packages (no network), added as plain
    # path lines: the .pth files in them (e.g. this checkout's editable install) are not
    # processed, so only the wheel can provide `costgate`.
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    Path(purelib, "_costgate_test_deps.pth").write_text("\n".join(deps) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, env=env, cwd=tmp_path)
    run_env = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    out = subprocess.run([str(bindir / "costgate"), "pricing", "list"], capture_output=True, text=True,
                         env=run_env, cwd=tmp_path)
    if out.returncode == 2 and "No such command 'pricing'" in out.stderr:
        pytest.fail("`pricing` is not registered in costgate/cli.py: cli.add_command(pricing)")
    assert out.returncode == 0, out.stderr
    assert any(line.startswith("gpt-4o ") for line in out.stdout.splitlines())
    where = subprocess.run([str(python), "-c", "import costgate.pricing as p; print(p.shipped_pricing_dir())"],
                           capture_output=True, text=True, env=run_env, cwd=tmp_path, check=True).stdout.strip()
    assert where.endswith("pricing_data") and str(ROOT) not in where
