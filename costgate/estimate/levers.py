"""What-if: the changes a team makes to pass the gate, priced by the same simulator.

Each lever is applied alone to one call, the spec is re-estimated, and the saving is the
difference in projected monthly spend. Nothing here has its own cost model: a lever is
a spec edit, so its number is exactly what the team would see after making the change.

Levers are a registry: each is one class with the edits it proposes for a call, listed
once in ``LEVERS``. Adding a lever is one class, one registry line, and its name in
``results.LeverKind``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Iterator, Mapping, Protocol

from ..errors import CostgateError
from ..pricing import PriceTable
from ..spec import Call, History, ModelShare, Spec, Template
from .compress import Compressed, compress
from .history import rule_for
from .results import Estimate, Lever, LeverKind
from .simulate import DEFAULT_SEED, estimate

ZERO = Decimal(0)
WINDOW = 5
MAX_ROUTES = 3


@dataclass(frozen=True)
class Context:
    """What a lever may look at besides the call: the price table and the day."""

    spec: Spec
    table: PriceTable
    as_of: date


@dataclass(frozen=True)
class Proposal:
    """One way a lever applies to a call: the edit in words and the call with it made."""

    description: str
    call: Call
    trade_off: str | None = None
    """When this variant's risk differs from the rule's own ``trade_off``."""
    removes: str | None = None
    """For an edit of prompt text: what it removes, in words (file line numbers)."""


class LeverRule(Protocol):
    kind: LeverKind
    trade_off: str

    def variants(self, ctx: Context, call: Call) -> Iterator[Proposal]:
        """Each way the lever applies to ``call``."""
        ...


class PromptCaching:
    kind: LeverKind = "prompt_caching"
    trade_off = "none on output; the first call per cache lifetime pays the cache-write price"

    def variants(self, ctx: Context, call: Call) -> Iterator[Proposal]:
        if not call.cache.prompt_prefix:
            yield Proposal("turn on provider prompt caching of the static prefix",
                           replace(call, cache=replace(call.cache, prompt_prefix=True)))


class HistoryWindow:
    kind: LeverKind = "history_window"
    trade_off = f"the model forgets turns older than {WINDOW}; long conversations may lose context"

    def variants(self, ctx: Context, call: Call) -> Iterator[Proposal]:
        if is_agent(call):
            return  # an agent that forgets its earlier steps redoes them: advice that does not fit
        if rule_for(call.history).can_window(WINDOW) and call.per_session > WINDOW + 1:
            yield Proposal(f"keep only the last {WINDOW} turns of history",
                           replace(call, history=History("window", window=WINDOW)))


class Batch:
    kind: LeverKind = "batch"
    trade_off = "results within 24 hours instead of seconds; only for offline work"

    def variants(self, ctx: Context, call: Call) -> Iterator[Proposal]:
        if call.latency == "offline" and call.batch < 1:
            yield Proposal("send every call through the batch API", replace(call, batch=Decimal(1)))


class CompressSystem:
    """The system prompt's static text with its whitespace compressed (low risk), and, as
    a second variant when there are any, its word-for-word repeated paragraphs dropped too
    (medium risk). Template logic, code, edit markers and indentation are never edited
    (``compress``), so the edited template renders the same words; each variant says what
    it removes, by file line, so the saving can be checked before the edit is made."""

    kind: LeverKind = "compress_system"
    trade_off = "low risk: whitespace only; template logic, code blocks, edit markers and indentation untouched"
    dedupe_trade_off = ("medium risk: also drops word-for-word repeated paragraphs, which may be deliberate "
                        "emphasis; read the listed lines first")

    def variants(self, ctx: Context, call: Call) -> Iterator[Proposal]:
        tpl = call.system
        if tpl is None or tpl.format != "jinja2":
            return  # the edit reads Jinja2 syntax; other formats' text is left alone
        plain = compress(tpl.text, first_line=tpl.first_line)
        if plain.changed:
            yield Proposal("collapse whitespace in the system prompt", _edited(call, tpl, plain),
                           removes=plain.removal.describe())
        deduped = compress(tpl.text, duplicates=True, first_line=tpl.first_line)
        if deduped.removal.duplicates:
            yield Proposal("collapse whitespace and drop repeated paragraphs in the system prompt",
                           _edited(call, tpl, deduped), self.dedupe_trade_off, deduped.removal.describe())


def _edited(call: Call, tpl: Template, done: Compressed) -> Call:
    """The call with its system template's text compressed; file, first line and includes
    kept, so a render error still names the file and its includes still render."""
    return replace(call, system=replace(tpl, text=done.text))


def is_agent(call: Call) -> bool:
    """A loop of steps that act on their own results (tools, observations, a step law)."""
    return call.steps is not None or call.observation is not None or call.tools is not None


class HistoryCaching:
    kind: LeverKind = "history_caching"
    trade_off = "none on output; each new turn pays the cache-write price once"

    def variants(self, ctx: Context, call: Call) -> Iterator[Proposal]:
        if call.history.policy != "none" and not call.cache.history and call.per_session > 1:
            yield Proposal("cache the conversation (a cache breakpoint on the latest message)",
                           replace(call, cache=replace(call.cache, history=True)))


class ToolPruning:
    kind: LeverKind = "tool_pruning"
    trade_off = "the model cannot call a tool it is not sent: send it only on the steps that need it"

    def variants(self, ctx: Context, call: Call) -> Iterator[Proposal]:
        tools = call.tools
        if tools is None or len(tools.definitions) < 2:
            return
        sizes = [len(json.dumps(d, sort_keys=True)) for d in tools.definitions]
        largest = max(range(len(sizes)), key=lambda i: (sizes[i], -i))
        name = tool_name(tools.definitions[largest])
        kept = tools.definitions[:largest] + tools.definitions[largest + 1:]
        yield Proposal(f"drop the largest tool definition ({name}) from the requests that do not need it",
                       replace(call, tools=replace(tools, definitions=kept)))


def tool_name(definition: Mapping[str, Any]) -> str:
    inner = definition.get("function")
    name = (inner if isinstance(inner, dict) else definition).get("name", "?")
    return str(name)[:60]


class StepCap:
    kind: LeverKind = "step_cap"
    trade_off = "sessions that need more steps stop unfinished; watch the task success rate"

    def variants(self, ctx: Context, call: Call) -> Iterator[Proposal]:
        steps = call.steps
        if steps is None or steps.p95 is None or steps.max is not None:
            return
        cap = int(steps.p95)
        yield Proposal(f"stop the loop after {cap} steps (its p95)", replace(call, steps=replace(steps, max=cap)))


class Route:
    """Every other model of the same kind and tokenizer family, in the same capability
    class when the price table says which that is, priced and not on its way out."""

    kind: LeverKind = "route"
    trade_off = "quality risk: a smaller model; evaluate it on your samples first"

    def variants(self, ctx: Context, call: Call) -> Iterator[Proposal]:
        table, as_of = ctx.table, ctx.as_of
        families = {table.model(m, as_of=as_of).tokenizer for m in call.models}
        current = {table.model(m, as_of=as_of).id for m in call.models}
        classes = {getattr(table.model(m, as_of=as_of), "capability", None) for m in call.models}
        for model in table.models.values():
            if model.kind != call.kind or model.tokenizer not in families or model.id in current or model.gone(as_of):
                continue
            if None not in classes and getattr(model, "capability", None) not in classes:
                continue  # a smaller class of model is a different product, not a saving
            period = model.priced_at(as_of)
            if period is None or (call.batch and period.rates.batch_input is None):
                continue
            yield Proposal(f"route to {model.id}", replace(call, mix=(ModelShare(model.id, Decimal(1)),)))


LEVERS: tuple[LeverRule, ...] = (PromptCaching(), HistoryCaching(), HistoryWindow(), Batch(), CompressSystem(),
                                 ToolPruning(), StepCap(), Route())


def what_if(spec: Spec, table: PriceTable, base: Estimate | None = None, *, as_of: date | None = None,
            seed: int = DEFAULT_SEED) -> list[Lever]:
    """Every applicable lever, one at a time, ranked by monthly saving (largest first)."""
    as_of = as_of or (base.as_of if base else date.today())
    base = base or estimate(spec, table, as_of=as_of, seed=seed, alternatives=False)
    ctx = Context(spec, table, as_of)
    levers: list[Lever] = []
    for call in spec.calls:
        routes: list[Lever] = []
        for rule in LEVERS:
            try:
                proposals = list(rule.variants(ctx, call))
            except CostgateError:  # a lever that cannot say how it applies is not advice either
                continue
            for proposal in proposals:
                try:
                    lever = _price(ctx, base, rule, call, proposal, seed)
                except CostgateError:  # a change that cannot be priced is not advice
                    continue
                if lever.tokens_saved is not None and lever.tokens_saved <= 0:
                    continue  # a text edit that saves no token changes nothing billed
                if lever.saving != 0:  # zero: the lever does not apply (e.g. prefix below the cache minimum)
                    (routes if rule.kind == "route" else levers).append(lever)
        routes = sorted((r for r in routes if r.saving > 0), key=lambda r: (-r.saving, r.description))
        levers.extend(routes[:MAX_ROUTES])
    return sorted(levers, key=lambda lv: (-lv.saving, lv.call, lv.lever, lv.description))


def _price(ctx: Context, base: Estimate, rule: LeverRule, call: Call, proposal: Proposal, seed: int) -> Lever:
    calls = tuple(proposal.call if c.name == call.name else c for c in ctx.spec.calls)
    result = estimate(replace(ctx.spec, calls=calls), ctx.table, as_of=ctx.as_of, seed=seed, sessions=50,
                      alternatives=False)
    saving = base.monthly_cost - result.monthly_cost
    pct = (saving * 100 / base.monthly_cost) if base.monthly_cost else ZERO
    tokens = None
    if proposal.removes is not None:
        tokens = base.call(call.name).system_tokens - result.call(call.name).system_tokens
    return Lever(rule.kind, call.name, proposal.description, result.monthly_cost, saving, pct,
                 proposal.trade_off or rule.trade_off, proposal.removes, tokens)


__all__ = ["Lever", "LEVERS", "LeverRule", "Proposal", "what_if"]
