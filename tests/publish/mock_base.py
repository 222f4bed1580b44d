"""A local HTTP API for tests: a ``ThreadingHTTPServer`` on 127.0.0.1 in a thread, JSON
in and out, with failure injection and a request log. The platform mocks
(``mock_github``, ``mock_gitlab``, ``mock_bitbucket``, ``mock_azure``) subclass it.

Tests need the ``loopback`` fixture (tests/conftest.py) to connect to it: everything
else stays offline.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Failure:
    """Answer the next ``times`` matching requests with ``status`` (and ``headers``)."""

    status: int
    times: int = 1
    method: str | None = None
    path_contains: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    """Lower-cased names."""
    body: Any


class Reply(Exception):
    """Raised by a route to answer at once: ``raise Reply(404, {"message": "Not Found"})``."""

    def __init__(self, status: int, data: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.data, self.headers = status, data, headers or {}


class MockServer:
    """Subclasses implement ``route(request) -> (status, data, headers)``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.log: list[Request] = []
        self.failures: list[Failure] = []
        self.list_barrier: threading.Barrier | None = None
        self._httpd: ThreadingHTTPServer | None = None

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> MockServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server._handle(self)

            do_POST = do_PATCH = do_PUT = do_DELETE = do_GET  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() the mock first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # ------------------------------------------------------------ test controls
    def fail(self, status: int, times: int = 1, *, method: str | None = None, path_contains: str | None = None,
             headers: dict[str, str] | None = None, body: Any = None) -> None:
        """Answer the next ``times`` matching requests with ``status``."""
        with self.lock:
            self.failures.append(Failure(status, times, method, path_contains, dict(headers or {}), body))

    def race_lists(self, parties: int = 2) -> None:
        """Hold the next ``parties`` comment listings (each after reading the comments) until
        all have arrived, so concurrent runs all see the same list before any of them writes."""
        self.list_barrier = threading.Barrier(parties, timeout=10)

    @property
    def writes(self) -> list[Request]:
        return [r for r in self.log if r.method not in ("GET",) and not self.is_read(r)]

    def is_read(self, request: Request) -> bool:
        """A POST that only reads (GitHub's GraphQL queries)."""
        return False

    # ------------------------------------------------------------------ serving
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        req = Request(h.command, parts.path, dict(urllib.parse.parse_qsl(parts.query)),
                      {k.lower(): v for k, v in h.headers.items()}, body)
        with self.lock:
            self.log.append(req)
            failure = self._take_failure(req)
        if failure is not None:
            self._send(h, failure.status, failure.body or {"message": f"injected {failure.status}"}, failure.headers)
            return
        try:
            status, data, headers = self.route(req)
        except Reply as reply:
            status, data, headers = reply.status, reply.data, reply.headers
        self._send(h, status, data, headers)

    def _take_failure(self, req: Request) -> Failure | None:
        for f in self.failures:
            if f.times > 0 and (f.method in (None, req.method)) and (f.path_contains or "") in req.path:
                f.times -= 1
                return f
        return None

    def wait_at_list(self) -> None:
        barrier = self.list_barrier
        if barrier is not None:
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
            self.list_barrier = None  # one round only: later listings pass freely

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, data: Any, headers: dict[str, str]) -> None:
        raw = b"" if data is None else json.dumps(data).encode("utf-8")
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(raw)))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(raw)

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError
