"""``costgate diff``/``check`` as the Action runs them: a report even when the gate cannot
run, the job-summary copy, the config found from the current folder, paths read from the
repository top on both sides, and a missing base commit fetched on request. The bot spec
is described in tests/gate/test_diff.py (1,000 -> 1,300 tokens fails, exit 1)."""

from __future__ import annotations

import json

import pytest
from helpers import AS_OF, QUERIES, SPEC, commit, git, hello, init_repo, spec_text, write

ARGS = ("--as-of", AS_OF, "--no-cache")


def _bot(root, prefix: str = "") -> None:
    write(root, {f"{prefix}{SPEC}": spec_text(), f"{prefix}queries.txt": QUERIES,
                 f"{prefix}prompts/system.j2": hello(1000)})


# ------------------------------------------------------------------ a failure still reports

def test_bad_input_writes_a_could_not_run_report_and_an_annotation(gitrepo, run, tmp_path):
    root = gitrepo()
    write(root, {SPEC: spec_text().replace("output_tokens: 10", "output_tokens: lots")})
    out, summary = tmp_path / "comment.md", tmp_path / "summary.md"
    code, stdout, err = run("diff", "-C", root, "--base", "HEAD", *ARGS, "--format", "markdown", "-o", out,
                            "--summary-output", summary, "--annotations")
    assert code == 2
    text = out.read_text()
    assert text.startswith("<!-- costgate-report -->\n## ⚠️ **costgate: the gate could not run**")
    assert f"`{SPEC}:12`" in text and "output\\_tokens" in text
    assert summary.read_text() == text
    (line,) = [x for x in stdout.splitlines() if x.startswith("::")]
    assert line.startswith(f"::error file={SPEC},line=12,title=costgate could not run::")
    assert f"{SPEC}:12:" in err  # the message as before


def test_a_crash_writes_a_crashed_report_and_exits_3(gitrepo, run, tmp_path, monkeypatch):
    import costgate.gate.diff

    def boom(*args, **kwargs):
        raise KeyError("internal")

    monkeypatch.setattr(costgate.gate.diff, "diff", boom)
    out = tmp_path / "comment.md"
    code, stdout, err = run("diff", "-C", gitrepo(), "--base", "HEAD", *ARGS, "--format", "markdown", "-o", out,
                            "--annotations")
    assert code == 3
    assert "costgate crashed: no cost check ran" in out.read_text()
    assert "no cost change" not in out.read_text()
    assert stdout.strip() == "::error title=costgate crashed::KeyError"
    assert "costgate crashed (a bug" in err


def test_other_formats_write_no_failure_report(gitrepo, run, tmp_path):
    root = gitrepo()
    write(root, {SPEC: "not: [valid"})
    out = tmp_path / "report.json"
    code, _, _ = run("diff", "-C", root, "--base", "HEAD", *ARGS, "--format", "json", "-o", out, "--no-annotations")
    assert code == 2 and not out.exists()


def test_check_without_a_base_still_writes_the_report(run, tmp_path, monkeypatch):
    for var in ("GITHUB_EVENT_PATH", "GITHUB_BASE_REF", "GITLAB_CI", "CI_MERGE_REQUEST_DIFF_BASE_SHA",
                "BITBUCKET_PR_DESTINATION_COMMIT", "SYSTEM_PULLREQUEST_TARGETBRANCH", "TF_BUILD", "BITBUCKET_BUILD_NUMBER"):
        monkeypatch.delenv(var, raising=False)
    out = tmp_path / "comment.md"
    code, _, _ = run("check", "-C", tmp_path, "--format", "markdown", "-o", out, "--no-annotations")
    assert code == 2
    assert "the gate could not run" in out.read_text()


def test_summary_output_holds_what_the_comment_cuts(gitrepo, run, tmp_path):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    out, summary = tmp_path / "comment.md", tmp_path / "summary.md"
    code, _, _ = run("diff", "-C", root, "--base", "HEAD", *ARGS, "--format", "markdown", "-o", out,
                     "--summary-output", summary, "--no-annotations")
    assert code == 1
    assert summary.read_text() == out.read_text()  # small: the same report


def test_quiet_confirms_neither_the_report_nor_the_summary(gitrepo, run, tmp_path):
    root = gitrepo()
    write(root, {"prompts/system.j2": hello(1300)})
    out, summary = tmp_path / "comment.md", tmp_path / "summary.md"
    code, _, err = run("diff", "-C", root, "--base", "HEAD", *ARGS, "--format", "markdown", "-o", out,
                       "--summary-output", summary, "--no-annotations", "--quiet")
    assert code == 1 and summary.read_text() == out.read_text()
    assert "wrote" not in err  # --quiet: "do not confirm on stderr what -o wrote", the summary included


# ------------------------------------------------------------------ paths and config

