"""Sample rows: the real inputs every template is rendered over.

``.txt`` holds one query per line (each row is ``{"query": line}``); ``.jsonl`` holds one
JSON object of template variables per line. Lines end at "\\n" only (JSON Lines): U+2028
and its friends are valid inside a JSON string.

A file with more rows than the ``sample_rows`` limit is not refused: its rows are read one
at a time and a seeded reservoir keeps a uniform sample of ``sample_rows`` of them (the
same rows on every run), and the report says it sampled. Means estimated from a uniform
sample are unbiased; raise the limit for a tighter estimate.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from typing import Any, Iterator

from ..errors import CostgateError
from ..limits import DEFAULT_LIMITS, WorkLimits

RESERVOIR_SEED = 20240601
"""Fixed, so the rows kept from a large file are the same on every run and machine."""


@dataclass(frozen=True)
class Samples:
    rows: tuple[dict[str, Any], ...]
    total: int
    """Rows in the file; more than ``len(rows)`` when the reservoir sampled."""


def _lines(data: bytes, rel: str) -> Iterator[tuple[int, str]]:
    for n, raw in enumerate(io.BytesIO(data), 1):
        raw = raw.rstrip(b"\n").rstrip(b"\r")
        try:
            yield n, raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CostgateError("samples file is not UTF-8 text", file=rel, line=n) from None


def _row(line: str, n: int, rel: str, jsonl: bool) -> dict[str, Any] | None:
    if not line.strip():
        return None
    if not jsonl:
        return {"query": line.strip()}
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CostgateError(f"invalid JSON: {exc.msg}", file=rel, line=n,
                            hint="each line of a .jsonl samples file is one JSON object") from None
    except (RecursionError, ValueError) as exc:  # nesting too deep, an integer too long
        reason = "nested too deeply" if isinstance(exc, RecursionError) else "a number too long"
        raise CostgateError(f"invalid JSON: {reason}", file=rel, line=n,
                            hint="sample rows hold flat template variables") from None
    if not isinstance(row, dict):
        raise CostgateError("each row must be a JSON object of template variables", file=rel, line=n)
    return row


def read_samples(data: bytes | str, rel: str, limits: WorkLimits = DEFAULT_LIMITS) -> Samples:
    """The rows of samples file ``rel`` (its bytes), sampled down to ``sample_rows``."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if data.startswith(b"\xef\xbb\xbf"):  # a byte-order mark is not part of the first row
        data = data[3:]
    keep = limits.sample_rows
    rng = random.Random(RESERVOIR_SEED)
    rows: list[dict[str, Any]] = []
    total = 0
    jsonl = rel.endswith(".jsonl")
    for n, line in _lines(data, rel):
        row = _row(line, n, rel, jsonl)
        if row is None:
            continue
        total += 1
        if len(rows) < keep:
            rows.append(row)
        else:  # Algorithm R: every row so far stays with probability keep / total
            j = rng.randrange(total)
            if j < keep:
                rows[j] = row
    if not rows:
        raise CostgateError("samples file has no samples", file=rel,
                            hint="add real user queries, one per line (.txt) or one JSON object per line (.jsonl)")
    return Samples(tuple(rows), total)
