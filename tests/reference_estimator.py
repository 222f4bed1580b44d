"""A plain reference estimator: every request priced one by one, in exact Fractions.

No token sums, no pricing classes, no memo, no integer tricks: the billing rules of
docs/spec.md ("The cost model" and "Agent loops, tools, reasoning, images and
embeddings") written out per request. The fast engine (costgate.estimate) must agree
with it to the exact Decimal on every mean (tests/estimate/test_engine_reference.py).

Reused from the package, because each is tested on its own: template rendering, token
counts (tokenizers, ``tool_tokens``, ``image_tokens``), the step distribution's weights
and the truncated-output mean (``expected_output``). Where those tokens go in a request
and how they are billed is written here from the docs.

``quirks`` names old engine behaviours that disagreed with docs/spec.md (each fixed;
tests/estimate/test_reference_disagreements.py shows each gives a different number from
the documented rule, so it cannot come back unnoticed). The reference prices by the docs
unless a caller asks for a quirk by name; ``KNOWN`` (the quirks the engine still has) is
empty, so the property test tolerates no difference.
"""

from __future__ import annotations

import decimal
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from costgate.errors import CostgateError
from costgate.estimate.billing import expected_output
from costgate.estimate.render import RenderedCall, render_call
from costgate.estimate.steps import distribution
from costgate.pricing import PriceTable
from costgate.tokens.images import image_tokens
from costgate.tokens.tools import tool_tokens

_CTX = decimal.Context(prec=28)
F = Fraction

ROLE_TOKENS = "role-tokens-without-overhead"
"""Engine: a message's role tokens are counted for every provider, also those that publish
no chat overhead (docs: the role's tokens are part of OpenAI's chat overhead, and "no chat
overhead is added" for the other families)."""
CEIL_THRESHOLDS = "ceil-cache-thresholds"
"""Engine: conversation caching compares ``P + ceil(C)`` and ``P + R + ceil(H)`` with the
cache minimum (docs: ``P + C_k >= cache_min_tokens``, the whole prompt reaching it)."""
SUMMARY_FIRST_TURN = "summary-reads-first-turn-size"
"""Engine: a summary call reads K times the first turn's size (docs: each turn at its own size)."""
LOOKUP_FIRST_TURN = "lookup-embeds-first-turn"
"""Engine: the semantic-cache lookup and the router read turn 1's user message on every
turn (docs: the embedding of the request's user message)."""
ROW_IMAGES_EVERYWHERE = "row-images-on-embedding-calls"
"""Engine: a sample row's images are added to embedding requests too (docs: an embedding
call sends its user and context text and takes no images)."""


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
    weights: list[Fraction] = field(default_factory=list)
    """P(turn k happens), k = 1, 2, ..."""
    requests: list[list[Fraction]] = field(default_factory=list)
    """[turn][sample]: what that request costs, every model by its share (USD, exact)."""


# ----------------------------------------------------------------- turns and history

def turn_weights(spec, call) -> list[Fraction]:  # type: ignore[no-untyped-def]
    """Item 10: P(turn k happens). ``per_session = n + f``: n certain turns and one more
    with probability f; ``steps``: the step distribution's weights."""
    if call.steps is not None:
        return list(distribution(call.steps, spec.work.turns_per_session).weights)
    whole = int(call.per_session)
    frac = F(call.per_session) - whole
    return [F(1)] * whole + ([frac] if frac else [])


def kept_turns(history, k: int, sizes: list[Fraction]) -> int:  # type: ignore[no-untyped-def]
    """Item 8: how many of the k - 1 earlier turns request k resends (the newest ones)."""
    earlier = k - 1
    if history.policy == "full":
        return earlier
    if history.policy == "window":
        return min(earlier, history.window)
    if history.policy == "tokens":  # the newest turns whose sizes add up to at most B
        kept, total = 0, F(0)
        for size in reversed(sizes[:earlier]):
            if total + size > history.tokens:
                break
            total += size
            kept += 1
        return kept
    if history.policy == "summary":  # the last (k - 1) mod K turns; older ones are summarised
        return earlier % history.every
    return 0