def test_a_sub_folder_config_does_not_move_the_repository_root(tmp_path, run, monkeypatch):
    """llm/ holds its own costgate.yaml: base (git objects, paths from the top) and head
    (the work tree) must read the same paths, so an unchanged feature is unchanged."""
    root = init_repo(tmp_path / "repo")
    _bot(root, "llm/")
    write(root, {"llm/costgate.yaml": "specs: ['llm/*.costgate.yaml']\n"})
    commit(root, "base")
    monkeypatch.chdir(root / "llm")
    code, out, err = run("diff", "--base", "HEAD", *ARGS, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["config"] == "llm/costgate.yaml"
    assert [(f["feature"], f["status"], f["spec"]) for f in doc["features"]] == [("bot", "unchanged", f"llm/{SPEC}")]


@pytest.mark.parametrize("where", ["costgate.yaml", "pyproject.toml"])
def test_the_nearest_config_to_the_current_folder_judges(tmp_path, run, monkeypatch, where):
    root = init_repo(tmp_path / "repo")
    _bot(root, "app/")
    lenient = "specs: ['app/*.costgate.yaml']\nthresholds:\n  system_prompt_growth: {percent: 50}\n"
    if where == "pyproject.toml":
        lenient = ("[project]\nname = 'app'\n\n[tool.costgate]\nspecs = ['app/*.costgate.yaml']\n\n"
                   "[tool.costgate.thresholds.system_prompt_growth]\npercent = 50\n")
    write(root, {"costgate.yaml": "specs: ['**/*.costgate.yaml']\n", f"app/{where}": lenient,
                 "app/deeper/README.md": "x\n"})
    commit(root, "base")
    write(root, {"app/prompts/system.j2": hello(1300)})  # +30%: fails the root's 10%, holds app's 50%
    monkeypatch.chdir(root / "app" / "deeper")
    code, out, err = run("diff", "--base", "HEAD", *ARGS, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["config"] == f"app/{where}"
    monkeypatch.chdir(root)
    code, out, _ = run("diff", "--base", "HEAD", *ARGS, "--format", "json")
    assert code == 1 and json.loads(out)["config"] == "costgate.yaml"


def test_a_pyproject_without_a_costgate_table_is_passed_over(tmp_path, run, monkeypatch):
    root = init_repo(tmp_path / "repo")
    _bot(root, "app/")
    write(root, {"costgate.yaml": "specs: ['app/*.costgate.yaml']\n", "app/pyproject.toml": "[project]\nname='a'\n"})
    commit(root, "base")
    monkeypatch.chdir(root / "app")
    code, out, err = run("diff", "--base", "HEAD", *ARGS, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["config"] == "costgate.yaml"


def test_the_report_names_the_head_commit_and_uncommitted_changes(gitrepo, run):
    root = gitrepo()
    head = git(root, "rev-parse", "HEAD").strip()
    code, out, _ = run("diff", "-C", root, "--base", "HEAD", *ARGS, "--format", "json")
    doc = json.loads(out)
    assert (doc["base_commit"], doc["head_commit"], doc["head_uncommitted"]) == (head, head, False)
    write(root, {"prompts/system.j2": hello(1010)})
    _, out, _ = run("diff", "-C", root, "--base", "HEAD", *ARGS, "--format", "markdown")
    assert f"→ head HEAD `{head[:7]}` + uncommitted changes," in out


# ------------------------------------------------------------------ a missing base commit

def test_fetch_base_fetches_a_commit_missing_from_a_shallow_clone(tmp_path, run):
    src = init_repo(tmp_path / "src")
    _bot(src)
    base = commit(src, "base")
    write(src, {"prompts/system.j2": hello(1300)})
    commit(src, "head")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(src), str(origin))
    ws = tmp_path / "ws"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{origin}", str(ws))
    code, _, err = run("diff", "-C", ws, "--base", base, *ARGS)
    assert code == 2 and "unknown git ref" in err  # never fetched unless asked
    code, out, err = run("diff", "-C", ws, "--base", base, "--fetch-base", *ARGS, "--format", "json")
    assert code == 1, err
    assert json.loads(out)["base_commit"] == base
    assert git(ws, "rev-parse", "--is-shallow-repository").strip() == "true"  # still shallow: one commit more


def test_fetch_base_of_an_unknown_commit_is_a_clear_error(tmp_path, run):
    src = init_repo(tmp_path / "src")
    _bot(src)
    commit(src, "base")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(src), str(origin))
    ws = tmp_path / "ws"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{origin}", str(ws))
    code, _, err = run("diff", "-C", ws, "--base", "f" * 40, "--fetch-base", *ARGS)
    assert code == 2
    assert "could not fetch the base commit" in err and "Traceback" not in err


def test_an_annotation_sits_at_the_first_changed_line_of_the_template(tmp_path, run):
    root = init_repo(tmp_path / "repo")
    lines = [f"Rule {i}: be brief." for i in range(1, 8)]
    write(root, {SPEC: spec_text(), "queries.txt": QUERIES, "prompts/system.j2": "\n".join(lines) + "\n" + hello(1000)})
    commit(root, "base")
    lines[4] = "Rule 5: be brief, and" + hello(400)  # line 5 grows the prompt
    write(root, {"prompts/system.j2": "\n".join(lines) + "\n" + hello(1000)})
    code, out, _ = run("diff", "-C", root, "--base", "HEAD", *ARGS, "--annotations", "--format", "json")
    assert code == 1
    ann = [x for x in out.splitlines() if x.startswith("::error file=prompts/system.j2")]
    assert ann and ann[0].startswith("::error file=prompts/system.j2,line=5,title=costgate system_prompt_growth::")
