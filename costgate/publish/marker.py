"""The marker that makes a comment ours, tags, and keeping a body under a platform's limit.

A sticky comment starts with one line, ``<!-- costgate-report tag=NAME -->``. A comment
is a candidate only when its body *starts* with exactly that line for the same tag, so a
person who quotes the marker further down (or with ``>`` in front) is never matched, and
a gate with another tag is never matched. Ownership (who wrote it) is checked as well,
in ``sticky.py``.
"""

from __future__ import annotations

import re

from ..errors import CostgateError

DEFAULT_TAG = "default"
TAG_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
PREFIX = "<!-- costgate-report"


def check_tag(tag: str) -> str:
    if not TAG_RE.fullmatch(tag):
        raise CostgateError(f"invalid --tag {tag[:80]!r}",
                            hint="a tag is 1 to 64 characters from A-Z a-z 0-9 _ . -")
    return tag


def marker(tag: str) -> str:
    return f"{PREFIX} tag={check_tag(tag)} -->"


def normalize(text: str) -> str:
    """Line endings as \\n and no trailing whitespace: how two bodies are compared."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def with_marker(body: str, tag: str) -> str:
    """The body as posted: the marker line first, then the report (an existing marker line
    for this tag at the top is not doubled)."""
    line = marker(tag)
    body = normalize(body)
    first, _, rest = body.partition("\n")
    if first.strip() == line:
        body = rest
    return f"{line}\n{body.lstrip(chr(10))}\n"


def is_marked(body: str, tag: str) -> bool:
    """True when ``body``'s first line is this tag's marker (nothing before it)."""
    first = body.replace("\r\n", "\n").split("\n", 1)[0]
    return first.rstrip() == marker(tag)


def retired(body: str, tag: str) -> str:
    """A hidden comment's body: the marker line changed so no later run takes it for the
    live sticky comment (listing APIs do not all say whether a comment is hidden)."""
    rest = body.replace("\r\n", "\n").split("\n", 1)[1:]
    return "\n".join([f"{PREFIX} tag={check_tag(tag)} retired -->", *rest])


def fit(body: str, limit: int, platform: str) -> tuple[str, bool]:
    """``body`` cut at a line boundary so that it and a visible note fit in ``limit``
    characters; an open code fence is closed. Returns (body, truncated)."""
    if len(body) <= limit:
        return body, False
    note = (f"\n\n> **Truncated by costgate:** the report is {len(body):,} characters, over {platform}'s "
            f"limit of {limit:,} for a comment. The full report is in the CI job's log or summary.\n")
    budget = limit - len(note) - len("```\n")
    if budget <= 0:
        raise CostgateError(f"the comment limit {limit} is too small for any report")
    kept: list[str] = []
    used = 0
    fences = 0
    for line in body.split("\n"):
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
        fences += line.lstrip().startswith("```")
    text = "\n".join(kept)
    if fences % 2:
        text += "\n```"
    return text + note, True
