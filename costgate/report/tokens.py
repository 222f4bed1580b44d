"""``costgate tokens`` as text and JSON: a ``TokenCount`` in, strings out.

Text keeps the number alone on stdout for plain text (scripts read it); what was rendered
and over what is a note for stderr, like the approximation notes. JSON keys are only
ever added (docs/json.md): ``mode``, ``variables`` and ``samples`` came with rendering.
"""

from __future__ import annotations

import json
from typing import Any

from ..estimate.template_tokens import TokenCount, stats
from .money import plain_number

SCHEMA_VERSION = 1


def _n(n: object, exact: bool) -> str:
    return f"{n}" if exact else f"~{n}"


def text(c: TokenCount) -> str:
    """The count (plain text, one rendering), the messages/tools/total lines (a request
    with tools), or the spread over the samples."""
    exact = c.tokenizer.exact
    if c.rows.mode == "samples":
        s = stats(c.totals)
        lines = [] if c.tools is None else [f"tools: {_n(c.tools.tokens, c.tools.exact)} ({c.tools.rule}), "
                                            "in every request"]
        lines += [f"{key}: {_n(value, c.exact)}" for key, value in
                  (("min", s.min), ("mean", s.mean), ("p50", s.p50), ("p95", s.p95), ("max", s.max))]
        return "\n".join(lines) + "\n"
    if c.tools is None:
        return _n(c.counts[0], exact) + "\n"
    return (f"messages: {_n(c.counts[0], exact)}\ntools: {_n(c.tools.tokens, c.tools.exact)} ({c.tools.rule})\n"
            f"total: {_n(c.totals[0], c.exact)}\n")


def to_json(c: TokenCount) -> str:
    """One document; in samples mode ``tokens`` and ``message_tokens`` are the largest
    over the rows and ``samples`` holds the spread."""
    rows = c.rows
    samples: dict[str, Any] | None = None
    if rows.samples_file is not None:
        s = stats(c.totals)
        samples = {"file": rows.samples_file, "rows": len(rows.rows), "total": rows.samples_total, "row": rows.row,
                   "min": s.min, "mean": plain_number(s.mean), "p50": s.p50, "p95": s.p95, "max": s.max}
    return json.dumps({
        "schema_version": SCHEMA_VERSION, "model": c.model, "tokenizer": c.tokenizer.name, "exact": c.exact,
        "messages": c.messages, "tokens": max(c.totals), "message_tokens": max(c.counts) if c.messages else None,
        "tool_tokens": c.tools.tokens if c.tools else 0, "tools_rule": c.tools.rule if c.tools else None,
        "mode": rows.mode, "variables": sorted(rows.variables), "samples": samples,
    }) + "\n"


FORMATS = {"text": text, "json": to_json}


def describe(c: TokenCount) -> str | None:
    """What was counted, for the first line on stderr; None for plain text counted as it
    is (nothing could have been rendered, and the output stays one number)."""
    return None if c.rows.mode == "raw" and not c.rows.asked else c.rows.describe()


def notes(c: TokenCount) -> list[str]:
    """Lines for stderr after the count: why it is approximate."""
    out = []
    if not c.tokenizer.exact:
        out.append(f"~ approximate: {c.model} uses the {c.tokenizer.name} tokenizer, estimated from o200k_base")
        if extra := getattr(c.tokenizer, "exact_with", ""):
            out.append(f"~ pip install '{extra}' counts it exactly")
    if c.tools is not None and c.tools.note:
        out.append(f"~ tools: {c.tools.note}")
    return out
