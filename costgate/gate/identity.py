"""Which feature at head is which feature at base, and which call is which call.

A pull request may rename a feature's id, move or rename its spec file, or rename a
call while it grows the prompt; the gate must still compare the two. Features are
matched by spec path, then by feature id, then by git's rename detection (which also
finds a spec moved out of the ``specs:`` globs); calls by name, then by system-prompt
template file, then by position. What is left is added or removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Sequence, TypeVar

from ..errors import CostgateError
from ..estimate.results import CallEstimate
from ..repo import GitTree, Source
from ..repo.git import git_bytes

T = TypeVar("T")


@dataclass(frozen=True)
class Pair(Generic[T]):
    before: T | None
    after: T | None


def match_features(before: dict[str, T], after: dict[str, T], ids: dict[int, str],
                   renames: dict[str, str]) -> list[tuple[str | None, str | None]]:
    """Pairs of (base spec path, head spec path). ``before``/``after`` map spec paths to
    features, ``ids`` maps ``id(feature)`` to its feature id, ``renames`` old -> new path."""
    pairs: list[tuple[str | None, str | None]] = []
    left, right = dict(before), dict(after)
    for path in sorted(set(left) & set(right)):
        pairs.append((path, path))
        del left[path], right[path]
    by_id = {ids[id(f)]: p for p, f in right.items()}
    for path, feature in sorted(left.items()):
        other = by_id.get(ids[id(feature)])
        if other is not None and other in right:
            pairs.append((path, other))
            del right[other]
    left = {p: f for p, f in left.items() if p not in {b for b, _ in pairs}}
    for path in sorted(left):
        new = renames.get(path)
        if new is not None and new in right:
            pairs.append((path, new))
            del right[new]
        else:
            pairs.append((path, None))
    pairs += [(None, path) for path in sorted(right)]
    return pairs


def renamed_paths(base: GitTree, head: Source) -> dict[str, str]:
    """Files git sees renamed (or copied and removed) between ``base`` and ``head``:
    old path -> new path. The work tree side covers tracked files only."""
    args = ["diff", "--name-status", "-M50%", "-z", "--no-ext-diff", "--no-textconv", base.commit]
    if isinstance(head, GitTree):
        args.append(head.commit)
    out = git_bytes(Path(base.root), *args, "--").decode("utf-8", "replace").split("\0")
    renames: dict[str, str] = {}
    i = 0
    while i < len(out) - 1:
        status = out[i]
        if status.startswith("R") and i + 2 < len(out):
            renames[out[i + 1]] = out[i + 2]
            i += 3
        elif status.startswith("C") and i + 2 < len(out):
            i += 3
        else:
            i += 2
    return renames


def files_declaring(head: Source, base: GitTree, feature: str) -> list[str]:
    """Files at head (tracked or not) holding a top-level ``feature: <feature>`` line: where
    a gated feature went when its spec left the globs under a new name and new content."""
    ident = feature.replace(".", "[.]")  # ids are [a-z0-9._-]: only "." needs escaping in ERE
    # block style (feature: bot) or flow style ({"feature": "bot", ...})
    pattern = (r"(^|[{,[:space:]])[\"']?feature[\"']?[[:space:]]*:[[:space:]]*[\"']?" + ident
               + r"[\"']?[[:space:]]*([,}#]|$)")
    args = ["grep", "-l", "-I", "-z", "-E", "-e", pattern]
    if isinstance(head, GitTree):
        args += [head.commit, "--"]
    else:
        args += ["--untracked", "--"]
    try:
        out = git_bytes(Path(base.root), *args).decode("utf-8", "replace")
    except CostgateError:  # git grep exits 1 when nothing matches
        return []
    paths = [p.split(":", 1)[1] if isinstance(head, GitTree) and ":" in p else p for p in out.split("\0") if p]
    return sorted(p for p in paths if p.split("/")[0] != ".git")[:20]


def match_calls(before: Sequence[CallEstimate], after: Sequence[CallEstimate],
                spec_files: tuple[str, str]) -> list[Pair[CallEstimate]]:
    """Calls paired by name, then by the system-prompt template file they render (not an
    inline prompt, whose "file" is the spec), then by position; the rest stand alone."""
    pairs: list[Pair[CallEstimate]] = []
    left = list(before)
    right = list(after)

    def take(b: CallEstimate, a: CallEstimate) -> None:
        pairs.append(Pair(b, a))
        left.remove(b)
        right.remove(a)

    for b in list(left):
        a = next((a for a in right if a.name == b.name), None)
        if a is not None:
            take(b, a)
    for b in list(left):
        a = next((a for a in right if b.system_file and a.system_file == b.system_file
                  and b.system_file not in spec_files), None)
        if a is not None:
            take(b, a)
    for b in list(left):
        index = list(before).index(b)
        a = next((a for a in right if list(after).index(a) == index), None)
        if a is not None:
            take(b, a)
    pairs += [Pair(b, None) for b in left]
    base_order = {id(c): i for i, c in enumerate(before)}
    pairs.sort(key=lambda p: base_order[id(p.before)] if p.before is not None else 0)
    return pairs + [Pair(None, a) for a in after if a in right]
