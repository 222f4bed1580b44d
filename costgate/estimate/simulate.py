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

import math
import random
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Mapping, Sequence

from ..errors import CostgateError
from ..pricing import Model, PriceTable
from ..spec import Call, Mix, ModelShare, Spec
from ..spec.bindings import bound_error
from .price_call import Context, TokenCache, call_weights, price_call, reasoning_spread
from .render import RenderedCall, render_call
from .results import Alternative, AlternativeKind, CallEstimate, Estimate, Lifecycle, ModelSpend

# Monthly money is kept to a trillionth of a dollar: a fixed exponent makes every sum of
# monthly figures exact in any order (a feature's total is exactly the sum of its calls
# and of its models), while staying nine places below the cent that reports show.
ZERO, ONE = Decimal(0), Decimal(1)
DEFAULT_SEED = 20240601
DEFAULT_SESSIONS = 2000


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
    rendered = {c.name: render_call(spec, c, turns=_max_turns(spec, c), limits=spec.work) for c in spec.calls}
    for call in spec.calls:
        for m in call.models:
            model = _model(table, spec, call, m)
            if model.retired and as_of >= model.retired:
                warnings.append(Lifecycle(model.id, "retired", model.retired))
            elif model.deprecated and as_of >= model.deprecated:
                warnings.append(Lifecycle(model.id, "deprecated", model.deprecated))
    tokens: TokenCache = {}
    classes: dict = {}  # pricing classes, shared by the declared mix and every alternative
    main = _price_spec(spec, table, rendered, as_of, seed, sessions, tokens, classes)
    alts: list[Alternative] = []
    if alternatives:
        seen = []
        for call in spec.calls:
            for m in call.models:
                if m not in seen:
                    seen.append(m)
        variants: list[tuple[str, AlternativeKind, Mapping[str, Mix]]] = [
            (m, "model", {c.name: (ModelShare(m, ONE),) for c in spec.calls
                          if c.kind == table.model(m, as_of=as_of).kind}) for m in seen]
        for s in spec.scenarios:
            for call_name, mix in s.mixes.items():
                for m, _ in mix:
                    found = table.model(m, file=spec.file, line=s.lines.get(call_name), as_of=as_of,
                                        where=f"scenarios.{s.name}.{call_name}")
                    if found.kind != spec.call(call_name).kind:
                        raise CostgateError(f"scenario {s.name!r} routes call {call_name!r} to {found.id}, "
                                            f"{_a(found.kind)} model", file=spec.file, line=s.lines.get(call_name),
                                            hint=f"a {spec.call(call_name).kind} call needs a "
                                                 f"{spec.call(call_name).kind} model")
        variants += [(s.name, "scenario", dict(s.mixes)) for s in spec.scenarios]
        for name, kind, mixes in variants:
            calls = tuple(replace(c, mix=mixes.get(c.name, c.mix)) for c in spec.calls)
            alt_spec = replace(spec, calls=calls)
            alt_rendered = {c.name: replace(rendered[c.name], call=c) for c in calls}
            unpriced = _unpriced(table, spec, calls, as_of)
            if unpriced:  # a model not priced yet on the day: a row that says so, not an abort
                alts.append(Alternative(name, kind, None, None, error=unpriced))
                continue
            try:
                r = _price_spec(alt_spec, table, alt_rendered, as_of, seed, sessions, tokens, classes, tails=False)
                alts.append(Alternative(name, kind, r.cost_per_session, r.monthly_cost))
            except CostgateError as exc:
                if kind == "scenario":
                    raise
                alts.append(Alternative(name, kind, None, None, error=exc.message))
    return replace(main, alternatives=tuple(alts), warnings=tuple(dict.fromkeys(warnings)))


def _unpriced(table: PriceTable, spec: Spec, calls: Sequence[Call], as_of: date) -> str | None:
    """"no price on DAY (models)" when a model of ``calls`` has no price on ``as_of``."""
    gone = [m for c in calls for m in c.models if _model(table, spec, c, m).priced_at(as_of) is None]
    return f"no price on {as_of} ({', '.join(dict.fromkeys(table.canonical(m, as_of) for m in gone))})" if gone else None


def _model(table: PriceTable, spec: Spec, call: Call, name: str) -> Model:
    bound = call.binding("model")
    try:
        return _checked_model(table, spec, call, name)
    except CostgateError as exc:
        if bound is None or bound.value != name:  # a scenario's or an alternative's model
            raise
        raise bound_error(bound, spec.file, exc.message, exc.hint) from None  # at the app's settings line


def _checked_model(table: PriceTable, spec: Spec, call: Call, name: str) -> Model:
    where = f"{call.name}.model" if len(call.mix) == 1 else f"{call.name}.mix"
    model = table.model(name, file=spec.file, line=call.model_line(name), where=where)
    if model.kind != call.kind:
        hint = ("set kind: embedding on the call to price an embedding request" if model.kind == "embedding"
                else f"a {call.kind} call needs a {call.kind} model")
        raise CostgateError(f"model {name!r} in call {call.name!r} is {_a(model.kind)} model", file=spec.file,
                            line=call.model_line(name), hint=hint)
    return model


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def _max_turns(spec: Spec, call: Call) -> int:
    return max(1, len(call_weights(call, spec.work)))


