"""From rendered prompts and prices to per-call, per-session and monthly spend.

Two kinds of number, deliberately:

* **Means are exact expectations**, not Monte Carlo: the mean cost of a call is the
  average over every sample row (each equally likely) of the cost of that request, with
  fractional ``per_session`` contributing its fraction of one more turn. The same spec
  gives the same mean whatever the seed, and a hand computation can check it to the cent.
* **Tails (p95 session cost) come from a seeded Monte Carlo** that draws sessions from the
  samples (the number of turns, which sample each turn is). ``--seed`` makes it
  reproducible.

Levers are applied per request, in the order the provider bills them: long-context tier
(by the request's input tokens), prompt-cache reads and writes on the static prefix,
batch discount, retries; then semantic/exact cache hits remove requests, and the
embedding lookup a semantic cache needs is charged on every request.
"""

from __future__ import annotations

import decimal
import math
import random
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Mapping, Sequence

from ..errors import CostgateError
from ..pricing import Model, PriceTable
from ..spec import Call, Mix, ModelShare, Spec
from ..tokens import ChatOverhead, Tokenizer
from .billing import Pricing, RequestTokens, expected_output, message_tokens, plain_cost
from .history import rule_for
from .render import RenderedCall, render_call
from .results import Alternative, AlternativeKind, CallEstimate, Estimate, Lifecycle, ModelCost, ModelSpend

# Monthly money is kept to a trillionth of a dollar: a fixed exponent makes every sum of
# monthly figures exact in any order (a feature's total is exactly the sum of its calls
# and of its models), while staying nine places below the cent that reports show.
MONTHLY_QUANTUM = Decimal("1E-12")
_WIDE = decimal.Context(prec=60)


def monthly(value: Decimal) -> Decimal:
    """Monthly money on the fixed 1e-12 grid (exact sums in any order), computed in a wide
    context so that even a cost of 1e30 a month quantizes instead of failing."""
    return value.quantize(MONTHLY_QUANTUM, context=_WIDE)
ZERO, ONE = Decimal(0), Decimal(1)
DEFAULT_SEED = 20240601
DEFAULT_SESSIONS = 2000
MINUTES_PER_DAY = Decimal(1440)
TTL_MINUTES = {"5m": Decimal(5), "1h": Decimal(60)}
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"


# ------------------------------------------------------------------------ estimator

def estimate(
    spec: Spec,
    table: PriceTable,
    *,
    as_of: date | None = None,
    seed: int = DEFAULT_SEED,
    sessions: int = DEFAULT_SESSIONS,
    alternatives: bool = True,
) -> Estimate:
    """Price ``spec`` on ``table`` as it stood on ``as_of`` (default: today)."""
    as_of = as_of or date.today()
    warnings: list[Lifecycle] = []
    rendered = {c.name: render_call(spec, c, turns=_max_turns(c), limits=spec.work) for c in spec.calls}
    for call in spec.calls:
        for m in call.models:
            model = _model(table, spec, call, m)
            if model.retired and as_of >= model.retired:
                warnings.append(Lifecycle(model.id, "retired", model.retired))
            elif model.deprecated and as_of >= model.deprecated:
                warnings.append(Lifecycle(model.id, "deprecated", model.deprecated))
    main = _price_spec(spec, table, rendered, as_of, seed, sessions)
    alts: list[Alternative] = []
    if alternatives:
        seen = []
        for call in spec.calls:
            for m in call.models:
                if m not in seen:
                    seen.append(m)
        variants: list[tuple[str, AlternativeKind, Mapping[str, Mix]]] = [
            (m, "model", {c.name: (ModelShare(m, ONE),) for c in spec.calls}) for m in seen]
        for s in spec.scenarios:
            for call_name, mix in s.mixes.items():
                for m, _ in mix:
                    found = table.model(m, file=spec.file, line=s.lines.get(call_name),
                                        where=f"scenarios.{s.name}.{call_name}")
                    if found.kind != "chat":
                        raise CostgateError(f"scenario {s.name!r} routes call {call_name!r} to {found.id}, an "
                                            f"{found.kind} model", file=spec.file, line=s.lines.get(call_name),
                                            hint="calls need a chat model")
        variants += [(s.name, "scenario", dict(s.mixes)) for s in spec.scenarios]
        for name, kind, mixes in variants:
            calls = tuple(replace(c, mix=mixes.get(c.name, c.mix)) for c in spec.calls)
            alt_spec = replace(spec, calls=calls)
            alt_rendered = {c.name: replace(rendered[c.name], call=c) for c in calls}
            try:
                for c in calls:
                    for m in c.models:
                        _model(table, spec, c, m)
                r = _price_spec(alt_spec, table, alt_rendered, as_of, seed, sessions)
                alts.append(Alternative(name, kind, r.cost_per_session, r.monthly_cost))
            except CostgateError as exc:
                if kind == "scenario":
                    raise
                alts.append(Alternative(name, kind, None, None, error=exc.message))
    return replace(main, alternatives=tuple(alts), warnings=tuple(dict.fromkeys(warnings)))


