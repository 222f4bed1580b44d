"""``costgate comment github|gitlab|bitbucket|azure-repos``: the report as one sticky
pull-request comment (the library is ``costgate.publish``; this is option parsing and
messages)."""

from __future__ import annotations

import json
import os
from typing import Any, Callable

import click

from ..errors import CostgateError
from .options import EXIT_OK, F, _apply, say

PLATFORM_HELP = {
    "github": ("GitHub", "repository OWNER/NAME  [default: $GITHUB_REPOSITORY]",
               "pull request number  [default: pull_request.number in $GITHUB_EVENT_PATH]",
               "$GITHUB_TOKEN, else $GH_TOKEN", "$GITHUB_API_URL, else https://api.github.com"),
    "gitlab": ("GitLab", "project id or group/project path  [default: $CI_PROJECT_ID]",
               "merge request IID  [default: $CI_MERGE_REQUEST_IID]",
               "$GITLAB_TOKEN, else $CI_JOB_TOKEN", "$CI_API_V4_URL, else https://gitlab.com/api/v4"),
    "bitbucket": ("Bitbucket Cloud", "WORKSPACE/REPO_SLUG  [default: $BITBUCKET_WORKSPACE/$BITBUCKET_REPO_SLUG]",
                  "pull request id  [default: $BITBUCKET_PR_ID]",
                  "$BITBUCKET_TOKEN, else $BITBUCKET_USERNAME + $BITBUCKET_APP_PASSWORD", "https://api.bitbucket.org/2.0"),
    "azure-repos": ("Azure Repos", "repository id or name  [default: $BUILD_REPOSITORY_ID]",
                    "pull request id  [default: $SYSTEM_PULLREQUEST_PULLREQUESTID]",
                    "$SYSTEM_ACCESSTOKEN", "the collection URL, $SYSTEM_COLLECTIONURI"),
}


def _options(platform: str) -> Callable[[F], F]:
    label, repo, pr, token, api = PLATFORM_HELP[platform]
    pr_names = ("--pull-request", "--merge-request") if platform == "gitlab" else ("--pull-request",)
    opts = [
        click.option("--body-file", required=True, type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
                     help="The comment's markdown (e.g. `costgate diff --format markdown -o FILE`); - for stdin."),
        click.option("--tag", default="default", show_default=True, metavar="NAME",
                     help="Which sticky comment: one per tag, so several gates can share a pull request "
                          "([A-Za-z0-9_.-], at most 64)."),
        click.option("--behavior", type=click.Choice(["update", "new", "delete-and-new", "hide-and-new"]),
                     default="update", show_default=True,
                     help="update: edit ours in place (post if none); new: always post; delete-and-new: delete "
                          "ours, post; hide-and-new: hide ours as outdated, post."),
        click.option("--only-update", is_flag=True, help="Write only where this tag's comment already is; "
                     "never start one (the Action retires an earlier report this way when nothing costed changed)."),
        click.option("--dry-run", is_flag=True, help="Read the comments, print each write (method, path, body), "
                     "send none."),
        click.option("--repo", metavar="REPO", help=f"The {label} {repo}."),
        click.option(*pr_names, "pull_request", metavar="N", help=f"The {pr}."),
        click.option("--token-env", metavar="VAR", help=f"The environment variable holding the token  "
                     f"[default: {token}]. Never pass a token itself on the command line."),
        click.option("--api-url", metavar="URL", help=f"The API's base URL  [default: {api}]."),
    ]
    if platform == "azure-repos":
        opts.append(click.option("--project", metavar="NAME", help="The team project  [default: $SYSTEM_TEAMPROJECT]."))
    return lambda f: _apply(f, opts)


def run_comment(platform: str, body_file: str, tag: str, behavior: str, dry_run: bool, only_update: bool = False,
                **target: Any) -> int:
    from ..publish.env import read_body
    from ..publish.marker import check_tag
    from ..publish.model import Target
    from ..publish.platforms import connect
    from ..publish.sticky import WriteRefused, publish

    check_tag(tag)
    report = read_body(body_file)
    dest = connect(platform, Target(**target), os.environ, dry_run=dry_run)
    try:
        outcome = publish(dest, report, tag, behavior, only_update)  # type: ignore[arg-type]
    except WriteRefused as exc:
        _refused(dest.name, dest.where(), exc)
        return EXIT_OK
    if dry_run:
        _show_plan(dest.client.planned, dest.client.base_url)
    for action in outcome.actions:
        click.echo(_describe(action, dest.where(), dry_run))
    if outcome.truncated:
        say(f"costgate: the report is over {dest.name}'s comment limit ({dest.limit:,} characters); "
            "the comment was cut at a line boundary with a note")
    return EXIT_OK


_VERBS = {"create": "posted comment {id} on {where}", "update": "updated comment {id}",
          "delete": "deleted comment {id}", "hide": "hid comment {id}",
          "skip": "comment {id} is unchanged: nothing written"}
_NOTHING_TO_UPDATE = "no earlier comment to update (--only-update): nothing written"


def _describe(action: Any, where: str, dry_run: bool) -> str:
    if action.kind == "skip" and action.comment_id is None:
        return f"costgate: {_NOTHING_TO_UPDATE}"
    text = _VERBS[action.kind].format(id=action.comment_id or "(new)", where=where)
    if action.reason and action.kind != "skip":
        text += f" ({action.reason})"
    return f"costgate: {'would have ' if dry_run and action.kind != 'skip' else ''}{text}"


def _show_plan(planned: list[tuple[str, str, Any]], base: str) -> None:
    click.echo(f"costgate: dry run: {len(planned)} write(s), none sent")
    for method, url, payload in planned:
        path = url[len(base):] if url.startswith(base) else url
        say(f"{method} {path}", err=False)
        if payload is not None:
            say(json.dumps(payload, indent=2, ensure_ascii=False), err=False)


def _refused(platform: str, where: str, exc: CostgateError) -> None:
    """A 403/404 on a write (a read-only token, as on pull requests from forks): a warning,
    exit 0; the report stays in the job's log or summary."""
    text = (f"could not write the {platform} comment on {where} ({exc.message}): the token is read-only or lacks "
            "permission to write pull-request comments, as on pull requests from forks; the report is not posted")
    say(f"costgate: warning: {text}")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from ..report.annotations import escape_data

        click.echo(f"::warning title=costgate::{escape_data(text)}")


def _make(platform: str) -> click.Command:
    label = PLATFORM_HELP[platform][0]

    @click.command(name=platform, help=f"""Post the report as the sticky comment on a {label} pull request.

    Only comments the token's own identity wrote, whose first line is this tag's marker
    (<!-- costgate-report tag=NAME -->, added here), are edited, hidden or deleted; a
    body identical to ours is not written again. See docs/comment.md.

    \b
    Exit codes: 0 written, unchanged, or refused by a read-only token (a warning);
    2 bad input or the API failed after retries.
    """)
    @_options(platform)
    def command(body_file, tag, behavior, dry_run, only_update, **target) -> int:
        return run_comment(platform, body_file, tag, behavior, dry_run, only_update, **target)

    return command


@click.group()
def comment() -> None:
    """Post a report as one sticky pull-request comment on GitHub, GitLab, Bitbucket or Azure Repos.

    \b
      costgate diff --base origin/main --format markdown -o report.md
      costgate comment github --body-file report.md
      costgate comment gitlab --body-file report.md --tag nightly --behavior hide-and-new
    """


for _name in PLATFORM_HELP:
    comment.add_command(_make(_name))