def has_summary(history, k: int) -> bool:  # type: ignore[no-untyped-def]
    """Request k carries a summary message: some turns are older than the last (k - 1) mod K."""
    return history.policy == "summary" and k - 1 >= history.every


def summarises_before(history, k: int) -> bool:  # type: ignore[no-untyped-def]
    """A summary call runs before turn jK + 1 (j >= 1), folding the last K turns."""
    return history.policy == "summary" and k > 1 and (k - 1) % history.every == 0


# ----------------------------------------------------------------- money

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


def plain(rates, tokens_in, tokens_out=0) -> Fraction:  # type: ignore[no-untyped-def]
    return (F(tokens_in) * F(rates.input) + F(tokens_out) * F(rates.output or 0)) / 1_000_000


def no_batch(model) -> CostgateError:  # type: ignore[no-untyped-def]
    return CostgateError(f"model {model.id!r} has no batch price")


@dataclass
class Request:
    """One request's tokens, as docs/spec.md splits them."""

    prefix: int
    """P: tool definitions, the system message and a static context."""
    new: int
    """R: a changing context, the new message (with its images) and the reply priming."""
    history: Fraction
    """H: the resent turns (and summary message)."""
    read: Fraction
    """C: the part of H the conversation cache reads back (0 when the conversation does not
    continue the previous request's)."""
    output: Fraction
    reasoning: Fraction


def request_cost(model, period, call, ws: Fraction, q: Request, batch: bool,  # type: ignore[no-untyped-def]
                 quirks: frozenset[str], rules=None) -> Fraction:
    """Items 1-4 and conversation caching: one request's USD, regular or batch. ``rules``:
    the provider's billing rules (None: batch stacks on cache reads and writes)."""
    base = period.rates
    prompt = q.prefix + q.new + q.history
    rates = period.rates_for(math.ceil(prompt))  # 1. the tier the prompt reaches prices all of it
    min_cache = model.cache_min_tokens or 0
    caching = call.cache.prompt_prefix or call.cache.history  # history caching implies prefix caching
    cacheable = base.cached_input is not None and rates.cached_input is not None
    rin = F(rates.input)
    write = F((rates.cache_write_5m if call.cache.ttl == "5m" else rates.cache_write_1h) or rates.input)
    cached = F(rates.cached_input) if rates.cached_input is not None else rin
    # 2. prompt caching of the static prefix
    explicit_write = (rates.cache_write_5m if call.cache.ttl == "5m" else rates.cache_write_1h) is not None
    reads = writes = Fraction(0)  # the cache-read and explicit cache-write USD inside cost_in
    if caching and cacheable and q.prefix > 0 and q.prefix >= min_cache:
        prefix_rate = ws * write + (1 - ws) * cached
        reads += q.prefix * (1 - ws) * cached
        writes += q.prefix * ws * write if explicit_write else 0
    else:
        prefix_rate = rin
    cost_in = q.prefix * prefix_rate
    if call.cache.history and cacheable:
        # conversation caching: C read back, the previous answer and the new message written
        read_at, whole = q.prefix + q.read, prompt
        if CEIL_THRESHOLDS in quirks:
            read_at, whole = q.prefix + math.ceil(q.read), q.prefix + q.new + math.ceil(q.history)
        read_ok = q.read > 0 and read_at >= min_cache
        write_ok = whole >= min_cache
        cost_in += q.read * (cached if read_ok else rin)
        reads += q.read * cached if read_ok else 0
        cost_in += (q.history - q.read + q.new) * (write if write_ok else rin)
        writes += (q.history - q.read + q.new) * write if write_ok and explicit_write else 0
    else:
        cost_in += (q.history + q.new) * rin
    out_rate = F(rates.output or 0)
    reasoning_rate = F(getattr(rates, "reasoning_output", None) or rates.output or 0)
    if batch:  # 3. every input component scaled by batch_input / input; output at batch_output
        if rates.batch_input is not None:
            batch_in = F(rates.batch_input)
        elif base.batch_input is not None:
            batch_in = F(base.batch_input) * rin / F(base.input)
        else:
            raise no_batch(model)
        if rin:
            scale = batch_in / rin
            keep_reads = rules is not None and rules.batch_discounts_cached_reads is False
            keep_writes = rules is not None and rules.batch_discounts_cache_writes is False
            cost_in = ((cost_in - reads - writes) * scale + reads * (1 if keep_reads else scale)
                       + writes * (1 if keep_writes else scale))
        if out_rate:
            if rates.batch_output is not None:
                batch_out = F(rates.batch_output)
            elif base.batch_output is not None:
                batch_out = F(base.batch_output) * out_rate / F(base.output)
            else:
                raise no_batch(model)
            reasoning_rate = reasoning_rate * batch_out / out_rate  # reasoning: batch discounts alike
            out_rate = batch_out
    return (cost_in + q.output * out_rate + q.reasoning * reasoning_rate) / 1_000_000  # 4.


