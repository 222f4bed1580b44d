"""``costgate comment``: bad input is exit 2 with a message naming the fix, before any
network access (the hermetic fixture fails a test that connects anywhere)."""

from __future__ import annotations

import pytest
from helpers import run_costgate

ENV = {"GITHUB_REPOSITORY": "owner/repo", "GITHUB_TOKEN": "ghs_x"}
CI = ("GITHUB_ACTIONS", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GITHUB_API_URL", "GITHUB_TOKEN", "GH_TOKEN",
      "CI_PROJECT_ID", "CI_MERGE_REQUEST_IID", "GITLAB_TOKEN", "CI_JOB_TOKEN", "SYSTEM_COLLECTIONURI",
      "BITBUCKET_TOKEN", "BITBUCKET_APP_PASSWORD")


@pytest.fixture
def body(tmp_path, monkeypatch):
    for name in CI:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "report.md"
    path.write_text("## report\n", encoding="utf-8")
    return path


CASES = [
    (["--tag", "a b"], ENV, "invalid --tag 'a b'"),
    (["--tag", "x" * 65], ENV, "a tag is 1 to 64 characters"),
    ([], {"GITHUB_REPOSITORY": "owner/repo"}, "no GitHub token: $GITHUB_TOKEN and $GH_TOKEN are not set"),
    (["--token-env", "MY TOKEN"], ENV, "--token-env takes the name of an environment variable"),
    (["--token-env", "MY_TOKEN"], ENV, "no GitHub token: $MY_TOKEN is not set"),
    ([], {**ENV, "GITHUB_TOKEN": "ab\ncd"}, "the token in $GITHUB_TOKEN contains spaces or control characters"),
    ([], {"GITHUB_TOKEN": "t"}, "no GitHub repo: pass --repo or set $GITHUB_REPOSITORY"),
    (["--repo", "../etc"], ENV, "--repo must be OWNER/NAME, got '../etc'"),
    (["--pull-request", "seven"], ENV, "--pull-request must be a positive number, got 'seven'"),
    (["--pull-request", "0"], ENV, "--pull-request must be a positive number"),
    (["--api-url", "file:///etc/passwd"], ENV, "is not an http(s) URL"),
    (["--behavior", "sticky"], ENV, "Invalid value for '--behavior'"),
    (["--token", "ghp_x"], ENV, "No such option '--token'. Did you mean '--token-env'?"),
]


@pytest.mark.parametrize("args,env,message", CASES, ids=[c[2][:40] for c in CASES])
def test_bad_input_is_exit_2(body, monkeypatch, args, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    pr = [] if "--pull-request" in args else ["--pull-request", "7"]
    code, out, err = run_costgate("comment", "github", "--body-file", body, *pr, *args)
    assert (code, out) == (2, "") and message in err, err
    assert "Traceback" not in err and "ghs_x" not in err


@pytest.mark.parametrize("content,message", [
    (b"", "the body file is empty"),
    (b"\xff\xfe report", "the body file is not UTF-8 (byte 0)"),
])
def test_a_bad_body_file(body, monkeypatch, content, message):
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    body.write_bytes(content)
    code, _, err = run_costgate("comment", "github", "--body-file", body, "--repo", "o/r", "--pull-request", "1")
    assert code == 2 and f"{body}: {message}" in err


def test_a_missing_or_huge_body_file(body, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    code, _, err = run_costgate("comment", "github", "--body-file", body.parent / "nope.md", "--repo", "o/r",
                                "--pull-request", "1")
    assert code == 2 and "nope.md: cannot read the body file" in err
    monkeypatch.setattr("costgate.publish.env.MAX_BODY_BYTES", 5)
    code, _, err = run_costgate("comment", "github", "--body-file", body, "--repo", "o/r", "--pull-request", "1")
    assert code == 2 and "the body file is over 5 bytes" in err


@pytest.mark.parametrize("platform,message", [
    ("gitlab", "no GitLab repo: pass --repo or set $CI_PROJECT_ID"),
    ("bitbucket", "no Bitbucket repo: pass --repo or set $BITBUCKET_WORKSPACE and BITBUCKET_REPO_SLUG"),
    ("azure-repos", "no Azure Repos api url: pass --api-url or set $SYSTEM_COLLECTIONURI"),
])
def test_other_platforms_name_their_variables(body, platform, message):
    code, _, err = run_costgate("comment", platform, "--body-file", body)
    assert code == 2 and message in err


def test_an_api_message_cannot_inject_workflow_commands(body, monkeypatch, loopback):
    from mock_github import MockGitHub

    with MockGitHub() as gh:
        gh.fail(422, method="POST", path_contains="/comments", body={"message": "bad\n::error::pwned\r::x"})
        for key, value in gh.env(gh.ACTIONS).items():
            monkeypatch.setenv(key, value)
        code, out, err = run_costgate("comment", "github", "--body-file", body, "--pull-request", "7")
    assert code == 2 and "HTTP 422: bad ::error::pwned ::x" in err
    assert not any(line.startswith("::") for line in (out + err).splitlines())