def _price_spec(spec: Spec, table: PriceTable, rendered: Mapping[str, RenderedCall], as_of: date,
                seed: int, sessions: int, tokens: TokenCache, classes: dict, *, tails: bool = True) -> Estimate:
    """The spec's estimate; ``tails`` adds the Monte Carlo p95 (alternatives skip it)."""
    sessions_month = Fraction(spec.traffic.sessions_per_day) * Fraction(spec.traffic.days_per_month)
    ctx = Context(spec, table, as_of, sessions_month, tokens, classes)
    call_results: list[CallEstimate] = []
    session_tables: list[tuple[list[Fraction], list[list[int]]]] = []
    spreads: list[tuple[int, ...] | None] = []
    for call in spec.calls:
        miss = _miss_share(spec, call)
        est, per_turn = price_call(ctx, call, rendered[call.name], miss, tails)
        call_results.append(est)
        if per_turn is not None:
            session_tables.append((call_weights(call, spec.work), per_turn))
            spreads.append(reasoning_spread(ctx, call, miss))
    session_mean = sum((c.cost_per_session for c in call_results), ZERO)
    by_model: dict[str, Decimal] = {}
    for c in call_results:
        for m in c.models:
            by_model[m.model] = by_model.get(m.model, ZERO) + m.monthly_cost
    p95 = _session_p95(session_tables, seed, sessions, len(spec.samples), spreads) if tails else ZERO
    se = sampling_error(session_tables, sessions_month) if tails else ZERO
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
        samples_total=max(spec.samples_total, len(spec.samples)), monthly_cost_se=se,
        calibration=spec.calibration,
    )


def sampling_error(tables: list[tuple[list[Fraction], list[list[int]]]], sessions_month: Fraction) -> Decimal:
    """The standard error of the monthly mean that comes from estimating it on a sample of
    inputs: each sample row's session cost x_i (its requests' costs on every call and
    turn, each turn by its probability), s = sd(x) / sqrt(n), times sessions a month.
    Exact sums over integer femto-dollars; one square root."""
    if not tables:
        return ZERO
    n = len(tables[0][1][0])
    if n < 2:
        return ZERO
    scale = math.lcm(*(w.denominator for weights, _ in tables for w in weights)) if any(
        weights for weights, _ in tables) else 1
    x = [0] * n  # each sample's session cost, in femto-dollars times ``scale``: integers
    for weights, per_turn in tables:
        for w, row in zip(weights, per_turn):
            factor = int(w * scale)
            for i, v in enumerate(row):
                x[i] += factor * v
    s1, s2 = sum(x), sum(v * v for v in x)
    var = Fraction(s2 * n - s1 * s1, n * (n - 1)) / (scale * scale)
    se = (Decimal(var.numerator) / Decimal(var.denominator) / n).sqrt() * Decimal(sessions_month.numerator) \
        / Decimal(sessions_month.denominator)
    return se.scaleb(-15)


def _miss_share(spec: Spec, call: Call) -> Fraction:
    """Share of requests no cache answers: what reaches the model."""
    exact = call.cache.exact_hit_rate
    hit = Fraction(duplicates(spec)) if exact == "auto" else Fraction(exact)
    return (1 - hit) * (1 - Fraction(call.cache.semantic_hit_rate))


def duplicates(spec: Spec) -> Fraction:
    return duplicate_share([str(s.get("query", s)) for s in spec.samples])


def duplicate_share(queries: Sequence[str]) -> Fraction:
    """Share of queries that repeat an earlier one after normalisation (case, spacing and
    trailing punctuation): what an exact-match cache would have served, exactly."""
    seen, dupes = set(), 0
    for q in queries:
        key = " ".join(q.lower().split()).rstrip("?!. ")
        dupes += key in seen
        seen.add(key)
    return Fraction(dupes, len(queries)) if queries else Fraction(0)


def _session_p95(tables: list[tuple[list[Fraction], list[list[int]]]], seed: int, sessions: int, n: int,
                 spreads: Sequence[tuple[int, ...] | None] = ()) -> Decimal:
    """The 95th-percentile session cost over ``sessions`` seeded draws: the number of
    turns and which sample each turn is. Turn k happens when one uniform draw u per call
    falls below P(S >= k) (the weights), so the number of turns follows the call's
    distribution. A call whose reasoning has a spread adds one of its deviations per
    request. Request costs are integer femto-dollars, so the sums are exact."""
    rng = random.Random(seed)
    totals = []
    spread = list(spreads) + [None] * (len(tables) - len(spreads))
    for _ in range(sessions):
        total = 0
        for (weights, per_turn), dev in zip(tables, spread):
            u = None
            for t, w in enumerate(weights):
                if w != 1:
                    u = rng.random() if u is None else u
                    if u >= float(w):
                        break
                total += per_turn[t][rng.randrange(n)]
                if dev is not None:
                    total += dev[rng.randrange(len(dev))]
        totals.append(total)
    totals.sort()
    if not totals:
        return ZERO
    return Decimal(totals[min(len(totals) - 1, math.ceil(Fraction(95, 100) * len(totals)) - 1)]).scaleb(-15)
