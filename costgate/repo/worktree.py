"""The working tree on disk, confined to the repository root."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CostgateError
from ..limits import DEFAULT_LIMITS
from .paths import normalise

LEAVES_HINT = "use a path inside the repository, relative to the file that names it"


@dataclass
class WorkTree:
    """Files on disk under ``root`` (``.git`` excluded). Symlinks are followed only while
    they stay inside ``root``; FIFOs, devices and sockets are refused; nothing larger than
    ``max_bytes`` is read."""

    root: Path
    label: str = "working tree"
    max_bytes: int = DEFAULT_LIMITS.file_bytes
    _files: frozenset[str] | None = field(default=None, repr=False)

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
        return data


def too_large(rel: str, name: str, limit: int) -> CostgateError:
    return CostgateError(f"{rel} is larger than the {name} limit of {limit:,} bytes",
                         hint=f"raise it with `limits: {{{name}: N}}` in costgate.yaml on the base branch")
