"""Fixtures for the comment tests: the environment cleared of every CI variable costgate
reads, and started mock APIs (connections to 127.0.0.1 only)."""

from __future__ import annotations

import pytest
from mock_github import MockGitHub

CI_VARIABLES = (
    "GITHUB_ACTIONS", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GITHUB_API_URL", "GITHUB_TOKEN", "GH_TOKEN",
    "CI_API_V4_URL", "CI_PROJECT_ID", "CI_MERGE_REQUEST_IID", "GITLAB_TOKEN", "CI_JOB_TOKEN",
    "BITBUCKET_WORKSPACE", "BITBUCKET_REPO_SLUG", "BITBUCKET_PR_ID", "BITBUCKET_TOKEN", "BITBUCKET_USERNAME",
    "BITBUCKET_APP_PASSWORD", "SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECT", "BUILD_REPOSITORY_ID",
    "SYSTEM_PULLREQUEST_PULLREQUESTID", "SYSTEM_ACCESSTOKEN",
)


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch):
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def github(loopback):
    with MockGitHub() as mock:
        yield mock
