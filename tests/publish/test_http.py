"""The HTTP client: no redirects, the token never leaves the API's host, Retry-After as a
date, connection errors retried, dry runs."""

from __future__ import annotations

import email.utils
import time

import pytest
from helpers_publish import Sleeps
from mock_base import MockServer, Reply

from costgate.errors import CostgateError
from costgate.publish.http import Client, RetryPolicy, _retry_after


class Echo(MockServer):
    def route(self, req):
        if req.path == "/redirect":
            raise Reply(301, {}, {"Location": "http://127.0.0.2:1/steal"})
        return 200, {"auth": req.headers.get("authorization")}, {}


@pytest.fixture
def echo(loopback):
    with Echo() as server:
        yield server


def test_redirects_are_not_followed(echo):
    client = Client(echo.url, {"Authorization": "Bearer secret"}, "X")
    with pytest.raises(CostgateError, match="HTTP 301") as exc:
        client.get("/redirect")
    assert "secret" not in str(exc.value) and len(echo.log) == 1
    assert "hint: the API answered with a redirect, which costgate does not follow" in str(exc.value)


def test_the_token_goes_to_the_api_host_only(echo):
    client = Client(echo.url, {"Authorization": "Bearer secret"}, "X")
    assert client.get("/ok").data == {"auth": "Bearer secret"}
    with pytest.raises(CostgateError, match="pointed to another host"):
        client.get("http://127.0.0.2:9/next-page")
    assert len(echo.log) == 1


def test_a_dry_run_sends_no_write(echo):
    client = Client(echo.url, {}, "X", dry_run=True)
    assert client.write("POST", "/comments", {"body": "b"}) is None
    assert client.planned == [("POST", f"{echo.url}/comments", {"body": "b"})] and echo.log == []


def test_an_empty_response_is_none(echo):
    echo.route = lambda req: (204, None, {})
    assert Client(echo.url, {}, "X").get("/empty").data is None


def test_retry_after_as_an_http_date():
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (_retry_after({"retry-after": when}) or 0) <= 30
    assert _retry_after({"retry-after": "12"}) == 12.0
    assert _retry_after({"retry-after": "soon"}) is None


def test_connection_errors_are_retried_then_reported(loopback):
    sleeps = Sleeps()
    client = Client("http://127.0.0.1:9", {}, "X", sleep=sleeps, retry=RetryPolicy(attempts=3))
    with pytest.raises(CostgateError, match=r"cannot reach the X API at http://127.0.0.1:9/x: .*\(gave up after 3 tries\)"):
        client.get("/x")
    assert sleeps == [1.0, 2.0]


@pytest.mark.parametrize("url", ["ftp://x", "api.github.com", "file:///etc/passwd", ""])
def test_an_api_url_must_be_http(url):
    with pytest.raises(CostgateError, match="is not an http"):
        Client(url, {}, "X")


@pytest.mark.parametrize("platform", ["github", "gitlab", "bitbucket", "azure-repos"])
def test_a_comment_id_from_the_api_stays_one_path_segment(platform):
    """An id is the API's to give; a ``/``, ``..`` or ``?`` in it must not reach another path."""
    from costgate.publish.model import Comment, Target
    from costgate.publish.platforms import connect

    env = {"GITHUB_TOKEN": "t", "GITLAB_TOKEN": "t", "BITBUCKET_TOKEN": "t", "SYSTEM_ACCESSTOKEN": "t"}
    repo = "r" if platform == "azure-repos" else "o/r"
    dest = connect(platform, Target(repo=repo, pull_request="7", api_url="https://api.example", project="p"), env,
                   dry_run=True)
    hostile, encoded = "../../../user?x=1#y", "..%2F..%2F..%2Fuser%3Fx%3D1%23y"
    azure = platform == "azure-repos"  # an Azure comment is THREAD/COMMENT: the thread id is the hostile part
    dest.delete(Comment(id=f"{hostile}/2" if azure else hostile, body="", author_id=None, author_login=None,
                        author_is_bot=None, order=("", 0), thread_id=hostile))
    ((method, url, _),) = dest.client.planned
    assert method == "DELETE" and "/../" not in url and "?x=" not in url
    assert url.endswith(f"/threads/{encoded}/comments/2?api-version=7.1" if azure else f"/{encoded}")
