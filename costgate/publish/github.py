"""GitHub (and GitHub Enterprise Server): issue comments on a pull request over REST, and
``minimizeComment`` over GraphQL for ``hide-and-new``.

Identity: ``GET /user``; the Actions ``GITHUB_TOKEN`` gets 403 there, so then GraphQL's
``viewer``; if neither answers, the Actions bot rule (an author of type ``Bot`` named
``github-actions[bot]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import CostgateError
from ..report.escape import plain
from .env import github_event_number, need, number, token
from .http import MAX_PAGES, ApiError, Client, created_id, obj, segment
from .model import Comment, Identity, Target
from .sticky import ACTIONS_BOT

DEFAULT_API = "https://api.github.com"
_REPO = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}")
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_MINIMIZE = ("mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) "
             "{ minimizedComment { isMinimized } } }")


@dataclass
class GitHub:
    client: Client
    repo: str
    number: str
    name = "GitHub"
    limit = 65_536
    can_hide = True

    def where(self) -> str:
        return f"{self.repo}#{self.number}"

    def identity(self) -> Identity:
        try:
            user = self.client.get("/user").data
            return Identity(str(user["id"]), str(user["login"]))
        except ApiError as exc:
            if exc.status not in (403, 404):
                raise
        except (KeyError, TypeError):
            pass
        try:
            viewer = self._graphql("query { viewer { login databaseId } }", {}, write=False)["viewer"]
            uid = viewer.get("databaseId")
            return Identity(str(uid) if isinstance(uid, int) else None, str(viewer["login"]))
        except (ApiError, KeyError, TypeError, AttributeError):
            return Identity(None, ACTIONS_BOT, bot_only=True)

    def comments(self) -> list[Comment]:
        out: list[Comment] = []
        url: str | None = self._issue("comments")
        query: dict[str, str] | None = {"per_page": "100"}
        for _ in range(MAX_PAGES):
            if url is None:
                return out
            resp = self.client.get(url, query)
            out.extend(_comment(item) for item in _list(resp.data))
            match = _LINK_NEXT.search(resp.headers.get("link", ""))
            url, query = (match.group(1) if match else None), None
        raise CostgateError(f"{self.where()} has more comments than costgate lists",
                            hint="see docs/limits.md (comment publishing)")

    def create(self, body: str) -> str | None:
        resp = self.client.write("POST", self._issue("comments"), {"body": body})
        return created_id(resp)

    def update(self, comment: Comment, body: str) -> None:
        self.client.write("PATCH", self._comment(comment.id), {"body": body})

    def delete(self, comment: Comment) -> None:
        self.client.write("DELETE", self._comment(comment.id))

    def hide(self, comment: Comment) -> None:
        """Minimise as outdated (after ``sticky`` retired its marker)."""
        if comment.node_id:
            self._graphql(_MINIMIZE, {"id": comment.node_id}, write=True)

    def _issue(self, tail: str) -> str:
        return f"/repos/{self.repo}/issues/{self.number}/{tail}"

    def _comment(self, comment_id: str) -> str:
        return f"/repos/{self.repo}/issues/comments/{segment(comment_id)}"

    def _graphql(self, query: str, variables: dict[str, Any], *, write: bool) -> Any:
        url = graphql_url(self.client.base_url)
        payload = {"query": query, "variables": variables}
        resp = self.client.write("POST", url, payload) if write else self.client.request("POST", url, payload)
        if resp is None:
            return None
        data = resp.data if isinstance(resp.data, dict) else {}
        if data.get("errors"):
            first = data["errors"][0] if isinstance(data["errors"], list) and data["errors"] else {}
            forbidden = isinstance(first, dict) and first.get("type") in ("FORBIDDEN", "NOT_FOUND")
            message = plain(str(first.get("message", "") if isinstance(first, dict) else first))[:200]
            raise ApiError(f"GraphQL: {message}", status=403 if forbidden else 422, method="POST",
                           hint="the token needs permission to write pull-request comments")
        return data["data"]


def graphql_url(api: str) -> str:
    """api.github.com/graphql; a GitHub Enterprise Server's .../api/v3 → .../api/graphql."""
    api = api.rstrip("/")
    return api[: -len("/v3")] + "/graphql" if api.endswith("/api/v3") else api + "/graphql"


def _list(data: Any) -> list[dict]:
    if not isinstance(data, list):
        raise CostgateError("the GitHub API returned a comment list that is not a list",
                            hint="check --api-url")
    return [d for d in data if isinstance(d, dict)]


def _comment(item: dict) -> Comment:
    user = obj(item.get("user"))
    cid = int(item.get("id", 0)) if str(item.get("id", "")).isdigit() else 0
    return Comment(id=str(item.get("id")), body=str(item.get("body") or ""),
                   author_id=str(user["id"]) if user.get("id") is not None else None,
                   author_login=str(user["login"]) if user.get("login") else None,
                   author_is_bot=None if "type" not in user else user.get("type") == "Bot",
                   order=(str(item.get("created_at") or ""), cid), node_id=item.get("node_id"))


def connect(target: Target, env: Mapping[str, str], **client: Any) -> GitHub:
    """A GitHub pull request from flags, else $GITHUB_REPOSITORY, the event payload and
    $GITHUB_API_URL; the token from --token-env, else $GITHUB_TOKEN, else $GH_TOKEN."""
    repo = need(target.repo or env.get("GITHUB_REPOSITORY"), "--repo", "GITHUB_REPOSITORY", "GitHub")
    if not _REPO.fullmatch(repo) or ".." in repo:
        raise CostgateError(f"--repo must be OWNER/NAME, got {plain(repo)[:120]!r}")
    pr = number(need(target.pull_request or github_event_number(env), "--pull-request",
                     "GITHUB_EVENT_PATH (pull_request.number)", "GitHub"), "--pull-request")
    _, secret = token(env, target.token_env, ("GITHUB_TOKEN", "GH_TOKEN"), "GitHub")
    api = target.api_url or env.get("GITHUB_API_URL") or DEFAULT_API
    headers = {"Authorization": f"Bearer {secret}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": "2022-11-28"}
    return GitHub(Client(api, headers, "GitHub", **client), repo, pr)
