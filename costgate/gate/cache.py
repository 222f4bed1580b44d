"""The estimate cache on disk: one JSON file per estimate, named by its key
(``gate.keys``), in ``$XDG_CACHE_HOME/costgate`` (default ``~/.cache/costgate``).

An entry is verified, never trusted: it must be valid JSON of the current format, carry
the key it is filed under, and its payload must hash to the SHA-256 it records and
decode to an ``Estimate`` (``gate.codec``: JSON, never pickle, so a poisoned file cannot
run code). Anything else (corrupt, truncated, tampered, another format, too large) is a
miss: the estimate is recomputed and the entry rewritten. Files are written atomically
(a temporary file, then ``os.replace``); a directory that is missing and cannot be made,
or is read-only, turns the cache off for the run, silently. After a run that wrote
entries, the oldest (least recently used) files are removed while the cache is over
``MAX_CACHE_BYTES`` (500 MB).

What it guarantees: equal keys mean every input was equal (``gate.keys``), so an honest
entry written by any run is right for every run. What it cannot: stop a party that can
write the cache directory from writing a well-formed wrong entry; share a cache only
between runs that trust each other (GitHub's ``actions/cache`` scopes what a pull
request's run saves to that pull request).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..estimate.results import Estimate
from .codec import CodecError, decode_estimate, encode
from .keys import FORMAT

MAX_CACHE_BYTES = 500 * 1024 * 1024
"""Size the cache is pruned back to (least recently used entries first)."""
MAX_ENTRY_BYTES = 16 * 1024 * 1024
"""Larger entries are not read (an estimate is a few kilobytes)."""
STALE_TEMP_SECONDS = 3600
"""Temporary files older than this are left over from a killed run and pruned."""


def default_cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/costgate``, else ``~/.cache/costgate``; None without a home."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "costgate"
    try:
        return Path.home() / ".cache" / "costgate"
    except RuntimeError:
        return None


def _payload_digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@dataclass
class EstimateCache:
    """Estimates by key in ``directory`` (None: no cache). Counts what it did."""

    directory: Path | None
    max_bytes: int = MAX_CACHE_BYTES
    hits: int = 0
    misses: int = 0
    writes: int = 0
    _writable: bool = field(default=True, repr=False)

    @classmethod
    def at(cls, directory: Path | str | None = None, *, enabled: bool = True) -> EstimateCache:
        """The cache in ``directory`` (default: ``default_cache_dir()``), or a disabled one."""
        if not enabled:
            return cls(None)
        return cls(Path(directory) if directory is not None else default_cache_dir())

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"v{FORMAT}" / key[:2] / f"{key}.json"

    def get(self, key: str) -> Estimate | None:
        """The verified estimate filed under ``key``, or None (a miss)."""
        if self.directory is None:
            return None
        found = self._read(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        try:
            os.utime(self.path(key))  # least recently used goes first when pruning
        except OSError:
            pass
        return found

    def _read(self, key: str) -> Estimate | None:
        try:
            with open(self.path(key), "rb") as fh:
                raw = fh.read(MAX_ENTRY_BYTES + 1)
            if len(raw) > MAX_ENTRY_BYTES:
                return None
            doc = json.loads(raw.decode("utf-8"))
            if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("key") != key:
                return None
            payload = doc.get("payload")
            if doc.get("sha256") != _payload_digest(payload):
                return None
            return decode_estimate(payload)
        except (OSError, ValueError, CodecError, RecursionError, MemoryError, TypeError):
            return None

    def put(self, key: str, estimate: Estimate) -> None:
        """File ``estimate`` under ``key`` (atomically); any failure leaves the cache as it was."""
        if self.directory is None or not self._writable:
            return
        try:
            payload = encode(estimate)
        except CodecError:
            return
        doc = {"format": FORMAT, "key": key, "sha256": _payload_digest(payload), "payload": payload}
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.parent.is_symlink() or target.parent.parent.is_symlink():
                raise OSError("a symlinked cache folder is not written through")
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(doc, fh, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
                os.replace(tmp, target)
            except BaseException:
                _unlink(Path(tmp))
                raise
        except OSError:
            self._writable = False  # read-only or full: keep reading, stop writing
            return
        self.writes += 1

    def prune(self) -> None:
        """Remove the least recently used entries while the cache holds more than
        ``max_bytes`` (only after a run that wrote: a warm run does not walk the cache).
        Symlinks are never followed, so nothing outside the cache is removed."""
        if self.directory is None or not self.writes:
            return
        entries, total, now = [], 0, time.time()
        for path, info in _files(self.directory / f"v{FORMAT}"):
            if path.name.startswith(".tmp-"):
                if now - info.st_mtime > STALE_TEMP_SECONDS:
                    _unlink(path)
                continue
            entries.append((info.st_mtime, info.st_size, path))
            total += info.st_size
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            if _unlink(path):
                total -= size


def _files(root: Path) -> list[tuple[Path, os.stat_result]]:
    """Regular files one folder below ``root`` (no symlinked folder or file is entered)."""
    found = []
    try:
        with os.scandir(root) as folders:
            for folder in folders:
                if not folder.is_dir(follow_symlinks=False):
                    continue
                with os.scandir(folder.path) as files:
                    for f in files:
                        if f.is_file(follow_symlinks=False):
                            found.append((Path(f.path), f.stat(follow_symlinks=False)))
    except OSError:
        pass
    return found


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except OSError:
        return False


__all__ = ["EstimateCache", "default_cache_dir", "MAX_CACHE_BYTES"]
