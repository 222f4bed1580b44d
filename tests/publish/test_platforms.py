"""``costgate comment gitlab|bitbucket|azure-repos`` end to end against their local mocks:
create, update, skip, ownership (a person's comment with the marker), two tags,
pagination, behaviors, a read-only token, retries, two concurrent runs."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from helpers_publish import Sleeps, comment, library
from mock_azure import MockAzure
from mock_bitbucket import MockBitbucket
from mock_gitlab import MockGitLab

MARK = "<!-- costgate-report tag=default -->"


@dataclass
class Case:
    platform: str
    make: Callable[[], Any]
    args: Callable[[Any], list[str]]
    add: Callable[..., Any]
    """add(mock, body, user) -> the new comment's id."""
    bodies: Callable[[Any], list[tuple[Any, str, str]]]
    """Live comments, oldest first: (id, author key, body)."""
    bot: str
    person: str


def _gl_bodies(m):
    return [(n["id"], n["author"]["username"], n["body"]) for n in m.notes if not n["system"]]


def _bb_bodies(m):
    return [(c["id"], c["user"]["nickname"], c["content"]["raw"]) for c in m.comments if not c["deleted"]]


def _az_bodies(m):
    return [(t["id"], t["comments"][0]["author"]["uniqueName"], t["comments"][0]["content"]) for t in m.threads
            if not t["comments"][0]["isDeleted"]]


CASES = {
    "gitlab": Case("gitlab", MockGitLab, lambda m: [], lambda m, body, user: m.add_note(body, user)["id"],
                   _gl_bodies, "project_42_bot", "alice"),
    "bitbucket": Case("bitbucket", MockBitbucket, lambda m: ["--api-url", m.api],
                      lambda m, body, user: m.add_comment(body, user)["id"], _bb_bodies,
                      "costgate-access-token", "alice"),
    "azure-repos": Case("azure-repos", MockAzure, lambda m: [], lambda m, body, user: m.add_thread(body, user)["id"],
                        _az_bodies, "Build Service", "alice@example.com"),
}
BOT_TOKEN = {"gitlab": MockGitLab.BOT_TOKEN, "bitbucket": MockBitbucket.BOT_TOKEN, "azure-repos": MockAzure.BUILD_TOKEN}
BOT_USER = {"gitlab": MockGitLab.BOT, "bitbucket": MockBitbucket.BOT, "azure-repos": MockAzure.BUILD}
PERSON = {"gitlab": MockGitLab.ALICE, "bitbucket": MockBitbucket.ALICE, "azure-repos": MockAzure.ALICE}


@pytest.fixture(params=sorted(CASES))
def case(request, loopback):
    c = CASES[request.param]
    with c.make() as mock:
        yield c, mock


def run(monkeypatch, tmp_path, c, mock, body, *args, token=None):
    env = mock.env(token or BOT_TOKEN[c.platform])
    return comment(monkeypatch, tmp_path, c.platform, body, env, *c.args(mock), *args)


def test_create_update_skip(monkeypatch, tmp_path, case):
    c, mock = case
    code, out, err = run(monkeypatch, tmp_path, c, mock, "first\n")
    [(cid, author, body)] = c.bodies(mock)
    assert (code, err, author, body) == (0, "", c.bot, MARK + "\nfirst\n")
    assert out.startswith(f"costgate: posted comment {cid}")
    code, out, _ = run(monkeypatch, tmp_path, c, mock, "second\n")
    assert code == 0 and out.startswith("costgate: updated comment")
    assert c.bodies(mock) == [(cid, c.bot, MARK + "\nsecond\n")]
    writes = len(mock.writes)
    code, out, _ = run(monkeypatch, tmp_path, c, mock, "second\n")
    assert code == 0 and "is unchanged: nothing written" in out and len(mock.writes) == writes


def test_a_persons_comment_with_the_marker_and_other_tags_are_untouched(monkeypatch, tmp_path, case):
    c, mock = case
    c.add(mock, f"{MARK}\ncopied by a person", PERSON[c.platform])
    c.add(mock, f"> {MARK}\nquoted", PERSON[c.platform])
    c.add(mock, "<!-- costgate-report tag=web -->\nweb gate", BOT_USER[c.platform])
    before = c.bodies(mock)
    for behavior in ("update", "delete-and-new", "hide-and-new", "update"):
        assert run(monkeypatch, tmp_path, c, mock, f"{behavior}\n", "--behavior", behavior)[0] == 0
    after = c.bodies(mock)
    assert after[:3] == before
    live = [b for _, _, b in after[3:] if not b.startswith("<!-- costgate-report tag=default retired -->")]
    assert live == [MARK + "\nupdate\n"]
    assert len(after) == 4 + (c.platform == "azure-repos")  # Azure keeps the hidden (closed) thread


