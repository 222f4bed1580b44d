"""`costgate check`: the gate under GitHub Actions, GitLab CI, Bitbucket Pipelines and
Azure Pipelines, finding its base ref and pull request id in each system's environment
(costgate.gate.ci); hostile values are refused before git sees them."""

from __future__ import annotations

import json

import pytest
from helpers import assert_clean_error, commit, feature, git, hello, write

from costgate.errors import CostgateError
from costgate.gate.ci import PLATFORMS, ci_context, detect_platform

pytestmark = pytest.mark.usefixtures("neutral_cwd")

ALL_VARS = sorted({p.detect for p in PLATFORMS} | {v.name for p in PLATFORMS for v in p.bases}
                  | {v if isinstance(v, str) else v.name for p in PLATFORMS for v in p.pr_id})


@pytest.fixture
def ci_env(monkeypatch):
    """No CI variable of any system (the tests may themselves run in CI)."""
    for var in ALL_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_check_reads_the_pr_base_sha_from_the_event(gitrepo, gate, ci_env, tmp_path):
    root = gitrepo()
    base_sha = git(root, "rev-parse", "HEAD").strip()
    write(root, {"prompts/system.j2": hello(1300)})
    commit(root, "longer prompt")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base_sha, "ref": "main"}}}))
    ci_env.setenv("GITHUB_EVENT_PATH", str(event))
    ci_env.setenv("GITHUB_BASE_REF", "does-not-exist")  # the event wins
    code, out, err = gate(root, "--format", "json", command="check")
    assert code == 1, err
    assert json.loads(out)["base"] == base_sha


def test_check_falls_back_to_origin_github_base_ref(gitrepo, gate, ci_env, tmp_path):
    root = gitrepo()
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    write(root, {"prompts/system.j2": hello(1050)})
    event = tmp_path / "push.json"
    event.write_text(json.dumps({"ref": "refs/heads/feature"}))  # not a pull_request event
    ci_env.setenv("GITHUB_EVENT_PATH", str(event))
    ci_env.setenv("GITHUB_BASE_REF", "main")
    code, out, err = gate(root, "--format", "json", command="check")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["base"] == "origin/main" and feature(doc)["status"] == "changed"


def test_check_outside_a_pull_request_is_exit_2(gitrepo, gate, ci_env):
    root = gitrepo()
    code, out, err = gate(root, command="check")
    assert_clean_error(code, out, err, "no base ref", "--base")


def test_check_annotates_under_github_actions(gitrepo, gate, ci_env):
    root = gitrepo()
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    write(root, {"prompts/system.j2": hello(1300)})
    ci_env.setenv("GITHUB_BASE_REF", "main")
    ci_env.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = gate(root, command="check")
    assert code == 1
    assert "::error file=prompts/system.j2,line=1," in out


def github_event(tmp_path, payload) -> str:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    return str(event)


SHA40 = "0123456789abcdef0123456789abcdef01234567"