def _model(table: PriceTable, spec: Spec, call: Call, name: str) -> Model:
    where = f"{call.name}.model" if len(call.mix) == 1 else f"{call.name}.mix"
    model = table.model(name, file=spec.file, line=call.model_line(name), where=where)
    if model.kind != "chat":
        raise CostgateError(f"model {name!r} in call {call.name!r} is an {model.kind} model",
                            file=spec.file, line=call.model_line(name), hint="calls need a chat model")
    return model


def _max_turns(call: Call) -> int:
    return max(1, int(math.ceil(call.per_session)))


def _turn_weights(per_session: Decimal) -> list[Decimal]:
    """Probability that turn k (index k-1) happens in a session."""
    whole = int(per_session)
    frac = per_session - whole
    weights = [ONE] * whole
    if frac:
        weights.append(frac)
    return weights


def _price_spec(spec: Spec, table: PriceTable, rendered: Mapping[str, RenderedCall], as_of: date,
                seed: int, sessions: int) -> Estimate:
    sessions_month = spec.traffic.sessions_per_day * spec.traffic.days_per_month
    call_results: list[CallEstimate] = []
    session_tables: list[tuple[list[Decimal], list[list[Decimal]]]] = []
    for call in spec.calls:
        est, per_turn = _price_call(spec, table, call, rendered[call.name], as_of, sessions_month)
        call_results.append(est)
        session_tables.append((_turn_weights(call.per_session), per_turn))
    session_mean = sum((c.cost_per_session for c in call_results), ZERO)
    by_model: dict[str, Decimal] = {}
    for c in call_results:
        for m in c.models:
            by_model[m.model] = by_model.get(m.model, ZERO) + m.monthly_cost
    p95 = _session_p95(session_tables, seed, sessions, len(spec.samples))
    return Estimate(
        feature=spec.feature, spec_file=spec.file, as_of=as_of, seed=seed,
        sessions_per_day=spec.traffic.sessions_per_day, days_per_month=spec.traffic.days_per_month,
        calls=tuple(call_results),
        cost_per_session=session_mean, cost_per_session_p95=p95,
        # Totals are sums of their parts (not products of sums), so a spec's total equals
        # the sum of its calls exactly even where a mean has a repeating expansion.
        monthly_cost=sum((c.monthly_cost for c in call_results), ZERO),
        by_model=tuple(ModelSpend(m, v) for m, v in sorted(by_model.items(), key=lambda kv: (-kv[1], kv[0]))),
        alternatives=(), budget_monthly_usd=spec.budget.monthly_usd,
        approximate=any(c.approximate for c in call_results), warnings=(), samples=len(spec.samples),
        samples_total=max(spec.samples_total, len(spec.samples)),
    )


