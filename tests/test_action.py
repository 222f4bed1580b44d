"""The GitHub Action end to end: action.yml's steps run by ``action_harness`` in a pull
request's checkout, against a GitHub stand-in (the mock API and the real ``costgate
comment``), with the real ``costgate diff``.

The pull request: the bot spec of helpers.py (one call, gpt-4o, a system prompt of
exactly N tokens, 1,000 sessions a day). Growing the prompt from 1,000 to 1,300 tokens
crosses the default 10%/200-token limit (exit 1); 1,000 -> 1,050 holds (exit 0).
Each run starts costgate two or three times (a few seconds); tests of several runs are
marked slow.
"""

from __future__ import annotations

import pytest
from action_harness import github, run_action, run_concurrently
from helpers import QUERIES, SPEC, commit, git, hello, init_repo, spec_text, write

MARK = "<!-- costgate-report"


def _pr(tmp_path, head_files: dict[str, str | None], base_files: dict[str, str | None] | None = None,
        name: str = "repo"):
    """A checkout of a pull request: base commit, then the head commit checked out (as
    actions/checkout leaves it: a clean work tree). Returns (workspace, base sha)."""
    root = init_repo(tmp_path / name)
    files = {SPEC: spec_text(), "queries.txt": QUERIES, "prompts/system.j2": hello(1000), **(base_files or {})}
    write(root, {rel: text for rel, text in files.items() if text is not None})
    base = commit(root, "base")
    write(root, head_files)
    commit(root, "head")
    return root, base


def _event(gh, base: str) -> dict:
    return {"pull_request": {"number": gh.number, "base": {"sha": base}}}


def _ours(gh) -> list[dict]:
    return [c for c in gh.comments if c["user"]["login"] == gh.BOT["login"]]


@pytest.fixture
def gh(tmp_path):
    with github(tmp_path) as server:
        yield server


