"""One call priced on every model of its mix: exact means from token sums, and the
per-request costs the Monte Carlo draws from.

Requests of one turn fall into pricing classes (the long-context tier their input
reaches, whether their prefix is cached); within a class the price is linear in tokens,
so a class is priced once from its integer token sums. The per-request costs for the tail
statistics are integer femto-dollars (1e-15 USD), summed exactly.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from ..errors import CostgateError
from ..limits import WorkLimits
from ..pricing import Model, PriceTable, Rates
from ..spec import Call, Spec
from ..tokens import ApproxTokenizer, ChatOverhead, Tokenizer
from .additions import model_extras, reasoning_estimated, reasoning_tokens
from .billing import Coefficients, Pricing, dec, expected_output, plain_cost
from .counting import counts
from .history import rule_for
from .render import RenderedCall
from .requests import CallTokens, call_tokens
from .results import BoundValue, CallEstimate, ModelCost, TokenizerError
from .steps import distribution, fixed_weights, lognormal_spread

FEMTO = 10**15
MINUTES_PER_DAY = 1440
TTL_MINUTES = {"5m": 5, "1h": 60}
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
TokenCache = dict[tuple[str, str, ChatOverhead, str, Decimal], CallTokens]


@dataclass(frozen=True)
class Context:
    spec: Spec
    table: PriceTable
    as_of: date
    sessions_month: Fraction
    tokens: TokenCache
    classes: dict = field(default_factory=dict)
    """Pricing classes of a row, shared by every model and alternative that prices it alike."""


def tokenizer_error(tok: Tokenizer) -> TokenizerError | None:
    """The measured error of an approximate tokenizer; None for an exact one or a family
    whose price table declares no ``error:``."""
    if tok.exact or not isinstance(tok, ApproxTokenizer) or tok.p50_error is None or tok.p95_error is None:
        return None
    return TokenizerError(p50_error=tok.p50_error, p95_error=tok.p95_error, source=tok.source)


def monthly_grid(value: Fraction) -> Decimal:
    """Monthly money on the fixed 1e-12 grid (half to even), exactly from a Fraction."""
    return Decimal(round(value * 10**12)).scaleb(-12)


def turn_weights(per_session: Decimal) -> list[Fraction]:
    """Probability that turn k (index k-1) happens in a session."""
    return fixed_weights(per_session)


def call_weights(call: Call, work: WorkLimits) -> list[Fraction]:
    """P(turn k happens) for k = 1, 2, ...: fixed ``per_session`` or an agent's step law."""
    if call.steps is None:
        return fixed_weights(call.per_session)
    return list(distribution(call.steps, work.turns_per_session).weights)


