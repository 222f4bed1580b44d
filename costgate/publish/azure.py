"""Azure Repos (Azure DevOps Services or Server): pull-request threads over REST 7.1.

The sticky comment is a thread's first comment. Identity: ``_apis/connectionData``
(``authenticatedUser``; the pipeline's build service for $SYSTEM_ACCESSTOKEN). Pages:
the ``x-ms-continuationtoken`` header. ``hide-and-new`` sets the old thread's status to
``closed`` (collapsed in the UI), then posts a new thread.
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
from .http import MAX_PAGES, Client, items, obj, segment
from .model import Comment, Identity, Target

API_VERSION = {"api-version": "7.1"}
_NAME = re.compile(r"[^/\\\x00-\x1f?#%]{1,256}")


@dataclass
class AzureRepos:
    client: Client
    project: str
    repo: str
    pr: str
    name = "Azure Repos"
    limit = 150_000
    can_hide = True

    def where(self) -> str:
        return f"{self.project}/{self.repo} pull request {self.pr}"

    def identity(self) -> Identity:
        data = self.client.get("/_apis/connectionData").data
        user = data.get("authenticatedUser") if isinstance(data, dict) else None
        if not isinstance(user, dict) or not user.get("id"):
            raise CostgateError("Azure DevOps' connectionData did not say who the token is",
                                hint="pass the pipeline's $(System.AccessToken) as SYSTEM_ACCESSTOKEN")
        return Identity(str(user["id"]), str(user.get("providerDisplayName") or ""))

    def comments(self) -> list[Comment]:
        out: list[Comment] = []
        query = dict(API_VERSION)
        for _ in range(MAX_PAGES):
            resp = self.client.get(self._threads(), query)
            data = resp.data if isinstance(resp.data, dict) else {}
            threads = items(data.get("value"))
            out.extend(c for c in (_first(t) for t in threads if isinstance(t, dict)) if c is not None)
            more = resp.headers.get("x-ms-continuationtoken")
            if not more:
                return out
            query = {**API_VERSION, "continuationToken": more}
        raise CostgateError(f"{self.where()} has more threads than costgate lists",
                            hint="see docs/limits.md (comment publishing)")

    def create(self, body: str) -> str | None:
        payload = {"comments": [{"parentCommentId": 0, "content": body, "commentType": "text"}], "status": "active"}
        resp = self.client.write("POST", self._threads(), payload, API_VERSION)
        thread = obj(None if resp is None else resp.data)
        first = items(thread.get("comments"))
        return f"{thread['id']}/{first[0].get('id')}" if thread.get("id") is not None and first else None

    def update(self, comment: Comment, body: str) -> None:
        self.client.write("PATCH", self._comment(comment), {"content": body}, API_VERSION)

    def delete(self, comment: Comment) -> None:
        self.client.write("DELETE", self._comment(comment), None, API_VERSION)

    def hide(self, comment: Comment) -> None:
        self.client.write("PATCH", self._threads(comment.thread_id), {"status": "closed"}, API_VERSION)

    def _threads(self, thread_id: str | None = None) -> str:
        path = f"/{segment(self.project)}/_apis/git/repositories/{segment(self.repo)}/pullRequests/{self.pr}/threads"
        return path if thread_id is None else f"{path}/{segment(thread_id)}"

    def _comment(self, comment: Comment) -> str:
        return f"{self._threads(comment.thread_id)}/comments/{segment(comment.id.split('/')[-1])}"


def _first(thread: dict) -> Comment | None:
    """The thread's opening comment, when it is a live text comment."""
    comments = items(thread.get("comments"))
    if thread.get("isDeleted") or not comments or not isinstance(comments[0], dict):
        return None
    first = comments[0]
    if first.get("isDeleted") or first.get("commentType") not in ("text", 1, None):
        return None
    author = obj(first.get("author"))
    tid = thread.get("id")
    return Comment(id=f"{tid}/{first.get('id')}", body=str(first.get("content") or ""),
                   author_id=str(author["id"]) if author.get("id") else None,
                   author_login=str(author.get("uniqueName") or "") or None, author_is_bot=False,
                   order=(str(thread.get("publishedDate") or ""), tid if isinstance(tid, int) else 0),
                   thread_id=str(tid))


def connect(target: Target, env: Mapping[str, str], **client: Any) -> AzureRepos:
    """A pull request from flags, else $SYSTEM_COLLECTIONURI, $SYSTEM_TEAMPROJECT,
    $BUILD_REPOSITORY_ID and $SYSTEM_PULLREQUEST_PULLREQUESTID; the token from
    $SYSTEM_ACCESSTOKEN (Bearer), or a personal access token in the --token-env variable
    (Basic)."""
    api = need(target.api_url or env.get("SYSTEM_COLLECTIONURI"), "--api-url", "SYSTEM_COLLECTIONURI", "Azure Repos")
    project = need(target.project or env.get("SYSTEM_TEAMPROJECT"), "--project", "SYSTEM_TEAMPROJECT", "Azure Repos")
    repo = need(target.repo or env.get("BUILD_REPOSITORY_ID"), "--repo", "BUILD_REPOSITORY_ID", "Azure Repos")
    for flag, value in (("--project", project), ("--repo", repo)):
        if not _NAME.fullmatch(value) or value in (".", ".."):
            raise CostgateError(f"{flag} {plain(value)[:120]!r} is not an Azure DevOps name or id")
    pr = number(need(target.pull_request or env.get("SYSTEM_PULLREQUEST_PULLREQUESTID"), "--pull-request",
                     "SYSTEM_PULLREQUEST_PULLREQUESTID", "Azure Repos"), "--pull-request")
    var, secret = token(env, target.token_env, ("SYSTEM_ACCESSTOKEN",), "Azure Repos")
    if var == "SYSTEM_ACCESSTOKEN":
        headers = {"Authorization": f"Bearer {secret}"}
    else:
        headers = {"Authorization": "Basic " + base64.b64encode(f":{secret}".encode()).decode("ascii")}
    return AzureRepos(Client(api, headers, "Azure Repos", **client), project, repo, pr)