def _price_call(spec: Spec, table: PriceTable, call: Call, rendered: RenderedCall, as_of: date,
                sessions_month: Decimal) -> tuple[CallEstimate, list[list[Decimal]]]:
    """Price one call on every model of its mix. Returns the estimate and, for the Monte
    Carlo, the mix-weighted cost of each (turn, sample) request."""
    n = len(spec.samples)
    weights = _turn_weights(call.per_session)
    turns = max(1, len(weights))
    out_tokens = expected_output(call)
    miss = _miss_share(spec, call)
    calls_month = sessions_month * call.per_session
    static_context = rendered.static("context")
    extra = _per_call_overheads(spec, table, call, rendered, as_of)
    model_costs: list[ModelCost] = []
    per_turn = [[ZERO] * n for _ in range(turns)]
    main = max(call.mix, key=lambda ms: (ms[1], ms[0]))[0]
    main_stats: tuple[Tokenizer, list[list[RequestTokens]], Decimal, Pricing] | None = None
    for model_id, share in call.mix:
        model = table.model(model_id)
        tok, ov = table.tokenizer(model), table.overhead(model)
        per_window = calls_month * share * miss / (spec.traffic.days_per_month * MINUTES_PER_DAY)
        pricing = _pricing(call, model, as_of, per_window)
        reqs = _requests(call, rendered, tok, ov, turns, n, out_tokens, static_context)
        _check_window(spec, call, model, reqs)
        costs = [[ZERO] * n for _ in range(turns)]
        summaries = _summary_costs(call, tok, ov, rendered, turns, n, out_tokens, pricing)
        for t in range(turns):
            for i in range(n):
                r = reqs[t][i]
                llm = pricing.billed(r, call.batch)
                costs[t][i] = miss * (ONE + call.retry_rate) * llm + extra[i] + summaries[t]
                per_turn[t][i] += share * costs[t][i]
        session_cost = sum((w * _mean(costs[t]) for t, w in enumerate(weights)), ZERO)
        per_call = session_cost / call.per_session if call.per_session else _mean(costs[0])
        in_mean = _weighted_mean([[r.input for r in row] for row in reqs], weights)
        model_costs.append(ModelCost(
            model=model.id, share=share, cost_per_call=per_call, cost_per_session=session_cost * share,
            monthly_cost=monthly(session_cost * share * sessions_month), input_tokens_mean=in_mean,
            approximate=not tok.exact, tokenizer=tok.name))
        if model_id == main:
            main_stats = (tok, reqs, in_mean, pricing)
    assert main_stats is not None
    return _call_estimate(call, tuple(model_costs), weights, out_tokens, *main_stats), per_turn


def _check_window(spec: Spec, call: Call, model: Model, reqs: list[list[RequestTokens]]) -> None:
    """A request larger than the model's context window would be refused by the provider."""
    window = model.context_window
    if not window:
        return
    for t, row in enumerate(reqs):
        largest = max(row, key=lambda r: r.input)
        if largest.input > window:
            raise CostgateError(
                f"call {call.name!r} sends {int(math.ceil(largest.input)):,} input tokens at turn {t + 1} on "
                f"{model.id}, over its {window:,}-token context window", file=spec.file, line=call.line,
                hint="bound the history (history: {window: N} or {tokens: N}), shorten the prompt, or pick a model "
                     "with a larger window")


def _pricing(call: Call, model: Model, as_of: date, per_minute: Decimal) -> Pricing:
    """The call's levers on one model; ``per_minute`` requests reach it a minute, which
    decides how often the prompt cache is rewritten within its TTL."""
    period = model.price_at(as_of)
    ttl = call.cache.ttl
    per_window = per_minute * TTL_MINUTES[ttl]
    return Pricing(model=model, base=period.rates, period=period,
                   write_share=ONE if per_window <= 1 else ONE / per_window, ttl=ttl,
                   caching=call.cache.prompt_prefix, min_cache=model.cache_min_tokens or 0)


