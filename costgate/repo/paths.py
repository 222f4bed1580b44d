"""Repository-relative paths: normalising, joining, and the one glob rule.

Every path costgate reads is a POSIX path relative to the repository root. These pure
functions are shared by the work-tree and git sides, so a pattern or a ``../`` means the
same thing at base and at head.

The glob rule (documented in docs/spec.md): a pattern is matched against the whole
repository-relative path, from the root. ``*`` and ``?`` match within one path segment,
``[abc]`` a character class, and a segment that is exactly ``**`` matches zero or more
directories. ``*.costgate.yaml`` therefore matches only files at the root, and
``**/*.costgate.yaml`` matches them at any depth.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from ..errors import CostgateError


def normalise(rel: str) -> str | None:
    """``rel`` as a clean repository-relative path, or None when it leaves the repository
    (absolute, or ``..`` above the root)."""
    if not rel or "\0" in rel:
        return None
    text = rel.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:/", text):
        return None
    norm = posixpath.normpath(text)
    if norm == ".." or norm.startswith("../"):
        return None
    return norm


def join(base_file: str, rel: str) -> str:
    """Resolve ``rel`` against the directory of ``base_file`` (both repository-relative)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_file), rel))


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    parts = []
    segments = pattern.strip("/").split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
            continue
        parts.append(_segment(seg) + ("" if last else "/"))
    return re.compile("".join(parts) + r"\Z")


def _segment(seg: str) -> str:
    out, i = [], 0
    while i < len(seg):
        c = seg[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = seg.find("]", i + 2 if seg[i + 1:i + 2] in ("!", "]") else i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = seg[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\").replace("/", "") + "]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def check_pattern(pattern: str) -> str:
    """A glob from a config file must stay inside the repository."""
    if not pattern or normalise(pattern) is None or pattern.startswith("/"):
        raise CostgateError(f"glob {pattern!r} leaves the repository",
                            hint="write globs relative to the repository root, e.g. '**/*.costgate.yaml'")
    return pattern


def glob_match(path: str, pattern: str) -> bool:
    """Whether repository-relative ``path`` matches ``pattern`` under the glob rule above."""
    return _compile(pattern).match(path) is not None