def reasoning_of(spec, call, model) -> Decimal:  # type: ignore[no-untyped-def]
    """Hidden reasoning tokens of one request: declared, a budget (priced in full) or the
    model's effort default; at or above max_tokens is an error."""
    r = call.reasoning
    if r is None:
        return Decimal(0)
    if r.budget is not None:
        z = Decimal(r.budget)
    elif r.mean is not None:
        z = Decimal(r.mean)
    else:
        defaults = getattr(getattr(model, "reasoning", None), "effort_tokens", None) or {}
        if r.effort not in defaults:
            raise CostgateError(f"no reasoning tokens for {r.effort!r} on {model.id}", file=spec.file)
        z = Decimal(defaults[r.effort])
    if call.max_tokens is not None and z >= call.max_tokens:
        raise CostgateError(f"reasoning uses up max_tokens on {model.id}", file=spec.file)
    return z


def lookups(spec, table: PriceTable, call, rendered: RenderedCall, as_of, turns: int,  # type: ignore[no-untyped-def]
            quirks: frozenset[str]) -> list[list[Fraction]]:
    """Item 6: what every request pays whatever the cache says, [turn][sample]: the
    embedding of the request's user message (semantic cache) and the router call."""
    n = len(spec.samples)
    out = [[F(0)] * n for _ in range(turns)]
    for t in range(turns):
        for i in range(n):
            user = rendered.at(0 if LOOKUP_FIRST_TURN in quirks else t, i).user
            if call.cache.semantic_hit_rate:
                emb = table.model(call.cache.embedding_model or "text-embedding-3-small")
                if emb.kind != "embedding":
                    raise CostgateError(f"{emb.id} is not an embedding model")
                out[t][i] += plain(emb.price_at(as_of).rates, table.tokenizer(emb).count(user))
            if call.router:
                r = table.model(call.router.model)
                if r.kind != "chat":
                    raise CostgateError(f"{r.id} is not a chat model")
                tok, ov = table.tokenizer(r), table.overhead(r)
                t_in = ov.reply + ((dict(ov.per_role).get("user", ov.per_message)
                                    + (tok.count("user") if ov.role_text else 0) + tok.count(user)) if user else 0)
                out[t][i] += plain(r.price_at(as_of).rates_for(t_in), t_in, call.router.output_tokens)
    return out


def sample_images(spec, call, model, quirks: frozenset[str]) -> list[int]:  # type: ignore[no-untyped-def]
    """Image tokens of each sample's new message: the call's images and the row's own
    (``detail: auto`` priced as ``high``). An embedding request sends text only."""
    if call.kind != "chat" and ROW_IMAGES_EVERYWHERE not in quirks:
        return [0] * len(spec.samples)

    def tokens(w: int, h: int, detail: str) -> int:
        return image_tokens(model.id, model.provider, w, h, "high" if detail == "auto" else detail).tokens

    own = sum(tokens(im.width, im.height, im.detail) for im in call.images)
    out = []
    for row in spec.samples:
        images = row.get("images") or []
        out.append(own + sum(tokens(int(im["width"]), int(im["height"]), im.get("detail", "auto")) for im in images))
    return out


