"""Reading the CI environment: where to comment and the token (never from the command
line: a token on the command line lands in shell history and process listings)."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path

from ..errors import CostgateError
from ..gate.ci import PR_ID, event_number
from ..report.escape import plain

_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_TOKEN_OK = re.compile(r"[\x21-\x7e]+")
MAX_BODY_BYTES = 10_000_000
"""Bytes of --body-file (every platform's limit is far below; longer bodies are cut)."""


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
    unset = " and ".join(f"${n}" for n in names) + (" is" if len(names) == 1 else " are")
    raise CostgateError(f"no {platform} token: {unset} not set",
                        hint=f"set {names[0]}, or name another variable with --token-env VAR")


def need(value: str | None, flag: str, var: str, platform: str) -> str:
    if value is None or not str(value).strip():
        raise CostgateError(f"no {platform} {flag.strip('-').replace('-', ' ')}: pass {flag} or set ${var}",
                            hint="outside CI, pass the flag")
    return str(value).strip()


def number(value: str, flag: str) -> str:
    if not PR_ID.fullmatch(value) or int(value) < 1:  # ASCII digits: str.isdigit() takes "²", int() refuses it
        raise CostgateError(f"{flag} must be a positive number, got {plain(value)[:40]!r}")
    return str(int(value))


def github_event_number(env: Mapping[str, str]) -> str | None:
    """The pull request's number from the event payload ($GITHUB_EVENT_PATH):
    ``pull_request.number``, or ``issue.number`` on a pull request's issue_comment event."""
    path = env.get("GITHUB_EVENT_PATH")
    return event_number(path) if path else None


def read_body(path: str) -> str:
    """The report from --body-file (- for stdin), UTF-8, at most MAX_BODY_BYTES."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_BODY_BYTES + 1)
        else:
            with Path(path).open("rb") as fh:
                raw = fh.read(MAX_BODY_BYTES + 1)
    except OSError as exc:
        raise CostgateError(f"cannot read the body file: {exc.strerror or exc}", file=path,
                            hint="--body-file takes the markdown report costgate diff wrote") from None
    if len(raw) > MAX_BODY_BYTES:
        raise CostgateError(f"the body file is over {MAX_BODY_BYTES:,} bytes", file=path,
                            hint="see docs/limits.md (comment publishing)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CostgateError(f"the body file is not UTF-8 (byte {exc.start})", file=path) from None
    if not text.strip():
        raise CostgateError("the body file is empty", file=path,
                            hint="write the report first (costgate diff --format markdown -o FILE)")
    return text
