"""``costgate init --detect``: a repository's prompts, LLM settings and sample files.

Read only, bounded and confined. The tree is listed by ``repo.scan`` (dependency, build
and cache folders, virtual environments and other repositories skipped; at most
``MAX_FILES`` files); candidates are read through the repository's confined
``WorkTree`` (nothing outside it, nothing over ``MAX_FILE_BYTES``, at most
``MAX_READ_BYTES`` in all); structured files go through the safe parsers (``yamlio``,
``json``, ``tomllib``) and Python through ``ast`` (``detect_python``): nothing found is
imported or run. Which files are candidates, and what counts as a prompt or a setting
(``detect_values``), are tables of names and patterns.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping

from ..errors import CostgateError
from ..repo.scan import MAX_FILES, scan
from ..repo.worktree import WorkTree
from ..yamlio import loads
from .detect_python import read_python
from .detect_values import FoundSetting, Role, guess_role, key_path, leaves, looks_like_prompt, setting

PromptKind = Literal["prompty", "template", "yaml", "python"]
TEMPLATE_EXTS = (".j2", ".jinja", ".jinja2", ".txt", ".md", ".mustache", ".hbs")
DATA_EXTS = (".yaml", ".yml", ".json", ".toml")
PROMPT_DIRS = ("prompts", "prompt")
NOT_PROMPTS = re.compile(r"(readme|licen[cs]e|changelog|changes|contributing|code_of_conduct|security|notice|"
                         r"authors|requirements)\b", re.IGNORECASE)
"""File names under prompts/ that are documentation or packaging, not prompts."""
SKIP_FILES = re.compile(r"(^|/)(costgate\.yaml|[^/]*\.costgate\.yaml|package-lock\.json|npm-shrinkwrap\.json|"
                        r"composer\.json|tsconfig[^/]*\.json)$")
"""Files whose values are not an application's LLM settings (costgate's own included)."""
TEST_PATH = re.compile(r"(^|/)(tests?|__tests__|testing)/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$")
"""Tests: their model ids and prompts are fixtures, not the application's."""
ENV_FILE = re.compile(r"(^|/)(\.env(\.[^/]*)?|[^/]+\.env)$")
MAX_FILE_BYTES = 1_000_000
MAX_READ_BYTES = 64_000_000
MAX_FOUND = 500
"""Prompts, and settings, reported at most (a proposal past that is no help)."""


@dataclass(frozen=True)
class FoundPrompt:
    kind: PromptKind
    file: str
    role: Role
    name: str
    """What names it: the file's stem, the key path, the constant."""
    key: str | None = None
    """Kind yaml: the dotted key path of the text (list items by index)."""
    symbol: str | None = None
    """Kind python: the module-level constant."""
    line: int | None = None


@dataclass(frozen=True)
class Detected:
    prompts: tuple[FoundPrompt, ...] = ()
    settings: tuple[FoundSetting, ...] = ()
    samples: tuple[str, ...] = ()
    """``.jsonl`` files: candidate samples."""
    files: int = 0
    """Files listed."""
    truncated: bool = False
    """The listing stopped at ``MAX_FILES``, or reading at ``MAX_READ_BYTES``."""
    skipped_dirs: int = 0
    skipped: tuple[tuple[str, int], ...] = ()
    """(reason, files) for candidates not read."""


def _prompt_path(rel: str) -> bool:
    parts = rel.lower().split("/")
    return any(p in PROMPT_DIRS for p in parts[:-1]) or "prompt" in parts[-1]


class _Reader:
    """Confined, bounded reads of candidate files, counting what was skipped and why."""

    def __init__(self, root: Path, files: tuple[str, ...]) -> None:
        self.tree = WorkTree(root, max_bytes=MAX_FILE_BYTES, _files=frozenset(files))
        self.left = MAX_READ_BYTES
        self.skipped: Counter[str] = Counter()

    def text(self, rel: str) -> str | None:
        if any(ord(c) < 32 or ord(c) == 127 for c in rel):
            self.skipped["a name with control characters (a spec cannot name it)"] += 1
            return None
        if self.left <= 0:
            self.skipped["over the read budget"] += 1
            return None
        try:
            data = self.tree.read_bytes(rel)
        except CostgateError as exc:
            reason = "over 1 MB" if "larger than" in exc.message else "unreadable, a link out of the repository or not a file"
            self.skipped[reason] += 1
            return None
        self.left -= len(data)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.skipped["not UTF-8 text"] += 1
            return None


def _parse(text: str, rel: str) -> tuple[Any, Any]:
    """(data, yamlio Doc or None) of a YAML, JSON or TOML file; (None, None) when it
    does not parse."""
    try:
        if rel.endswith((".yaml", ".yml")):
            doc = loads(text, rel)
            return doc.data, doc
        if rel.endswith(".json"):
            return json.loads(text), None
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # Python 3.10
            import tomli as tomllib
        return tomllib.loads(text), None
    except (CostgateError, ValueError, RecursionError, MemoryError):  # JSON and TOML errors are ValueErrors
        return None, None


