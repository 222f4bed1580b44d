"""What the CI environment says: which CI system runs us, the base commit a pull request
is compared against, and the pull request's id.

Rules as data: one ``Platform`` row per CI system (the variable that detects it, the
variables its base can come from, in order, and its pull-request id variable). Adding a
system is one row. Environment values are not trusted: a SHA must be hex, a branch name
must be a valid git ref name and never starts with ``-`` (no option injection into git).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping, NoReturn

from ..errors import CostgateError

BaseKind = Literal["github-event", "sha", "branch", "ref"]
"""How a base variable's value is read: ``github-event`` the pull-request payload at the
path the variable names (``pull_request.base.sha``), ``sha`` a commit hash (full or
abbreviated, as Bitbucket gives it), ``branch`` a branch name compared at ``origin/NAME``,
``ref`` a branch as ``refs/heads/NAME`` (or plain ``NAME``) compared at ``origin/NAME``."""

PlatformName = Literal["github", "gitlab", "bitbucket", "azure"]


@dataclass(frozen=True)
class BaseVar:
    name: str
    """The environment variable."""
    kind: BaseKind
    """How its value becomes a git ref."""


@dataclass(frozen=True)
class Platform:
    name: PlatformName
    """Short id, as ``costgate comment`` names the system's pull-request host."""
    label: str
    """The CI system's name in messages."""
    detect: str
    """The variable every job of this system sets."""
    bases: tuple[BaseVar, ...]
    """Where the base commit can come from, first found wins."""
    pr_id: tuple[BaseVar | str, ...]
    """Where the pull request's id can come from: a variable, or the GitHub event payload."""
    fetch_hint: str
    """How to make the base commit available in this system's clone."""