def price_call(ctx: Context, call: Call, rendered: RenderedCall, miss: Fraction,
               tails: bool) -> tuple[CallEstimate, list[list[int]] | None]:
    """The call's estimate and, with ``tails``, each (turn, sample) request's mix-weighted
    cost in femto-dollars."""
    spec = ctx.spec
    weights = call_weights(call, spec.work)
    turns = max(1, len(weights))
    per_session = sum(weights, Fraction(0))
    extra = overheads(ctx, call, rendered)
    per_turn = [[0] * len(rendered.texts("user", 0)) for _ in range(turns)] if tails else None
    models: list[ModelCost] = []
    exact = [Fraction(0), Fraction(0)]  # the call's session cost, and its per-call cost when per_session is 0
    main = max(call.mix, key=lambda ms: (ms[1], ms[0]))[0]
    main_view: tuple[CallTokens, Pricing, Fraction, Tokenizer, Decimal, Decimal] | None = None
    for model_id, share in call.mix:
        model = ctx.table.model(model_id, as_of=ctx.as_of)
        tok, ov = ctx.table.tokenizer(model), ctx.table.overhead(model)
        reasoning = reasoning_tokens(spec, call, model)
        out_tokens = expected_output(call, reasoning)
        extras = model_extras(spec, call, model, tok)
        key = (call.name, tok.name, ov, model.id if extras.tools or extras.images else "", out_tokens)
        ct = ctx.tokens.get(key) or ctx.tokens.setdefault(
            key, call_tokens(call, rendered, tok, ov, turns, out_tokens, extras))
        check_window(spec, call, model, ct, turns)
        pricing = _pricing(ctx, call, model, Fraction(share) * miss)
        cost = _ModelCost(ct, pricing, miss * (1 + Fraction(call.retry_rate)), Fraction(out_tokens),
                          Fraction(reasoning), extra, summary_costs(call, ct, ov, pricing, turns), ctx.classes)
        turn_means = [cost.turn_mean(t) for t in range(turns)]
        session = sum((w * turn_means[t] for t, w in enumerate(weights)), Fraction(0))
        in_mean = _input_mean(ct, weights)
        exact[0] += session * Fraction(share)
        exact[1] += turn_means[0] * Fraction(share)
        models.append(ModelCost(
            model=model.id, share=share, cost_per_call=dec(session / per_session if per_session else turn_means[0]),
            cost_per_session=dec(session * Fraction(share)),
            monthly_cost=monthly_grid(session * Fraction(share) * ctx.sessions_month), input_tokens_mean=dec(in_mean),
            approximate=not tok.exact or not extras.exact or reasoning_estimated(call, model), tokenizer=tok.name,
            approximate_parts=(("tokenizer",) if not tok.exact else ()) + extras.approximate
            + (("reasoning",) if reasoning_estimated(call, model) else ()), approximation=tokenizer_error(tok)))
        if per_turn is not None:
            cost.add_requests(per_turn, Fraction(share))
        if model_id == main:
            main_view = (ct, pricing, in_mean, tok, out_tokens, reasoning)
    assert main_view is not None
    per_call = exact[0] / per_session if per_session else exact[1]
    mass_key = ("input_mass", id(main_view[0]), call.name)  # alternatives share the main model's tokens
    mass = ctx.classes.get(mass_key) or ctx.classes.setdefault(mass_key, input_mass(main_view[0], weights))
    return call_estimate(call, tuple(models), mass, per_call, *main_view, rendered.written_system), per_turn


def reasoning_spread(ctx: Context, call: Call, miss: Fraction) -> tuple[int, ...] | None:
    """Femto-dollar deviations from the mean reasoning cost that the tails draw one of per
    request, when the spec gives reasoning a p95 (None otherwise: reasoning at its mean)."""
    r = call.reasoning
    if r is None or r.mean is None or r.p95 is None or r.p95 <= r.mean:
        return None
    rate = Fraction(0)
    for model_id, share in call.mix:
        model = ctx.table.model(model_id, as_of=ctx.as_of)
        pricing = _pricing(ctx, call, model, Fraction(share) * miss)
        rate += pricing.coefficients(pricing.period.rates, False).reasoning * Fraction(share)
    per_token = float(rate * miss * (1 + Fraction(call.retry_rate)) * FEMTO)
    return tuple(round(d * per_token) for d in lognormal_spread(r.mean, r.p95))


Flags = tuple[int, bool, bool, bool]
"""A pricing class: (tier index, prefix cached, history read from the cache, new turn written to it)."""


