"""`costgate completion SHELL` prints click's completion script, and the script's protocol
(`_COSTGATE_COMPLETE`) answers through the real entry point; `python -m costgate` is the
same command as `costgate`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, run_costgate

from costgate.version import __version__


@pytest.mark.parametrize("shell, marker", [
    ("bash", "complete -o nosort -F _costgate_completion costgate"),
    ("zsh", "compdef _costgate_completion costgate"),
    ("fish", "complete --no-files --command costgate"),
])
def test_completion_prints_the_script_for_each_shell(shell, marker):
    code, out, err = run_costgate("completion", shell)
    assert code == 0, err
    assert "_COSTGATE_COMPLETE" in out and f"{shell}_complete" in out
    assert marker in out


def test_the_bash_script_parses():
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash on this machine")
    _, out, _ = run_costgate("completion", "bash")
    subprocess.run([bash, "-n"], input=out, text=True, check=True)


def test_an_unknown_shell_is_exit_2():
    code, _, err = run_costgate("completion", "tcsh")
    assert code == 2 and "'tcsh' is not one of 'bash', 'zsh', 'fish'" in err


def _python_m(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "costgate", *args], capture_output=True, text=True, env=full,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_the_completion_protocol_completes_commands_and_choices():
    """What the printed script runs when Tab is pressed: the entry point answers."""
    env = {"_COSTGATE_COMPLETE": "bash_complete", "COMP_WORDS": "costgate compl", "COMP_CWORD": "1"}
    assert _python_m(env=env).stdout.split() == ["plain,completion"]
    env = {**env, "COMP_WORDS": "costgate completion ", "COMP_CWORD": "2"}
    assert _python_m(env=env).stdout.split() == ["plain,bash", "plain,zsh", "plain,fish"]


def test_python_m_costgate_is_the_same_command():
    out = _python_m("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"costgate, version {__version__}"
    bad = _python_m("tokens", "--model", "no-such-model-xyz", "-")
    assert bad.returncode == 2 and bad.stderr.startswith("error: ")
