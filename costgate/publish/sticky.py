"""One sticky comment per tag: find ours, decide, write, and clean up after a race.

Ours means both: the body starts with this tag's marker line (``marker.is_marked``) and
the author is the token's own identity (``owned``). Nothing else is ever edited, hidden
or deleted.

Concurrent runs: two jobs that list at the same moment both see no comment and both
post. So after any write (every behavior but ``new``) the comments are listed again and,
if more than one of ours with this tag is live, **the oldest is kept** and the others
are deleted; the run whose comment was deleted then writes its body into the oldest.
Every run applies the same rule to the same list, so they never delete each other's
keeper, and exactly one sticky comment is left.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import CostgateError
from .http import ApiError, Client
from .marker import fit, is_marked, normalize, retired, with_marker
from .model import Action, Behavior, Comment, Identity, Outcome

ACTIONS_BOT = "github-actions[bot]"


class WriteRefused(CostgateError):
    """A write the platform refused with 403 or 404 (a read-only token, as on fork PRs)."""

    def __init__(self, exc: ApiError) -> None:
        super().__init__(exc.message, hint=exc.hint)
        self.status = exc.status


class Platform(Protocol):
    """One platform's comments API (``github.py``, ``gitlab.py``, ``bitbucket.py``, ``azure.py``)."""

    name: str
    limit: int
    """The longest comment body the platform accepts, in characters."""
    can_hide: bool
    client: Client

    def where(self) -> str: ...
    def identity(self) -> Identity: ...
    def comments(self) -> list[Comment]: ...
    def create(self, body: str) -> str | None: ...
    def update(self, comment: Comment, body: str) -> None: ...
    def delete(self, comment: Comment) -> None: ...
    def hide(self, comment: Comment) -> None: ...


def _bare(login: str) -> str:
    return login.lower().removesuffix("[bot]")


def owned(comment: Comment, me: Identity) -> bool:
    """Written by the token's identity: the same user id when both are known, else the same
    login (GraphQL names a bot without REST's ``[bot]`` suffix, so that is ignored); under
    the Actions fallback only an author named github-actions[bot] whose type, when the
    API gives one, is Bot (a person's login cannot contain brackets)."""
    if me.bot_only:
        return comment.author_is_bot is not False and (comment.author_login or "").lower() == ACTIONS_BOT
    if me.user_id is not None and comment.author_id is not None:
        return me.user_id == comment.author_id
    if me.login and comment.author_login:
        return _bare(me.login) == _bare(comment.author_login)
    return False


def ours(comments: list[Comment], me: Identity, tag: str) -> list[Comment]:
    """Our comments for ``tag``, oldest first."""
    return sorted((c for c in comments if is_marked(c.body, tag) and owned(c, me)), key=lambda c: c.order)


def _guard(fn, *args):  # noqa: ANN001, ANN202
    """``fn(*args)``, a write: a 403 or 404 on it is ``WriteRefused`` (a read-only token)."""
    try:
        return fn(*args)
    except ApiError as exc:
        if exc.method != "GET" and exc.status in (403, 404):
            raise WriteRefused(exc) from None
        raise


def publish(platform: Platform, report: str, tag: str, behavior: Behavior, only_update: bool = False) -> Outcome:
    """Put ``report`` on the pull request as the sticky comment for ``tag``; with
    ``only_update``, only where one of ours already is (a "no cost change" report retires an
    earlier comment but starts none on a pull request that never had one)."""
    body, truncated = fit(with_marker(report, tag), platform.limit, platform.name)
    me = platform.identity()
    mine = ours(platform.comments(), me, tag)
    actions: list[Action] = []
    dry = platform.client.dry_run
    if only_update and not mine:
        return Outcome((Action("skip", None, reason="no comment to update"),), None, dry, truncated)
    if behavior != "new" and len(mine) == 1 and normalize(mine[0].body) == normalize(body):
        return Outcome((Action("skip", mine[0].id, reason="unchanged"),), mine[0].id, dry, truncated)
    if behavior == "update" and mine:
        keeper = mine[0]
        _guard(platform.update, keeper, body)
        actions.append(Action("update", keeper.id, body))
        for extra in mine[1:]:
            actions.append(_delete(platform, extra, "a duplicate"))
        return Outcome(tuple(actions), keeper.id, dry, truncated)
    if behavior == "delete-and-new" or (behavior == "hide-and-new" and not platform.can_hide):
        for old in mine:
            actions.append(_delete(platform, old, "replaced"))
    elif behavior == "hide-and-new":
        for old in mine:
            _guard(platform.update, old, retired(old.body, tag))
            _guard(platform.hide, old)
            actions.append(Action("hide", old.id, reason="outdated"))
    new_id: str | None = _guard(platform.create, body)
    actions.append(Action("create", new_id, body))
    if behavior != "new" and not dry:
        new_id, more = _settle(platform, me, tag, body, new_id)
        actions.extend(more)
    return Outcome(tuple(actions), new_id, dry, truncated)


def _delete(platform: Platform, comment: Comment, reason: str) -> Action:
    try:
        platform.delete(comment)
    except ApiError as exc:
        if exc.status == 404:  # a concurrent run deleted it first
            return Action("delete", comment.id, reason=f"{reason} (already gone)")
        if exc.status == 403:
            raise WriteRefused(exc) from None
        raise
    return Action("delete", comment.id, reason=reason)


def _settle(platform: Platform, me: Identity, tag: str, body: str, new_id: str | None) -> tuple[str | None, list[Action]]:
    """After a write: if a concurrent run left more than one of ours, keep the oldest."""
    mine = ours(platform.comments(), me, tag)
    if not mine or [c.id for c in mine] == [new_id]:
        return new_id, []
    keeper, actions = mine[0], []
    for extra in mine[1:]:
        actions.append(_delete(platform, extra, "a concurrent run's duplicate"))
    if keeper.id != new_id and normalize(keeper.body) != normalize(body):
        _guard(platform.update, keeper, body)
        actions.append(Action("update", keeper.id, body, reason="kept the oldest"))
    return keeper.id, actions
