"""A plain reference estimator: every request priced one by one, in exact Fractions.

No token sums, no pricing classes, no memo, no integer tricks: the billing rules of
docs/spec.md written out per request. The fast engine (costgate.estimate) must agree
with it to the exact Decimal on every mean (tests/estimate/test_engine_reference.py).
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from costgate.estimate.billing import expected_output
from costgate.estimate.history import rule_for
from costgate.estimate.render import RenderedCall, render_call
from costgate.pricing import PriceTable

_CTX = decimal.Context(prec=28)
F = Fraction


def dec(x: Fraction) -> Decimal:
    return _CTX.divide(Decimal(x.numerator), Decimal(x.denominator))


def grid(x: Fraction) -> Decimal:
    return Decimal(round(x * 10**12)).scaleb(-12)


@dataclass
class RefModel:
    cost_per_call: Decimal
    cost_per_session: Decimal
    monthly_cost: Decimal
    input_tokens_mean: Decimal


@dataclass
class RefCall:
    models: list[RefModel]
    cost_per_call: Decimal
    input_p50: int
    input_p95: int


def weights_of(per_session: Decimal) -> list[Fraction]:
    whole = int(per_session)
    frac = F(per_session) - whole
    return [F(1)] * whole + ([frac] if frac else [])


def miss_share(spec, call) -> Fraction:  # type: ignore[no-untyped-def]
    exact = call.cache.exact_hit_rate
    if exact == "auto":
        seen: set[str] = set()
        dupes = 0
        for s in spec.samples:
            key = " ".join(str(s.get("query", s)).lower().split()).rstrip("?!. ")
            dupes += key in seen
            seen.add(key)
        hit = F(dupes, len(spec.samples))
    else:
        hit = F(exact)
    return (1 - hit) * (1 - F(call.cache.semantic_hit_rate))


def request_cost(model, period, call, ws: Fraction, prefix, rest, out: Fraction, batch: bool) -> Fraction:  # type: ignore[no-untyped-def]
    base = period.rates
    rates = period.rates_for(math.ceil(prefix + rest))
    caches = (call.cache.prompt_prefix and base.cached_input is not None and prefix > 0
              and prefix >= (model.cache_min_tokens or 0))
    rin = F(rates.input)
    if caches and rates.cached_input is not None:
        write = (rates.cache_write_5m if call.cache.ttl == "5m" else rates.cache_write_1h) or rates.input
        cost_in = rest * rin + prefix * (ws * F(write) + (1 - ws) * F(rates.cached_input))
    else:
        cost_in = (prefix + rest) * rin
    out_rate = F(rates.output or 0)
    if batch:
        batch_in = F(rates.batch_input) if rates.batch_input else F(base.batch_input) * rin / F(base.input)
        cost_in = cost_in * batch_in / rin if rin else cost_in
        if out_rate:
            out_rate = F(rates.batch_output) if rates.batch_output else F(base.batch_output) * out_rate / F(base.output)
    return (cost_in + out * out_rate) / 1_000_000


def plain(rates, tokens_in, tokens_out=0) -> Fraction:  # type: ignore[no-untyped-def]
    return (F(tokens_in) * F(rates.input) + F(tokens_out) * F(rates.output or 0)) / 1_000_000


def extras(spec, table: PriceTable, call, rendered: RenderedCall, as_of) -> list[Fraction]:  # type: ignore[no-untyped-def]
    n = len(spec.samples)
    out = [F(0)] * n
    if call.cache.semantic_hit_rate:
        emb = table.model(call.cache.embedding_model or "text-embedding-3-small")
        tok = table.tokenizer(emb)
        for i in range(n):
            out[i] += plain(emb.price_at(as_of).rates, tok.count(rendered.at(0, i).user))
    if call.router:
        r = table.model(call.router.model)
        tok, ov = table.tokenizer(r), table.overhead(r)
        for i in range(n):
            user = rendered.at(0, i).user
            t_in = ov.reply + ((ov.per_message + tok.count("user") + tok.count(user)) if user else 0)
            out[i] += plain(r.price_at(as_of).rates_for(t_in), t_in, call.router.output_tokens)
    return out


def reference_call(spec, table: PriceTable, call, as_of) -> RefCall:  # type: ignore[no-untyped-def]
    n = len(spec.samples)
    weights = weights_of(call.per_session)
    turns = max(1, len(weights))
    rendered = render_call(spec, call, turns=turns, limits=spec.work)
    out = F(expected_output(call))
    miss, retry = miss_share(spec, call), F(call.retry_rate)
    extra = extras(spec, table, call, rendered, as_of)
    sessions_month = F(spec.traffic.sessions_per_day) * F(spec.traffic.days_per_month)
    static = rendered.static("context")
    rule = rule_for(call.history)
    models, inputs_main, exact = [], None, [F(0), F(0)]
    main = max(call.mix, key=lambda ms: (ms[1], ms[0]))[0]
    for model_id, share in call.mix:
        model = table.model(model_id)
        tok, ov, period = table.tokenizer(model), table.overhead(model), model.price_at(as_of)

        def msg(role: str, text: str, tok=tok, ov=ov) -> int:  # type: ignore[no-untyped-def]
            return ov.per_message + tok.count(role) + tok.count(text) if text else 0

        users0 = [msg("user", rendered.at(0, i).user) for i in range(n)]
        answer = (ov.per_message + tok.count("assistant") + out) if out else F(0)
        turn_tokens = F(sum(users0), n) + answer
        summary_msg = ov.per_message + tok.count("system") + (call.history.summary_tokens or 0)
        per_window = (sessions_month * F(call.per_session) * F(share) * miss
                      / (F(spec.traffic.days_per_month) * 1440) * (5 if call.cache.ttl == "5m" else 60))
        ws = F(1) if per_window <= 1 else 1 / per_window
        turn_means, inputs = [], []
        for t in range(turns):
            hist = rule.resent_turns(t + 1, turn_tokens) * turn_tokens + (
                summary_msg if rule.has_summary(t + 1) else 0)
            summary = F(0)
            if rule.summarises_before(t + 1):
                prev = summary_msg if rule.has_summary(t) else 0
                rest = (call.history.every or 1) * turn_tokens + prev + ov.reply
                summary = plain(period.rates_for(math.ceil(rest)), rest, call.history.summary_tokens or 0)
            costs = []
            for i in range(n):
                p = rendered.at(t, i)
                s_msg, c_msg = msg("system", p.system), msg("system", p.context)
                prefix = s_msg + (c_msg if static else 0)
                rest = (0 if static else c_msg) + msg("user", p.user) + ov.reply + hist
                b = F(call.batch)
                llm = (1 - b) * request_cost(model, period, call, ws, prefix, rest, out, False)
                if b:
                    llm += b * request_cost(model, period, call, ws, prefix, rest, out, True)
                costs.append(miss * (1 + retry) * llm + extra[i] + summary)
                inputs.append((prefix + rest, (weights[t] if weights else F(1)) / n, t))
            turn_means.append(sum(costs, F(0)) / n)
        session = sum((w * turn_means[t] for t, w in enumerate(weights)), F(0))
        per_call = session / F(call.per_session) if call.per_session else turn_means[0]
        used = [(v, w) for v, w, t in inputs if weights or t == 0]
        in_mean = (sum((v * w for v, w in used), F(0)) / sum((w for _, w in used), F(0)))
        models.append(RefModel(dec(per_call), dec(session * F(share)), grid(session * F(share) * sessions_month),
                               dec(in_mean)))
        exact[0] += session * F(share)
        exact[1] += turn_means[0] * F(share)
        if model_id == main:
            inputs_main = used
    per_call = exact[0] / F(call.per_session) if call.per_session else exact[1]
    return RefCall(models, dec(per_call), percentile(inputs_main, F(1, 2)), percentile(inputs_main, F(95, 100)))


def percentile(values, q: Fraction) -> int:  # type: ignore[no-untyped-def]
    ordered = sorted(values)
    total = sum((w for _, w in ordered), F(0))
    acc = F(0)
    for v, w in ordered:
        acc += w
        if acc >= q * total:
            return math.ceil(v)
    return math.ceil(ordered[-1][0])
