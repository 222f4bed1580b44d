"""The price of one request: the only place tokens become dollars.

Prompt tokens as billed, and the provider's rules for long-context tiers, prompt-cache
reads and writes, and batch discounts. Kept apart from the simulator so the billing rules
can be read (and tested) in one place: the simulator decides *which* requests happen
(main calls, summary calls, router calls, embedding lookups, the worst case), this decides
what each one costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from ..errors import CostgateError
from ..pricing import Model, PricePeriod, Rates
from ..spec.model import CacheTTL, Call
from ..tokens import ChatOverhead, Tokenizer

MILLION = Decimal(1_000_000)
ZERO, ONE = Decimal(0), Decimal(1)


@dataclass(frozen=True)
class RequestTokens:
    """Prompt tokens of one request, as billed (message overhead included)."""

    prefix: Decimal
    """The static, cacheable part: system (+ context when it never changes)."""
    rest: Decimal
    """Everything else: dynamic context, history, user message, reply priming."""
    output: Decimal
    system_text: int = 0
    context_text: int = 0

    @property
    def input(self) -> Decimal:
        return self.prefix + self.rest


def message_tokens(tok: Tokenizer, ov: ChatOverhead, role: str, text: str) -> int:
    if not text:
        return 0
    return ov.per_message + tok.count(role) + tok.count(text)


def expected_output(call: Call) -> Decimal:
    """Mean output tokens. A ``max_tokens`` cap below the declared maximum truncates the
    output distribution, modelled as exponential with the declared mean:
    E[min(X, cap)] = mean * (1 - exp(-cap / mean))."""
    mean = call.output.mean
    cap = call.max_tokens
    if cap is None or mean == 0 or (call.output.max is not None and cap >= call.output.max):
        return mean
    return mean * (ONE - (-(Decimal(cap) / mean)).exp())


@dataclass(frozen=True)
class Pricing:
    """What a request on one model costs, with the call's levers applied."""

    model: Model
    base: Rates
    period: PricePeriod
    write_share: Decimal
    """Share of requests that (re)write the prompt cache."""
    ttl: CacheTTL
    caching: bool
    min_cache: int

    def request(self, t: RequestTokens, batch: bool) -> Decimal:
        """USD for one request (tokens may be fractional expectations)."""
        rates = self.period.rates_for(int(math.ceil(t.input)))
        if self.caches(t.prefix) and rates.cached_input is not None:
            write = getattr(rates, "cache_write_5m" if self.ttl == "5m" else "cache_write_1h") or rates.input
            prefix_rate = self.write_share * write + (ONE - self.write_share) * rates.cached_input
            cost_in = t.rest * rates.input + t.prefix * prefix_rate
        else:
            cost_in = t.input * rates.input
        out_rate = rates.output or ZERO
        if batch:
            # Batch discounts stack on cache pricing (Anthropic, OpenAI): scale every input
            # component by the batch/regular input ratio of the applicable rates.
            batch_in = rates.batch_input or self._needs_batch("batch_input") * rates.input / self.base.input
            cost_in = cost_in * batch_in / rates.input if rates.input else cost_in
            if out_rate:
                base_out = self.base.output or out_rate
                out_rate = rates.batch_output or self._needs_batch("batch_output") * out_rate / base_out
        return (cost_in + t.output * out_rate) / MILLION

    def billed(self, t: RequestTokens, batch_share: Decimal) -> Decimal:
        """USD for a request of which ``batch_share`` goes through the batch API."""
        cost = (ONE - batch_share) * self.request(t, False)
        if batch_share:
            cost += batch_share * self.request(t, True)
        return cost

    def caches(self, prefix: Decimal) -> bool:
        """Provider prompt caching applies: on, priced, and the prefix is long enough."""
        return (self.caching and self.base.cached_input is not None and prefix > 0
                and prefix >= self.min_cache)

    def _needs_batch(self, field: str) -> Decimal:
        value = getattr(self.base, field)
        if value is None:
            raise CostgateError(f"model {self.model.id!r} has no batch price",
                                file=self.model.file, line=self.model.line,
                                hint="set batch: 0 for calls on this model, or add batch_input/batch_output to its price")
        return value


def plain_cost(rates: Rates, input_tokens: Decimal, output_tokens: Decimal = ZERO) -> Decimal:
    """USD for a request without levers: input at the input rate, output at the output
    rate (an embedding lookup, a router call, the worst case)."""
    return (input_tokens * rates.input + output_tokens * (rates.output or ZERO)) / MILLION

