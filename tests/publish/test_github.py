"""``costgate comment github`` end to end against the local mock GitHub API
(tests/publish/mock_github.py): create, update, skip, retire, fork, concurrent runs,
ownership, tags, behaviors, retries, pagination, dry run, identities, limits."""

from __future__ import annotations

import json
import threading

import pytest
from helpers_publish import Sleeps, comment, library

MARK = "<!-- costgate-report tag=default -->"
REPORT = "## costgate\n\n| feature | before | after |\n|---|---|---|\n| bot | $1.00 | $1.30 |\n"


def pr(gh, token=None):
    return {**gh.env(token or gh.ACTIONS)}


def run(monkeypatch, tmp_path, gh, body=REPORT, *args, token=None):
    return comment(monkeypatch, tmp_path, "github", body, pr(gh, token), "--pull-request", "7", *args)


def test_create_puts_the_marker_first(monkeypatch, tmp_path, github):
    code, out, err = run(monkeypatch, tmp_path, github)
    assert (code, err) == (0, "")
    [c] = github.comments
    assert c["body"] == MARK + "\n" + REPORT
    assert c["user"]["login"] == "github-actions[bot]"
    assert out == f"costgate: posted comment {c['id']} on owner/repo#7\n"


def test_update_edits_ours_in_place_then_skips_when_unchanged(monkeypatch, tmp_path, github):
    ours = github.add_comment(MARK + "\nold report\n", user=github.BOT)
    code, out, _ = run(monkeypatch, tmp_path, github)
    assert code == 0 and out == f"costgate: updated comment {ours['id']}\n"
    assert [c["id"] for c in github.comments] == [ours["id"]]
    assert github.comments[0]["body"] == MARK + "\n" + REPORT
    writes = len(github.writes)
    code, out, _ = run(monkeypatch, tmp_path, github)
    assert code == 0 and out == f"costgate: comment {ours['id']} is unchanged: nothing written\n"
    assert len(github.writes) == writes


def test_retire_is_just_a_body(monkeypatch, tmp_path, github):
    run(monkeypatch, tmp_path, github)
    run(monkeypatch, tmp_path, github, "## ✅ costgate: no cost change\n")
    [c] = github.comments
    assert c["body"] == MARK + "\n## ✅ costgate: no cost change\n"


def test_a_read_only_token_warns_and_exits_0(monkeypatch, tmp_path, github):
    """Pull requests from forks get a read-only GITHUB_TOKEN: 403 on the write."""
    code, out, err = run(monkeypatch, tmp_path, github, token=github.READ_ONLY)
    assert code == 0
    assert "costgate: warning: could not write the GitHub comment on owner/repo#7 (HTTP 403: Resource not " \
           "accessible by integration)" in err
    assert out.startswith("::warning title=costgate::could not write the GitHub comment")
    assert github.comments == []


