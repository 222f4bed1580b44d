"""Bitbucket Cloud: pull-request comments over the 2.0 REST API.

Identity: ``GET /user`` (the access token's bot user, or the app password's account).
Pages: the ``next`` URL (same host only). Only top-level comments (not inline, not
replies, not deleted) are candidates. Bitbucket cannot hide a comment, so
``hide-and-new`` deletes ours and posts a new one.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import CostgateError
from ..report.escape import plain
from .env import need, number, token
from .http import MAX_PAGES, Client, created_id, items, obj, segment
from .model import Comment, Identity, Target

DEFAULT_API = "https://api.bitbucket.org/2.0"
_REPO = re.compile(r"[A-Za-z0-9_.{}-]{1,100}/[A-Za-z0-9_.-]{1,100}")


@dataclass
class Bitbucket:
    client: Client
    repo: str
    pr: str
    name = "Bitbucket"
    limit = 32_768
    can_hide = False

    def where(self) -> str:
        return f"{self.repo}#{self.pr}"

    def identity(self) -> Identity:
        user = self.client.get("/user").data
        if not isinstance(user, dict) or not user.get("uuid"):
            raise CostgateError("Bitbucket's /user did not say who the token is",
                                hint="use a repository access token or an app password with account:read")
        return Identity(str(user["uuid"]), str(user.get("nickname") or user.get("username") or ""))

    def comments(self) -> list[Comment]:
        out: list[Comment] = []
        url: str | None = self._comments()
        query: dict[str, str] | None = {"pagelen": "100"}
        for _ in range(MAX_PAGES):
            if url is None:
                return out
            data = self.client.get(url, query).data
            data = data if isinstance(data, dict) else {}
            values = items(data.get("values"))
            out.extend(_comment(v) for v in values if isinstance(v, dict) and _top_level(v))
            url, query = (str(data["next"]) if data.get("next") else None), None
        raise CostgateError(f"{self.where()} has more comments than costgate lists",
                            hint="see docs/limits.md (comment publishing)")

    def create(self, body: str) -> str | None:
        resp = self.client.write("POST", self._comments(), {"content": {"raw": body}})
        return created_id(resp)

    def update(self, comment: Comment, body: str) -> None:
        self.client.write("PUT", self._comments(comment.id), {"content": {"raw": body}})

    def delete(self, comment: Comment) -> None:
        self.client.write("DELETE", self._comments(comment.id))

    def hide(self, comment: Comment) -> None:
        raise AssertionError("Bitbucket cannot hide a comment; sticky deletes instead")

    def _comments(self, comment_id: str | None = None) -> str:
        path = f"/repositories/{self.repo}/pullrequests/{self.pr}/comments"
        return path if comment_id is None else f"{path}/{segment(comment_id)}"


def _top_level(item: dict) -> bool:
    return not item.get("deleted") and not item.get("inline") and not item.get("parent")


def _comment(item: dict) -> Comment:
    user = obj(item.get("user"))
    content = obj(item.get("content"))
    cid = item.get("id")
    return Comment(id=str(cid), body=str(content.get("raw") or ""),
                   author_id=str(user["uuid"]) if user.get("uuid") else None,
                   author_login=str(user.get("nickname") or "") or None, author_is_bot=False,
                   order=(str(item.get("created_on") or ""), cid if isinstance(cid, int) else 0))


def connect(target: Target, env: Mapping[str, str], **client: Any) -> Bitbucket:
    """A pull request from flags, else $BITBUCKET_WORKSPACE/$BITBUCKET_REPO_SLUG and
    $BITBUCKET_PR_ID; the token from --token-env or $BITBUCKET_TOKEN (Bearer), else
    $BITBUCKET_USERNAME with $BITBUCKET_APP_PASSWORD (Basic)."""
    default_repo = None
    if env.get("BITBUCKET_WORKSPACE") and env.get("BITBUCKET_REPO_SLUG"):
        default_repo = f"{env['BITBUCKET_WORKSPACE']}/{env['BITBUCKET_REPO_SLUG']}"
    repo = need(target.repo or default_repo, "--repo", "BITBUCKET_WORKSPACE and BITBUCKET_REPO_SLUG", "Bitbucket")
    if not _REPO.fullmatch(repo) or ".." in repo:
        raise CostgateError(f"--repo must be WORKSPACE/REPO_SLUG, got {plain(repo)[:120]!r}")
    pr = number(need(target.pull_request or env.get("BITBUCKET_PR_ID"), "--pull-request", "BITBUCKET_PR_ID",
                     "Bitbucket"), "--pull-request")
    if not target.token_env and not env.get("BITBUCKET_TOKEN") and env.get("BITBUCKET_APP_PASSWORD"):
        _, user = token(env, None, ("BITBUCKET_USERNAME",), "Bitbucket")
        _, password = token(env, None, ("BITBUCKET_APP_PASSWORD",), "Bitbucket")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers = {"Authorization": f"Basic {pair}"}
    else:
        _, secret = token(env, target.token_env, ("BITBUCKET_TOKEN",), "Bitbucket")
        headers = {"Authorization": f"Bearer {secret}"}
    api = target.api_url or DEFAULT_API
    return Bitbucket(Client(api, headers, "Bitbucket", **client), repo, pr)
