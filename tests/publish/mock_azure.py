"""A mock of Azure Repos' pull-request threads API (7.1) with tokens, identities and
continuation-token pages; see mock_base for failure injection and the request log.

    with MockAzure() as az:
        env = az.env(az.BUILD_TOKEN)  # SYSTEM_COLLECTIONURI, _TEAMPROJECT, BUILD_REPOSITORY_ID, ..., SYSTEM_ACCESSTOKEN
        az.add_thread("...", user=az.ALICE)
        az.threads                    # every thread, oldest first
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from mock_base import MockServer, Reply, Request

BUILD = {"id": "b0b0-build-service", "uniqueName": "Build Service"}
ALICE = {"id": "a11c-e000", "uniqueName": "alice@example.com"}


class MockAzure(MockServer):
    BUILD_TOKEN, ALICE_TOKEN = "azure-build", "azure-alice"
    BUILD, ALICE = BUILD, ALICE

    def __init__(self, project: str = "My Project", repo: str = "repo-guid", pr: int = 11, page: int = 5) -> None:
        super().__init__()
        self.project, self.repo, self.pr, self.page_size = project, repo, pr, page
        self.tokens = {self.BUILD_TOKEN: BUILD, self.ALICE_TOKEN: ALICE}
        self._threads: list[dict[str, Any]] = []
        self._next = 40

    def env(self, token: str | None = None) -> dict[str, str]:
        env = {"SYSTEM_COLLECTIONURI": f"{self.url}/org/", "SYSTEM_TEAMPROJECT": self.project,
               "BUILD_REPOSITORY_ID": self.repo, "SYSTEM_PULLREQUEST_PULLREQUESTID": str(self.pr)}
        return {**env, "SYSTEM_ACCESSTOKEN": token} if token else env

    def add_thread(self, body: str, user: dict | None = None) -> dict[str, Any]:
        with self.lock:
            return self._new(body, user or ALICE)

    @property
    def threads(self) -> list[dict[str, Any]]:
        with self.lock:
            return [{**t, "comments": [dict(c) for c in t["comments"]]} for t in self._threads]

    def _new(self, body: str, user: dict) -> dict[str, Any]:
        self._next += 1
        thread = {"id": self._next, "status": "active", "isDeleted": False,
                  "publishedDate": f"2026-01-01T00:00:{self._next:02d}Z",
                  "comments": [{"id": 1, "parentCommentId": 0, "content": body, "author": dict(user),
                                "commentType": "text", "isDeleted": False}]}
        self._threads.append(thread)
        return thread

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        header = req.headers.get("authorization", "")
        token = header[len("Bearer "):] if header.startswith("Bearer ") else ""
        if token not in self.tokens or req.query.get("api-version") != "7.1" and "connectionData" not in req.path:
            raise Reply(401 if token not in self.tokens else 400, {"message": "refused"})
        user = self.tokens[token]
        if req.path == "/org/_apis/connectionData":
            return 200, {"authenticatedUser": user}, {}
        base = (f"/org/{urllib.parse.quote(self.project, safe='')}/_apis/git/repositories/{self.repo}"
                f"/pullRequests/{self.pr}/threads")
        if req.path == base:
            if req.method == "GET":
                return self._list(req)
            with self.lock:
                return 200, self._new(str(req.body["comments"][0]["content"]), user), {}
        match = re.fullmatch(re.escape(base) + r"/(\d+)(/comments/(\d+))?", req.path)
        if match and req.method in ("PATCH", "DELETE"):
            return self._edit(req, int(match.group(1)), match.group(3))
        raise Reply(404, {"message": "not found"})

    def _list(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        start = int(req.query.get("continuationToken", "0"))
        with self.lock:
            page = [dict(t) for t in self._threads[start: start + self.page_size]]
            more = len(self._threads) > start + self.page_size
        self.wait_at_list()
        return 200, {"value": page, "count": len(page)}, {"x-ms-continuationtoken": str(start + self.page_size)} if more else {}

    def _edit(self, req: Request, tid: int, cid: str | None) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            thread = next((t for t in self._threads if t["id"] == tid), None)
            if thread is None:
                raise Reply(404, {"message": "thread not found"})
            if cid is None:
                thread["status"] = str(req.body["status"])
                return 200, thread, {}
            comment = next((c for c in thread["comments"] if str(c["id"]) == cid and not c["isDeleted"]), None)
            if comment is None:
                raise Reply(404, {"message": "comment not found"})
            if req.method == "DELETE":
                comment["isDeleted"] = True
                return 200, None, {}
            comment["content"] = str(req.body["content"])
            return 200, comment, {}
