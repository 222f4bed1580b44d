"""What a chat API bills around the messages: per-message and reply-priming tokens."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from ..errors import CostgateError
from .registry import Tokenizer


@dataclass(frozen=True)
class ChatOverhead:
    """Tokens a chat API adds around messages (OpenAI cookbook: 3 per message, +1 for a
    name, 3 priming the reply). Zero for providers that publish no such rule."""

    per_message: int = 0
    per_name: int = 0
    reply: int = 0


@dataclass(frozen=True)
class Message:
    role: str
    content: str
    name: str | None = None


def count_messages(tokenizer: Tokenizer, messages: Iterable[Message], overhead: ChatOverhead) -> int:
    """Prompt tokens of a chat request as the provider bills them."""
    total = overhead.reply
    for m in messages:
        total += overhead.per_message + tokenizer.count(m.role) + tokenizer.count(m.content)
        if m.name:
            total += overhead.per_name + tokenizer.count(m.name)
    return total


def parse_messages(text: str, file: str) -> list[Message]:
    """A JSON list of ``{role, content[, name]}`` chat messages, validated."""
    hint = '--messages expects [{"role": "system", "content": "..."}, ...]'
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CostgateError(f"invalid JSON: {exc.msg}", file=file, line=exc.lineno, hint=hint) from None
    except (RecursionError, ValueError):
        raise CostgateError("invalid JSON: nested too deeply or a number too long", file=file, hint=hint) from None
    if not isinstance(raw, list) or not all(isinstance(x, dict) and isinstance(x.get("role"), str)
                                            and isinstance(x.get("content"), str)
                                            and isinstance(x.get("name", ""), str) for x in raw):
        raise CostgateError("messages must be a list of {role, content[, name]} objects with string values",
                            file=file, hint=hint)
    return [Message(x["role"], x["content"], x.get("name")) for x in raw]