PLATFORMS: tuple[Platform, ...] = (
    Platform("github", "GitHub Actions", "GITHUB_ACTIONS",
             (BaseVar("GITHUB_EVENT_PATH", "github-event"), BaseVar("GITHUB_BASE_REF", "branch")),
             (BaseVar("GITHUB_EVENT_PATH", "github-event"),),
             "run on pull_request events, with actions/checkout's fetch-depth: 0"),
    Platform("gitlab", "GitLab CI", "GITLAB_CI",
             (BaseVar("CI_MERGE_REQUEST_DIFF_BASE_SHA", "sha"), BaseVar("CI_MERGE_REQUEST_TARGET_BRANCH_SHA", "sha"),
              BaseVar("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "branch")),
             ("CI_MERGE_REQUEST_IID",),
             "run the job in merge request pipelines (rules: if: $CI_PIPELINE_SOURCE == \"merge_request_event\") "
             "with GIT_DEPTH: 0"),
    Platform("bitbucket", "Bitbucket Pipelines", "BITBUCKET_BUILD_NUMBER",
             (BaseVar("BITBUCKET_PR_DESTINATION_COMMIT", "sha"), BaseVar("BITBUCKET_PR_DESTINATION_BRANCH", "branch")),
             ("BITBUCKET_PR_ID",),
             "run the step under pull-requests: with clone: depth: full"),
    Platform("azure", "Azure Pipelines", "TF_BUILD",
             (BaseVar("SYSTEM_PULLREQUEST_TARGETBRANCH", "ref"),),
             ("SYSTEM_PULLREQUEST_PULLREQUESTID",),
             "run as a pull-request validation build (branch policy) with checkout fetchDepth: 0"),
)

SHA = re.compile(r"[0-9a-fA-F]{7,64}")
PR_ID = re.compile(r"[0-9]{1,12}")
MAX_VALUE = 255  # no ref name or id is longer; a longer value is refused, not truncated
MAX_EVENT_BYTES = 25_000_000
"""Bytes of the GitHub event payload read (GitHub caps webhook payloads at 25 MB)."""


@dataclass(frozen=True)
class CiContext:
    platform: Platform
    """The CI system the job runs on."""
    base: str
    """The git ref the pull request is compared against (a SHA, or ``origin/BRANCH``)."""
    base_source: str
    """The variable the base came from."""
    pull_request: str | None
    """The pull request's (merge request's) id, digits; None when the system gave none."""


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def detect_platform(env: Mapping[str, str]) -> Platform | None:
    """The CI system: the first whose detect variable is set, else the first with any of its
    base variables set (a job that exports them by hand), else None."""
    for platform in PLATFORMS:
        if env.get(platform.detect):
            return platform
    for platform in PLATFORMS:
        if any(env.get(var.name) for var in platform.bases):
            return platform
    return None


def ci_context(env: Mapping[str, str] | None = None) -> CiContext:
    """The pull request's base and id from the CI environment, or a CostgateError naming
    every variable looked at."""
    env = os.environ if env is None else env
    platform = detect_platform(env)
    if platform is None:
        systems = ", ".join(p.label for p in PLATFORMS)
        raise CostgateError(f"no base ref: not a pull request build on a CI system costgate knows ({systems})",
                            hint="pass --base REF (e.g. costgate diff --base origin/main), or run `costgate check` "
                                 "in a pull request pipeline (docs/ci.md)")
    for var in platform.bases:
        base = _base_from(var, env)
        if base is not None:
            return CiContext(platform, base, var.name, _pr_id(platform, env))
    names = ", ".join(var.name for var in platform.bases)
    raise CostgateError(f"no base ref: on {platform.label}, none of {names} gives a pull request base "
                        "(not a pull request build?)",
                        hint=f"{platform.fetch_hint}; or use `costgate diff --base REF` (docs/ci.md)")


def ci_base_ref(env: Mapping[str, str] | None = None) -> str:
    """The base to compare against in CI (``ci_context(env).base``)."""
    return ci_context(env).base


def _base_from(var: BaseVar, env: Mapping[str, str]) -> str | None:
    value = env.get(var.name, "")
    if not value:
        return None
    if var.kind == "github-event":
        sha = _event_base_sha(value)
        return None if sha is None else _checked_sha(var.name + " (pull_request.base.sha)", sha)
    if var.kind == "sha":
        return _checked_sha(var.name, value)
    if var.kind == "ref":  # Azure Repos gives refs/heads/main; a GitHub repository built on Azure, main
        value = value.removeprefix("refs/heads/")
    return "origin/" + checked_branch(var.name, value)


def read_event(path: str) -> dict | None:
    """A GitHub event payload ($GITHUB_EVENT_PATH) as a JSON object; None when the file is
    missing, over ``MAX_EVENT_BYTES``, not JSON or not an object. The one reader of it,
    for ``costgate check`` and ``costgate comment`` alike."""
    try:
        event = Path(path)
        if not event.is_file() or event.stat().st_size > MAX_EVENT_BYTES:
            return None
        data = json.loads(event.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _event_base_sha(path: str) -> str | None:
    """``pull_request.base.sha`` of a GitHub event payload; None when the file is
    unreadable or not a pull-request event."""
    data = read_event(path)
    try:
        value = ((data or {}).get("pull_request") or {}).get("base", {}).get("sha")
    except AttributeError:
        return None
    return value if isinstance(value, str) and value else None


def event_number(path: str) -> str | None:
    """The pull request's number in a GitHub event payload: ``pull_request.number``, or
    ``issue.number`` on a pull request's issue_comment event; None otherwise. The one
    reading of it, for ``costgate check`` and ``costgate comment`` alike."""
    data = read_event(path)
    if data is None:
        return None
    issue = data.get("issue")
    for node in (data.get("pull_request"), issue if isinstance(issue, dict) and issue.get("pull_request") else None):
        if isinstance(node, dict) and isinstance(node.get("number"), int) and not isinstance(node["number"], bool):
            return str(node["number"])
    return None


def _pr_id(platform: Platform, env: Mapping[str, str]) -> str | None:
    for source in platform.pr_id:
        if isinstance(source, BaseVar):
            value = event_number(env[source.name]) if env.get(source.name) else None
        else:
            value = env.get(source) or None
        if value is not None and PR_ID.fullmatch(value):
            return value
    return None


def _checked_sha(name: str, value: str) -> str:
    if not SHA.fullmatch(value):
        _refuse(name, value, "a commit SHA (7 to 64 hex digits)")
    return value.lower()


BAD_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|\.lock(/|$)")


def checked_branch(name: str, value: str) -> str:
    """A branch name as git accepts it (git check-ref-format's rules), never an option."""
    if (len(value) > MAX_VALUE or value.startswith(("-", "/", ".")) or value.endswith(("/", "."))
            or value == "@" or BAD_REF.search(value)):
        _refuse(name, value, "a branch name (no leading '-', spaces, '..', '~', '^', ':' or control characters)")
    return value


def _refuse(name: str, value: str, expected: str) -> NoReturn:
    shown = value if len(value) <= 80 else value[:77] + "..."
    raise CostgateError(f"{name} is {shown!r}, not {expected}",
                        hint=f"costgate refuses to pass it to git; set {name} correctly or pass --base REF")
