"""Runs the GitHub Action (action.yml) end to end, the way the runner does, without GitHub.

Each step of the composite action runs in order: ``run:`` scripts under
``bash --noprofile --norc -eo pipefail`` in a temporary git repository, with the
runner's files and variables (``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``,
``GITHUB_EVENT_PATH``, ``RUNNER_TEMP``, ``GITHUB_ACTION_PATH``, ...), ``${{ }}``
expressions evaluated from the inputs, the event and earlier steps' outputs, and ``if:``
conditions honoured. Steps that only set up the runner (``uses:`` steps, the pip cache,
the install) are skipped: the ``costgate`` on PATH is this checkout's, run by this
interpreter.

The pull request's comments live in a GitHub stand-in with the test API of
``tests/publish/mock_github.py`` (``add_comment``, ``comments``, ``env``, the tokens
``ACTIONS`` and ``READ_ONLY``, the users ``BOT`` and ``ALICE``), answered by the real
``costgate comment github``. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from helpers import ROOT, TESTS

ACTION = ROOT / "action.yml"
SETUP_STEPS = {"pip-cache", "install"}
"""``run:`` steps that install costgate on a runner; the harness has it already."""
MARKER = "<!-- costgate-report"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)


# ----------------------------------------------------------------- GitHub stand-in



def github(tmp_path: Path) -> Any:
    """The GitHub stand-in (tests/publish/mock_github.py), answered by the real ``costgate
    comment github``; not yet started: ``with github(tmp_path) as gh`` starts and stops it."""
    sys.path.insert(0, str(TESTS / "publish"))
    from mock_github import MockGitHub  # type: ignore[import-not-found]

    return MockGitHub()


# ---------------------------------------------------------------- the costgate on PATH

COSTGATE = r'''
import os, sys
sys.path.insert(0, os.environ["HARNESS_ROOT"])
if os.environ.get("HARNESS_CRASH") == "1":  # a bug inside the gate: exit 3
    import costgate.gate.diff
    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")
    costgate.gate.diff.diff = boom
from costgate.cli import main
sys.exit(main())
'''


def install_costgate(bin_dir: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    (bin_dir / "costgate.py").write_text(COSTGATE, encoding="utf-8")
    wrapper = bin_dir / "costgate"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$0.py" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)


# ----------------------------------------------------------------------- expressions

def _lookup(path: str, ctx: dict[str, Any]) -> Any:
    node: Any = ctx
    for part in path.split("."):
        if not isinstance(node, dict):
            return ""
        node = node.get(part, "")
    return node


_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(&&|\|\||==|!=|!|\(|\))|([A-Za-z_][\w.-]*)(\(\))?)")


def evaluate(expr: str, ctx: dict[str, Any]) -> Any:
    """A GitHub expression of the subset action.yml uses: contexts, string literals,
    ``== != && || !``, parentheses and the status functions."""
    out, pos = [], 0
    while pos < len(expr.rstrip()):
        m = _TOKEN.match(expr, pos)
        assert m, f"cannot parse {expr!r} at {pos}"
        literal, op, name, call = m.groups()
        if literal is not None:
            out.append(repr(literal[1:-1].replace("''", "'")))
        elif op is not None:
            out.append({"&&": " and ", "||": " or ", "!": " not "}.get(op, f" {op} "))
        elif call:
            out.append({"always": "True", "success": "_ok", "failure": "(not _ok)", "cancelled": "False"}[name])
        elif name in ("true", "false"):
            out.append(str(name == "true"))
        else:
            value = _lookup(name, ctx)
            out.append(repr(value if not isinstance(value, (int, float)) or isinstance(value, bool) else str(value)))
        pos = m.end()
    return eval("".join(out), {"_ok": ctx.get("_ok", True)})  # noqa: S307 - test-only, our own action.yml


def render(text: Any, ctx: dict[str, Any]) -> str:
    def one(m: re.Match[str]) -> str:
        value = evaluate(m.group(1), ctx)
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    return EXPRESSION.sub(one, str(text))


def parse_outputs(text: str) -> dict[str, str]:
    """A GITHUB_OUTPUT file: ``name=value`` lines and ``name<<DELIM`` blocks."""
    out: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            value = []
            for more in lines:
                if more == delim:
                    break
                value.append(more)
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
    return out


# ---------------------------------------------------------------------------- a run

@dataclass
class StepRun:
    id: str
    name: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @property
    def log(self) -> str:
        return "".join(s.stdout + s.stderr for s in self.steps)

    @property
    def annotations(self) -> list[str]:
        return [line for s in self.steps for line in s.stdout.splitlines() if line.startswith("::")
                and not line.startswith("::add-mask::")]

    @property
    def returncode(self) -> int:
        """What the job sees: the first failing step's code, else 0."""
        return next((s.returncode for s in self.steps if s.returncode), 0)

    def step(self, step_id: str) -> StepRun | None:
        return next((s for s in self.steps if s.id == step_id), None)


