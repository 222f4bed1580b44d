"""A mock of GitLab's merge-request notes API (REST v4) with tokens, identities and
``X-Next-Page`` pagination; see mock_base for failure injection and the request log.

    with MockGitLab() as gl:
        env = gl.env(gl.BOT_TOKEN)          # CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, GITLAB_TOKEN
        gl.add_note("...", user=gl.ALICE)
        gl.notes                            # live notes, oldest first (system notes included)
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from mock_base import MockServer, Reply, Request

BOT = {"id": 501, "username": "project_42_bot", "bot": True}
ALICE = {"id": 502, "username": "alice", "bot": False}


class MockGitLab(MockServer):
    BOT_TOKEN, ALICE_TOKEN, READ_ONLY = "glpat-bot", "glpat-alice", "glpat-reader"
    BOT, ALICE = BOT, ALICE

    def __init__(self, project: str = "42", iid: int = 3, per_page: int = 20) -> None:
        super().__init__()
        self.project, self.iid, self.max_per_page = project, iid, per_page
        self.tokens = {self.BOT_TOKEN: (BOT, True), self.ALICE_TOKEN: (ALICE, True), self.READ_ONLY: (BOT, False)}
        self._notes: list[dict[str, Any]] = []
        self._next = 9000

    def env(self, token: str | None = None) -> dict[str, str]:
        env = {"CI_API_V4_URL": f"{self.url}/api/v4", "CI_PROJECT_ID": self.project,
               "CI_MERGE_REQUEST_IID": str(self.iid)}
        return {**env, "GITLAB_TOKEN": token} if token else env

    def add_note(self, body: str, user: dict | None = None, system: bool = False) -> dict[str, Any]:
        with self.lock:
            return self._new(body, user or ALICE, system)

    @property
    def notes(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(n) for n in self._notes]

    def _new(self, body: str, user: dict, system: bool = False) -> dict[str, Any]:
        self._next += 1
        note = {"id": self._next, "body": body, "author": dict(user), "system": system,
                "created_at": f"2026-01-01T00:00:00.{self._next:06d}Z"}
        self._notes.append(note)
        return note

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        token = req.headers.get("private-token")
        if token not in self.tokens:
            raise Reply(401, {"message": "401 Unauthorized"})
        user, can_write = self.tokens[token]
        if req.path == "/api/v4/user":
            return 200, user, {}
        project = urllib.parse.quote(self.project, safe="")
        base = f"/api/v4/projects/{project}/merge_requests/{self.iid}/notes"
        if req.method != "GET" and not can_write:
            raise Reply(403, {"message": "403 Forbidden"})
        if req.path == base and req.method == "GET":
            return self._list(req)
        if req.path == base and req.method == "POST":
            with self.lock:
                return 201, self._new(str(req.body["body"]), user), {}
        match = re.fullmatch(re.escape(base) + r"/(\d+)", req.path)
        if match and req.method in ("PUT", "DELETE"):
            return self._edit(req, int(match.group(1)))
        raise Reply(404, {"message": "404 Not Found"})

    def _list(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(req.query.get("per_page", "20")), self.max_per_page)
        page = int(req.query.get("page", "1"))
        with self.lock:
            items = [dict(n) for n in self._notes[(page - 1) * per_page: page * per_page]]
            more = len(self._notes) > page * per_page
        self.wait_at_list()
        return 200, items, {"X-Next-Page": str(page + 1) if more else "", "X-Page": str(page)}

    def _edit(self, req: Request, nid: int) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            found = [n for n in self._notes if n["id"] == nid]
            if not found:
                raise Reply(404, {"message": "404 Not found"})
            if req.method == "DELETE":
                self._notes.remove(found[0])
                return 204, None, {}
            found[0]["body"] = str(req.body["body"])
            return 200, dict(found[0]), {}
