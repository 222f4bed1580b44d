"""The records of publishing: a comment as a platform lists it, who we are, what we do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Behavior = Literal["update", "new", "delete-and-new", "hide-and-new"]
BEHAVIORS: tuple[Behavior, ...] = ("update", "new", "delete-and-new", "hide-and-new")
ActionKind = Literal["create", "update", "delete", "hide", "skip"]


@dataclass(frozen=True)
class Identity:
    """Who the token is; comments by anyone else are never touched."""

    user_id: str | None
    """The platform's stable id for the user (GitHub numeric id, GitLab id, Bitbucket
    uuid, Azure identity id), when the platform told us."""
    login: str | None = None
    """The login or username, when known (GitHub matches on it when no id is known)."""
    bot_only: bool = False
    """True for the GitHub Actions fallback (no endpoint told us who we are): only a
    ``Bot``-type author with the Actions bot's login matches."""


@dataclass(frozen=True)
class Comment:
    """One comment (GitLab: note; Azure: a thread's first comment) on the pull request."""

    id: str
    """The platform's id for the comment, as text."""
    body: str
    author_id: str | None
    author_login: str | None
    author_is_bot: bool | None
    """Whether the author is a bot account; None when the API does not say."""
    order: tuple[str, int]
    """Sort key, oldest first: (creation time as the platform writes it, numeric id)."""
    node_id: str | None = None
    """GitHub's GraphQL id (for minimizeComment)."""
    thread_id: str | None = None
    """Azure Repos: the thread the comment opens."""


@dataclass(frozen=True)
class Target:
    """Where to comment, from flags (None: from the CI environment)."""

    repo: str | None = None
    """GitHub owner/name, GitLab project id or path, Bitbucket workspace/slug, Azure repository id."""
    pull_request: str | None = None
    api_url: str | None = None
    token_env: str | None = None
    """The environment variable holding the token (never the token itself)."""
    project: str | None = None
    """Azure Repos: the team project."""


@dataclass(frozen=True)
class Action:
    """One write, or a decision not to write."""

    kind: ActionKind
    comment_id: str | None = None
    body: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a publish did: the actions, in order, and the comment that now holds the report."""

    actions: tuple[Action, ...] = field(default_factory=tuple)
    comment_id: str | None = None
    dry_run: bool = False
    truncated: bool = False
