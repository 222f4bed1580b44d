"""The price of requests: the only place tokens become dollars.

The provider's rules for one model: long-context tiers (a cliff on the request's input
tokens), prompt-cache reads and writes on the static prefix (write premiums, minimum
cacheable length, how often a TTL window is rewritten), batch discounts (stacked on cache
prices or not, by the provider's ``billing:`` rules), and output. Within one tier and one caching state a request's price is linear
in its tokens, so the simulator prices whole groups of requests at once from integer
token sums, and gets exactly what pricing them one by one would give.

Arithmetic is exact: rates enter as ``Fraction``s of their Decimal text, and results
leave as Fractions; the simulator rounds once, when it writes a result record.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..errors import CostgateError
from ..pricing import Model, PricePeriod, Rates
from ..pricing.model import BillingRules
from ..spec import Call
from ..spec.model import CacheTTL

MILLION = 1_000_000
ONE = Decimal(1)
_TO_DECIMAL = decimal.Context(prec=28)


def dec(value: Fraction | int) -> Decimal:
    """An exact result as a Decimal: exact when it terminates within 28 digits, else
    rounded once, here."""
    value = Fraction(value)
    return _TO_DECIMAL.divide(Decimal(value.numerator), Decimal(value.denominator))


def expected_output(call: Call, reasoning: Decimal = Decimal(0)) -> Decimal:
    """Mean visible output tokens. A ``max_tokens`` cap counts reasoning tokens too (the
    providers' completion limit covers both), so what is left for the answer is the cap
    less the mean reasoning; a cap below the declared maximum truncates the output
    distribution, modelled as exponential with the declared mean:
    E[min(X, cap)] = mean * (1 - exp(-cap / mean))."""
    mean = call.output.mean
    cap = None if call.max_tokens is None else call.max_tokens - reasoning
    if cap is None or mean == 0 or (call.output.max is not None and cap >= call.output.max):
        return mean
    if cap <= 0:
        return Decimal(0)
    return mean * (ONE - (-(cap / mean)).exp())


@dataclass(frozen=True)
class Coefficients:
    """USD per token for the parts of a request in one pricing class."""

    rest: Fraction
    """Per token outside the cached prefix (or every input token when not caching)."""
    prefix: Fraction
    """Per token of the static prefix."""
    output: Fraction
    """Per output token."""
    read: Fraction = Fraction(0)
    """Per token of resent history read back from the conversation cache."""
    write: Fraction = Fraction(0)
    """Per token of resent history not read from the cache (written by conversation caching)."""
    reasoning: Fraction = Fraction(0)
    """Per hidden reasoning token."""

    def cost(self, rest: Fraction, prefix: Fraction, output: Fraction) -> Fraction:
        return self.rest * rest + self.prefix * prefix + self.output * output


def plain_cost(rates: Rates, input_tokens: Fraction | int, output_tokens: Fraction | int = 0) -> Fraction:
    """USD for a request without levers: input at the input rate, output at the output
    rate (an embedding lookup, a router call, a summary call, the worst case)."""
    return (Fraction(input_tokens) * Fraction(rates.input)
            + Fraction(output_tokens) * Fraction(rates.output or 0)) / MILLION


def _parts(c: Coefficients) -> tuple[Fraction, ...]:
    return (c.rest, c.prefix, c.output, c.read, c.write, c.reasoning)


@dataclass(frozen=True)
class Pricing:
    """What a request on one model costs, with the call's levers applied."""

    model: Model
    base: Rates
    period: PricePeriod
    write_share: Fraction
    """Share of requests that (re)write the prompt cache."""
    ttl: CacheTTL
    caching: bool
    min_cache: int
    batch_share: Fraction
    """Share of requests sent through the batch API."""
    history_caching: bool = False
    """Conversation caching: the conversation so far is read from the cache, the new turn written."""
    rules: BillingRules = BillingRules()
    """The provider's rules for combining discounts (batch on cache prices)."""

    def rates_for(self, input_tokens: int) -> Rates:
        return self.period.rates_for(input_tokens)

    def caches(self, prefix: int) -> bool:
        """Provider prompt caching applies: on, priced, and the prefix is long enough."""
        return (self.caching and self.base.cached_input is not None and prefix > 0
                and prefix >= self.min_cache)

    def reads_history(self, cached: Fraction | int) -> bool:
        """Conversation caching reads back a request's first ``cached`` tokens (the
        previous request wrote them: they reach the provider's minimum)."""
        return (self.history_caching and self.base.cached_input is not None and cached > 0
                and cached >= self.min_cache)

    def coefficients(self, rates: Rates, caches: bool, read: bool = False, write: bool = False) -> Coefficients:
        """Per-token prices for requests billed at ``rates``, whose prefix is cached or not,
        whose history is read from the conversation cache or not and whose new turn is
        written to it or not, mixing regular and batch requests by ``batch_share``."""
        regular = self._side(rates, caches, read, write, batch=False)
        if not self.batch_share:
            return regular
        batched = self._side(rates, caches, read, write, batch=True)
        b = self.batch_share
        return Coefficients(*((1 - b) * x + b * y for x, y in zip(_parts(regular), _parts(batched))))

    def _side(self, rates: Rates, caches: bool, read: bool, write: bool, *, batch: bool) -> Coefficients:
        rate_in = Fraction(rates.input)
        explicit_write = getattr(rates, "cache_write_5m" if self.ttl == "5m" else "cache_write_1h")
        write_rate = Fraction(explicit_write or rates.input)
        out_rate = Fraction(rates.output or 0)
        reasoning_rate = Fraction(getattr(rates, "reasoning_output", None) or rates.output or 0)
        in_scale = read_scale = write_scale = Fraction(1)
        if batch:
            # The batch discount scales input by the batch/regular input ratio of the
            # applicable rates. Whether it stacks on cache prices is the provider's rule
            # (``billing:``): Anthropic discounts cache reads and writes too; OpenAI's
            # GPT-4o/4.1/o-series and Gemini bill cache reads at the standard cached rate.
            batch_in = Fraction(rates.batch_input) if rates.batch_input else (
                self._needs_batch("batch_input") * rate_in / Fraction(self.base.input))
            if rate_in:
                in_scale = batch_in / rate_in
            read_scale = in_scale if self.rules.reads_discounted else Fraction(1)
            # a write at the plain input price is ordinary input, discounted like any
            write_scale = in_scale if self.rules.writes_discounted or explicit_write is None else Fraction(1)
            if out_rate:
                batch_out = Fraction(rates.batch_output) if rates.batch_output else (
                    self._needs_batch("batch_output") * out_rate / Fraction(self.base.output or 1))
                reasoning_rate = reasoning_rate * batch_out / out_rate
                out_rate = batch_out
        plain = rate_in * in_scale
        prefix_rate = plain
        if caches and rates.cached_input is not None:
            ws = self.write_share
            prefix_rate = ws * write_rate * write_scale + (1 - ws) * Fraction(rates.cached_input) * read_scale
        read_rate = Fraction(rates.cached_input) * read_scale if read and rates.cached_input is not None else plain
        written = write_rate * write_scale if write and rates.cached_input is not None else plain
        rest_rate = written
        return Coefficients(rest_rate / MILLION, prefix_rate / MILLION, out_rate / MILLION, read_rate / MILLION,
                            written / MILLION, reasoning_rate / MILLION)

    def _needs_batch(self, field: str) -> Fraction:
        value = getattr(self.base, field)
        if value is None:
            raise CostgateError(f"model {self.model.id!r} has no batch price",
                                file=self.model.file, line=self.model.line,
                                hint="set batch: 0 for calls on this model, or add batch_input/batch_output to its price")
        return Fraction(value)
