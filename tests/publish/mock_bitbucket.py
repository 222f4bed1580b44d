"""A mock of Bitbucket Cloud's pull-request comments API (2.0) with tokens, identities and
``next``-URL pagination; see mock_base for failure injection and the request log.

    with MockBitbucket() as bb:
        env = bb.env(bb.BOT_TOKEN)   # BITBUCKET_WORKSPACE, _REPO_SLUG, _PR_ID, _TOKEN; pass --api-url bb.api
        bb.add_comment("...", user=bb.ALICE, inline=False)
        bb.comments                  # every comment, oldest first (deleted ones have deleted=True)
"""

from __future__ import annotations

import re
from typing import Any

from mock_base import MockServer, Reply, Request

BOT = {"uuid": "{bot-0001}", "nickname": "costgate-access-token"}
ALICE = {"uuid": "{alice-0002}", "nickname": "alice"}


class MockBitbucket(MockServer):
    BOT_TOKEN, ALICE_TOKEN, READ_ONLY = "bb-bot", "bb-alice", "bb-reader"
    BOT, ALICE = BOT, ALICE

    def __init__(self, repo: str = "team/app", pr: int = 5, pagelen: int = 10) -> None:
        super().__init__()
        self.repo, self.pr, self.max_pagelen = repo, pr, pagelen
        self.tokens = {self.BOT_TOKEN: (BOT, True), self.ALICE_TOKEN: (ALICE, True), self.READ_ONLY: (BOT, False)}
        self._comments: list[dict[str, Any]] = []
        self._next = 700

    @property
    def api(self) -> str:
        return f"{self.url}/2.0"

    def env(self, token: str | None = None) -> dict[str, str]:
        workspace, slug = self.repo.split("/")
        env = {"BITBUCKET_WORKSPACE": workspace, "BITBUCKET_REPO_SLUG": slug, "BITBUCKET_PR_ID": str(self.pr)}
        return {**env, "BITBUCKET_TOKEN": token} if token else env

    def add_comment(self, body: str, user: dict | None = None, **extra: Any) -> dict[str, Any]:
        with self.lock:
            return self._new(body, user or ALICE, extra)

    @property
    def comments(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(c) for c in self._comments]

    def _new(self, body: str, user: dict, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        self._next += 1
        comment = {"id": self._next, "content": {"raw": body, "markup": "markdown"}, "user": dict(user),
                   "deleted": False, "created_on": f"2026-01-01T00:00:00.{self._next:06d}+00:00", **(extra or {})}
        self._comments.append(comment)
        return comment

    def _auth(self, req: Request) -> tuple[dict, bool]:
        header = req.headers.get("authorization", "")
        token = header[len("Bearer "):] if header.startswith("Bearer ") else ""
        if token not in self.tokens:
            raise Reply(401, {"type": "error", "error": {"message": "Unauthorized"}})
        return self.tokens[token]

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        user, can_write = self._auth(req)
        if req.path == "/2.0/user":
            return 200, {**user, "type": "user"}, {}
        base = f"/2.0/repositories/{self.repo}/pullrequests/{self.pr}/comments"
        if req.method != "GET" and not can_write:
            raise Reply(403, {"type": "error", "error": {"message": "Forbidden"}})
        if req.path == base and req.method == "GET":
            return self._list(req)
        if req.path == base and req.method == "POST":
            with self.lock:
                return 201, self._new(str(req.body["content"]["raw"]), user), {}
        match = re.fullmatch(re.escape(base) + r"/(\d+)", req.path)
        if match and req.method in ("PUT", "DELETE"):
            return self._edit(req, int(match.group(1)))
        raise Reply(404, {"type": "error", "error": {"message": "Not found"}})

    def _list(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        pagelen = min(int(req.query.get("pagelen", "10")), self.max_pagelen)
        page = int(req.query.get("page", "1"))
        with self.lock:
            values = [dict(c) for c in self._comments[(page - 1) * pagelen: page * pagelen]]
            more = len(self._comments) > page * pagelen
        self.wait_at_list()
        data: dict[str, Any] = {"values": values, "pagelen": pagelen, "page": page}
        if more:
            data["next"] = f"{self.url}{req.path}?pagelen={pagelen}&page={page + 1}"
        return 200, data, {}

    def _edit(self, req: Request, cid: int) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            found = [c for c in self._comments if c["id"] == cid and not c["deleted"]]
            if not found:
                raise Reply(404, {"type": "error", "error": {"message": "Not found"}})
            if req.method == "DELETE":
                found[0]["deleted"] = True  # Bitbucket keeps a deleted comment, flagged
                return 204, None, {}
            found[0]["content"] = {"raw": str(req.body["content"]["raw"]), "markup": "markdown"}
            return 200, dict(found[0]), {}
