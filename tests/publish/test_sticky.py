"""The sticky rules without HTTP: who owns a comment, and what publish writes, against an
in-memory platform."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from costgate.publish.http import Client
from costgate.publish.model import Comment, Identity
from costgate.publish.sticky import owned, publish

MARK = "<!-- costgate-report tag=default -->"


def c(author_id=None, login=None, bot=None, body="x", cid="1"):
    return Comment(cid, body, author_id, login, bot, ("", int(cid)))


@pytest.mark.parametrize("comment,me,expected", [
    (c("7", "me"), Identity("7", "me"), True),
    (c("8", "me"), Identity("7", "me"), False),  # same login, other id: the id decides
    (c(None, "github-actions[bot]", True), Identity(None, "github-actions"), True),  # GraphQL's bare bot login
    (c(None, "GitHub-Actions[bot]", None), Identity(None, "github-actions[bot]", bot_only=True), True),
    (c(None, "github-actions[bot]", False), Identity(None, "github-actions[bot]", bot_only=True), False),
    (c(None, "renovate[bot]", True), Identity(None, "github-actions[bot]", bot_only=True), False),
    (c(None, None, None), Identity(None, "me"), False),
    (c("7", None), Identity(None, None), False),
])
def test_owned(comment, me, expected):
    assert owned(comment, me) is expected


@dataclass
class Fake:
    """An in-memory platform; ``create`` can say nothing about the new id."""

    comments_: list[Comment] = field(default_factory=list)
    created_id_known: bool = True
    name = "Fake"
    limit = 1000
    can_hide = False
    client: Client = field(default_factory=lambda: Client("http://127.0.0.1:1", {}, "Fake"))
    next_id: int = 10

    def where(self):
        return "here"

    def identity(self):
        return Identity("me", "me")

    def comments(self):
        return list(self.comments_)

    def create(self, body):
        self.next_id += 1
        self.comments_.append(c("me", "me", False, body, str(self.next_id)))
        return str(self.next_id) if self.created_id_known else None

    def update(self, comment, body):
        self.comments_ = [c("me", "me", False, body, x.id) if x.id == comment.id else x for x in self.comments_]

    def delete(self, comment):
        self.comments_ = [x for x in self.comments_ if x.id != comment.id]

    def hide(self, comment):
        raise AssertionError("cannot hide")


def test_an_update_removes_leftover_duplicates_and_keeps_the_oldest():
    fake = Fake([c("me", "me", False, MARK + "\na", "3"), c("me", "me", False, MARK + "\nb", "5")])
    outcome = publish(fake, "new", "default", "update")
    assert [(a.kind, a.comment_id) for a in outcome.actions] == [("update", "3"), ("delete", "5")]
    assert [(x.id, x.body) for x in fake.comments_] == [("3", MARK + "\nnew\n")]


def test_an_unknown_new_id_still_settles():
    fake = Fake(created_id_known=False)
    outcome = publish(fake, "r", "default", "delete-and-new")
    assert outcome.comment_id == "11" and len(fake.comments_) == 1


def test_hide_falls_back_to_delete_where_a_platform_cannot_hide():
    fake = Fake([c("me", "me", False, MARK + "\nold", "3")])
    outcome = publish(fake, "r", "default", "hide-and-new")
    assert [a.kind for a in outcome.actions] == ["delete", "create"]
    assert [x.body for x in fake.comments_] == [MARK + "\nr\n"]


def test_over_the_limit_is_cut_before_sending():
    fake = Fake()
    outcome = publish(fake, "line\n" * 500, "default", "update")
    assert outcome.truncated and len(fake.comments_[0].body) <= 1000


def test_only_update_starts_no_comment_but_updates_ours():
    fake = Fake([c("alice", "alice", False, MARK + "\nquoting", "2")])  # a person's comment is not ours
    outcome = publish(fake, "no change", "default", "update", only_update=True)
    assert [(a.kind, a.comment_id, a.reason) for a in outcome.actions] == [("skip", None, "no comment to update")]
    assert [x.id for x in fake.comments_] == ["2"]
    fake.comments_.append(c("me", "me", False, MARK + "\nfailed", "7"))
    outcome = publish(fake, "no change", "default", "update", only_update=True)
    assert [(a.kind, a.comment_id) for a in outcome.actions] == [("update", "7")]
    assert fake.comments_[-1].body == MARK + "\nno change\n"
