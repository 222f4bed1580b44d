"""Price tables: what a model costs, since when, and how its tokens are counted.

Billing rules encoded here (see docs/pricing.md):

* rates are USD per 1M tokens;
* a long-context tier is a cliff: when a request's input tokens exceed ``above``
  (strictly), the tier's rates apply to the whole request, output included;
* history is kept: ``Model.price_at(day)`` picks the period in force that day;
* hidden reasoning tokens are billed at ``reasoning_output`` where a provider prices them
  apart, else at ``output`` (``rates.reasoning_output or rates.output``);
* a model's ``reasoning`` holds approximate mean reasoning tokens per request at each
  effort level (a model without it does not reason); ``capability`` is its class for
  routing advice (route only within a class).

The price dimensions are the fields of ``Rates``: each field is one row (its YAML key,
its report label), and the loader, the validator, the diff, the sync and the renderers
all iterate over ``RATE_KEYS``; so a new price key is one field here plus the billing
rule that uses it.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, fields
from decimal import Decimal
from types import MappingProxyType
from typing import Literal, Mapping, get_args

from ..errors import CostgateError, suggest
from ..tokens import Approximation, ChatOverhead, Tokenizer, family_overhead, resolve

ModelKind = Literal["chat", "embedding"]
KINDS: tuple[ModelKind, ...] = get_args(ModelKind)
Effort = Literal["minimal", "low", "medium", "high", "xhigh"]
EFFORTS: tuple[Effort, ...] = get_args(Effort)
"""Reasoning effort levels, least effort first: OpenAI's ``reasoning_effort`` names, which
Google's and most gateways' effort settings reuse. Order matters: more effort never
means fewer tokens. ``none`` (reasoning off) is not a level: it is zero tokens."""
Capability = Literal["frontier", "standard", "small"]
CAPABILITIES: tuple[Capability, ...] = get_args(Capability)
"""Capability classes, most capable first: routing advice stays within one class, so a
call is never routed to a weaker class of model just because it is cheaper."""


def _rate(label: str) -> Decimal | None:
    return field(default=None, metadata={"label": label})


@dataclass(frozen=True, kw_only=True)
class Rates:
    """USD per 1M tokens. ``None`` means the provider does not offer that kind of token.
    Fields are in the order reports show them."""

    input: Decimal = field(metadata={"label": "input"})
    cached_input: Decimal | None = _rate("cached")
    cache_write_5m: Decimal | None = _rate("write 5m")
    cache_write_1h: Decimal | None = _rate("write 1h")
    output: Decimal | None = field(metadata={"label": "output"})
    """None only for embedding models."""
    reasoning_output: Decimal | None = _rate("reasoning out")
    """Hidden reasoning tokens, only where the provider bills them apart from the answer
    (Gemini 2.5 Flash's preview billed "thinking" output at 3.50, other output at 0.60).
    None: reasoning tokens are billed as output, as almost every provider does."""
    batch_input: Decimal | None = _rate("batch in")
    batch_output: Decimal | None = _rate("batch out")


RATE_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Rates))
RATE_LABELS: Mapping[str, str] = {f.name: f.metadata["label"] for f in fields(Rates)}


@dataclass(frozen=True)
class Tier:
    """Rates for requests whose input tokens are strictly greater than ``above``."""

    above: int
    rates: Rates


@dataclass(frozen=True)
class PricePeriod:
    since: _dt.date
    rates: Rates
    tiers: tuple[Tier, ...] = ()

    def rates_for(self, input_tokens: int) -> Rates:
        """The rates billed for a request with ``input_tokens`` prompt tokens (a cliff)."""
        chosen = self.rates
        for tier in self.tiers:
            if input_tokens > tier.above:
                chosen = tier.rates
        return chosen


@dataclass(frozen=True)
class ReasoningDefaults:
    """How many hidden reasoning tokens a request spends, per effort level: approximate
    means for a typical request, since the real figure depends on the prompt (a hard
    problem can use ten times the mean). A spec's own measured figure should win."""

    effort_tokens: Mapping[Effort, int]
    """Effort level -> mean reasoning tokens per request, for the levels the model offers,
    least effort first (read only)."""
    source: str
    """Where the figures come from, and how they were derived when nobody publishes them."""
    default: Effort | None = None
    """The level a request gets when it names none; None: reasoning is off unless asked for."""

    def __post_init__(self) -> None:
        """Keep a read-only copy, so the caller's dict cannot change a loaded table."""
        object.__setattr__(self, "effort_tokens", MappingProxyType(dict(self.effort_tokens)))

    def __hash__(self) -> int:  # a mapping proxy is unhashable: hash its items
        return hash((tuple(self.effort_tokens.items()), self.source, self.default))

    def __reduce__(self) -> tuple:  # a mapping proxy cannot be pickled (spawned gate workers)
        return (type(self), (dict(self.effort_tokens), self.source, self.default))


@dataclass(frozen=True)
class BillingRules:
    """How a provider combines discounts (``billing:`` in a price file, provider-wide or on one
    model). ``None`` leaves a rule to the level above: model, then provider, then the default
    (True: a batch discount applies to cache reads and cache writes as to any input)."""

    batch_discounts_cached_reads: bool | None = None
    """Batch requests bill cache reads at ``cached_input`` x batch/regular input (True:
    Anthropic, Mistral, OpenAI's GPT-5 family), or at the standard ``cached_input`` (False:
    OpenAI's GPT-4o/4.1/o-series and Gemini, as genai-prices and litellm price them)."""
    batch_discounts_cache_writes: bool | None = None
    """Batch requests bill ``cache_write_*`` at the write rate x batch/regular input (True:
    Anthropic), or at the standard write rate (False). Writes billed at the plain input rate
    (no ``cache_write_*``: OpenAI, Gemini implicit caching) are ordinary input either way."""
    source: str | None = None

    def over(self, lower: "BillingRules") -> "BillingRules":
        """These rules, with the ones left unset taken from ``lower``."""
        return BillingRules(
            batch_discounts_cached_reads=lower.batch_discounts_cached_reads if self.batch_discounts_cached_reads is None
            else self.batch_discounts_cached_reads,
            batch_discounts_cache_writes=lower.batch_discounts_cache_writes if self.batch_discounts_cache_writes is None
            else self.batch_discounts_cache_writes,
            source=self.source or lower.source)

    @property
    def reads_discounted(self) -> bool:
        return self.batch_discounts_cached_reads is not False

    @property
    def writes_discounted(self) -> bool:
        return self.batch_discounts_cache_writes is not False


BILLING_RULES: tuple[str, ...] = ("batch_discounts_cached_reads", "batch_discounts_cache_writes")


@dataclass(frozen=True)
class Model:
    id: str
    provider: str
    name: str
    kind: ModelKind
    tokenizer: str
    aliases: tuple[str, ...]
    context_window: int | None
    cache_min_tokens: int | None
    checked: _dt.date
    deprecated: _dt.date | None
    retired: _dt.date | None
    prices: tuple[PricePeriod, ...]
    file: str
    line: int
    capability: Capability | None = None
    """Routing class; None for embeddings (and for a model nobody classed)."""
    reasoning: ReasoningDefaults | None = None
    """Reasoning tokens per effort level; None: the model does not reason."""
    billing: BillingRules = BillingRules()
    """The model's own billing rules (unset ones come from its provider)."""
    snapshot_of: str | None = None
    """The moving model this is a dated snapshot of (``gpt-4o-2024-08-06`` of ``gpt-4o``):
    a snapshot is priced from its own release, never with the moving name's history."""
    alias_since: tuple[tuple[str, _dt.date], ...] = ()
    """The dated aliases among ``aliases`` (``{name: mistral-large-latest, since: 2025-12-02}``):
    from ``since`` the name means this model, until a later ``since`` of the same name
    on another model (a moving ``-latest`` name's history)."""

    def since_of(self, alias: str) -> _dt.date | None:
        """The ``since`` of a dated alias of this model; None for an undated one."""
        return next((day for name, day in self.alias_since if name == alias), None)

    def price_at(self, as_of: _dt.date) -> PricePeriod:
        """The price period in force on ``as_of``."""
        found = None
        for period in self.prices:
            if period.since <= as_of:
                found = period
        if found is None:
            first = self.prices[0].since
            raise CostgateError(
                f"no price for {self.id!r} on {as_of}: its earliest price is from {first}",
                file=self.file, line=self.line,
                hint=f"estimate as of {first} or later, or add an older price period",
            )
        return found

    def priced_at(self, as_of: _dt.date) -> PricePeriod | None:
        """``price_at``, or None before the model's first price."""
        try:
            return self.price_at(as_of)
        except CostgateError:
            return None

    def gone(self, as_of: _dt.date) -> bool:
        """Deprecated or retired on ``as_of``."""
        return bool((self.retired and as_of >= self.retired) or (self.deprecated and as_of >= self.deprecated))


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    source: str
    chat_overhead: ChatOverhead | None
    """None: the file declares none, so the model's family template applies (tokens/chat.py)."""
    file: str
    billing: BillingRules = BillingRules()


@dataclass(frozen=True)
class PriceTable:
    providers: Mapping[str, Provider]
    models: Mapping[str, Model]
    """By canonical id."""
    aliases: Mapping[str, str]
    """Alias -> canonical id."""
    approximations: Mapping[str, Approximation]
    """Tokenizer family -> how it is approximated."""
    dated: Mapping[str, tuple[tuple[_dt.date, str], ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Dated alias -> its history, (since, canonical id) oldest first. ``aliases`` maps a
    dated alias to its newest model."""

    def model(self, name: str, *, file: str | None = None, line: int | None = None,
              where: str = "", as_of: _dt.date | None = None) -> Model:
        """A model by id or alias; an unknown name is an error with a 'did you mean'.
        A dated alias means the model whose ``since`` is the latest on or before ``as_of``
        (no ``as_of``: the newest); before its first ``since`` it is an error."""
        if name in self.models:
            return self.models[name]
        if name in self.dated and as_of is not None:
            history = self.dated[name]
            found = [mid for since, mid in history if since <= as_of]
            if not found:
                first, mid = history[0]
                raise CostgateError(
                    f"alias {name!r}{' in ' + where if where else ''} names no model on {as_of}: "
                    f"it first means {mid!r} from {first}", file=file, line=line,
                    hint=f"estimate as of {first} or later, or name a model id")
            return self.models[found[-1]]
        if name in self.aliases:
            return self.models[self.aliases[name]]
        names = sorted(set(self.models) | set(self.aliases))
        hint = suggest(name, names) or "run `costgate pricing list` to see the known models"
        raise CostgateError(f"unknown model {name!r}{' in ' + where if where else ''}",
                            file=file, line=line, hint=hint)

    def canonical(self, name: str, as_of: _dt.date | None = None) -> str:
        """The canonical id of ``name`` (an id or alias; a dated alias as of ``as_of``),
        or ``name`` when unknown or a dated alias names no model that day."""
        if name in self.dated and as_of is not None and name not in self.models:
            found = [mid for since, mid in self.dated[name] if since <= as_of]
            return found[-1] if found else name
        return self.aliases.get(name, name)

    def billing(self, model: Model) -> BillingRules:
        """The billing rules of ``model``: its own, then its provider's, then the defaults."""
        provider = self.providers.get(model.provider)
        return model.billing.over(provider.billing if provider else BillingRules())

    def tokenizer(self, model: Model) -> Tokenizer:
        return resolve(model.tokenizer, self.approximations)

    def overhead(self, model: Model) -> ChatOverhead:
        """Tokens the chat API adds around messages: the provider's declared rule, else the
        chat template of the model's open-weight tokenizer family, else none."""
        if model.kind != "chat":
            return ChatOverhead()
        declared = self.providers[model.provider].chat_overhead
        return declared if declared is not None else family_overhead(model.tokenizer)
