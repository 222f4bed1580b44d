"""Reading the CI environment: where to comment and the token (never from the command
line: a token on the command line lands in shell history and process listings)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import CostgateError
from ..report.escape import plain

_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_TOKEN_OK = re.compile(r"[\x21-\x7e]+")
MAX_EVENT_BYTES = 25_000_000
"""Bytes of the GitHub event payload read for the pull-request number."""


def token(env: Mapping[str, str], token_env: str | None, defaults: tuple[str, ...], platform: str) -> tuple[str, str]:
    """(variable name, token) from ``--token-env`` or the first default variable set."""
    names = (token_env,) if token_env else defaults
    if token_env and not _VAR.fullmatch(token_env):
        raise CostgateError(f"--token-env takes the name of an environment variable, got {plain(token_env)[:80]!r}",
                            hint="e.g. --token-env MY_TOKEN; the token itself is never accepted on the command line")
    for name in names:
        value = env.get(name, "").strip()
        if value:
            if not _TOKEN_OK.fullmatch(value):
                raise CostgateError(f"the token in ${name} contains spaces or control characters",
                                    hint=f"set {name} to the token alone")
            return name, value
    raise CostgateError(f"no {platform} token: " + " and ".join(f"${n}" for n in names) + " are not set",
                        hint=f"set {names[0]}, or name another variable with --token-env VAR")


def need(value: str | None, flag: str, var: str, platform: str) -> str:
    if value is None or not str(value).strip():
        raise CostgateError(f"no {platform} {flag.strip('-').replace('-', ' ')}: pass {flag} or set ${var}",
                            hint="outside CI, pass the flag")
    return str(value).strip()


def number(value: str, flag: str) -> str:
    if not value.isdigit() or int(value) < 1 or len(value) > 12:
        raise CostgateError(f"{flag} must be a positive number, got {plain(value)[:40]!r}")
    return str(int(value))


def github_event_number(env: Mapping[str, str]) -> str | None:
    """The pull request's number from the event payload ($GITHUB_EVENT_PATH):
    ``pull_request.number``, or ``issue.number`` on a pull request's issue_comment event."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        p = Path(path)
        if not p.is_file() or p.stat().st_size > MAX_EVENT_BYTES:
            return None
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    pr = data.get("pull_request")
    issue = data.get("issue")
    for node in (pr, issue if isinstance(issue, dict) and issue.get("pull_request") else None):
        if isinstance(node, dict) and isinstance(node.get("number"), int) and not isinstance(node["number"], bool):
            return str(node["number"])
    return None
