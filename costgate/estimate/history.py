"""Conversation history policies: which earlier turns a request resends, and what a
summary policy adds. One class per policy, looked up in ``POLICIES`` by the spec's
``history`` value, so the estimator, the summary pricing and the levers ask the same
object instead of interpreting the policy each in its own way.

A "turn" is one earlier user message plus its answer. Turns are 1-based: turn 1 has no
history. ``resent_turns`` is a whole number of turns, always the most recent ones; its
``turn_tokens`` is either one size for every turn (a Decimal or an exact Fraction) or the
sizes of turns 1 .. turn - 1 in order, each turn at its own size.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Mapping, Sequence, Union

from ..spec import History

Number = Union[Decimal, Fraction]
Sizes = Union[Number, Sequence[Fraction]]


@dataclass(frozen=True)
class NoHistory:
    """``history: none``: every request stands alone."""

    def resent_turns(self, turn: int, turn_tokens: Sizes) -> int:
        return 0

    def has_summary(self, turn: int) -> bool:
        """Whether the prompt of ``turn`` carries a summary message."""
        return False

    def summarises_before(self, turn: int) -> bool:
        """Whether a summary call runs before ``turn``."""
        return False

    def can_window(self, window: int) -> bool:
        """Whether keeping only the last ``window`` turns would resend less."""
        return False


@dataclass(frozen=True)
class FullHistory(NoHistory):
    """``history: full``: every earlier turn is resent."""

    def resent_turns(self, turn: int, turn_tokens: Sizes) -> int:
        return turn - 1

    def can_window(self, window: int) -> bool:
        return True


@dataclass(frozen=True)
class WindowHistory(NoHistory):
    """``history: {window: N}``: the last N turns."""

    window: int

    def resent_turns(self, turn: int, turn_tokens: Sizes) -> int:
        return min(turn - 1, self.window)

    def can_window(self, window: int) -> bool:
        return self.window > window


@dataclass(frozen=True)
class TokenBudgetHistory(NoHistory):
    """``history: {tokens: T}``: as many whole recent turns as fit in T tokens."""

    tokens: int

    def resent_turns(self, turn: int, turn_tokens: Sizes) -> int:
        earlier = turn - 1
        if isinstance(turn_tokens, (Decimal, Fraction)):
            fit = int(self.tokens // turn_tokens) if turn_tokens > 0 else earlier
            return min(earlier, fit)
        kept, total = 0, Fraction(0)
        for size in reversed(turn_tokens[:earlier]):
            if total + size > self.tokens:
                break
            total += size
            kept += 1
        return kept


@dataclass(frozen=True)
class SummaryHistory(NoHistory):
    """``history: {summary: {every: K, tokens: S}}``: before turn jK + 1 (j >= 1) a summary
    call folds the last K turns (and the previous summary) into an S-token summary; later
    prompts carry the summary plus the turns since."""

    every: int
    tokens: int

    def resent_turns(self, turn: int, turn_tokens: Sizes) -> int:
        earlier = turn - 1
        return earlier - (earlier // self.every) * self.every

    def has_summary(self, turn: int) -> bool:
        return turn > self.every

    def summarises_before(self, turn: int) -> bool:
        return turn > 1 and (turn - 1) % self.every == 0


HistoryRule = NoHistory
POLICIES: Mapping[str, type[NoHistory]] = {
    "none": NoHistory, "full": FullHistory, "window": WindowHistory, "tokens": TokenBudgetHistory,
    "summary": SummaryHistory,
}


def rule_for(h: History) -> HistoryRule:
    """The policy object for a spec's ``history`` value."""
    if h.policy == "window":
        return WindowHistory(h.window or 0)
    if h.policy == "tokens":
        return TokenBudgetHistory(h.tokens or 0)
    if h.policy == "summary":
        return SummaryHistory(h.every or 1, h.summary_tokens or 0)
    return POLICIES[h.policy]()
