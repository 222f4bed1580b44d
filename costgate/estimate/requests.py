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
    """[row][sample]: the static prefix (tool definitions, system, a static context),
    message overhead included."""
    rest: tuple[tuple[int, ...], ...]
    """[row][sample]: a changing context, the new message (the user's, or a later step's
    observation, with its images), the reply priming."""
    history: tuple[Fraction, ...]
    """[turn]: tokens of the resent history (and summary message), the same for every sample."""
    history_read: tuple[Fraction, ...]
    """[turn]: the part of ``history`` the previous request ended with, which conversation
    caching reads back; the rest of the history (the previous answer) is written."""
    system_text: tuple[tuple[int, ...], ...]
    context_text: tuple[tuple[int, ...], ...]
    sizes: tuple[Fraction, ...]
    """[turn]: one turn as later requests resend it: its new message at its mean size,
    and its visible answer (reasoning is not resent)."""
    user_first: tuple[int, ...]
    """[sample]: the first turn's user message, overhead included."""
    summary_message: int
    """A history summary as a message (policy ``summary``), overhead included."""
    largest: tuple[int, ...]
    """[row]: the largest prefix + rest of any sample (the context-window check)."""
    tools: int = 0
    """Tokens of the tool definitions in every request's prefix."""

    @property
    def turn_tokens(self) -> Fraction:
        return self.sizes[0]

    def row(self, turn: int) -> int:
        return min(turn, len(self.prefix) - 1)

    def input(self, turn: int, sample: int) -> Fraction:
        r = self.row(turn)
        return self.prefix[r][sample] + self.rest[r][sample] + self.history[turn]


@dataclass(frozen=True)
class Extras:
    """A model's additions to a call's requests: what the provider bills on top of the
    rendered messages."""

    tools: int = 0
    """Tool definitions, as billed, on every request."""
    images: tuple[int, ...] | None = None
    """[sample]: image tokens of each sample's new message (the call's own images and
    the sample's)."""
    chat: bool = True
    """False for an embedding call: the text alone, no roles, no reply."""
    exact: bool = True
    """False when a count above follows an approximate rule."""
    approximate: tuple[str, ...] = ()
    """Which: "tools", "images"."""


def _messages(tok: Tokenizer, ov: ChatOverhead, role: str, texts: list[str],
              chat: bool = True) -> tuple[list[int], list[int]]:
    """(message tokens, text tokens) of each text: a missing text is no message at all."""
    raw = counts(tok, texts)
    role_tokens = ov.role_tokens(role, count(tok, role)) if chat else 0
    return [role_tokens + n if t else 0 for t, n in zip(texts, raw)], [n if t else 0 for t, n in zip(texts, raw)]


def _new_message(call: Call, rendered: RenderedCall, r: int) -> tuple[str, list[str]]:
    """The role and texts of row r's new message: the user's, or a later step's observation."""
    if r > 0 and call.observation is not None:
        return "tool", list(rendered.texts("observation", r))
    return "user", list(rendered.texts("user", r))


def call_tokens(call: Call, rendered: RenderedCall, tok: Tokenizer, ov: ChatOverhead, turns: int,
                out_tokens: Decimal, extras: Extras = Extras()) -> CallTokens:
    static_context = rendered.static("context")
    chat = extras.chat
    reply = ov.reply if chat else 0
    prefix, rest, system_text, context_text, new_means = [], [], [], [], []
    user_first: list[int] = []
    for r in range(rendered.rows):
        sys_msg, sys_raw = _messages(tok, ov, "system", list(rendered.texts("system", r)), chat)
        ctx_msg, ctx_raw = _messages(tok, ov, "system", list(rendered.texts("context", r)), chat)
        role, texts = _new_message(call, rendered, r)
        new_msg, _ = _messages(tok, ov, role, texts, chat)
        if extras.images is not None:
            new_msg = [m + i for m, i in zip(new_msg, extras.images)]
        user_first = user_first or new_msg
        new_means.append(Fraction(sum(new_msg), len(new_msg)))
        prefix.append(tuple(extras.tools + s + (c if static_context else 0) for s, c in zip(sys_msg, ctx_msg)))
        rest.append(tuple((0 if static_context else c) + u + reply for c, u in zip(ctx_msg, new_msg)))
        system_text.append(tuple(sys_raw))
        context_text.append(tuple(ctx_raw))
    n = len(user_first)
    out = Fraction(out_tokens)
    answer = ov.role_tokens("assistant", count(tok, "assistant")) + out if out_tokens else Fraction(0)
    sizes = tuple(new_means[min(t, len(new_means) - 1)] + answer for t in range(turns))
    summary_msg = ov.role_tokens("system", count(tok, "system")) + (call.history.summary_tokens or 0)
    history, read = _history(call, sizes, answer, summary_msg, turns)
    return CallTokens(n, tuple(prefix), tuple(rest), history, read, tuple(system_text), tuple(context_text), sizes,
                      tuple(user_first), summary_msg,
                      tuple(max(p + q for p, q in zip(pr, re)) for pr, re in zip(prefix, rest)), extras.tools)


def _history(call: Call, sizes: tuple[Fraction, ...], answer: Fraction, summary_msg: int,
             turns: int) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    """Each turn's resent history (the most recent turns the policy keeps, each at its
    own size, plus a summary message), and the part of it conversation caching reads: all
    but the previous answer when the conversation continues the previous request's
    (the policy dropped nothing since), else none."""
    rule = rule_for(call.history)
    history, read, kept = [], [], []
    running = [Fraction(0)]  # running[j] = sizes of turns 1..j: a kept window is one subtraction
    for size in sizes:
        running.append(running[-1] + size)
    for t in range(turns):
        k = t + 1
        m = rule.resent_turns(k, sizes[:t])
        kept.append(m)
        summary = rule.has_summary(k)
        history.append(running[t] - running[t - m] + (summary_msg if summary else 0))
        continues = t > 0 and m == kept[t - 1] + 1 and summary == rule.has_summary(k - 1)
        read.append(history[t] - answer if continues and call.cache.history else Fraction(0))
    return tuple(history), tuple(read)