@pytest.mark.parametrize("runs", [2, 3])
def test_two_concurrent_runs_leave_one_comment(github, runs):
    github.race_lists(runs)  # all list before any writes: all post
    env = github.env(github.ACTIONS)
    results: list = []
    start = threading.Barrier(runs)

    def one(body):
        start.wait()
        results.append(library("github", env, body, pull_request="7"))

    threads = [threading.Thread(target=one, args=(f"report {i}\n",)) for i in range(runs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == runs
    log = [(r.method, r.path[-20:]) for r in github.log]
    assert sum(1 for r in github.log if r.method == "POST" and r.path.endswith("/comments")) == runs, log  # the race
    [kept] = github.comments
    assert kept["body"] in {MARK + f"\nreport {i}\n" for i in range(runs)}
    assert kept["id"] == min(r.comment_id and int(r.comment_id) for r in results)  # the oldest is kept
    assert {r.comment_id for r in results} == {str(kept["id"])}


def test_a_person_quoting_the_marker_and_another_bot_are_never_touched(monkeypatch, tmp_path, github):
    quoted = github.add_comment(f"> {MARK}\n> old report\nwhy did this grow?", user=github.ALICE)
    lookalike = github.add_comment(f"{MARK}\nI copied the marker", user=github.ALICE)
    later = github.add_comment(f"hello\n{MARK}\n", user=github.BOT)
    renovate = github.add_comment(f"{MARK}\nnot costgate", user=github.OTHER_BOT)
    for behavior in ("update", "delete-and-new", "hide-and-new"):
        assert run(monkeypatch, tmp_path, github, REPORT, "--behavior", behavior)[0] == 0
    untouched = {c["id"]: c for c in github.comments}
    for original in (quoted, lookalike, later, renovate):
        assert untouched[original["id"]]["body"] == original["body"]
        assert not untouched[original["id"]]["minimized"]


def test_two_tags_coexist(monkeypatch, tmp_path, github):
    run(monkeypatch, tmp_path, github, "api gate\n", "--tag", "api")
    run(monkeypatch, tmp_path, github, "web gate\n", "--tag", "web")
    run(monkeypatch, tmp_path, github, "api gate, again\n", "--tag", "api")
    bodies = sorted(c["body"] for c in github.comments)
    assert bodies == ["<!-- costgate-report tag=api -->\napi gate, again\n", "<!-- costgate-report tag=web -->\nweb gate\n"]


def test_behavior_new_always_posts(monkeypatch, tmp_path, github):
    run(monkeypatch, tmp_path, github, REPORT, "--behavior", "new")
    run(monkeypatch, tmp_path, github, REPORT, "--behavior", "new")
    assert [c["body"] for c in github.comments] == [MARK + "\n" + REPORT] * 2


def test_behavior_delete_and_new(monkeypatch, tmp_path, github):
    old = github.add_comment(MARK + "\nold\n", user=github.BOT)
    code, out, _ = run(monkeypatch, tmp_path, github, REPORT, "--behavior", "delete-and-new")
    [new] = github.comments
    assert code == 0 and new["id"] != old["id"] and new["body"] == MARK + "\n" + REPORT
    assert out == f"costgate: deleted comment {old['id']} (replaced)\ncostgate: posted comment {new['id']} on owner/repo#7\n"


def test_behavior_hide_and_new_minimizes_and_retires_the_old_one(monkeypatch, tmp_path, github):
    old = github.add_comment(MARK + "\nold\n", user=github.BOT)
    assert run(monkeypatch, tmp_path, github, REPORT, "--behavior", "hide-and-new")[0] == 0
    hidden, new = github.comments
    assert hidden["id"] == old["id"] and hidden["minimized"]
    assert hidden["body"] == "<!-- costgate-report tag=default retired -->\nold\n"
    assert not new["minimized"] and new["body"] == MARK + "\n" + REPORT
    run(monkeypatch, tmp_path, github, "next push\n")  # update finds the live one, not the hidden one
    assert [c["body"] for c in github.comments] == [hidden["body"], MARK + "\nnext push\n"]


def test_skip_unchanged_applies_to_replacing_behaviors_too(monkeypatch, tmp_path, github):
    ours = github.add_comment(MARK + "\n" + REPORT, user=github.BOT)
    for behavior in ("delete-and-new", "hide-and-new"):
        code, out, _ = run(monkeypatch, tmp_path, github, REPORT, "--behavior", behavior)
        assert "unchanged: nothing written" in out
    assert github.comments == [ours] and github.writes == []


def test_retries_on_502_and_429_honour_retry_after(github):
    github.fail(502, times=2, method="GET", path_contains="/comments")
    github.fail(429, times=1, method="POST", path_contains="/comments", headers={"Retry-After": "7"})
    sleeps = Sleeps()
    outcome = library("github", github.env(github.ACTIONS), REPORT, sleeps=sleeps, pull_request="7")
    assert sleeps == [1.0, 2.0, 7.0]  # backoff 1 s doubling; then Retry-After
    assert [a.kind for a in outcome.actions] == ["create"] and len(github.comments) == 1


def test_retries_are_bounded_and_end_in_a_clear_error(monkeypatch, tmp_path, github):
    github.fail(503, times=100)
    sleeps = Sleeps()
    monkeypatch.setattr("costgate.publish.http._default_sleep", sleeps)
    code, out, err = run(monkeypatch, tmp_path, github)
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert code == 2 and out == ""
    assert "HTTP 503: injected 503 (gave up after 5 tries)" in err and "hint: the GitHub API is unavailable" in err


def test_a_retry_after_beyond_the_budget_gives_up_without_waiting(github):
    github.fail(429, times=1, headers={"Retry-After": "3600"})
    sleeps = Sleeps()
    with pytest.raises(Exception, match="gave up after 1 tries"):
        library("github", github.env(github.ACTIONS), REPORT, sleeps=sleeps, pull_request="7")
    assert sleeps == []


def test_pagination_finds_ours_past_the_first_hundred(monkeypatch, tmp_path, github):
    for i in range(130):
        github.add_comment(f"comment {i}", user=github.ALICE)
    ours = github.add_comment(MARK + "\nold\n", user=github.BOT)
    for i in range(40):
        github.add_comment(f"later {i}", user=github.ALICE)
    code, out, _ = run(monkeypatch, tmp_path, github)
    assert code == 0 and out == f"costgate: updated comment {ours['id']}\n"
    pages = [r.query.get("page", "1") for r in github.log if r.method == "GET" and r.path.endswith("/comments")]
    assert pages == ["1", "2"] and len(github.comments) == 171


def test_dry_run_writes_nothing_and_prints_each_write(monkeypatch, tmp_path, github):
    ours = github.add_comment(MARK + "\nold\n", user=github.BOT)
    code, out, _ = run(monkeypatch, tmp_path, github, REPORT, "--dry-run", "--behavior", "delete-and-new")
    assert code == 0 and github.writes == [] and github.comments == [ours]
    assert f"DELETE /repos/owner/repo/issues/comments/{ours['id']}\n" in out
    post = out.split("POST /repos/owner/repo/issues/7/comments\n", 1)[1]
    assert json.loads(post.split("\ncostgate: ", 1)[0]) == {"body": MARK + "\n" + REPORT}
    assert out.startswith("costgate: dry run: 2 write(s), none sent\n")


@pytest.mark.parametrize("mode", ["bare", "suffixed"])
def test_graphql_viewer_names_the_actions_bot(monkeypatch, tmp_path, github, mode):
    github.viewer_mode = mode
    ours = github.add_comment(MARK + "\nold\n", user=github.BOT)
    github.add_comment(MARK + "\nsomeone else's bot\n", user=github.OTHER_BOT)
    assert run(monkeypatch, tmp_path, github)[1] == f"costgate: updated comment {ours['id']}\n"


def test_a_personal_token_owns_only_its_own_comments(monkeypatch, tmp_path, github):
    """GET /user answers for a personal token: the Actions bot's comment is not ours."""
    bots = github.add_comment(MARK + "\nby the Actions bot\n", user=github.BOT)
    code, out, _ = run(monkeypatch, tmp_path, github, token=github.PAT)
    mine = [c for c in github.comments if c["user"]["login"] == "costgate-bot"]
    assert code == 0 and len(mine) == 1 and github.comments[0] == bots


def test_an_over_limit_body_is_cut_at_a_line_with_a_note(monkeypatch, tmp_path, github):
    body = "".join(f"| row {i:05d} | {'x' * 60} |\n" for i in range(1200))  # 1,200 lines of 77 characters
    code, _, err = run(monkeypatch, tmp_path, github, body)
    [c] = github.comments
    assert code == 0 and len(c["body"]) <= 65_536
    kept, note = c["body"].split("\n\n> **Truncated by costgate:**", 1)
    assert (MARK + "\n" + body).startswith(kept + "\n")
    assert len(MARK) == 36  # the marker line adds 37 characters: 92,400 + 37
    assert "92,437 characters, over GitHub's limit of 65,536" in note
    assert "over GitHub's comment limit (65,536 characters)" in err


def test_the_pull_request_number_comes_from_the_event(monkeypatch, tmp_path, github):
    event = github.write_event(tmp_path / "event.json")
    code, out, _ = comment(monkeypatch, tmp_path, "github", REPORT, github.env(github.ACTIONS, GITHUB_EVENT_PATH=event))
    assert code == 0 and "on owner/repo#7" in out


def test_the_token_is_never_printed(monkeypatch, tmp_path, github):
    monkeypatch.setattr("costgate.publish.http._default_sleep", Sleeps())
    github.tokens["ghp_secret_value"] = (github.ALICE, False)
    outputs = [run(monkeypatch, tmp_path, github, token="ghp_secret_value")]
    outputs.append(run(monkeypatch, tmp_path, github, REPORT, "--dry-run", token="ghp_secret_value"))
    github.fail(500, times=10)
    outputs.append(run(monkeypatch, tmp_path, github, token="ghp_secret_value"))
    assert all("ghp_secret_value" not in out + err for _, out, err in outputs)
