"""Price tables: what a model costs, since when, and how its tokens are counted.

Prices are data (``pricing/<provider>.yaml``, shipped in the wheel as
``costgate/pricing_data``), parsed straight into ``Decimal`` and validated strictly: a
typo in a key or a price written as a float is an error with a file and line, never a
silently wrong estimate. Teams layer their own files on top (``load_table([shipped,
overrides])``): a later layer replaces a model by id and merges into a provider by id.

Billing rules encoded here (see docs/pricing.md):

* rates are USD per 1M tokens;
* a long-context tier is a cliff: when a request's input tokens exceed ``above``
  (strictly), the tier's rates apply to the whole request, output included;
* history is kept: ``Model.price_at(day)`` picks the period in force that day.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

from . import pricing_check as check
from .errors import CostgateError, suggest
from .tokens import ChatOverhead, Tokenizer, registered, resolve
from .yamlio import Doc, loads

SCHEMA_VERSION = 1
KINDS = ("chat", "embedding")
_TOP_KEYS = ("schema_version", "provider", "name", "source", "chat_overhead", "tokenizers",
             "models")
_OVERHEAD_KEYS = ("per_message", "per_name", "reply", "source")
_APPROX_KEYS = ("base", "ratio", "source")
_MODEL_KEYS = ("id", "name", "aliases", "kind", "tokenizer", "context_window",
               "cache_min_tokens", "checked", "deprecated", "retired", "prices")
_PERIOD_KEYS = ("since",) + check.RATE_KEYS + ("tiers",)
_TIER_KEYS = ("above",) + check.RATE_KEYS


@dataclass(frozen=True)
class Rates:
    """USD per 1M tokens. ``None`` means the provider does not offer that kind of token."""

    input: Decimal
    output: Decimal | None  # None only for embedding models
    cached_input: Decimal | None = None
    cache_write_5m: Decimal | None = None
    cache_write_1h: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None


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
    kind: str
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
    models: Mapping[str, Model]  # by canonical id
    aliases: Mapping[str, str]  # alias -> id
    approximations: Mapping[str, tuple[str, Decimal, str]]  # family -> (base, ratio, source)

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

    def tokenizer(self, model: Model) -> Tokenizer:
        return resolve(model.tokenizer, self.approximations)

    def overhead(self, model: Model) -> ChatOverhead:
        if model.kind != "chat":
            return ChatOverhead()
        return self.providers[model.provider].chat_overhead


@dataclass
class ParsedFile:
    """One pricing file, validated on its own; cross-file rules run in ``load_table``."""

    provider: Provider
    overhead_given: bool
    models: list[Model]
    approximations: dict[str, tuple[str, Decimal, str]]
    doc: Doc
    model_paths: dict[str, tuple]  # model id -> its path in doc, for later messages


def shipped_pricing_dir() -> Path:
    """The price files that ship with costgate (wheel: pricing_data; checkout: pricing/)."""
    here = Path(__file__).resolve().parent
    packaged = here / "pricing_data"
    return packaged if packaged.is_dir() else here.parent / "pricing"


def load_file(text: str, file: str) -> ParsedFile:
    """Parse and validate one provider file. ``file`` names it in messages; its stem must
    equal the ``provider`` id."""
    doc = loads(text, file)
    if doc.data is None:
        raise CostgateError("pricing file is empty", file=file,
                            hint="start from an existing file in costgate's pricing/")
    top = check.mapping(doc, (), doc.data, allowed=_TOP_KEYS,
                        required=("schema_version", "provider", "name", "source", "models"))
    if type(top["schema_version"]) is not int or top["schema_version"] != SCHEMA_VERSION:
        raise doc.error(("schema_version",),
                        f"unsupported schema_version {top['schema_version']!r}",
                        f"this costgate reads schema_version {SCHEMA_VERSION}")
    pid = check.ident(doc, ("provider",), top["provider"])
    stem = Path(file).stem
    if pid != stem:
        raise doc.error(("provider",), f"provider {pid!r} does not match the file name {stem!r}",
                        f"rename the file to {pid}.yaml or set 'provider: {stem}'")
    overhead = ChatOverhead()
    if "chat_overhead" in top:
        raw = check.mapping(doc, ("chat_overhead",), top["chat_overhead"], allowed=_OVERHEAD_KEYS)
        if "source" in raw:
            check.url(doc, ("chat_overhead", "source"), raw["source"])
        overhead = ChatOverhead(**{k: check.integer(doc, ("chat_overhead", k), raw[k])
                                   for k in ("per_message", "per_name", "reply") if k in raw})
    provider = Provider(id=pid, name=check.text(doc, ("name",), top["name"]),
                        source=check.url(doc, ("source",), top["source"]),
                        chat_overhead=overhead, file=file)
    approximations = _approximations(doc, top.get("tokenizers"))
    raw_models = top["models"]
    if not isinstance(raw_models, list) or not raw_models:
        raise doc.error(("models",), "models must be a non-empty list",
                        "list at least one model under 'models:'")
    models: list[Model] = []
    paths: dict[str, tuple] = {}
    for i, raw in enumerate(raw_models):
        model = _model(doc, ("models", i), raw, pid)
        paths[model.id] = ("models", i)
        models.append(model)
    return ParsedFile(provider, "chat_overhead" in top, models, approximations, doc, paths)


def _approximations(doc: Doc, raw: Any) -> dict[str, tuple[str, Decimal, str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise doc.error(("tokenizers",), "tokenizers must be a mapping of family name to "
                        "{base, ratio, source}")
    out = {}
    exact = registered()
    for family, spec in raw.items():
        path = ("tokenizers", family)
        spec = check.mapping(doc, path, spec, allowed=_APPROX_KEYS, required=_APPROX_KEYS)
        base = check.text(doc, path + ("base",), spec["base"])
        if base not in exact:
            raise doc.error(path + ("base",), f"tokenizer {family!r} is based on {base!r}, "
                            "which is not a registered exact tokenizer",
                            check.with_list(suggest(base, exact), "registered exact tokenizers", exact))
        ratio = check.price(doc, path + ("ratio",), spec["ratio"])
        if ratio <= 0:
            raise doc.error(path + ("ratio",), f"tokenizer {family!r} ratio must be positive")
        out[family] = (base, ratio, check.text(doc, path + ("source",), spec["source"]))
    return out


def _model(doc: Doc, path: tuple, raw: Any, provider: str) -> Model:
    raw = check.mapping(doc, path, raw, allowed=_MODEL_KEYS,
                        required=("id", "name", "tokenizer", "checked", "prices"))
    mid = check.ident(doc, path + ("id",), raw["id"])
    kind = raw.get("kind", "chat")
    if kind not in KINDS:
        raise doc.error(path + ("kind",), f"{check.where(path)}.kind must be one of "
                        f"{', '.join(KINDS)}, got {kind!r}", suggest(str(kind), KINDS))
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list):
        raise doc.error(path + ("aliases",), "aliases must be a list of names",
                        "write aliases: [name-1, name-2]")
    aliases = tuple(check.ident(doc, path + ("aliases", j), a) for j, a in enumerate(aliases))
    optional_int = {k: check.integer(doc, path + (k,), raw[k], minimum=1 if k == "context_window"
                                     else 0) if k in raw else None
                    for k in ("context_window", "cache_min_tokens")}
    optional_day = {k: check.day(doc, path + (k,), raw[k]) if k in raw else None
                    for k in ("deprecated", "retired")}
    check.lifecycle(doc, path, optional_day["deprecated"], optional_day["retired"])
    prices = raw["prices"]
    if not isinstance(prices, list) or not prices:
        raise doc.error(path + ("prices",), f"{check.where(path)}.prices must be a non-empty "
                        "list", "add at least one period with 'since', 'input' and 'output'")
    periods = tuple(_period(doc, path + ("prices", j), p, kind) for j, p in enumerate(prices))
    check.ascending_dates(doc, path + ("prices",), [p.since for p in periods])
    return Model(id=mid, provider=provider, name=check.text(doc, path + ("name",), raw["name"]),
                 kind=kind, tokenizer=check.ident(doc, path + ("tokenizer",), raw["tokenizer"]),
                 aliases=aliases, checked=check.day(doc, path + ("checked",), raw["checked"]),
                 prices=periods, file=doc.file, line=doc.line(path) or 0,
                 **optional_int, **optional_day)


def _period(doc: Doc, path: tuple, raw: Any, kind: str) -> PricePeriod:
    raw = check.mapping(doc, path, raw, allowed=_PERIOD_KEYS, required=("since",))
    tiers_raw = raw.get("tiers", [])
    if not isinstance(tiers_raw, list):
        raise doc.error(path + ("tiers",), "tiers must be a list")
    tiers = []
    for j, t in enumerate(tiers_raw):
        tpath = path + ("tiers", j)
        t = check.mapping(doc, tpath, t, allowed=_TIER_KEYS, required=("above",))
        above = check.integer(doc, tpath + ("above",), t["above"], minimum=1)
        tiers.append(Tier(above, Rates(**check.rates(doc, tpath, t, kind=kind))))
    check.ascending_tiers(doc, path + ("tiers",), [t.above for t in tiers])
    return PricePeriod(since=check.day(doc, path + ("since",), raw["since"]),
                       rates=Rates(**check.rates(doc, path, raw, kind=kind)), tiers=tuple(tiers))


def _layer_files(path: Path | tuple, read_text: Callable[[Path], str]) -> list[ParsedFile]:
    files = (list(path) if isinstance(path, tuple) else
             sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    if not files:
        raise CostgateError("no *.yaml pricing files in this directory", file=str(path),
                            hint="a pricing layer is a directory of <provider>.yaml files")
    out = []
    for f in files:
        try:
            text = read_text(f)
        except OSError as exc:
            raise CostgateError(f"cannot read pricing file: {exc.strerror or exc}", file=str(f),
                                hint="check the path given for the price table") from None
        out.append(load_file(text, str(f)))
    return out


def load_table(paths: Sequence[Path] | None = None, *,
               read_text: Callable[[Path], str] | None = None) -> PriceTable:
    """Load price files. Each path is a directory (its ``*.yaml``, sorted), one file, or a
    tuple of files forming one layer; later paths override earlier ones (model by id,
    provider by id)."""
    if paths is None and read_text is None:
        return _shipped_table()
    paths = [shipped_pricing_dir()] if paths is None else [
        tuple(map(Path, p)) if isinstance(p, (tuple, list)) else Path(p) for p in paths]
    read = read_text or (lambda p: p.read_text(encoding="utf-8"))
    providers: dict[str, Provider] = {}
    models: dict[str, Model] = {}
    aliases: dict[str, str] = {}
    approximations: dict[str, tuple[str, Decimal, str]] = {}
    tokenizer_at: dict[str, tuple[ParsedFile, tuple]] = {}
    for layer_path in paths:
        files = _layer_files(layer_path, read)
        check.unique_names(files)
        for pf in files:
            _merge(pf, providers, models, aliases, approximations, tokenizer_at)
    if not models:
        raise CostgateError("no pricing files given",
                            hint="pass at least one directory of <provider>.yaml files")
    known = set(registered()) | set(approximations)
    for m in models.values():
        if m.tokenizer not in known:
            pf, path = tokenizer_at[m.id]
            raise pf.doc.error(path, f"unknown tokenizer {m.tokenizer!r} for model {m.id!r}",
                               check.with_list(suggest(m.tokenizer, sorted(known)), "known",
                                          sorted(known)) + "; or declare an approximation "
                               "under 'tokenizers:'")
    return PriceTable(providers=MappingProxyType(providers), models=MappingProxyType(models),
                      aliases=MappingProxyType(aliases),
                      approximations=MappingProxyType(approximations))


def _merge(pf: ParsedFile, providers: dict, models: dict, aliases: dict,
           approximations: dict, tokenizer_at: dict) -> None:
    """Apply one file on top of what earlier layers defined."""
    new = pf.provider
    old = providers.get(new.id)
    if old is not None and not pf.overhead_given:
        new = replace(new, chat_overhead=old.chat_overhead)
    providers[new.id] = new
    approximations.update(pf.approximations)
    for m in pf.models:
        if m.id in models:  # an override replaces the model and its aliases entirely
            for alias in models[m.id].aliases:
                aliases.pop(alias, None)
        if m.id in aliases:  # an earlier alias becomes a model of its own
            _drop_alias(models, aliases, m.id)
        models[m.id] = m
        tokenizer_at[m.id] = (pf, pf.model_paths[m.id] + ("tokenizer",))
    for m in pf.models:
        for j, alias in enumerate(m.aliases):
            if alias in models:
                raise pf.doc.error(pf.model_paths[m.id] + ("aliases", j),
                                   f"alias {alias!r} of {m.id!r} collides with model id "
                                   f"{alias!r} ({models[alias].file}:{models[alias].line})",
                                   "remove the alias or rename one of them")
            if alias in aliases and aliases[alias] != m.id:
                _drop_alias(models, aliases, alias)  # a later layer claims the name
            aliases[alias] = m.id


def _drop_alias(models: dict, aliases: dict, alias: str) -> None:
    owner = models[aliases.pop(alias)]
    models[owner.id] = replace(owner, aliases=tuple(a for a in owner.aliases if a != alias))


@dataclass(frozen=True)
class Validation:
    """What ``validate`` found: every file read, its models, and every error."""

    files: tuple[str, ...]
    models: int
    errors: tuple[CostgateError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(paths: Sequence[Path] | None = None) -> Validation:
    """Check price files: each file on its own (all errors, not just the first), the
    stricter ``check.lint`` rules, then the cross-file rules of ``load_table`` with the
    paths layered over the shipped table (so shared tokenizer families resolve)."""
    shipped = shipped_pricing_dir().resolve()
    paths = [Path(p) for p in paths] if paths else [shipped]
    names, models, errors = [], 0, []
    for layer in paths:
        try:
            files = sorted(layer.glob("*.yaml")) if layer.is_dir() else [layer]
            if not files:
                raise CostgateError("no *.yaml pricing files in this directory", file=str(layer))
        except CostgateError as exc:
            errors.append(exc)
            continue
        for f in files:
            names.append(str(f))
            try:
                pf = load_file(f.read_text(encoding="utf-8"), str(f))
            except OSError as exc:
                errors.append(CostgateError(f"cannot read pricing file: {exc.strerror or exc}",
                                            file=str(f)))
                continue
            except CostgateError as exc:
                errors.append(exc)
                continue
            models += len(pf.models)
            errors += check.lint(pf.doc)
    if not errors:
        base = [] if any(p.resolve() == shipped for p in paths) else [shipped]
        try:
            load_table([*base, *paths])
        except CostgateError as exc:
            errors.append(exc)
    return Validation(tuple(names), models, tuple(errors))


@lru_cache(maxsize=1)
def _shipped_table() -> PriceTable:
    return load_table([shipped_pricing_dir()], read_text=lambda p: p.read_text(encoding="utf-8"))