# ----------------------------------------------------------------- one call

def reference_call(spec, table: PriceTable, call, as_of,  # type: ignore[no-untyped-def]
                   quirks: frozenset[str] = frozenset()) -> RefCall:
    n = len(spec.samples)
    weights = turn_weights(spec, call)
    turns = max(1, len(weights))
    requests_per_session = sum(weights, F(0))
    rendered = render_call(spec, call, turns=turns, limits=spec.work)
    chat = call.kind == "chat"
    miss, retry = miss_share(spec, call), F(call.retry_rate)
    extra = lookups(spec, table, call, rendered, as_of, turns, quirks)
    sessions_month = F(spec.traffic.sessions_per_day) * F(spec.traffic.days_per_month)
    static = rendered.static("context")
    h = call.history
    models, inputs_main, exact = [], None, [F(0), F(0)]
    requests = [[F(0)] * n for _ in range(turns)]
    main = max(call.mix, key=lambda ms: (ms[1], ms[0]))[0]
    for model_id, share in call.mix:
        model = table.model(model_id)
        if model.kind != call.kind:
            raise CostgateError(f"model {model_id!r} is a {model.kind} model, the call a {call.kind} call")
        tok, ov, period = table.tokenizer(model), table.overhead(model), model.price_at(as_of)
        overhead = True  # docs/spec.md: role names count for every provider (ROLE_TOKENS is the rule now)

        def around(role: str, tok=tok, ov=ov, overhead=overhead) -> int:  # type: ignore[no-untyped-def]
            """A chat message's overhead: the template's tokens for the role (per_role, else
            per_message), plus the role's name where the template writes it as text."""
            if not (chat and overhead):
                return 0
            fixed = dict(ov.per_role).get(role, ov.per_message)
            return fixed + (tok.count(role) if ov.role_text else 0)

        def msg(role: str, text: str, tok=tok, around=around) -> int:  # type: ignore[no-untyped-def]
            """A message: its text and its overhead; an empty text is no message."""
            return around(role) + tok.count(text) if text else 0

        reply = ov.reply if chat else 0
        reasoning = reasoning_of(spec, call, model)
        out = F(expected_output(call, reasoning))  # 9. max_tokens caps reasoning and answer together
        tools = 0
        if call.tools is not None and chat:
            tools = tool_tokens(call.tools.definitions, provider=model.provider, model_id=model.id, tokenizer=tok,
                                tool_choice=call.tools.tool_choice).tokens
        images = sample_images(spec, call, model, quirks)

        def new_message(t: int, i: int, images=images, msg=msg) -> int:  # type: ignore[no-untyped-def]
            """Turn t + 1's new message: the user's at turn 1, later the observation (role
            tool) when the call has one, with its images."""
            p = rendered.at(t, i)
            role, text = ("tool", p.observation) if t > 0 and call.observation is not None else ("user", p.user)
            return msg(role, text) + images[i]

        # 8. each turn at its own size: its new message's mean and its visible answer
        answer = around("assistant") + out if out else F(0)
        sizes = [F(sum(new_message(t, i) for i in range(n)), n) + answer for t in range(turns)]
        summary_msg = around("system") + (h.summary_tokens or 0)
        history, read, summaries, kept = [], [], [], []
        for t in range(turns):
            k = t + 1
            m = kept_turns(h, k, sizes[:t])
            kept.append(m)
            history.append(sum(sizes[t - m:t], F(0)) + (summary_msg if has_summary(h, k) else 0))
            continues = k >= 2 and m == kept[t - 1] + 1 and has_summary(h, k) == has_summary(h, k - 1)
            read.append(history[t] - answer if continues else F(0))
            summary = F(0)
            if summarises_before(h, k):
                folded = (h.every * sizes[0] if SUMMARY_FIRST_TURN in quirks
                          else sum(sizes[t - h.every:t], F(0)))
                summary_in = folded + (summary_msg if has_summary(h, k - 1) else 0) + reply
                summary = plain(period.rates_for(math.ceil(summary_in)), summary_in, h.summary_tokens or 0)
            summaries.append(summary)
        per_session = F(call.steps.mean) if call.steps is not None else F(call.per_session)  # E[S]
        per_window = (sessions_month * per_session * F(share) * miss
                      / (F(spec.traffic.days_per_month) * 1440) * (5 if call.cache.ttl == "5m" else 60))
        ws = F(1) if per_window <= 1 else 1 / per_window
        turn_means, inputs = [], []
        for t in range(turns):
            costs = []
            for i in range(n):
                p = rendered.at(t, i)
                s_msg, c_msg = msg("system", p.system), msg("system", p.context)
                q = Request(prefix=tools + s_msg + (c_msg if static else 0),
                            new=(0 if static else c_msg) + new_message(t, i) + reply,
                            history=history[t], read=read[t], output=out, reasoning=F(reasoning))
                if model.context_window and q.prefix + q.new + q.history > model.context_window:
                    raise CostgateError(f"turn {t + 1} is over the context window of {model.id}")
                b = F(call.batch)
                llm = (1 - b) * request_cost(model, period, call, ws, q, False, quirks, table.billing(model))
                if b:
                    llm += b * request_cost(model, period, call, ws, q, True, quirks, table.billing(model))
                cost = miss * (1 + retry) * llm + extra[t][i] + summaries[t]  # 5., 6.
                costs.append(cost)
                requests[t][i] += F(share) * cost  # 7.
                inputs.append((q.prefix + q.new + q.history, (weights[t] if weights else F(1)) / n, t))
            turn_means.append(sum(costs, F(0)) / n)
        session = sum((w * turn_means[t] for t, w in enumerate(weights)), F(0))  # 10.
        per_call = session / requests_per_session if weights else turn_means[0]
        used = [(v, w) for v, w, t in inputs if weights or t == 0]
        in_mean = (sum((v * w for v, w in used), F(0)) / sum((w for _, w in used), F(0)))
        models.append(RefModel(dec(per_call), dec(session * F(share)), grid(session * F(share) * sessions_month),
                               dec(in_mean)))
        exact[0] += session * F(share)
        exact[1] += turn_means[0] * F(share)
        if model_id == main:
            inputs_main = used
    per_call = exact[0] / requests_per_session if weights else exact[1]
    return RefCall(models, dec(per_call), percentile(inputs_main, F(1, 2)), percentile(inputs_main, F(95, 100)),
                   weights, requests)


