"""What the CI environment says: whether we run under GitHub Actions, and the base to
compare a pull request against."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import CostgateError


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def ci_base_ref() -> str:
    """The base to compare against in CI: the PR's base SHA from the event, else
    origin/$GITHUB_BASE_REF."""
    event = os.environ.get("GITHUB_EVENT_PATH")
    if event and Path(event).is_file():
        try:
            data = json.loads(Path(event).read_text(encoding="utf-8"))
            sha = data.get("pull_request", {}).get("base", {}).get("sha")
            if sha:
                return str(sha)
        except (OSError, ValueError, AttributeError, RecursionError):
            pass
    ref = os.environ.get("GITHUB_BASE_REF")
    if ref:
        return f"origin/{ref}"
    raise CostgateError("no base ref: not a pull request build",
                        hint="pass --base REF, or run `costgate check` in a pull_request workflow")