def _call_estimate(call: Call, model_costs: tuple[ModelCost, ...], weights: list[Decimal], out_tokens: Decimal,
                   tok: Tokenizer, reqs: list[list[RequestTokens]], in_mean: Decimal,
                   pricing: Pricing) -> CallEstimate:
    """The call's figures: money summed over its models, tokens from its main model."""
    n = len(reqs[0])
    inputs = [(reqs[t][i].input, w / n) for t, w in enumerate(weights) for i in range(n)] or \
             [(reqs[0][i].input, ONE / n) for i in range(n)]
    session_cost = sum((m.cost_per_session for m in model_costs), ZERO)
    first = reqs[0]
    prefix = first[0].prefix
    caching = pricing.caches(prefix)
    return CallEstimate(
        name=call.name, per_session=call.per_session, models=model_costs, tokenizer=tok.name,
        approximate=any(m.approximate for m in model_costs),
        system_tokens=max(r.system_text for row in reqs for r in row),
        context_tokens_mean=_mean([Decimal(r.context_text) for r in first]),
        input_tokens_mean=in_mean, input_tokens_p50=_percentile(inputs, Decimal("0.5")),
        input_tokens_p95=_percentile(inputs, Decimal("0.95")), output_tokens_mean=out_tokens,
        cached_prefix_tokens=int(prefix) if caching else 0,
        cost_per_call=session_cost / call.per_session if call.per_session else sum(
            (m.share * m.cost_per_call for m in model_costs), ZERO),
        cost_per_session=session_cost, monthly_cost=sum((m.monthly_cost for m in model_costs), ZERO),
        system_file=call.system.file if call.system else None, line=call.line)


def _requests(call: Call, rendered: RenderedCall, tok: Tokenizer, ov: ChatOverhead, turns: int, n: int,
              out_tokens: Decimal, static_context: bool) -> list[list[RequestTokens]]:
    users = [[message_tokens(tok, ov, "user", rendered.at(t, i).user) for i in range(n)] for t in range(turns)]
    answer = Decimal(ov.per_message + tok.count("assistant")) + out_tokens if out_tokens else ZERO
    turn_tokens = _mean([Decimal(u) for u in users[0]]) + answer
    rule = rule_for(call.history)
    reqs = []
    for t in range(turns):
        row = []
        hist = rule.resent_turns(t + 1, turn_tokens) * turn_tokens
        if rule.has_summary(t + 1):
            hist += ov.per_message + tok.count("system") + (call.history.summary_tokens or 0)
        for i in range(n):
            p = rendered.at(t, i)
            sys_t = message_tokens(tok, ov, "system", p.system)
            ctx_t = message_tokens(tok, ov, "system", p.context)
            prefix = sys_t + (ctx_t if static_context else 0)
            rest = (0 if static_context else ctx_t) + users[t][i] + ov.reply
            row.append(RequestTokens(prefix=Decimal(prefix), rest=Decimal(rest) + hist, output=out_tokens,
                                     system_text=tok.count(p.system) if p.system else 0,
                                     context_text=tok.count(p.context) if p.context else 0))
        reqs.append(row)
    return reqs


def _summary_costs(call: Call, tok: Tokenizer, ov: ChatOverhead, rendered: RenderedCall, turns: int, n: int,
                   out_tokens: Decimal, pricing: Pricing) -> list[Decimal]:
    """History policy `summary`: before turn k = jK + 1 (j >= 1) a summary call reads the
    K turns being folded (plus the previous summary) and writes an S-token summary."""
    costs = [ZERO] * turns
    h, rule = call.history, rule_for(call.history)
    if h.policy != "summary":
        return costs
    users = _mean([Decimal(message_tokens(tok, ov, "user", rendered.at(0, i).user)) for i in range(n)])
    turn_tokens = users + (Decimal(ov.per_message + tok.count("assistant")) + out_tokens if out_tokens else ZERO)
    summary_msg = Decimal(ov.per_message + tok.count("system") + (h.summary_tokens or 0))
    for t in range(turns):
        k = t + 1
        if rule.summarises_before(k):
            previous = summary_msg if rule.has_summary(k - 1) else ZERO
            req = RequestTokens(prefix=ZERO, rest=(h.every or 1) * turn_tokens + previous + ov.reply,
                                output=Decimal(h.summary_tokens or 0))
            costs[t] = pricing.request(req, False)
    return costs


