"""What ``costgate init --detect`` recognises in a value: a prompt, a model id, a
``max_tokens``, a reasoning effort. Pure functions of text, shared by the readers of
YAML, JSON, TOML, ``.env`` and Python files (``detect``, ``detect_python``).

Rules as data: the names and words below are the whole of the heuristics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Literal, Mapping

from .model import EFFORTS

Role = Literal["system", "context", "user"]
"""The spec's message keys a found prompt can fill."""
SettingKind = Literal["model", "max_tokens", "reasoning_effort"]

PROMPT_NAME = re.compile(r"prompt|instruction|persona|template|system|message|preamble|user|human", re.IGNORECASE)
"""A key or variable whose name says it holds a prompt."""
ROLE_WORDS = re.compile(r"\b(you are|you're|act as|your (task|job|role|goal) is|as an? (helpful )?(ai|assistant)|"
                        r"assistant|respond|reply|answer)\b", re.IGNORECASE)
"""Words of an instruction to a model, in a long text under any name."""
USER_NAME = re.compile(r"user|human|query|question|input|request", re.IGNORECASE)
SYSTEM_NAME = re.compile(r"system|instruction|persona|preamble", re.IGNORECASE)
CONTEXT_NAME = re.compile(r"context", re.IGNORECASE)
SYSTEM_TEXT = re.compile(r"^\s*(you are|you're|act as)\b", re.IGNORECASE)
MAX_TOKEN_KEYS = ("max_tokens", "max_output_tokens", "max_completion_tokens", "max_new_tokens", "maxtokens",
                  "maxoutputtokens")
EFFORT_KEYS = ("reasoning_effort", "reasoningeffort", "effort")
MIN_NAMED, MIN_UNNAMED = 20, 80
"""Characters a prompt has at least: under a prompt-like name, or under any name."""
MAX_NODES = 100_000
"""Values of one structured file looked at, at most."""


@dataclass(frozen=True)
class FoundSetting:
    kind: SettingKind
    value: str | int
    """A canonical model id, a token count, or an effort level."""
    file: str
    line: int | None = None


def looks_like_prompt(name: str, text: str) -> bool:
    """A prompt-like name and some words, or a long multi-line text of instructions."""
    body = text.strip()
    if PROMPT_NAME.search(name) and len(body) >= MIN_NAMED and len(body.split()) >= 4:
        return True
    return len(body) >= MIN_UNNAMED and "\n" in body and ROLE_WORDS.search(body) is not None


def guess_role(name: str, text: str) -> Role:
    """system, context or user, from the name first, then from how the text starts."""
    if SYSTEM_NAME.search(name):
        return "system"
    if CONTEXT_NAME.search(name):
        return "context"
    if USER_NAME.search(name):
        return "user"
    if SYSTEM_TEXT.search(text) or "{{" not in text:
        return "system"
    return "user"


def model_id(value: str, models: Mapping[str, str]) -> str | None:
    """The canonical id of a model ``value`` names (``gpt-4o``, ``openai/gpt-4o``,
    ``openai:gpt-4o``), when the price table knows it."""
    v = value.strip()
    if not v or len(v) > 100 or any(c.isspace() for c in v):
        return None
    for candidate in (v, v.rsplit("/", 1)[-1], v.split(":", 1)[-1]):
        for c in (candidate, candidate.lower()):
            if c in models:
                return models[c]
    return None


def setting(key: str, value: Any, models: Mapping[str, str], file: str, line: int | None) -> FoundSetting | None:
    """A setting a (key, value) pair holds, if any."""
    k = key.lower().replace("-", "_")
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 < value <= 10**7 and k.endswith(MAX_TOKEN_KEYS):
        return FoundSetting("max_tokens", value, file, line)
    if not isinstance(value, str):
        return None
    if k.endswith(MAX_TOKEN_KEYS) and value.strip().isdigit() and 0 < int(value) <= 10**7:
        return FoundSetting("max_tokens", int(value), file, line)
    if k.endswith(EFFORT_KEYS) and value.strip().lower() in EFFORTS:
        return FoundSetting("reasoning_effort", value.strip().lower(), file, line)
    found = model_id(value, models)
    return None if found is None else FoundSetting("model", found, file, line)


def leaves(data: Any) -> Iterator[tuple[tuple, Any, Mapping | None]]:
    """(path, value, the mapping holding it) for every scalar of parsed data, at most
    ``MAX_NODES``, without recursion (a deep document cannot exhaust the stack)."""
    stack: list[tuple[tuple, Any, Mapping | None]] = [((), data, None)]
    seen = 0
    while stack and seen < MAX_NODES:
        path, value, parent = stack.pop()
        seen += 1
        if isinstance(value, dict):
            stack.extend((path + (k,), v, value) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((path + (i,), v, None) for i, v in reversed(list(enumerate(value))))
        else:
            yield path, value, parent


def key_path(path: tuple) -> str | None:
    """A value's dotted key path (list items by index), or None when a key cannot be
    written that way (not a string, empty, or holding a dot)."""
    parts = []
    for p in path:
        if isinstance(p, bool) or not isinstance(p, (str, int)):
            return None
        if isinstance(p, str) and (not p or "." in p):
            return None
        parts.append(str(p))
    return ".".join(parts) or None
