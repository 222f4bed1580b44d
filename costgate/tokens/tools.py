"""Placeholder until the tool-counting module lands (replaced by it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..errors import CostgateError
from .registry import Tokenizer


@dataclass(frozen=True)
class ToolCount:
    tokens: int
    exact: bool
    rule: str


def parse_tools(data: Any, file: str) -> tuple[dict, ...]:
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise CostgateError("tools must be a JSON list of function definitions", file=file)
    return tuple(data)


def tool_tokens(tools: Sequence[dict], *, provider: str, model_id: str, tokenizer: Tokenizer,
                tool_choice: str = "auto") -> ToolCount:
    import json

    return ToolCount(tokenizer.count(json.dumps(list(tools), separators=(",", ":"))), False, "approximate")
