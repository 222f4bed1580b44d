"""Price tables: what a model costs, since when, and how its tokens are counted.

Billing rules encoded here (see docs/pricing.md):

* rates are USD per 1M tokens;
* a long-context tier is a cliff: when a request's input tokens exceed ``above``
  (strictly), the tier's rates apply to the whole request, output included;
* history is kept: ``Model.price_at(day)`` picks the period in force that day.

The price dimensions are the fields of ``Rates``: each field is one row (its YAML key,
its report label), and the loader, the validator, the diff, the sync and the renderers
all iterate over ``RATE_KEYS``; so a new price key is one field here plus the billing
rule that uses it.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Literal, Mapping, get_args

from ..errors import CostgateError, suggest
from ..tokens import Approximation, ChatOverhead, Tokenizer, resolve

ModelKind = Literal["chat", "embedding"]
KINDS: tuple[ModelKind, ...] = get_args(ModelKind)


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
    chat_overhead: ChatOverhead
    file: str


@dataclass(frozen=True)
class PriceTable:
    providers: Mapping[str, Provider]
    models: Mapping[str, Model]
    """By canonical id."""
    aliases: Mapping[str, str]
    """Alias -> canonical id."""
    approximations: Mapping[str, Approximation]
    """Tokenizer family -> how it is approximated."""

    def model(self, name: str, *, file: str | None = None, line: int | None = None,
              where: str = "") -> Model:
        """A model by id or alias; an unknown name is an error with a 'did you mean'."""
        if name in self.models:
            return self.models[name]
        if name in self.aliases:
            return self.models[self.aliases[name]]
        names = sorted(set(self.models) | set(self.aliases))
        hint = suggest(name, names) or "run `costgate pricing list` to see the known models"
        raise CostgateError(f"unknown model {name!r}{' in ' + where if where else ''}",
                            file=file, line=line, hint=hint)

    def canonical(self, name: str) -> str:
        """The canonical id of ``name`` (an id or alias), or ``name`` when unknown."""
        return self.aliases.get(name, name)

    def tokenizer(self, model: Model) -> Tokenizer:
        return resolve(model.tokenizer, self.approximations)

    def overhead(self, model: Model) -> ChatOverhead:
        if model.kind != "chat":
            return ChatOverhead()
        return self.providers[model.provider].chat_overhead
