"""The working tree on disk, confined to the repository root."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CostgateError
from ..limits import DEFAULT_LIMITS
from .git import git_bytes, run_with_input
from .paths import normalise

LEAVES_HINT = "use a path inside the repository, relative to the file that names it"
CHECKOUT_ATTRIBUTES = ("ident", "filter", "working-tree-encoding")
"""Git attributes under which a checked-out file differs from its blob."""


@dataclass
class WorkTree:
    """Files on disk under ``root`` (``.git`` excluded). Symlinks are followed only while
    they stay inside ``root``; FIFOs, devices and sockets are refused; nothing larger than
    ``max_bytes`` is read."""

    root: Path
    label: str = "working tree"
    max_bytes: int = DEFAULT_LIMITS.file_bytes
    digests: dict[str, str] = field(default_factory=dict, repr=False)
    """SHA-256 of each file read through ``source.read_data`` (see ``Source.digests``)."""
    _files: frozenset[str] | None = field(default=None, repr=False)
    _filtered: dict[str, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    def files(self) -> frozenset[str]:
        """Every file below the root (symlinked directories are not descended)."""
        if self._files is None:
            found: set[str] = set()
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames[:] = sorted(d for d in dirnames if d != ".git")
                base = Path(dirpath).relative_to(self.root).as_posix()
                found.update(n if base == "." else f"{base}/{n}" for n in filenames)
            self._files = frozenset(found)
        return self._files

    def exists(self, rel: str) -> bool:
        norm = normalise(rel)
        return norm is not None and os.path.lexists(self.root / norm) and not os.path.isdir(self.root / norm)

    def read_bytes(self, rel: str, max_bytes: int | None = None) -> bytes:
        limit = self.max_bytes if max_bytes is None else max_bytes
        name = "file_bytes" if max_bytes is None else "sample_bytes"
        norm = normalise(rel)
        if norm is None:
            raise CostgateError(f"path {rel!r} leaves the repository", hint=LEAVES_HINT)
        full = Path(os.path.realpath(self.root / norm))
        if full != self.root and self.root not in full.parents:
            raise CostgateError(f"{norm} is a symlink that leaves the repository", hint=LEAVES_HINT)
        self._check_way(norm)
        if ".git" in full.relative_to(self.root).parts:
            raise CostgateError(f"{norm} is inside .git", hint="costgate reads the repository's files, not git's own "
                                                                  "(which may hold credentials)")
        try:
            info = os.stat(full)
        except OSError as exc:
            raise CostgateError(f"cannot read {norm}: {exc.strerror or exc}") from None
        if not stat.S_ISREG(info.st_mode):
            raise CostgateError(f"{norm} is not a regular file", hint="name a file, not a directory, pipe or device")
        if info.st_size > limit:
            raise too_large(norm, name, limit)
        try:
            with open(full, "rb") as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            raise CostgateError(f"cannot read {norm}: {exc.strerror or exc}") from None
        if len(data) > limit:
            raise too_large(norm, name, limit)
        if norm in self.filtered():
            raise CostgateError(f"{norm} has a git attribute ({self.filtered()[norm]}) that changes it on checkout",
                                hint="base is read as committed and head as checked out; drop ident, filter and "
                                     "working-tree-encoding for prompt, sample and price files")
        return data

    def _check_way(self, norm: str) -> None:
        """Refuse what the git side cannot read the same way: an absolute symlink on the
        path, or a folder that is another repository (a checked-out submodule)."""
        parts = norm.split("/")
        for i in range(1, len(parts) + 1):
            here = self.root.joinpath(*parts[:i])
            if here.is_symlink() and os.path.isabs(os.readlink(here)):
                raise CostgateError(f"{norm}: {'/'.join(parts[:i])} is an absolute symlink",
                                    hint="use a relative symlink inside the repository (it reads the same at every ref)")
            if i < len(parts) and os.path.lexists(here / ".git"):
                raise CostgateError(f"{norm} is inside {'/'.join(parts[:i])}, another git repository (a submodule)",
                                    hint="costgate reads files of this repository only")

    def filtered(self) -> dict[str, str]:
        """Tracked files whose checkout differs from the commit (ident, filter,
        working-tree-encoding attributes): path -> the attribute."""
        if self._filtered is None:
            self._filtered = _filtered_files(self.root) if any(
                f.endswith(".gitattributes") for f in self.files()) or (self.root / ".git/info/attributes").exists() else {}
        return self._filtered


def _filtered_files(root: Path) -> dict[str, str]:
    try:
        tracked = git_bytes(root, "ls-files", "-z")
        out = run_with_input(root, ["check-attr", "-z", "--stdin", *CHECKOUT_ATTRIBUTES], tracked)
    except CostgateError:
        return {}
    fields = out.decode("utf-8", "replace").split("\0")
    found: dict[str, str] = {}
    for path, attr, value in zip(fields[0::3], fields[1::3], fields[2::3]):
        if value not in ("unspecified", "unset", ""):
            found.setdefault(path, f"{attr}={value}" if value != "set" else attr)
    return found


def too_large(rel: str, name: str, limit: int) -> CostgateError:
    return CostgateError(f"{rel} is larger than the {name} limit of {limit:,} bytes",
                         hint=f"raise it with `limits: {{{name}: N}}` in costgate.yaml on the base branch")