# env -> (platform, base, variable the base came from, pull request id)
DETECTED = [
    ({"GITLAB_CI": "true", "CI_MERGE_REQUEST_DIFF_BASE_SHA": SHA40, "CI_MERGE_REQUEST_TARGET_BRANCH_SHA": "ab" * 20,
      "CI_MERGE_REQUEST_IID": "42"}, ("gitlab", SHA40, "CI_MERGE_REQUEST_DIFF_BASE_SHA", "42")),
    ({"GITLAB_CI": "true", "CI_MERGE_REQUEST_TARGET_BRANCH_SHA": SHA40.upper(), "CI_MERGE_REQUEST_IID": "7"},
     ("gitlab", SHA40, "CI_MERGE_REQUEST_TARGET_BRANCH_SHA", "7")),
    ({"GITLAB_CI": "true", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "release/2.0"},
     ("gitlab", "origin/release/2.0", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", None)),
    ({"BITBUCKET_BUILD_NUMBER": "9", "BITBUCKET_PR_DESTINATION_COMMIT": "4f2a9c1d0b3e", "BITBUCKET_PR_ID": "13",
      "BITBUCKET_PR_DESTINATION_BRANCH": "main"}, ("bitbucket", "4f2a9c1d0b3e", "BITBUCKET_PR_DESTINATION_COMMIT", "13")),
    ({"BITBUCKET_BUILD_NUMBER": "9", "BITBUCKET_PR_DESTINATION_BRANCH": "main", "BITBUCKET_PR_ID": "13"},
     ("bitbucket", "origin/main", "BITBUCKET_PR_DESTINATION_BRANCH", "13")),
    ({"TF_BUILD": "True", "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main", "SYSTEM_PULLREQUEST_PULLREQUESTID": "301"},
     ("azure", "origin/main", "SYSTEM_PULLREQUEST_TARGETBRANCH", "301")),
    # a GitHub repository built on Azure Pipelines: the target branch without refs/heads/
    ({"TF_BUILD": "True", "SYSTEM_PULLREQUEST_TARGETBRANCH": "release/1"},
     ("azure", "origin/release/1", "SYSTEM_PULLREQUEST_TARGETBRANCH", None)),
    ({"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main"}, ("github", "origin/main", "GITHUB_BASE_REF", None)),
    # no detect variable: the system whose base variables are set
    ({"CI_MERGE_REQUEST_DIFF_BASE_SHA": SHA40}, ("gitlab", SHA40, "CI_MERGE_REQUEST_DIFF_BASE_SHA", None)),
    # the detect variable wins over another system's leftovers
    ({"TF_BUILD": "True", "GITHUB_BASE_REF": "main", "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/dev"},
     ("azure", "origin/dev", "SYSTEM_PULLREQUEST_TARGETBRANCH", None)),
]


@pytest.mark.parametrize("env, expected", DETECTED, ids=[str(i) for i in range(len(DETECTED))])
def test_each_system_s_base_and_pull_request_id(env, expected):
    ctx = ci_context(env)
    assert (ctx.platform.name, ctx.base, ctx.base_source, ctx.pull_request) == expected


def test_github_event_gives_base_sha_and_number(tmp_path):
    path = github_event(tmp_path, {"pull_request": {"number": 5, "base": {"sha": SHA40}}})
    ctx = ci_context({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": path, "GITHUB_BASE_REF": "main"})
    assert (ctx.platform.name, ctx.base, ctx.base_source, ctx.pull_request) == (
        "github", SHA40, "GITHUB_EVENT_PATH", "5")


@pytest.mark.parametrize("env, needles", [
    ({"GITLAB_CI": "true"}, ["GitLab CI", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
                             "merge_request_event"]),
    ({"BITBUCKET_BUILD_NUMBER": "3"}, ["Bitbucket Pipelines", "BITBUCKET_PR_DESTINATION_COMMIT",
                                       "BITBUCKET_PR_DESTINATION_BRANCH"]),
    ({"TF_BUILD": "True"}, ["Azure Pipelines", "SYSTEM_PULLREQUEST_TARGETBRANCH"]),
    ({"GITHUB_ACTIONS": "true"}, ["GitHub Actions", "GITHUB_EVENT_PATH", "GITHUB_BASE_REF"]),
    ({}, ["no base ref", "GitLab CI", "Bitbucket Pipelines", "Azure Pipelines", "--base"]),
])
def test_no_base_names_the_variables_looked_at(env, needles):
    with pytest.raises(CostgateError) as err:
        ci_context(env)
    for needle in needles:
        assert needle in str(err.value)
    assert "--base" in str(err.value)


@pytest.mark.parametrize("env, variable", [
    ({"GITLAB_CI": "true", "CI_MERGE_REQUEST_DIFF_BASE_SHA": "--upload-pack=touch /tmp/x"},
     "CI_MERGE_REQUEST_DIFF_BASE_SHA"),
    ({"GITLAB_CI": "true", "CI_MERGE_REQUEST_DIFF_BASE_SHA": "abc"}, "CI_MERGE_REQUEST_DIFF_BASE_SHA"),  # too short
    ({"GITLAB_CI": "true", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "--output=/tmp/x"},
     "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
    ({"BITBUCKET_BUILD_NUMBER": "1", "BITBUCKET_PR_DESTINATION_BRANCH": "main..HEAD"}, "BITBUCKET_PR_DESTINATION_BRANCH"),
    ({"BITBUCKET_BUILD_NUMBER": "1", "BITBUCKET_PR_DESTINATION_BRANCH": "a b"}, "BITBUCKET_PR_DESTINATION_BRANCH"),
    ({"BITBUCKET_BUILD_NUMBER": "1", "BITBUCKET_PR_DESTINATION_COMMIT": "HEAD~1"}, "BITBUCKET_PR_DESTINATION_COMMIT"),
    ({"TF_BUILD": "True", "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/-x"}, "SYSTEM_PULLREQUEST_TARGETBRANCH"),
    ({"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main\n::error::x"}, "GITHUB_BASE_REF"),
    ({"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "x@{1}"}, "GITHUB_BASE_REF"),
])
def test_hostile_values_are_refused_before_git(env, variable):
    with pytest.raises(CostgateError) as err:
        ci_context(env)
    assert str(err.value).startswith(variable + " is ")
    assert "--base" in str(err.value)


def test_a_non_numeric_pull_request_id_is_dropped():
    env = {"GITLAB_CI": "true", "CI_MERGE_REQUEST_DIFF_BASE_SHA": SHA40, "CI_MERGE_REQUEST_IID": "1; rm -rf /"}
    assert ci_context(env).pull_request is None


def test_detect_platform_outside_ci_is_none():
    assert detect_platform({"HOME": "/root", "CI": "true"}) is None


@pytest.mark.parametrize("system", ["gitlab", "bitbucket", "azure"])
def test_check_on_each_system_compares_with_its_base(system, gitrepo, gate, ci_env):
    root = gitrepo()
    base_sha = git(root, "rev-parse", "HEAD").strip()
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    write(root, {"prompts/system.j2": hello(1300)})
    commit(root, "longer prompt")
    env, expected_base = {
        "gitlab": ({"GITLAB_CI": "true", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base_sha, "CI_MERGE_REQUEST_IID": "4"},
                   base_sha),
        "bitbucket": ({"BITBUCKET_BUILD_NUMBER": "7", "BITBUCKET_PR_DESTINATION_COMMIT": base_sha[:12],
                       "BITBUCKET_PR_ID": "4"}, base_sha[:12]),
        "azure": ({"TF_BUILD": "True", "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main"}, "origin/main"),
    }[system]
    for name, value in env.items():
        ci_env.setenv(name, value)
    code, out, err = gate(root, "--format", "json", command="check")
    assert code == 1, err
    doc = json.loads(out)
    assert doc["base"] == expected_base and feature(doc)["status"] == "changed"
    # the CI log says which system, which pull request and which base it used, and from where
    label, pr, source = {"gitlab": ("GitLab CI", " pull request 4,", "CI_MERGE_REQUEST_DIFF_BASE_SHA"),
                         "bitbucket": ("Bitbucket Pipelines", " pull request 4,", "BITBUCKET_PR_DESTINATION_COMMIT"),
                         "azure": ("Azure Pipelines", "", "SYSTEM_PULLREQUEST_TARGETBRANCH")}[system]
    assert f"costgate: {label}{pr} base {expected_base} (from {source})" in err


def test_check_refuses_an_option_as_base_with_exit_2(gitrepo, gate, ci_env):
    root = gitrepo()
    ci_env.setenv("GITLAB_CI", "true")
    ci_env.setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "--exec=touch pwned")
    code, out, err = gate(root, command="check")
    assert_clean_error(code, out, err, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "--base")
    assert not (root / "pwned").exists()


def test_an_oversized_or_malformed_event_falls_back_to_github_base_ref(tmp_path, monkeypatch):
    import costgate.gate.ci as ci

    path = github_event(tmp_path, {"pull_request": {"number": 5, "base": {"sha": SHA40}}})
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": path, "GITHUB_BASE_REF": "main"}
    assert ci_context(env).base == SHA40
    monkeypatch.setattr(ci, "MAX_EVENT_BYTES", 10)
    assert (ci_context(env).base, ci_context(env).pull_request) == ("origin/main", None)
    monkeypatch.undo()
    for payload in ("[1, 2]", "{\"pull_request\": [1]}", "not json", "{\"pull_request\": {\"number\": true}}"):
        (tmp_path / "event.json").write_text(payload)
        assert ci_context(env).base == "origin/main"
    assert ci_context({**env, "GITHUB_EVENT_PATH": str(tmp_path / "missing.json")}).base == "origin/main"
