"""Token counts of many texts: each distinct text counted once per tokenizer.

An estimate renders the same static system prompt for thousands of samples, the same
query for five turns, the same document for every model of a mix: counting every
occurrence is most of an estimate's cost. Here counts are memoised per tokenizer for
the life of the process (what-if levers and alternatives reuse them), and texts not seen
yet are encoded in one batch, on every core, by tiktoken itself.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Sequence

from ..tokens import ApproxTokenizer, TiktokenTokenizer, Tokenizer
from ..tokens.encodings import LONG_BLANKS, LONG_RUN, count_tokens, load_encoding

MAX_MEMO = 2_000_000
"""Texts remembered per tokenizer; past it the memo starts afresh (a bound on memory)."""
_MEMO: dict[str, dict[str, int]] = {}


def _memo(name: str) -> dict[str, int]:
    memo = _MEMO.setdefault(name, {})
    if len(memo) > MAX_MEMO:
        memo.clear()
    return memo


def _exact_counts(name: str, texts: Iterable[str]) -> dict[str, int]:
    """Exact counts of ``texts`` with encoding ``name``, new ones encoded as one batch."""
    memo = _memo(name)
    todo = [t for t in dict.fromkeys(texts) if t not in memo]
    if todo:
        plain = [t for t in todo if len(t) < LONG_RUN or LONG_BLANKS.search(t) is None]
        for text, n in zip(plain, _encode_all(name, plain)):
            memo[text] = n
        for text in todo:
            if text not in memo:  # a long blank run: the exact, piecewise path
                memo[text] = count_tokens(name, text)
    return memo


def _encode_all(name: str, texts: list[str]) -> list[int]:
    """Token counts of ``texts``: tiktoken releases the GIL while it encodes, so large
    batches are split across one thread per core (tiktoken's own batch API spends more on
    a future per text than it gains)."""
    enc = load_encoding(name)

    def run(chunk: list[str]) -> list[int]:
        return [len(enc.encode_ordinary(t)) for t in chunk]

    workers = max(1, min(8, os.cpu_count() or 1))
    if workers == 1 or len(texts) < 2_000:
        return run(texts)
    size = -(-len(texts) // workers)
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(run, [texts[i:i + size] for i in range(0, len(texts), size)]))
    return [n for part in parts for n in part]


def counts(tok: Tokenizer, texts: Sequence[str]) -> list[int]:
    """``tok.count(t)`` for every text, each distinct text counted once."""
    if isinstance(tok, TiktokenTokenizer):
        memo = _exact_counts(tok.name, texts)
        return [memo[t] for t in texts]
    if isinstance(tok, ApproxTokenizer) and isinstance(tok.base, TiktokenTokenizer):
        approx = _memo(f"{tok.name}~{tok.ratio}~{tok.ratios}")
        todo = {t: tok.parts(t) for t in dict.fromkeys(texts) if t not in approx}
        if todo:
            base = _exact_counts(tok.base.name, [part for parts in todo.values() for _, part in parts])
            for t, parts in todo.items():
                approx[t] = tok.combine((s, base[part]) for s, part in parts)
        return [approx[t] for t in texts]
    memo = _memo(f"plugin:{tok.name}")
    for t in dict.fromkeys(texts):
        if t not in memo:
            memo[t] = tok.count(t)
    return [memo[t] for t in texts]


def count(tok: Tokenizer, text: str) -> int:
    return counts(tok, [text])[0]
