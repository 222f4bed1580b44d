"""What ``costgate init`` tells a person after writing the starter files: the exact
commands to run next (estimate, commit, diff), each with what it will show, for where it
ran: outside a git repository, in one without commits, or in one with commits.

Every path in a command is shell-quoted (``--dir`` may hold spaces or quotes); the
commands run from the repository root (a ``cd`` comes first when that is not the current
directory). Tests run these lines exactly as printed.
"""

from __future__ import annotations

import shlex
import textwrap

from ..repo.git import GitState

COMMAND_PREFIX = "     $ "
"""Each command is on a line of its own, after this prefix (so a script can pick them out)."""
COMMIT_MESSAGE = "Gate LLM costs with costgate"
WIDTH = 88
"""Prose lines wrap here; command lines never wrap (they are copied as they are)."""


def _cmd(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in args)


def next_steps(files: list[str], spec: str, prompt: str, budget: int, state: GitState,
               cd: str | None = None) -> list[str]:
    """The numbered next steps; ``files`` are the files written (repository-relative),
    ``spec`` and ``prompt`` the starter spec and its system prompt, ``cd`` the repository
    root when it is not the current directory."""
    git_init = {"none": "git init && ", "empty": "", "commits": ""}[state]
    where = {"none": " (this folder is not a git repository yet: the first command makes it one)",
             "empty": " (the repository has no commits yet: this is its first)", "commits": ""}[state]
    steps: list[tuple[str, str]] = []
    if cd is not None:
        steps.append(("go to the repository root, where these commands run:", _cmd("cd", cd)))
    steps += [
        (f"see what the feature costs: tokens and cost per call, per session and per month for 1,000 sessions a "
         f"day, against its ${budget:,}/month budget (today's prices; no API key, no network):",
         _cmd("costgate", "estimate", spec)),
        (f"commit the files, so the gate has a base to compare with{where}:",
         f"{git_init}{_cmd('git', 'add', '--', *files)} && {_cmd('git', 'commit', '-m', COMMIT_MESSAGE)}"),
        (f"change the prompt ({prompt}: add a paragraph, say), then see what the change costs, as the pull-request "
         "check will: system-prompt tokens and monthly cost before → after; it exits 1 when a threshold in "
         "costgate.yaml is crossed (the starter one fails a system prompt that grows by more than 10% or 200 "
         "tokens):", _cmd("costgate", "diff", "--base", "HEAD")),
    ]
    lines = ["", "Next:"]
    for i, (what, command) in enumerate(steps, 0 if cd is not None else 1):
        lines += textwrap.wrap(f"{i}. {what}", WIDTH, initial_indent="  ", subsequent_indent="     ",
                               break_long_words=False, break_on_hyphens=False)
        lines.append(COMMAND_PREFIX + command)
    lines += textwrap.wrap("Then push and open a pull request: .github/workflows/costgate.yml runs that check "
                           "on it and comments the report.", WIDTH, initial_indent="  ", subsequent_indent="  ",
                           break_long_words=False, break_on_hyphens=False)
    return lines