def test_pagination_finds_ours_on_a_later_page(monkeypatch, tmp_path, case):
    c, mock = case
    for i in range(23):
        c.add(mock, f"chatter {i}", PERSON[c.platform])
    ours = c.add(mock, MARK + "\nold\n", BOT_USER[c.platform])
    code, out, _ = run(monkeypatch, tmp_path, c, mock, "new\n")
    assert code == 0 and out.startswith("costgate: updated comment")
    assert c.bodies(mock)[-1] == (ours, c.bot, MARK + "\nnew\n")
    listings = [r for r in mock.log if r.method == "GET" and r.path.endswith(("/comments", "/notes", "/threads"))]
    assert len(listings) >= 2  # 24 comments take several pages on every mock


def test_a_write_refused_is_a_warning(monkeypatch, tmp_path, case):
    c, mock = case
    mock.fail(403, times=5, method="POST")
    code, out, err = run(monkeypatch, tmp_path, c, mock, "report\n")
    assert code == 0 and out == "" and "costgate: warning: could not write the" in err
    assert c.bodies(mock) == []


def test_retries_then_succeeds(monkeypatch, tmp_path, case):
    c, mock = case
    sleeps = Sleeps()
    monkeypatch.setattr("costgate.publish.http._default_sleep", sleeps)
    mock.fail(502, times=1, method="GET")
    mock.fail(429, times=1, method="POST", headers={"Retry-After": "2"})
    assert run(monkeypatch, tmp_path, c, mock, "report\n")[0] == 0
    assert sleeps == [1.0, 2.0] and len(c.bodies(mock)) == 1


def test_delete_and_new_replaces_ours(monkeypatch, tmp_path, case):
    c, mock = case
    old = c.add(mock, MARK + "\nold\n", BOT_USER[c.platform])
    assert run(monkeypatch, tmp_path, c, mock, "new\n", "--behavior", "delete-and-new")[0] == 0
    [(cid, _, body)] = c.bodies(mock)
    assert cid != old and body == MARK + "\nnew\n"


def test_a_bad_token_is_exit_2_with_a_hint(monkeypatch, tmp_path, case):
    c, mock = case
    code, out, err = run(monkeypatch, tmp_path, c, mock, "report\n", token="not-a-token")
    assert code == 2 and "HTTP 401" in err and "hint: the token was refused" in err and "not-a-token" not in err


def test_azure_hide_and_new_closes_the_old_thread(monkeypatch, tmp_path, loopback):
    with MockAzure() as az:
        old = az.add_thread(MARK + "\nold\n", MockAzure.BUILD)["id"]
        code, out, _ = comment(monkeypatch, tmp_path, "azure-repos", "new\n", az.env(az.BUILD_TOKEN),
                               "--behavior", "hide-and-new")
        first, second = az.threads
        assert code == 0 and first["id"] == old and first["status"] == "closed"
        assert first["comments"][0]["content"] == "<!-- costgate-report tag=default retired -->\nold\n"
        assert second["status"] == "active" and second["comments"][0]["content"] == MARK + "\nnew\n"


def test_gitlab_and_bitbucket_hide_falls_back_to_delete(monkeypatch, tmp_path, loopback):
    with MockGitLab() as gl:
        gl.add_note(MARK + "\nold\n", MockGitLab.BOT)
        gl.add_note("a system note", MockGitLab.BOT, system=True)
        code, out, _ = comment(monkeypatch, tmp_path, "gitlab", "new\n", gl.env(gl.BOT_TOKEN),
                               "--behavior", "hide-and-new")
        assert code == 0 and "(replaced)" in out
        assert [n["body"] for n in gl.notes] == ["a system note", MARK + "\nnew\n"]


def test_bitbucket_inline_comments_and_app_passwords(monkeypatch, tmp_path, loopback):
    with MockBitbucket() as bb:
        inline = bb.add_comment(MARK + "\ninline", MockBitbucket.BOT, inline={"path": "a.py", "to": 3})["id"]
        env = {**bb.env(), "BITBUCKET_USERNAME": "me", "BITBUCKET_APP_PASSWORD": "pw"}
        code, _, err = comment(monkeypatch, tmp_path, "bitbucket", "x\n", env, "--api-url", bb.api)
        auth = bb.log[-1].headers["authorization"]
        assert code == 2 and auth == "Basic bWU6cHc=" and "HTTP 401" in err  # base64("me:pw")
        monkeypatch.delenv("BITBUCKET_APP_PASSWORD")
        assert comment(monkeypatch, tmp_path, "bitbucket", "x\n", bb.env(bb.BOT_TOKEN), "--api-url", bb.api)[0] == 0
        assert [c["id"] for c in bb.comments][0] == inline and bb.comments[0]["content"]["raw"] == MARK + "\ninline"


def test_concurrent_runs_leave_one_comment(case):
    c, mock = case
    mock.race_lists(2)
    env = mock.env(BOT_TOKEN[c.platform])
    extra = {"api_url": mock.api} if c.platform == "bitbucket" else {}
    start, done = threading.Barrier(2), []

    def one(i):
        start.wait()
        done.append(library(c.platform, env, f"run {i}\n", **extra))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(done) == 2 and sum(1 for r in mock.log if r.method == "POST") == 2
    [(_, author, body)] = c.bodies(mock)
    assert author == c.bot and body in (MARK + "\nrun 0\n", MARK + "\nrun 1\n")
