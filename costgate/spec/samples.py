"""Sample rows: the real inputs every template is rendered over.

``.txt`` holds one query per line (each row is ``{"query": line}``); ``.jsonl`` holds one
JSON object of template variables per line.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import CostgateError

MAX_SAMPLES = 100_000


def read_samples(text: str, rel: str) -> tuple[dict[str, Any], ...]:
    """The rows of samples file ``rel`` (already read as ``text``)."""
    rows: list[dict[str, Any]] = []
    # Lines end at "\n" only (JSON Lines): U+2028 and friends are valid inside a JSON string.
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if rel.endswith(".jsonl"):
        for n, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise CostgateError(f"invalid JSON: {exc.msg}", file=rel, line=n,
                                    hint="each line of a .jsonl samples file is one JSON object") from None
            except (RecursionError, ValueError) as exc:  # nesting too deep, an integer too long
                reason = "nested too deeply" if isinstance(exc, RecursionError) else "a number too long"
                raise CostgateError(f"invalid JSON: {reason}", file=rel, line=n,
                                    hint="sample rows hold flat template variables") from None
            if not isinstance(row, dict):
                raise CostgateError("each row must be a JSON object of template variables", file=rel, line=n)
            rows.append(row)
    else:
        rows = [{"query": line.strip()} for line in lines if line.strip()]
    if not rows:
        raise CostgateError("samples file has no samples", file=rel,
                            hint="add real user queries, one per line (.txt) or one JSON object per line (.jsonl)")
    if len(rows) > MAX_SAMPLES:
        raise CostgateError(f"more than {MAX_SAMPLES} samples", file=rel, hint="a representative subset is enough")
    return tuple(rows)