class _ModelCost:
    """A call's requests on one model: each turn's pricing classes and their costs."""

    def __init__(self, ct: CallTokens, pricing: Pricing, scale: Fraction, out: Fraction, reasoning: Fraction,
                 extra: list[list[Fraction]] | None, summaries: list[Fraction], shared: dict) -> None:
        self.ct, self.pricing, self.scale, self.out, self.extra, self.summaries = ct, pricing, scale, out, extra, summaries
        self.reasoning = reasoning
        self.extra_means = [sum(row, Fraction(0)) / len(row) for row in extra] if extra is not None else None
        self.shared = shared

    def flags(self, p: int, rest: int, t: int, lift: int) -> Flags:
        pricing, ct = self.pricing, self.ct
        tiers = pricing.period.tiers
        tier = sum(1 for x in tiers if p + rest + lift > x.above) if tiers else 0
        if not pricing.history_caching:
            return tier, pricing.caches(p), False, False
        read = ct.history_read[t]
        return (tier, pricing.caches(p), bool(read) and pricing.reads_history(p + read),
                pricing.reads_history(p + rest + lift))

    def classes(self, t: int) -> dict[Flags, list[int]]:
        """Pricing class -> [requests, sum of rest tokens, sum of prefix tokens]."""
        ct, r, pricing = self.ct, self.ct.row(t), self.pricing
        tiers = pricing.period.tiers
        lift = math.ceil(ct.history[t])
        key = (id(ct), r, lift if tiers or pricing.history_caching else 0, ct.history_read[t], tiers,
               pricing.caching, pricing.history_caching, pricing.min_cache, pricing.base.cached_input is not None)
        if key not in self.shared:
            out: dict[Flags, list[int]] = {}
            simple = not tiers and not pricing.history_caching  # the class depends on the prefix alone
            by_prefix: dict[int, Flags] = {}
            for p, rest in zip(ct.prefix[r], ct.rest[r]):
                if simple:
                    flags = by_prefix.get(p) or by_prefix.setdefault(p, (0, pricing.caches(p), False, False))
                else:
                    flags = self.flags(p, rest, t, lift)
                acc = out.setdefault(flags, [0, 0, 0])
                acc[0] += 1
                acc[1] += rest
                acc[2] += p
            self.shared[key] = out
        return self.shared[key]

    def rates(self, tier: int) -> Rates:
        period = self.pricing.period
        return period.rates if tier == 0 else sorted(period.tiers, key=lambda x: x.above)[tier - 1].rates

    def coefficients(self, key: Flags) -> Coefficients:
        return self.pricing.coefficients(self.rates(key[0]), key[1], key[2], key[3])

    def per_request(self, coef: Coefficients, t: int) -> Fraction:
        """What every request of turn t pays whatever its sample: history, output, reasoning."""
        h, read = self.ct.history[t], self.ct.history_read[t]
        return coef.read * read + coef.write * (h - read) + coef.output * self.out + coef.reasoning * self.reasoning

    def turn_mean(self, t: int) -> Fraction:
        total = Fraction(0)
        for key, (n, rest, prefix) in self.classes(t).items():
            coef = self.coefficients(key)
            total += coef.rest * rest + coef.prefix * prefix + n * self.per_request(coef, t)
        extra = self.extra_means[min(t, len(self.extra_means) - 1)] if self.extra_means else Fraction(0)
        return self.scale * total / self.ct.n + extra + self.summaries[t]

    def add_requests(self, per_turn: list[list[int]], share: Fraction) -> None:
        """Add this model's share of every request's cost, in femto-dollars."""
        ct = self.ct
        extra = None if self.extra is None else [
            [(math.floor(e * FEMTO) * share.numerator) // share.denominator for e in row] for row in self.extra]
        for t, row_costs in enumerate(per_turn):
            r = ct.row(t)
            lift = math.ceil(ct.history[t])
            memo: dict[Flags, tuple[int, int, int, int]] = {}
            simple = not self.pricing.period.tiers and not self.pricing.history_caching
            caches = self.pricing.caches
            for i, (p, rest) in enumerate(zip(ct.prefix[r], ct.rest[r])):
                key = (0, caches(p), False, False) if simple else self.flags(p, rest, t, lift)
                coef = memo.get(key)
                if coef is None:
                    coef = memo[key] = self._integer_coefficients(key, t, share)
                a, b, c, den = coef
                row_costs[i] += (a * rest + b * p + c) // den
            if extra is not None:
                for i, e in enumerate(extra[min(t, len(extra) - 1)]):
                    row_costs[i] += e

    def _integer_coefficients(self, key: Flags, t: int, share: Fraction) -> tuple[int, int, int, int]:
        coef = self.coefficients(key)
        scale = self.scale * share * FEMTO
        a, b = coef.rest * scale, coef.prefix * scale
        c = self.per_request(coef, t) * scale + self.summaries[t] * share * FEMTO
        den = math.lcm(a.denominator, b.denominator, c.denominator)
        return int(a * den), int(b * den), int(c * den), den


def _pricing(ctx: Context, call: Call, model: Model, served: Fraction) -> Pricing:
    """The call's levers on one model. ``served`` is the share of the call's requests
    that reach it, which decides how often the prompt cache is rewritten within its TTL."""
    period = model.price_at(ctx.as_of)
    ttl = call.cache.ttl
    days = Fraction(ctx.spec.traffic.days_per_month)
    per_window = ctx.sessions_month * Fraction(call.per_session) * served / (days * MINUTES_PER_DAY) * TTL_MINUTES[ttl]
    return Pricing(model=model, base=period.rates, period=period,
                   write_share=Fraction(1) if per_window <= 1 else 1 / per_window, ttl=ttl,
                   caching=call.cache.prompt_prefix or call.cache.history, min_cache=model.cache_min_tokens or 0,
                   batch_share=Fraction(call.batch), history_caching=call.cache.history,
                   rules=ctx.table.billing(model))


def _input_mean(ct: CallTokens, weights: list[Fraction]) -> Fraction:
    def turn(t: int) -> Fraction:
        r = ct.row(t)
        return Fraction(sum(ct.prefix[r]) + sum(ct.rest[r]), ct.n) + ct.history[t]

    if not weights:
        return turn(0)
    return sum((w * turn(t) for t, w in enumerate(weights)), Fraction(0)) / sum(weights, Fraction(0))


def check_window(spec: Spec, call: Call, model: Model, ct: CallTokens, turns: int) -> None:
    """A request larger than the model's context window would be refused by the provider."""
    window = model.context_window
    if not window:
        return
    for t in range(turns):
        r = ct.row(t)
        largest = ct.largest[r] + ct.history[t]
        if largest > window:
            raise CostgateError(
                f"call {call.name!r} sends {math.ceil(largest):,} input tokens at turn {t + 1} on "
                f"{model.id}, over its {window:,}-token context window", file=spec.file, line=call.line,
                hint="bound the history (history: {window: N} or {tokens: N}), shorten the prompt, or pick a model "
                     "with a larger window")


def summary_costs(call: Call, ct: CallTokens, ov: ChatOverhead, pricing: Pricing, turns: int) -> list[Fraction]:
    """History policy `summary`: before turn k = jK + 1 (j >= 1) a summary call reads the
    K turns being folded (plus the previous summary) and writes an S-token summary."""
    costs = [Fraction(0)] * turns
    h = call.history
    if h.policy != "summary":
        return costs
    rule = rule_for(h)
    summary_msg = ct.summary_message
    for t in range(turns):
        k = t + 1
        if rule.summarises_before(k):
            previous = summary_msg if rule.has_summary(k - 1) else 0
            folded = ct.sizes[max(0, k - 1 - (h.every or 1)):k - 1]  # turns k - K .. k - 1, each at its own size
            rest = sum(folded, Fraction(0)) + previous + ov.reply
            costs[t] = plain_cost(pricing.rates_for(math.ceil(rest)), rest, h.summary_tokens or 0)
    return costs


def overheads(ctx: Context, call: Call, rendered: RenderedCall) -> list[list[Fraction]] | None:
    """Costs paid on every request whatever the cache says, [row][sample]: the
    semantic-cache embedding lookup and the routing classifier, each on that turn's own
    user message; None when the call has neither."""
    if not call.cache.semantic_hit_rate and not call.router:
        return None
    return [_overheads(ctx, call, list(rendered.texts("user", r))) for r in range(rendered.rows)]


def _overheads(ctx: Context, call: Call, users: list[str]) -> list[Fraction]:
    spec, table = ctx.spec, ctx.table
    extra = [Fraction(0)] * len(users)
    if call.cache.semantic_hit_rate:
        emb = table.model(call.cache.embedding_model or DEFAULT_EMBEDDING_MODEL, as_of=ctx.as_of,
                          file=spec.file, line=call.line, where=f"{call.name}.cache.embedding_model")
        if emb.kind != "embedding":
            raise CostgateError(f"cache.embedding_model of call {call.name!r} is {emb.id}, a {emb.kind} model",
                                file=spec.file, line=call.line,
                                hint="name an embedding model such as text-embedding-3-small")
        rates = emb.price_at(ctx.as_of).rates
        extra = [e + plain_cost(rates, n) for e, n in zip(extra, counts(table.tokenizer(emb), users))]
    if call.router:
        r = table.model(call.router.model, file=spec.file, line=call.line, where=f"{call.name}.router.model",
                        as_of=ctx.as_of)
        if r.kind != "chat":
            raise CostgateError(f"router.model of call {call.name!r} is {r.id}, an {r.kind} model",
                                file=spec.file, line=call.line, hint="a router is a small chat model such as gpt-4o-mini")
        tok, ov, period = table.tokenizer(r), table.overhead(r), r.price_at(ctx.as_of)
        role = ov.role_tokens("user", counts(tok, ["user"])[0])
        for i, n in enumerate(counts(tok, users)):
            t_in = ov.reply + (role + n if users[i] else 0)
            extra[i] += plain_cost(period.rates_for(t_in), t_in, call.router.output_tokens)
    return extra


def call_estimate(call: Call, models: tuple[ModelCost, ...], mass: Counter[int], per_call: Fraction,
                  ct: CallTokens, pricing: Pricing, in_mean: Fraction, tok: Tokenizer, out_tokens: Decimal,
                  reasoning: Decimal, written: tuple[str, ...]) -> CallEstimate:
    """The call's figures: money summed over its models, tokens from its main model."""
    session = sum((m.cost_per_session for m in models), Decimal(0))
    first_prefix = ct.prefix[0][0]
    return CallEstimate(
        name=call.name, per_session=call.per_session, models=models, tokenizer=tok.name,
        approximate=any(m.approximate for m in models),
        system_tokens=max(max(row) for row in ct.system_text),
        context_tokens_mean=dec(Fraction(sum(ct.context_text[0]), ct.n)),
        input_tokens_mean=dec(in_mean), input_tokens_p50=percentile(mass, Fraction(1, 2)),
        input_tokens_p95=percentile(mass, Fraction(95, 100)), output_tokens_mean=out_tokens,
        cached_prefix_tokens=first_prefix if pricing.caches(first_prefix) else 0,
        cost_per_call=dec(per_call),
        cost_per_session=session, monthly_cost=sum((m.monthly_cost for m in models), Decimal(0)),
        system_file=call.system.file if call.system else None, line=call.line, tool_tokens=ct.tools,
        system_line=call.system.first_line if call.system else None,
        system_prompt_tokens=max(counts(tok, list(written)), default=0),
        reasoning_tokens_mean=reasoning, bindings=tuple(bound_values(call)))


def bound_values(call: Call) -> list[BoundValue]:
    """The call's bindings as the estimate reports them: each value as text (``true``,
    not Python's ``True``), so base and head compare by what the app's file says."""
    return [BoundValue(b.field, b.file, b.key, b.line,
                       str(b.value).lower() if isinstance(b.value, bool) else str(b.value)) for b in call.bindings]


def input_mass(ct: CallTokens, weights: list[Fraction]) -> Counter[int]:
    """How many requests send each input size (rounded up to a token), each weighted by its
    turn's probability, in integer units."""
    turns = weights or [Fraction(1)]
    scale = math.lcm(*(w.denominator for w in turns))  # integer weights: exact and fast
    mass: Counter[int] = Counter()
    for t, w in enumerate(turns):
        r, lift = ct.row(t), math.ceil(ct.history[t])
        sizes = Counter(p + rest for p, rest in zip(ct.prefix[r], ct.rest[r]))
        weight = int(w * scale)
        for size, n in sizes.items():
            mass[size + lift] += n * weight
    return mass


def percentile(mass: Counter[int], q: Fraction) -> int:
    """Nearest-rank percentile of the requests' input tokens."""
    total = sum(mass.values())
    acc = 0
    for size in sorted(mass):
        acc += mass[size]
        if acc >= q * total:
            return size
    return max(mass)
