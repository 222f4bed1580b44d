"""A mock of the GitHub REST and GraphQL endpoints costgate's sticky comment uses, keeping
comments in memory and enforcing tokens, identities and write permission.

    from mock_github import MockGitHub      # tests/publish is on sys.path (conftest)
    with MockGitHub() as gh:                 # start(): 127.0.0.1, a free port
        env = gh.env(token=gh.ACTIONS)       # GITHUB_* variables for owner/repo#7
        env["GITHUB_EVENT_PATH"] = gh.write_event(tmp_path / "event.json", base={"sha": "abc"})
        gh.add_comment("<!-- costgate-report tag=default -->\\nold", user=gh.ALICE)
        ...
        gh.comments                          # live comments, oldest first (dicts)
        gh.fail(502, times=2)                # failure injection (see mock_base.Failure)
        gh.race_lists(2)                     # two runs list before either writes
        gh.writes                            # every write request received

Identities (token -> user): ``ACTIONS`` is the Actions bot (``GET /user`` answers 403, as
for the real GITHUB_TOKEN; GraphQL ``viewer`` answers as ``viewer_mode`` says),
``PAT`` is the user ``costgate-bot``, ``ALICE_TOKEN`` a person, ``READ_ONLY`` the bot
with a read-only token (403 on writes, as on pull requests from forks).
Writers may edit or delete anyone's comment, as on GitHub: only costgate's own rules
keep it from touching a person's comment.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from mock_base import MockServer, Reply, Request

BOT = {"id": 41898282, "login": "github-actions[bot]", "type": "Bot"}
COSTGATE_BOT = {"id": 1001, "login": "costgate-bot", "type": "User"}
ALICE = {"id": 2002, "login": "alice", "type": "User"}
OTHER_BOT = {"id": 3003, "login": "renovate[bot]", "type": "Bot"}
LIMIT = 65_536


class MockGitHub(MockServer):
    ACTIONS, PAT, ALICE_TOKEN, READ_ONLY = "ghs_actions", "ghp_costgate", "ghp_alice", "ghs_readonly"
    BOT, COSTGATE_BOT, ALICE, OTHER_BOT = BOT, COSTGATE_BOT, ALICE, OTHER_BOT

    def __init__(self, repo: str = "owner/repo", number: int = 7,
                 viewer_mode: Literal["error", "bare", "suffixed"] = "error") -> None:
        super().__init__()
        self.repo, self.number = repo, number
        self.viewer_mode = viewer_mode
        """How GraphQL ``viewer`` answers the Actions token: an error (so costgate falls
        back to the Actions bot rule), ``github-actions`` or ``github-actions[bot]``."""
        self.tokens: dict[str, tuple[dict, bool]] = {
            self.ACTIONS: (BOT, True), self.PAT: (COSTGATE_BOT, True),
            self.ALICE_TOKEN: (ALICE, True), self.READ_ONLY: (BOT, False)}
        self._comments: list[dict[str, Any]] = []
        self._next_id = 100
        self._clock = 0

    # ------------------------------------------------------------ test API
    def env(self, token: str | None = None, **extra: str) -> dict[str, str]:
        """The GitHub Actions variables for this pull request (no event file: pass
        --pull-request or add GITHUB_EVENT_PATH yourself)."""
        env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": self.repo, "GITHUB_API_URL": self.url}
        if token is not None:
            env["GITHUB_TOKEN"] = token
        return {**env, **extra}

    def write_event(self, path: Path, **pull_request: Any) -> str:
        """Write a pull_request event payload (number, base and head SHAs as given) to
        ``path``; returns it for GITHUB_EVENT_PATH."""
        payload = {"action": "synchronize", "number": self.number,
                   "pull_request": {"number": self.number, **pull_request}}
        path.write_text(json.dumps(payload), encoding="utf-8")
        return str(path)

    def add_comment(self, body: str, user: dict | None = None) -> dict[str, Any]:
        with self.lock:
            return self._new(body, user or ALICE)

    @property
    def comments(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(c) for c in self._comments]

    def is_read(self, request: Request) -> bool:
        return request.method == "POST" and request.path.endswith("/graphql") and "mutation" not in str(
            (request.body or {}).get("query", ""))

    # ------------------------------------------------------------ serving
    def _new(self, body: str, user: dict) -> dict[str, Any]:
        self._next_id += 1
        self._clock += 1
        comment = {"id": self._next_id, "node_id": f"IC_{self._next_id}", "body": body, "user": dict(user),
                   "created_at": f"2026-01-01T00:{self._clock // 60:02d}:{self._clock % 60:02d}Z",
                   "minimized": False}
        self._comments.append(comment)
        return comment

    def _auth(self, req: Request) -> tuple[dict, bool]:
        header = req.headers.get("authorization", "")
        token = header.split(" ", 1)[1] if " " in header else ""
        if token not in self.tokens:
            raise Reply(401, {"message": "Bad credentials"})
        return self.tokens[token]

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        user, can_write = self._auth(req)
        if req.path == "/user" and req.method == "GET":
            if user is BOT:
                raise Reply(403, {"message": "Resource not accessible by integration"})
            return 200, user, {}
        if req.path == "/graphql" and req.method == "POST":
            return self._graphql(req, user, can_write)
        base = f"/repos/{self.repo}/issues"
        if req.path == f"{base}/{self.number}/comments":
            if req.method == "GET":
                return self._list(req)
            self._writable(can_write)
            return 201, self._create(req, user), {}
        match = re.fullmatch(rf"{re.escape(base)}/comments/(\d+)", req.path)
        if match and req.method in ("PATCH", "DELETE"):
            self._writable(can_write)
            return self._edit(req, int(match.group(1)))
        raise Reply(404, {"message": "Not Found"})

    @staticmethod
    def _writable(can_write: bool) -> None:
        if not can_write:
            raise Reply(403, {"message": "Resource not accessible by integration"})

    def _list(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(req.query.get("per_page", "30")), 100)
        page = int(req.query.get("page", "1"))
        with self.lock:
            items = [dict(c) for c in self._comments[(page - 1) * per_page: page * per_page]]
            more = len(self._comments) > page * per_page
        self.wait_at_list()  # after the snapshot: racing runs all see the same list
        headers = {}
        if more:
            headers["Link"] = (f'<{self.url}{req.path}?per_page={per_page}&page={page + 1}>; rel="next", '
                               f'<{self.url}{req.path}?per_page={per_page}&page=1>; rel="first"')
        return 200, [{k: v for k, v in c.items() if k != "minimized"} for c in items], headers

    def _create(self, req: Request, user: dict) -> dict[str, Any]:
        body = str((req.body or {}).get("body", ""))
        if len(body) > LIMIT:
            raise Reply(422, {"message": "Validation Failed", "errors": [{"message": "body is too long"}]})
        with self.lock:
            return self._new(body, user)

    def _edit(self, req: Request, cid: int) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            found = [c for c in self._comments if c["id"] == cid]
            if not found:
                raise Reply(404, {"message": "Not Found"})
            if req.method == "DELETE":
                self._comments.remove(found[0])
                return 204, None, {}
            body = str((req.body or {}).get("body", ""))
            if len(body) > LIMIT:
                raise Reply(422, {"message": "Validation Failed"})
            found[0]["body"] = body
            return 200, dict(found[0]), {}

    def _graphql(self, req: Request, user: dict, can_write: bool) -> tuple[int, Any, dict[str, str]]:
        query = str((req.body or {}).get("query", ""))
        if "viewer" in query:
            if user is BOT and self.viewer_mode == "error":
                return 200, {"errors": [{"type": "FORBIDDEN", "message": "Resource not accessible by integration"}]}, {}
            login = "github-actions" if user is BOT and self.viewer_mode == "bare" else user["login"]
            return 200, {"data": {"viewer": {"login": login, "databaseId": None if user is BOT else user["id"]}}}, {}
        if "minimizeComment" in query:
            if not can_write:
                return 200, {"errors": [{"type": "FORBIDDEN", "message": "Resource not accessible by integration"}]}, {}
            node = (req.body.get("variables") or {}).get("id")
            with self.lock:
                for c in self._comments:
                    if c["node_id"] == node:
                        c["minimized"] = True
                        return 200, {"data": {"minimizeComment": {"minimizedComment": {"isMinimized": True}}}}, {}
            return 200, {"errors": [{"type": "NOT_FOUND", "message": "Could not resolve to a node"}]}, {}
        raise Reply(400, {"message": "unknown query"})