def percentile(values, q: Fraction) -> int:  # type: ignore[no-untyped-def]
    ordered = sorted(values)
    total = sum((w for _, w in ordered), F(0))
    acc = F(0)
    for v, w in ordered:
        acc += w
        if acc >= q * total:
            return math.ceil(v)
    return math.ceil(ordered[-1][0])


def session_p95(calls: list[RefCall], seed: int, sessions: int, n: int) -> Fraction:
    """Item 12: ``sessions`` seeded sessions; per call one uniform draw u decides how many
    turns happen (turn k when u < w_k; drawn at the first turn that is not certain, which
    docs/spec.md leaves open), and each turn that happens draws its sample row. The
    nearest-rank 95th percentile of the session costs."""
    rng = random.Random(seed)
    totals = []
    for _ in range(sessions):
        total = F(0)
        for c in calls:
            u = None
            for t, w in enumerate(c.weights):
                if w != 1:
                    u = rng.random() if u is None else u
                    if not u < w:
                        break
                total += c.requests[t][rng.randrange(n)]
        totals.append(total)
    totals.sort()
    return totals[math.ceil(F(95, 100) * len(totals)) - 1] if totals else F(0)


KNOWN: frozenset[str] = frozenset()
"""Every engine behaviour known to disagree with docs/spec.md: none. The quirks above are
kept so tests/estimate/test_reference_disagreements.py can show each old behaviour
differs from the documented rule the engine follows now."""
