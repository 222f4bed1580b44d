"""The platforms ``costgate comment`` posts to: one module each, one line here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

from . import azure, bitbucket, github, gitlab
from .model import Target
from .sticky import Platform

PLATFORMS: dict[str, Callable[..., Platform]] = {
    "github": github.connect,
    "gitlab": gitlab.connect,
    "bitbucket": bitbucket.connect,
    "azure-repos": azure.connect,
}


def connect(name: str, target: Target, env: Mapping[str, str], **client: Any) -> Platform:
    return PLATFORMS[name](target, env, **client)