def load_action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def run_action(workspace: Path, runner: Path, gh: Any, *, inputs: dict[str, str] | None = None,
               event: dict | None = None, token: str | None = None, env: dict[str, str] | None = None,
               event_name: str = "pull_request", action: dict | None = None) -> ActionRun:
    """Run action.yml's steps for a pull request event in ``workspace`` (a git work tree);
    ``runner`` is a fresh folder for the runner's files."""
    action = action or load_action()
    runner.mkdir(parents=True, exist_ok=True)
    bin_dir = runner / "bin"
    install_costgate(bin_dir)
    event = event if event is not None else {"pull_request": {"number": gh.number, "base": {"sha": ""}}}
    (runner / "event.json").write_text(json.dumps(event), encoding="utf-8")
    summary = runner / "step_summary"
    summary.touch()
    token = token if token is not None else gh.ACTIONS
    github_ctx = {"event": event, "event_name": event_name, "token": token, "repository": gh.repo,
                  "action_path": str(ROOT), "server_url": "https://github.com", "workspace": str(workspace)}
    ctx: dict[str, Any] = {"github": github_ctx, "runner": {"os": "Linux", "temp": str(runner)}, "steps": {},
                           "_ok": True}
    given = inputs or {}
    ctx["inputs"] = {name: given[name] if name in given else render(spec.get("default", ""), ctx)
                     for name, spec in action["inputs"].items()}
    base_env = {
        **{k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("GITHUB_", "RUNNER_"))},
        **gh.env(token=None),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HARNESS_ROOT": str(ROOT),
        "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(runner / "event.json"), "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_SERVER_URL": "https://github.com",
        "RUNNER_TEMP": str(runner), "RUNNER_OS": "Linux",
        "XDG_CACHE_HOME": str(runner / "cache"), "NO_COLOR": "1",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
        "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
        **(env or {}),
    }
    result = ActionRun()
    for i, step in enumerate(action["runs"]["steps"]):
        step_id = step.get("id", f"step{i}")
        if "uses" in step or step_id in SETUP_STEPS:
            continue
        condition = step.get("if")
        if condition is not None:
            cond = str(condition)
            if not re.search(r"\b(always|success|failure|cancelled)\(\)", cond):
                cond = f"success() && ({cond})"
            if not evaluate(EXPRESSION.sub(lambda m: m.group(1), cond), ctx):
                continue
        run = _run_step(step, step_id, workspace, runner, ctx, base_env)
        result.steps.append(run)
        ctx["steps"][step_id] = {"outputs": run.outputs}
        if run.returncode:
            ctx["_ok"] = False
    result.outputs = {name: render(spec["value"], ctx) for name, spec in action.get("outputs", {}).items()}
    result.summary = summary.read_text(encoding="utf-8")
    return result


def _run_step(step: dict, step_id: str, workspace: Path, runner: Path, ctx: dict, base_env: dict) -> StepRun:
    assert step.get("shell") == "bash", f"step {step_id}: the harness runs bash steps"
    script = runner / f"{step_id}.sh"
    script.write_text(step["run"], encoding="utf-8")
    assert "${{" not in step["run"], "expressions reach scripts through env: only"
    outputs = runner / f"{step_id}.output"
    outputs.write_text("", encoding="utf-8")
    env = {**base_env, **{k: render(v, ctx) for k, v in step.get("env", {}).items()}, "GITHUB_OUTPUT": str(outputs)}
    cwd = workspace / render(step.get("working-directory", "."), ctx)
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    return StepRun(step_id, step.get("name", step_id), proc.returncode, proc.stdout, proc.stderr,
                   parse_outputs(outputs.read_text(encoding="utf-8")))


def run_concurrently(*runs: dict[str, Any]) -> list[ActionRun]:
    """Several ``run_action(**kwargs)`` at once, in threads (two jobs of one pull request)."""
    results: list[ActionRun | None] = [None] * len(runs)

    def go(i: int) -> None:
        results[i] = run_action(**runs[i])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(runs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


__all__ = ["ActionRun", "StepRun", "evaluate", "github", "load_action", "render",
           "run_action", "run_concurrently", "parse_outputs"]