def _miss_share(spec: Spec, call: Call) -> Decimal:
    exact = call.cache.exact_hit_rate
    if exact == "auto":
        exact = duplicate_share([str(s.get("query", s)) for s in spec.samples])
    return (ONE - exact) * (ONE - call.cache.semantic_hit_rate)


def duplicate_share(queries: Sequence[str]) -> Decimal:
    """Share of queries that repeat an earlier one after normalisation (case, spacing and
    trailing punctuation): what an exact-match cache would have served."""
    seen, dupes = set(), 0
    for q in queries:
        key = " ".join(q.lower().split()).rstrip("?!. ")
        dupes += key in seen
        seen.add(key)
    return Decimal(dupes) / Decimal(len(queries)) if queries else ZERO


def _per_call_overheads(spec: Spec, table: PriceTable, call: Call, rendered: RenderedCall,
                        as_of: date) -> list[Decimal]:
    """Costs paid on every request whatever the cache says: the semantic-cache embedding
    lookup and the routing classifier."""
    n = len(spec.samples)
    extra = [ZERO] * n
    if call.cache.semantic_hit_rate:
        emb = table.model(call.cache.embedding_model or DEFAULT_EMBEDDING_MODEL,
                          file=spec.file, line=call.line, where=f"{call.name}.cache.embedding_model")
        if emb.kind != "embedding":
            raise CostgateError(f"cache.embedding_model of call {call.name!r} is {emb.id}, a {emb.kind} model",
                                file=spec.file, line=call.line,
                                hint="name an embedding model such as text-embedding-3-small")
        tok, rates = table.tokenizer(emb), emb.price_at(as_of).rates
        for i in range(n):
            extra[i] += plain_cost(rates, Decimal(tok.count(rendered.at(0, i).user)))
    if call.router:
        r = table.model(call.router.model, file=spec.file, line=call.line, where=f"{call.name}.router.model")
        if r.kind != "chat":
            raise CostgateError(f"router.model of call {call.name!r} is {r.id}, an {r.kind} model",
                                file=spec.file, line=call.line, hint="a router is a small chat model such as gpt-4o-mini")
        tok, ov, period = table.tokenizer(r), table.overhead(r), r.price_at(as_of)
        for i in range(n):
            t_in = ov.reply + message_tokens(tok, ov, "user", rendered.at(0, i).user)
            extra[i] += plain_cost(period.rates_for(t_in), Decimal(t_in), Decimal(call.router.output_tokens))
    return extra


def _session_p95(tables, seed: int, sessions: int, n: int) -> Decimal:
    rng = random.Random(seed)
    totals = []
    for _ in range(sessions):
        total = ZERO
        for weights, per_turn in tables:
            for t, w in enumerate(weights):
                if w == ONE or rng.random() < float(w):
                    total += per_turn[t][rng.randrange(n)]
        totals.append(total)
    totals.sort()
    return totals[min(len(totals) - 1, math.ceil(Decimal("0.95") * len(totals)) - 1)] if totals else ZERO


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, ZERO) / len(values) if values else ZERO


def _weighted_mean(rows: list[list[Decimal]], weights: list[Decimal]) -> Decimal:
    if not weights:
        return _mean(rows[0])
    return sum((w * _mean(rows[t]) for t, w in enumerate(weights)), ZERO) / sum(weights, ZERO)


def _percentile(values: list[tuple[Decimal, Decimal]], q: Decimal) -> int:
    """Nearest-rank percentile of a weighted discrete distribution, rounded up to a token."""
    ordered = sorted(values)
    total = sum((w for _, w in ordered), ZERO)
    acc = ZERO
    for v, w in ordered:
        acc += w
        if acc >= q * total:
            return int(math.ceil(v))
    return int(math.ceil(ordered[-1][0]))
