"""Helpers for the comment tests: run ``costgate comment`` in-process with an environment,
and call the library with sleeps recorded instead of slept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import run_costgate

from costgate.publish.http import RetryPolicy
from costgate.publish.model import Target
from costgate.publish.platforms import connect
from costgate.publish.sticky import publish


def comment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform: str, body: str, env: dict[str, str],
            *args: str) -> tuple[int, str, str]:
    """``costgate comment PLATFORM --body-file F ARGS`` with exactly ``env`` set (on top of
    a clean environment)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    body_file = tmp_path / "report.md"
    body_file.write_text(body, encoding="utf-8")
    return run_costgate("comment", platform, "--body-file", body_file, *args)


class Sleeps(list):
    """A ``sleep`` that records the waits and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def library(platform: str, env: dict[str, str], body: str, *, tag: str = "default", behavior: Any = "update",
            sleeps: Sleeps | None = None, retry: RetryPolicy | None = None, **target: str) -> Any:
    dest = connect(platform, Target(**target), env, sleep=sleeps if sleeps is not None else Sleeps(),
                   **({"retry": retry} if retry else {}))
    return publish(dest, body, tag, behavior)
