"""docs/comment.md and docs/limits.md cannot drift from the code: every platform, behavior,
comment limit, environment variable and publishing bound is stated as the code has it."""

from __future__ import annotations

import re

from helpers import ROOT

from costgate.gate import ci
from costgate.publish import env, http
from costgate.publish.azure import AzureRepos
from costgate.publish.bitbucket import Bitbucket
from costgate.publish.github import GitHub
from costgate.publish.gitlab import GitLab
from costgate.publish.model import BEHAVIORS
from costgate.publish.platforms import PLATFORMS

DOC = (ROOT / "docs" / "comment.md").read_text(encoding="utf-8")
LIMITS = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
PUBLISH = ROOT / "costgate" / "publish"


def test_every_platform_and_behavior_is_documented():
    assert set(PLATFORMS) == {"github", "gitlab", "bitbucket", "azure-repos"}
    for name in PLATFORMS:
        assert f"costgate comment {name}" in DOC or f"{name}|" in DOC or f"|{name}" in DOC
    for behavior in BEHAVIORS:
        assert f"| `{behavior}`" in DOC


def test_comment_limits_match_the_platform_classes():
    for cls in (GitHub, GitLab, Bitbucket, AzureRepos):
        row = f"| {cls.name}" if cls is not Bitbucket else "| Bitbucket Cloud"
        assert f"{row} | {cls.limit:,}" in DOC
        assert f"{cls.limit:,}" in LIMITS


def test_every_environment_variable_read_is_documented():
    names = set()
    for module in ("github.py", "gitlab.py", "bitbucket.py", "azure.py"):
        text = (PUBLISH / module).read_text(encoding="utf-8")
        names |= set(re.findall(r'env(?:\.get\(|\[)"([A-Z][A-Z0-9_]+)"', text))
        names |= {n for group in re.findall(r'token\(env, [^,]+, \(([^)]*)\)', text)
                  for n in re.findall(r'"([A-Z_]+)"', group)}
    assert {"GITHUB_TOKEN", "CI_MERGE_REQUEST_IID", "BITBUCKET_PR_ID", "SYSTEM_ACCESSTOKEN"} <= names
    missing = sorted(n for n in names if f"`{n}`" not in DOC)
    assert missing == []


def test_publishing_bounds_in_limits_md_are_the_constants():
    policy = http.RetryPolicy()
    for value in (env.MAX_BODY_BYTES, ci.MAX_EVENT_BYTES, http.MAX_RESPONSE_BYTES):
        assert f"{value:,} bytes" in LIMITS
    assert f"| {http.MAX_PAGES} (" in LIMITS and f"| {int(http.TIMEOUT)} seconds" in LIMITS
    assert f"| {policy.attempts}, within {int(policy.budget)} seconds" in LIMITS
    assert f"at most {policy.attempts} tries and {int(policy.budget)}" in DOC
