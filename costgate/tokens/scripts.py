"""Writing scripts of a text, for approximations that need a ratio per script.

A text is cut into runs of one script: ``latin``, ``code``, ``cjk``, ``cyrillic``,
``arabic``, ``emoji`` and ``other``, by Unicode ranges. Characters of no script (spaces,
digits, punctuation) join the run before them (the first run, at the start of a text).
Latin letters on a line that looks like source code count as ``code``. The runs cover
the text exactly: ``"".join(s for _, s in segments(t)) == t``.
"""

from __future__ import annotations

import re

SCRIPTS = ("latin", "code", "cjk", "cyrillic", "arabic", "emoji", "other")

_RUNS = re.compile(
    "(?P<cjk>[\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u318f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]+)"
    "|(?P<cyrillic>[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]+)"
    "|(?P<arabic>[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+)"
    "|(?P<emoji>[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff][\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
    "\ufe0f\u200d\U0001f3fb-\U0001f3ff]*)"
    "|(?P<latin>[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+)"
    "|(?P<other>[^\\W\\d_]+)")

_CODE_SYMBOLS = frozenset("{}[]()<>;=_\\|&#$*+/`\"")
_CODE_STARTS = re.compile(r"\s*(def|class|import|from|return|if|elif|else|for|while|const|let|var|function|"
                          r"public|private|static|package|func|fn|SELECT|INSERT|UPDATE|FROM|WHERE|#include|"
                          r"//|/\*|\*|#!|@\w)\b")


def looks_like_code(line: str) -> bool:
    """A line of source code rather than prose: dense in code symbols, or opened by a keyword
    and ending like a statement."""
    body = line.strip()
    if not body:
        return False
    symbols = sum(1 for ch in body if ch in _CODE_SYMBOLS)
    if symbols * 12 >= len(body) - body.count(" "):
        return True
    return bool(_CODE_STARTS.match(body)) and body[-1] in "{}():;,]"


def segments(text: str) -> list[tuple[str, str]]:
    """``text`` as consecutive (script, run) pairs, neighbours of one script merged."""
    out: list[list[str]] = []  # [script, text]
    for line in text.splitlines(keepends=True):
        code = line.isascii() and looks_like_code(line) if line.strip() else False
        pos = 0
        for m in _RUNS.finditer(line):
            script = m.lastgroup or "other"
            if script == "latin" and code:
                script = "code"
            if m.start() > pos:  # the unscripted characters before the run join the previous run
                if out:
                    out[-1][1] += line[pos:m.start()]
                else:
                    out.append([script, line[pos:m.start()]])
            if out and out[-1][0] == script:
                out[-1][1] += m.group()
            else:
                out.append([script, m.group()])
            pos = m.end()
        if pos < len(line):
            if out:
                out[-1][1] += line[pos:]
            else:
                out.append(["code" if code else "latin", line[pos:]])
    return [(s, t) for s, t in out]