def _structured(text: str, rel: str, models: Mapping[str, str], prompts: bool,
                kind: PromptKind = "yaml") -> tuple[list[FoundPrompt], list[FoundSetting]]:
    data, doc = _parse(text, rel)
    found: list[FoundPrompt] = []
    settings: list[FoundSetting] = []
    for path, value, parent in leaves(data):
        line = doc.line(path) if doc is not None else None
        name = str(path[-1]) if path else ""
        got = setting(name, value, models, rel, line)
        if got is not None:
            settings.append(got)
        if prompts and isinstance(value, str):
            key = key_path(path)
            label = ".".join(str(p) for p in path)
            if key is not None and looks_like_prompt(label, value):
                role = parent.get("role") if isinstance(parent, dict) else None
                found.append(FoundPrompt(kind, rel, role if role in ("system", "context", "user") else guess_role(label, value),
                                         key, key=key, line=line))
    return found, settings


def _prompty(text: str, rel: str, models: Mapping[str, str]) -> tuple[list[FoundPrompt], list[FoundSetting]]:
    """A .prompty file: one prompt (its messages), settings from its front matter."""
    settings: list[FoundSetting] = []
    body = text.lstrip("\ufeff")
    if body.startswith("---"):
        end = body.find("\n---", 3)
        if end != -1:
            _, settings = _structured(body[3:end], rel + ".yaml", models, prompts=False)
            settings = [FoundSetting(s.kind, s.value, rel, s.line) for s in settings]  # same line numbers
    return [FoundPrompt("prompty", rel, "system", _stem(rel))], settings


def _stem(rel: str) -> str:
    return posixpath.basename(rel).split(".", 1)[0]


def _read_one(reader: _Reader, rel: str, models: Mapping[str, str]) -> tuple[list[FoundPrompt], list[FoundSetting]]:
    """What one listed file holds (nothing for a file that is no candidate)."""
    low, prompt_path = rel.lower(), _prompt_path(rel)
    name = posixpath.basename(low)
    template = prompt_path and low.endswith(TEMPLATE_EXTS) and not NOT_PROMPTS.match(name)
    python, data = low.endswith(".py"), low.endswith(DATA_EXTS) and not SKIP_FILES.search(low)
    env = ENV_FILE.search(low) is not None
    if TEST_PATH.search(low) or not (low.endswith(".prompty") or template or python or data or env):
        return [], []
    text = reader.text(rel)
    if text is None:
        return [], []
    if low.endswith(".prompty"):
        return _prompty(text, rel, models)
    if template:
        if not text.strip():
            return [], []
        return [FoundPrompt("template", rel, guess_role(_stem(rel), text), _stem(rel))], []
    if python:
        consts, settings = read_python(text, rel, models, prompts=prompt_path)
        return [FoundPrompt("python", rel, c.role, c.symbol, symbol=c.symbol, line=c.line) for c in consts], settings
    if env:
        return [], _env(text, rel, models)
    return _structured(text, rel, models, prompts=prompt_path)


def _env(text: str, rel: str, models: Mapping[str, str]) -> list[FoundSetting]:
    """Settings of a dotenv file: ``[export] KEY=value`` lines (values are otherwise ignored)."""
    out = []
    for n, line in enumerate(text.splitlines()[:10_000], 1):
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and not key.startswith("#"):
            got = setting(key.strip(), value.strip().strip("\"'"), models, rel, n)
            if got is not None:
                out.append(got)
    return out


def detect(root: Path, models: Mapping[str, str], max_files: int = MAX_FILES) -> Detected:
    """Prompts, settings and sample files under ``root``. ``models`` maps every name the
    price table knows (ids and aliases) to its canonical id."""
    listing = scan(root, max_files)
    reader = _Reader(root, listing.files)
    prompts: list[FoundPrompt] = []
    settings: list[FoundSetting] = []
    for rel in listing.files:
        found, got = _read_one(reader, rel, models)
        prompts += found
        settings += got
    samples = tuple(f for f in listing.files if f.lower().endswith(".jsonl") and f.isprintable())
    order = {f: i for i, f in enumerate(listing.files)}
    prompts.sort(key=lambda p: (order[p.file], p.line or 0, p.name))
    settings.sort(key=lambda s: (order[s.file], s.line or 0, s.kind, str(s.value)))
    return Detected(tuple(prompts[:MAX_FOUND]), tuple(settings[:MAX_FOUND]), samples[:MAX_FOUND], len(listing.files),
                    listing.truncated or reader.left <= 0, listing.skipped_dirs, tuple(sorted(reader.skipped.items())))
