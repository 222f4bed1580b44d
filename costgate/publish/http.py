"""The one HTTP client publishing uses: the standard library's ``urllib``, JSON in and out,
a timeout on every request, retries with backoff, no redirects, and errors as
``CostgateError`` (never a traceback, never the token).

Why not ``requests`` or ``httpx``: four REST APIs, JSON only, a few calls per run; the
standard library does it without a dependency in every CI image. Redirects are refused
because urllib would forward the ``Authorization`` header to wherever a redirect points.

Retries: a 429, a 5xx, a GitHub secondary rate limit (403 with ``Retry-After`` or
``x-ratelimit-remaining: 0``) or a connection error is retried, up to ``attempts`` tries
and ``budget`` seconds in all; ``Retry-After`` (seconds or an HTTP date) is honoured, else
the wait doubles from ``backoff`` up to ``max_wait``. ``sleep`` and ``clock`` are
injectable so tests never sleep.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import CostgateError
from ..report.escape import plain
from ..version import __version__

TIMEOUT = 30.0
"""Seconds one request may take (connect and each read)."""
MAX_RESPONSE_BYTES = 20_000_000
"""Bytes one response may have (a page of 100 comments at GitHub's limit is ~6.5 MB)."""
MAX_PAGES = 100
"""Pages one listing may follow (10,000 comments at 100 a page)."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    """Header names lower-cased."""
    data: Any
    """The JSON body, or None when empty."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    backoff: float = 1.0
    max_wait: float = 30.0
    budget: float = 120.0
    """Seconds all tries and waits of one request may take."""


def _default_sleep(seconds: float) -> None:
    time.sleep(seconds)


class ApiError(CostgateError):
    """An HTTP error the API returned (after retries)."""

    def __init__(self, message: str, *, status: int, method: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.method = method


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        return None  # the 3xx becomes an HTTPError: never forward credentials elsewhere


@dataclass
class Client:
    """JSON over HTTP to one API origin with one set of credentials."""

    base_url: str
    auth_headers: dict[str, str]
    platform: str
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] | None = None
    """How to wait between tries; None: ``time.sleep`` (via ``_default_sleep``, which tests replace)."""
    clock: Callable[[], float] = time.monotonic
    timeout: float = TIMEOUT
    dry_run: bool = False
    planned: list[tuple[str, str, Any]] = field(default_factory=list)
    """In a dry run, the writes that were not sent: (method, url, JSON body)."""

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise CostgateError(f"the {self.platform} API URL {plain(self.base_url)[:200]!r} is not an http(s) URL",
                                hint="pass --api-url https://host/path")
        self._origin = (parts.scheme, parts.netloc)
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if parts.hostname in ("127.0.0.1", "localhost", "::1"):
            handlers.append(urllib.request.ProxyHandler({}))
        self._opener = urllib.request.build_opener(*handlers)

    def url(self, path: str, query: dict[str, str] | None = None) -> str:
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        if query:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
        return url

    def same_origin(self, url: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        return (parts.scheme, parts.netloc) == self._origin

    def get(self, path: str, query: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, query=query)

    def write(self, method: str, path: str, payload: Any = None, query: dict[str, str] | None = None) -> Response | None:
        """A write: sent, or in a dry run recorded in ``planned`` and not sent (None)."""
        if self.dry_run:
            self.planned.append((method, self.url(path, query), payload))
            return None
        return self.request(method, path, payload, query=query)

    def request(self, method: str, path: str, payload: Any = None, *, query: dict[str, str] | None = None) -> Response:
        url = self.url(path, query)
        if not self.same_origin(url):
            raise CostgateError(f"the {self.platform} API pointed to another host: {plain(url)[:200]}",
                                hint="costgate sends the token to the --api-url host only")
        start = self.clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(method, url, payload)
            except _Retryable as exc:
                wait = exc.wait if exc.wait is not None else min(self.retry.max_wait,
                                                                   self.retry.backoff * 2 ** (attempt - 1))
                elapsed = self.clock() - start
                if attempt >= self.retry.attempts or elapsed + wait > self.retry.budget:
                    raise exc.final(method, self.platform, attempt) from None
                (self.sleep if self.sleep is not None else _default_sleep)(wait)

    def _once(self, method: str, url: str, payload: Any) -> Response:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": f"costgate/{__version__}", **self.auth_headers}
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return _response(resp.status, resp.headers, resp.read(MAX_RESPONSE_BYTES + 1))
        except urllib.error.HTTPError as exc:
            body = exc.read(MAX_RESPONSE_BYTES + 1) if exc.fp is not None else b""
            _raise_http(method, exc.code, {k.lower(): v for k, v in exc.headers.items()}, body)
            raise AssertionError("unreachable") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:  # refused, reset, timed out
            reason = getattr(exc, "reason", None) or exc
            raise _Retryable(None, f"cannot reach the {self.platform} API at {plain(url)[:200]}: "
                                   f"{plain(str(reason))[:200]}", status=0) from None


def _response(status: int, raw_headers: Any, raw: bytes) -> Response:
    if len(raw) > MAX_RESPONSE_BYTES:
        raise CostgateError(f"an API response is over {MAX_RESPONSE_BYTES:,} bytes",
                            hint="see docs/limits.md (comment publishing)")
    headers = {k.lower(): v for k, v in raw_headers.items()}
    try:
        data = json.loads(raw) if raw.strip() else None
    except ValueError:
        raise CostgateError("the API answered with something that is not JSON",
                            hint="check --api-url: it should be the API's base URL") from None
    return Response(status, headers, data)


class _Retryable(Exception):
    def __init__(self, wait: float | None, message: str, *, status: int) -> None:
        super().__init__(message)
        self.wait = wait
        self.message = message
        self.status = status

    def final(self, method: str, platform: str, attempts: int) -> ApiError:
        return ApiError(f"{self.message} (gave up after {attempts} tries)", status=self.status, method=method,
                        hint=f"the {platform} API is unavailable or rate-limiting; run the job again later")


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
            return max(0.0, float(headers["x-ratelimit-reset"]) - time.time())
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _raise_http(method: str, status: int, headers: dict[str, str], body: bytes) -> None:
    detail = _detail(body)
    rate_limited = status == 403 and ("retry-after" in headers or headers.get("x-ratelimit-remaining") == "0")
    if status == 429 or status >= 500 or rate_limited:
        raise _Retryable(_retry_after(headers), f"HTTP {status}{detail}", status=status)
    raise ApiError(f"HTTP {status}{detail}", status=status, method=method, hint=_HINTS.get(status))


_REDIRECT = "the API answered with a redirect, which costgate does not follow (it would carry the token): " \
            "pass the API's final URL as --api-url"
_HINTS = {
    301: _REDIRECT, 302: _REDIRECT, 303: _REDIRECT, 307: _REDIRECT, 308: _REDIRECT,
    401: "the token was refused: check that the token variable is set and not expired",
    403: "the token may not do this: it needs permission to write pull-request comments",
    404: "not found: check the repository, the pull request number and the API URL "
         "(a token without read access also gets 404)",
    422: "the API refused the request body",
}


def _detail(body: bytes) -> str:
    """The API's own message, one line, short (it is printed, never the body we sent)."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    if isinstance(message, dict):  # GitLab: {"message": {"note": ["is too long"]}}
        message = json.dumps(message)
    return f": {plain(str(message))[:200]}" if message else ""


def obj(value: Any) -> dict[str, Any]:
    """``value`` if the API gave an object, else an empty one (never trust a shape)."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    """The objects of ``value`` if the API gave a list, else none."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def segment(value: str) -> str:
    """``value`` as one URL path segment: an id or name the API (or a flag) gave is
    percent-encoded, so a ``/``, ``..``, ``?`` or ``#`` in it cannot reach another path."""
    return urllib.parse.quote(value, safe="")


def created_id(resp: Response | None) -> str | None:
    """The id of what a POST created (None in a dry run or if the API did not say)."""
    value = obj(None if resp is None else resp.data).get("id")
    return None if value is None else str(value)
