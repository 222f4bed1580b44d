"""Escaping for each destination a report goes to, so text a pull request controls (file
names, model ids from its price files, error messages quoting its specs) is shown, never
interpreted: markdown formatting, HTML, @mentions, table cells, and CI log commands.

Feature ids, call and scenario names need none of this: the spec loader only accepts
``[A-Za-z0-9_.-]`` for them.
"""

from __future__ import annotations

import html as _html
import re

ZWSP = "\u200b"
"""A zero-width space: not whitespace to .NET's TrimStart (GitHub's runner), invisible."""
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _flat(text: str) -> str:
    """One line: newlines to spaces, other control characters shown as escapes."""
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def md(text: str) -> str:
    """Plain text inside markdown: no emphasis, links, HTML, headings or mentions."""
    text = _MD_SPECIAL.sub(r"\\\1", _flat(text))
    return text.replace("&", "&amp;").replace("@", "@" + ZWSP)


def code(text: str, *, table: bool = False) -> str:
    """A markdown code span that holds ``text`` whatever backticks it contains."""
    text = _flat(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    return span.replace("|", "\\|") if table else span


def html(text: str) -> str:
    """Text inside HTML (``<summary>``): escaped, one line, no mentions."""
    return _html.escape(_flat(text), quote=True).replace("@", "@" + ZWSP)


def plain(text: str) -> str:
    """Text for a terminal table: one line, control characters (ANSI escapes) shown."""
    return _flat(text)


def neutralize_commands(text: str) -> str:
    """Lines a CI runner would act on (``::command::``, ``##[command]``) made inert by a
    zero-width space; everything else is unchanged."""
    text = text.replace("\r", "\\r")  # a carriage return would start a new log line
    if "::" not in text and "##[" not in text:
        return text
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith("::"):
            line = ZWSP + line
        lines.append(line.replace("##[", "##" + ZWSP + "["))
    return "\n".join(lines)
