"""GitLab (gitlab.com or self-managed): merge-request notes over REST v4.

Identity: ``GET /user`` (a personal, project or group access token; the project access
token's bot user writes the notes). Pages: ``X-Next-Page``. GitLab cannot hide a note, so
``hide-and-new`` deletes ours and posts a new one (as ``delete-and-new``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import CostgateError
from ..report.escape import plain
from .env import need, number, token
from .http import MAX_PAGES, Client, created_id, items, obj, segment
from .model import Comment, Identity, Target

DEFAULT_API = "https://gitlab.com/api/v4"
_PROJECT = re.compile(r"[0-9]{1,20}|[A-Za-z0-9_.-]{1,255}(/[A-Za-z0-9_.-]{1,255}){1,20}")


@dataclass
class GitLab:
    client: Client
    project: str
    iid: str
    name = "GitLab"
    limit = 1_000_000
    can_hide = False

    def where(self) -> str:
        return f"{self.project}!{self.iid}"

    def identity(self) -> Identity:
        user = self.client.get("/user").data
        if not isinstance(user, dict) or user.get("id") is None:
            raise CostgateError("GitLab's /user did not say who the token is", hint="use a personal, project or "
                                "group access token with the api scope (a CI job token cannot write notes)")
        return Identity(str(user["id"]), str(user.get("username") or ""))

    def comments(self) -> list[Comment]:
        out: list[Comment] = []
        page = "1"
        for _ in range(MAX_PAGES):
            resp = self.client.get(self._notes(), {"per_page": "100", "page": page, "sort": "asc",
                                                   "order_by": "created_at"})
            out.extend(_note(n) for n in items(resp.data) if not n.get("system"))
            page = resp.headers.get("x-next-page", "").strip()
            if not page.isdigit():
                return out
        raise CostgateError(f"{self.where()} has more notes than costgate lists",
                            hint="see docs/limits.md (comment publishing)")

    def create(self, body: str) -> str | None:
        resp = self.client.write("POST", self._notes(), {"body": body})
        return created_id(resp)

    def update(self, comment: Comment, body: str) -> None:
        self.client.write("PUT", self._notes(comment.id), {"body": body})

    def delete(self, comment: Comment) -> None:
        self.client.write("DELETE", self._notes(comment.id))

    def hide(self, comment: Comment) -> None:
        raise AssertionError("GitLab cannot hide a note; sticky deletes instead")

    def _notes(self, note_id: str | None = None) -> str:
        path = f"/projects/{segment(self.project)}/merge_requests/{self.iid}/notes"
        return path if note_id is None else f"{path}/{segment(note_id)}"


def _note(item: dict) -> Comment:
    author = obj(item.get("author"))
    nid = item.get("id")
    return Comment(id=str(nid), body=str(item.get("body") or ""),
                   author_id=str(author["id"]) if author.get("id") is not None else None,
                   author_login=str(author.get("username") or "") or None, author_is_bot=bool(author.get("bot")),
                   order=(str(item.get("created_at") or ""), nid if isinstance(nid, int) else 0))


def connect(target: Target, env: Mapping[str, str], **client: Any) -> GitLab:
    """A merge request from flags, else $CI_PROJECT_ID, $CI_MERGE_REQUEST_IID and
    $CI_API_V4_URL; the token from --token-env, else $GITLAB_TOKEN (PRIVATE-TOKEN header),
    else $CI_JOB_TOKEN (JOB-TOKEN header)."""
    project = need(target.repo or env.get("CI_PROJECT_ID"), "--repo", "CI_PROJECT_ID", "GitLab")
    if not _PROJECT.fullmatch(project) or ".." in project:
        raise CostgateError(f"--repo must be a GitLab project id or group/project path, got {plain(project)[:120]!r}")
    iid = number(need(target.pull_request or env.get("CI_MERGE_REQUEST_IID"), "--pull-request",
                      "CI_MERGE_REQUEST_IID", "GitLab"), "--pull-request")
    var, secret = token(env, target.token_env, ("GITLAB_TOKEN", "CI_JOB_TOKEN"), "GitLab")
    header = "JOB-TOKEN" if var == "CI_JOB_TOKEN" else "PRIVATE-TOKEN"
    api = target.api_url or env.get("CI_API_V4_URL") or DEFAULT_API
    return GitLab(Client(api, {header: secret}, "GitLab", **client), project, iid)
