"""A call's requests as integer token components, counted once per tokenizer.

Every request of a call is (turn t, sample i). Its prompt is the static prefix (system,
plus the context when the context never changes), the rest (a changing context, the
user message, the reply priming) and the resent history. The first two are whole token
counts per rendered row and sample; the history is the same for every sample of a
turn (earlier turns at their mean size), so it is one exact number per turn. Models that
share a tokenizer share these components; only their rates differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..spec import Call
from ..tokens import ChatOverhead, Tokenizer
from .counting import count, counts
from .history import rule_for
from .render import RenderedCall


@dataclass(frozen=True)
class CallTokens:
    n: int
    """Samples."""
    prefix: tuple[tuple[int, ...], ...]
    """[row][sample]: the static prefix, message overhead included."""
    rest: tuple[tuple[int, ...], ...]
    """[row][sample]: a changing context, the user message, the reply priming."""
    history: tuple[Fraction, ...]
    """[turn]: tokens of the resent history (and summary message), the same for every sample."""
    system_text: tuple[tuple[int, ...], ...]
    context_text: tuple[tuple[int, ...], ...]
    turn_tokens: Fraction
    """One earlier turn, user message and answer, at the mean size of the first turn."""
    user_first: tuple[int, ...]
    """[sample]: the first turn's user message, overhead included."""
    summary_message: int
    """A history summary as a message (policy ``summary``), overhead included."""
    largest: tuple[int, ...]
    """[row]: the largest prefix + rest of any sample (the context-window check)."""

    def row(self, turn: int) -> int:
        return min(turn, len(self.prefix) - 1)

    def input(self, turn: int, sample: int) -> Fraction:
        r = self.row(turn)
        return self.prefix[r][sample] + self.rest[r][sample] + self.history[turn]


def _messages(tok: Tokenizer, ov: ChatOverhead, role: str, texts: list[str]) -> tuple[list[int], list[int]]:
    """(message tokens, text tokens) of each text: a missing text is no message at all."""
    raw = counts(tok, texts)
    role_tokens = ov.per_message + count(tok, role)
    return [role_tokens + n if t else 0 for t, n in zip(texts, raw)], [n if t else 0 for t, n in zip(texts, raw)]


def call_tokens(call: Call, rendered: RenderedCall, tok: Tokenizer, ov: ChatOverhead, turns: int,
                out_tokens: Decimal) -> CallTokens:
    static_context = rendered.static("context")
    prefix, rest, system_text, context_text = [], [], [], []
    user_first: list[int] = []
    for r in range(rendered.rows):
        sys_msg, sys_raw = _messages(tok, ov, "system", list(rendered.texts("system", r)))
        ctx_msg, ctx_raw = _messages(tok, ov, "system", list(rendered.texts("context", r)))
        user_msg, _ = _messages(tok, ov, "user", list(rendered.texts("user", r)))
        user_first = user_first or user_msg
        prefix.append(tuple(s + (c if static_context else 0) for s, c in zip(sys_msg, ctx_msg)))
        rest.append(tuple((0 if static_context else c) + u + ov.reply for c, u in zip(ctx_msg, user_msg)))
        system_text.append(tuple(sys_raw))
        context_text.append(tuple(ctx_raw))
    n = len(user_first)
    out = Fraction(out_tokens)
    answer = ov.per_message + count(tok, "assistant") + out if out_tokens else Fraction(0)
    turn_tokens = Fraction(sum(user_first), n) + answer
    rule = rule_for(call.history)
    summary_msg = ov.per_message + count(tok, "system") + (call.history.summary_tokens or 0)
    history = tuple(rule.resent_turns(t + 1, turn_tokens) * turn_tokens
                    + (summary_msg if rule.has_summary(t + 1) else 0) for t in range(turns))
    return CallTokens(n, tuple(prefix), tuple(rest), history, tuple(system_text), tuple(context_text), turn_tokens,
                      tuple(user_first), summary_msg,
                      tuple(max(p + q for p, q in zip(pr, re)) for pr, re in zip(prefix, rest)))