def _run(gh, tmp_path, workspace, base, runner="runner", env=None, **kwargs):
    """One job; the runs of a test share an estimate cache, as jobs with actions/cache do."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), **(env or {})}
    return run_action(workspace, tmp_path / runner, gh, event=_event(gh, base), env=env, **kwargs)


# ------------------------------------------------------------------ create / update / retire

def test_a_crossed_threshold_fails_the_job_with_comment_summary_and_annotation(gh, tmp_path):
    ws, base = _pr(tmp_path, {"prompts/system.j2": hello(1300)})
    run = _run(gh, tmp_path, ws, base)
    assert run.outputs["exit-code"] == "1", run.log
    assert run.returncode == 1  # the last step fails the job
    (comment,) = _ours(gh)
    assert comment["body"].startswith(MARK)
    assert "❌ **costgate: 2 thresholds crossed**" in comment["body"]
    assert "| `bot`" in comment["body"]
    assert "| `bot`" in run.summary and "❌" in run.summary
    assert any(a.startswith("::error file=prompts/system.j2,line=1,title=costgate system_prompt_growth::")
               for a in run.annotations)
    # the report names both commits: the base sha and the checked-out head, short
    head = git(ws, "rev-parse", "HEAD").strip()
    assert f"Base `{base[:7]}` → head HEAD `{head[:7]}`," in comment["body"]
    assert "uncommitted" not in comment["body"]


@pytest.mark.slow
def test_the_next_push_updates_the_same_comment_and_a_fix_retires_the_failure(gh, tmp_path):
    ws, base = _pr(tmp_path, {"prompts/system.j2": hello(1300)})
    first = _run(gh, tmp_path, ws, base, runner="r1")
    assert first.outputs["exit-code"] == "1"
    write(ws, {"prompts/system.j2": hello(1050)})  # within the limit
    commit(ws, "smaller")
    second = _run(gh, tmp_path, ws, base, runner="r2")
    assert second.outputs["exit-code"] == "0", second.log
    assert second.returncode == 0
    (comment,) = _ours(gh)
    assert "✅ **costgate: all thresholds hold**" in comment["body"] and "❌" not in comment["body"]
    write(ws, {"prompts/system.j2": hello(1000)})  # back to the base: nothing costed changes
    commit(ws, "revert")
    third = _run(gh, tmp_path, ws, base, runner="r3")
    assert third.outputs["exit-code"] == "0"
    (comment,) = _ours(gh)
    assert "✅ **costgate: no cost change**" in comment["body"]


def test_a_read_only_token_as_on_forks_warns_and_keeps_the_gate_result(gh, tmp_path):
    ws, base = _pr(tmp_path, {"prompts/system.j2": hello(1300)})
    run = _run(gh, tmp_path, ws, base, token=gh.READ_ONLY)
    assert run.outputs["exit-code"] == "1"
    assert run.step("comment").returncode == 0
    assert "::warning" in run.step("comment").stdout
    assert gh.comments == []
    assert "❌" in run.summary  # the report is in the job summary either way


def test_a_persons_comment_quoting_the_marker_is_left_alone(gh, tmp_path):
    quoted = f"{MARK} tag=default -->\nI copied this from the bot, is it right?"
    gh.add_comment(quoted, user=gh.ALICE)
    ws, base = _pr(tmp_path, {"prompts/system.j2": hello(1300)})
    _run(gh, tmp_path, ws, base)
    alices = [c for c in gh.comments if c["user"]["login"] == gh.ALICE["login"]]
    assert [c["body"] for c in alices] == [quoted]
    assert len(_ours(gh)) == 1


@pytest.mark.slow
def test_two_tags_keep_two_comments(gh, tmp_path):
    ws, base = _pr(tmp_path, {"prompts/system.j2": hello(1300)})
    _run(gh, tmp_path, ws, base, runner="a", inputs={"tag": "models"})
    _run(gh, tmp_path, ws, base, runner="b", inputs={"tag": "agents"})
    _run(gh, tmp_path, ws, base, runner="c", inputs={"tag": "models"})
    bodies = sorted(c["body"].split("\n", 1)[0] for c in _ours(gh))
    assert bodies == [f"{MARK} tag=agents -->", f"{MARK} tag=models -->"]


@pytest.mark.slow
def test_two_concurrent_runs_leave_one_comment(gh, tmp_path):
    ws, base = _pr(tmp_path, {"prompts/system.j2": hello(1300)})
    runs = run_concurrently(*[dict(workspace=ws, runner=tmp_path / f"r{i}", gh=gh, event=_event(gh, base))
                              for i in range(2)])
    assert [r.outputs["exit-code"] for r in runs] == ["1", "1"]
    assert len(_ours(gh)) == 1


def test_comment_false_writes_only_the_summary(gh, tmp_path):
    ws, base = _pr(tmp_path, {"prompts/system.j2": hello(1300)})
    run = _run(gh, tmp_path, ws, base, inputs={"comment": "false"})
    assert run.step("comment") is None
    assert gh.comments == [] and "❌" in run.summary


# ------------------------------------------------------------------ the gate cannot run

def test_a_bad_spec_replaces_a_green_comment_and_is_annotated_at_its_line(gh, tmp_path):
    ws, base = _pr(tmp_path, {"prompts/system.j2": hello(1050)})
    assert _run(gh, tmp_path, ws, base, runner="r1").outputs["exit-code"] == "0"
    assert "✅" in _ours(gh)[0]["body"]
    write(ws, {SPEC: spec_text().replace("output_tokens: 10", "output_tokens: lots")})
    commit(ws, "typo")
    run = _run(gh, tmp_path, ws, base, runner="r2")
    assert run.outputs["exit-code"] == "2", run.log
    assert run.returncode == 2
    (comment,) = _ours(gh)
    assert "✅" not in comment["body"]
    assert "costgate: the gate could not run" in comment["body"]
    assert f"`{SPEC}:12`" in comment["body"]
    assert "could not run" in run.summary and f"{SPEC}:12" in run.summary
    assert any(a.startswith(f"::error file={SPEC},line=12,title=costgate could not run::")
               for a in run.annotations), run.annotations


@pytest.mark.slow
def test_a_crash_is_never_reported_as_no_cost_change(gh, tmp_path):
    ws, base = _pr(tmp_path, {"prompts/system.j2": hello(1300)})
    assert _run(gh, tmp_path, ws, base, runner="r1").outputs["exit-code"] == "1"
    run = _run(gh, tmp_path, ws, base, runner="r2", env={"HARNESS_CRASH": "1"})
    assert run.outputs["exit-code"] == "3", run.log
    assert run.returncode == 3
    (comment,) = _ours(gh)
    assert "costgate crashed: no cost check ran" in comment["body"]
    assert "no cost change" not in comment["body"] and "❌" not in comment["body"]
    assert "costgate crashed" in run.summary
    assert any(a.startswith("::error title=costgate crashed::") for a in run.annotations)


def test_no_base_commit_is_an_error_not_a_pass(gh, tmp_path):
    ws, _ = _pr(tmp_path, {"prompts/system.j2": hello(1300)})
    run = run_action(ws, tmp_path / "runner", gh, event={"pull_request": {"number": 7}})
    assert run.outputs["exit-code"] == "2"
    assert "could not run" in _ours(gh)[0]["body"]


# ------------------------------------------------------------------ paths and config

def test_working_directory_with_its_own_config_reads_both_sides_from_the_repository_top(gh, tmp_path):
    app = {"app/costgate.yaml": "specs: ['app/llm/*.costgate.yaml']\nthresholds:\n  system_prompt_growth: {percent: 50}\n",
           "app/llm/bot.costgate.yaml": spec_text(), "app/llm/queries.txt": QUERIES,
           "app/llm/prompts/system.j2": hello(1000)}
    ws, base = _pr(tmp_path, {"app/llm/prompts/system.j2": hello(1300)},
                   base_files={"costgate.yaml": "specs: ['*.costgate.yaml']\n", **app})
    run = _run(gh, tmp_path, ws, base, inputs={"working-directory": "app"})
    # app's config judges: +30% is within its 50% limit (the root's default 10% would fail)
    assert run.outputs["exit-code"] == "0", run.log
    body = _ours(gh)[0]["body"]
    assert "`app/costgate.yaml`" not in body  # not edited by the pull request
    assert "| `bot`" in body and "changed" in body


def test_tool_costgate_in_pyproject_and_a_folder_glob_match_base_and_head_alike(gh, tmp_path):
    files = {"pyproject.toml": "[project]\nname = 'app'\n\n[tool.costgate]\nspecs = ['llm/*.costgate.yaml']\n",
             "llm/bot.costgate.yaml": spec_text(), "llm/queries.txt": QUERIES, "llm/prompts/system.j2": hello(1000),
             SPEC: None, "queries.txt": None, "prompts/system.j2": None}
    ws, base = _pr(tmp_path, {"README.md": "unrelated change\n"}, base_files=files)
    run = _run(gh, tmp_path, ws, base)
    assert run.outputs["exit-code"] == "0", run.log
    assert _ours(gh) == []  # no cost change on a pull request that never had a comment: none is started
    assert "✅ **costgate: no cost change**" in run.summary
    assert "| `bot`     | unchanged" in run.summary  # found on both sides: not "removed", not "new"


def test_a_shallow_clone_fetches_the_base_commit(gh, tmp_path):
    src, base = _pr(tmp_path, {"prompts/system.j2": hello(1300)}, name="src")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(src), str(origin))
    ws = tmp_path / "ws"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{origin}", str(ws))
    with pytest.raises(RuntimeError):
        git(ws, "cat-file", "-e", f"{base}^{{commit}}")  # not in the shallow clone
    run = _run(gh, tmp_path, ws, base)
    assert run.outputs["exit-code"] == "1", run.log
    assert "❌" in _ours(gh)[0]["body"]
    git(ws, "cat-file", "-e", f"{base}^{{commit}}")  # fetched


# ------------------------------------------------------------------ big reports

@pytest.mark.slow
def test_an_over_limit_report_keeps_the_table_in_the_comment_and_everything_in_the_summary(gh, tmp_path):
    n = 60
    calls = "".join(f"  - name: call{i:03d}{'x' * 60}\n    model: gpt-4o\n    per_session: 1\n"
                    f"    system: {{file: prompts/system.j2}}\n    user: \"{{{{ query }}}}\"\n    output_tokens: 10\n"
                    for i in range(n))
    big = spec_text().split("calls:\n")[0] + "calls:\n" + calls
    files = {f"f{j}/bot.costgate.yaml": big.replace("feature: bot", f"feature: bot{j}") for j in range(8)}
    files.update({f"f{j}/queries.txt": QUERIES for j in range(8)})
    files.update({f"f{j}/prompts/system.j2": hello(1000) for j in range(8)})
    ws, base = _pr(tmp_path, {f"f{j}/prompts/system.j2": hello(1100) for j in range(8)},
                   base_files={**files, SPEC: None, "queries.txt": None, "prompts/system.j2": None})
    run = _run(gh, tmp_path, ws, base)
    assert run.outputs["exit-code"] in ("0", "1"), run.log
    body = _ours(gh)[0]["body"]
    assert len(body) <= 65_536
    assert "cut to fit GitHub's comment size limit" in body
    assert all(f"| `bot{j}`" in body for j in range(8))  # the feature table survives
    assert body.count("<details>") < 8
    assert run.summary.count("<details>") == 8  # the summary has room for every detail
    assert len(run.summary.encode()) > 65_536
