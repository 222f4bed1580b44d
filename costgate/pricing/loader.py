"""Loading price files: strict parsing of one provider file, and layering files into a table.

Prices are data (``pricing/<provider>.yaml``, shipped in the wheel as
``costgate/pricing_data``), parsed straight into ``Decimal`` and validated strictly: a
typo in a key or a price written as a float is an error with a file and line, never a
silently wrong estimate. Teams layer their own files on top: a later layer replaces a
model by id and merges into a provider by id.
"""

from __future__ import annotations

import datetime as _dt
import stat
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Sequence, Union

from ..errors import CostgateError, suggest
from ..fields import Fields, where, with_list
from ..limits import DEFAULT_LIMITS
from ..tokens import Approximation, ChatOverhead, registered
from ..tokens.scripts import SCRIPTS
from ..yamlio import Doc, DocPath, loads
from . import aliases as aliases_mod
from . import check
from .model import (
    CAPABILITIES,
    EFFORTS,
    KINDS,
    RATE_KEYS,
    Model,
    PricePeriod,
    PriceTable,
    Provider,
    ReasoningDefaults,
    Tier,
)
from .sections import APPROX_KEYS, BILLING_KEYS, ERROR_KEYS, billing_rules
from .sections import approximations as read_approximations

SCHEMA_VERSION = 1
TOP_KEYS = ("schema_version", "provider", "name", "source", "chat_overhead", "billing", "tokenizers", "models")
OVERHEAD_KEYS = ("per_message", "per_name", "reply", "source")
MODEL_KEYS = ("id", "name", "snapshot_of", "aliases", "kind", "tokenizer", "context_window",
              "cache_min_tokens", "capability", "reasoning", "billing", "checked", "deprecated",
              "retired", "prices")
REASONING_KEYS = ("effort_tokens", "default", "source")
CHAT_ONLY = ("capability", "reasoning")
"""Model keys an embedding model may not have: it neither reasons nor is routed."""
PERIOD_KEYS = ("since",) + RATE_KEYS + ("tiers",)
TIER_KEYS = ("above",) + RATE_KEYS
# Allowed keys per mapping, by schema path: what the JSON Schema test compares with
# pricing.schema.json at every nesting level.
KEYS: dict[str, tuple[str, ...]] = {
    "": TOP_KEYS, "chat_overhead": OVERHEAD_KEYS, "billing": BILLING_KEYS, "models[].billing": BILLING_KEYS,
    "tokenizers.*": APPROX_KEYS, "tokenizers.*.ratios": SCRIPTS, "tokenizers.*.error": ERROR_KEYS,
    "models[]": MODEL_KEYS, "models[].aliases[]": aliases_mod.ALIAS_KEYS,
    "models[].prices[]": PERIOD_KEYS, "models[].prices[].tiers[]": TIER_KEYS,
    "models[].reasoning": REASONING_KEYS, "models[].reasoning.effort_tokens": EFFORTS,
}


@dataclass(frozen=True)
class TextFile:
    """A price file already read: the name it is known by in messages, and its text."""

    name: str
    text: str


TextLayer = tuple[TextFile, ...]
LayerSpec = Union[Path, str, TextLayer]
"""A directory (its ``*.yaml``), one file on disk, or files already read from a repository."""


@dataclass
class ParsedFile:
    """One pricing file, validated on its own; cross-file rules run in ``load_table``."""

    provider: Provider
    overhead_given: bool
    models: list[Model]
    approximations: dict[str, Approximation]
    doc: Doc
    model_paths: dict[str, DocPath]
    """Model id -> its path in the document, for later messages."""
    billing_given: bool = False


def shipped_pricing_dir() -> Path:
    """The price files that ship with costgate (wheel: pricing_data; checkout: pricing/)."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "pricing_data"
    return packaged if packaged.is_dir() else package.parent / "pricing"


def load_file(text: str, file: str) -> ParsedFile:
    """Parse and validate one provider file. ``file`` names it in messages; its stem must
    equal the ``provider`` id."""
    doc = loads(text, file)
    if doc.data is None:
        raise CostgateError("pricing file is empty", file=file,
                            hint="start from an existing file in costgate's pricing/")
    top = Fields(doc).mapping((), doc.data, allowed=TOP_KEYS,
                        required=("schema_version", "provider", "name", "source", "models"))
    if type(top["schema_version"]) is not int or top["schema_version"] != SCHEMA_VERSION:
        raise doc.error(("schema_version",),
                        f"unsupported schema_version {top['schema_version']!r}",
                        f"this costgate reads schema_version {SCHEMA_VERSION}")
    pid = Fields(doc).ident(("provider",), top["provider"])
    stem = Path(file).stem
    if pid != stem:
        raise doc.error(("provider",), f"provider {pid!r} does not match the file name {stem!r}",
                        f"rename the file to {pid}.yaml or set 'provider: {stem}'")
    overhead: ChatOverhead | None = None
    if "chat_overhead" in top:
        raw = Fields(doc).mapping(("chat_overhead",), top["chat_overhead"], allowed=OVERHEAD_KEYS)
        if "source" in raw:
            Fields(doc).url(("chat_overhead", "source"), raw["source"])
        overhead = ChatOverhead(**{k: Fields(doc).integer(("chat_overhead", k), raw[k])  # type: ignore[arg-type]
                                   for k in ("per_message", "per_name", "reply") if k in raw})
    provider = Provider(id=pid, name=Fields(doc).text(("name",), top["name"]),
                        source=Fields(doc).url(("source",), top["source"]),
                        chat_overhead=overhead, file=file, billing=billing_rules(doc, ("billing",), top.get("billing")))
    approximations = read_approximations(doc, top.get("tokenizers"))
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
    return ParsedFile(provider, "chat_overhead" in top, models, approximations, doc, paths, "billing" in top)


def _model(doc: Doc, path: DocPath, raw: Any, provider: str) -> Model:
    raw = Fields(doc).mapping(path, raw, allowed=MODEL_KEYS,
                        required=("id", "name", "tokenizer", "checked", "prices"))
    mid = Fields(doc).ident(path + ("id",), raw["id"])
    kind = raw.get("kind", "chat")
    if kind not in KINDS:
        raise doc.error(path + ("kind",), f"{where(path)}.kind must be one of "
                        f"{', '.join(KINDS)}, got {kind!r}", suggest(str(kind), KINDS))
    aliases, alias_since = aliases_mod.parse(doc, path + ("aliases",), raw.get("aliases", []))
    optional_int = {k: Fields(doc).integer(path + (k,), raw[k], minimum=1 if k == "context_window"
                                     else 0) if k in raw else None
                    for k in ("context_window", "cache_min_tokens")}
    optional_day = {k: Fields(doc).day(path + (k,), raw[k]) if k in raw else None
                    for k in ("deprecated", "retired")}
    check.lifecycle(doc, path, optional_day["deprecated"], optional_day["retired"])
    for key in CHAT_ONLY:
        if key in raw and kind != "chat":
            raise doc.error(path + (key,), f"{where(path)}.{key} is for chat models, not kind: {kind}",
                            f"remove '{key}:' (embedding models neither reason nor are routed)")
    capability = (Fields(doc).choice(path + ("capability",), raw["capability"], CAPABILITIES)
                  if "capability" in raw else None)
    reasoning = (_reasoning(doc, path + ("reasoning",), raw["reasoning"], optional_int["context_window"])
                 if "reasoning" in raw else None)
    prices = raw["prices"]
    if not isinstance(prices, list) or not prices:
        raise doc.error(path + ("prices",), f"{where(path)}.prices must be a non-empty "
                        "list", "add at least one period with 'since', 'input' and 'output'")
    periods = tuple(_period(doc, path + ("prices", j), p, kind) for j, p in enumerate(prices))
    check.ascending_dates(doc, path + ("prices",), [p.since for p in periods])
    if reasoning is None:
        _no_reasoning_rate(doc, path, prices)
    return Model(id=mid, provider=provider, name=Fields(doc).text(path + ("name",), raw["name"]),
                 kind=kind, tokenizer=Fields(doc).ident(path + ("tokenizer",), raw["tokenizer"]),
                 aliases=aliases, alias_since=alias_since, checked=Fields(doc).day(path + ("checked",), raw["checked"]),
                 prices=periods, file=doc.file, line=doc.line(path) or 0,
                 context_window=optional_int["context_window"], cache_min_tokens=optional_int["cache_min_tokens"],
                 deprecated=optional_day["deprecated"], retired=optional_day["retired"],
                 capability=capability, reasoning=reasoning,
                 billing=billing_rules(doc, path + ("billing",), raw.get("billing")),
                 snapshot_of=Fields(doc).ident(path + ("snapshot_of",), raw["snapshot_of"]) if "snapshot_of" in raw else None)


def _reasoning(doc: Doc, path: DocPath, raw: Any, context_window: int | None) -> ReasoningDefaults:
    """A model's ``reasoning:`` block: approximate mean reasoning tokens per request at
    each effort level it offers, the level a request gets by default, and the source."""
    f = Fields(doc)
    raw = f.mapping(path, raw, allowed=REASONING_KEYS, required=("effort_tokens", "source"))
    tpath = path + ("effort_tokens",)
    given = raw["effort_tokens"]
    if not isinstance(given, dict) or not given:
        raise doc.error(tpath, f"{where(tpath)} must be a mapping of effort level to tokens",
                        "write effort_tokens: {low: 500, medium: 4000, high: 12000}")
    for effort, n in given.items():
        if effort not in EFFORTS:
            raise doc.error(tpath + (effort,), f"unknown reasoning effort {effort!r} in {where(tpath)}",
                            with_list(suggest(str(effort), EFFORTS), "effort levels", EFFORTS))
        if isinstance(n, int) and not isinstance(n, bool) and n < 0:
            raise doc.error(tpath + (effort,), f"{where(tpath + (effort,))} is negative: {n}",
                            "write the mean reasoning tokens per request, 0 or more")
    tokens = {e: f.integer(tpath + (e,), given[e]) for e in EFFORTS if e in given}
    check.reasoning_tokens(doc, tpath, tokens, context_window)
    default = raw.get("default")
    if "default" in raw and (not isinstance(default, str) or default not in tokens):
        listed = tuple(tokens)
        hint = (f"add '{default}: N' under effort_tokens, or pick one of {', '.join(listed)}"
                if default in EFFORTS else with_list(suggest(str(default), listed), "listed levels", listed))
        raise doc.error(path + ("default",), f"{where(path + ('default',))} must be one of the levels in "
                        f"effort_tokens ({', '.join(listed)}), got {default!r}", hint)
    return ReasoningDefaults(effort_tokens=tokens, source=f.text(path + ("source",), raw["source"]), default=default)


def _no_reasoning_rate(doc: Doc, path: DocPath, prices: list) -> None:
    """A reasoning rate on a model that does not reason contradicts itself."""
    for j, period in enumerate(prices):
        blocks = [(path + ("prices", j), period)] + [
            (path + ("prices", j, "tiers", k), t) for k, t in enumerate(period.get("tiers") or [])]
        for at, block in blocks:
            if "reasoning_output" in block:
                raise doc.error(at + ("reasoning_output",), f"{where(at)}.reasoning_output is set "
                                f"but {where(path)} has no reasoning: block",
                                "add reasoning: {effort_tokens: ..., source: ...} to the model, or "
                                "remove reasoning_output (a model without reasoning: does not reason)")


def _period(doc: Doc, path: DocPath, raw: Any, kind: str) -> PricePeriod:
    raw = Fields(doc).mapping(path, raw, allowed=PERIOD_KEYS, required=("since",))
    tiers_raw = raw.get("tiers", [])
    if not isinstance(tiers_raw, list):
        raise doc.error(path + ("tiers",), "tiers must be a list")
    tiers = []
    for j, t in enumerate(tiers_raw):
        tpath = path + ("tiers", j)
        t = Fields(doc).mapping(tpath, t, allowed=TIER_KEYS, required=("above",))
        above = Fields(doc).integer(tpath + ("above",), t["above"], minimum=1)
        tiers.append(Tier(above, check.rates(doc, tpath, t, kind=kind)))
    check.ascending_tiers(doc, path + ("tiers",), [t.above for t in tiers])
    return PricePeriod(since=Fields(doc).day(path + ("since",), raw["since"]),
                       rates=check.rates(doc, path, raw, kind=kind), tiers=tuple(tiers))


def read_price_file(path: Path) -> str:
    """A price file named on the command line or shipped: a regular file of at most
    ``file_bytes``, UTF-8 (a FIFO or device would block or never end)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise CostgateError("not a regular file", file=str(path), hint="name a .yaml price file or a directory of them")
    if info.st_size > DEFAULT_LIMITS.file_bytes:
        raise DEFAULT_LIMITS.exceeded("file_bytes", f"{info.st_size:,} bytes", file=str(path))
    return path.read_bytes().decode("utf-8-sig")


def read_layer(path: Path) -> TextLayer:
    """A layer on disk: a directory's ``*.yaml`` files (sorted), or one file."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise CostgateError("no *.yaml pricing files in this directory", file=str(path),
                            hint="a pricing layer is a directory of <provider>.yaml files")
    out = []
    for f in files:
        try:
            out.append(TextFile(str(f), read_price_file(f)))
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise CostgateError(f"cannot read pricing file: {reason}", file=str(f),
                                hint="check the path given for the price table") from None
    return tuple(out)


def load_table(layers: Sequence[LayerSpec] | None = None) -> PriceTable:
    """Layer price files into one table. Each layer is a directory, one file, or files
    already read; later layers override earlier ones (model by id, provider by id).
    Without layers: the shipped table (cached)."""
    if layers is None:
        return _shipped_table()
    providers: dict[str, Provider] = {}
    models: dict[str, Model] = {}
    aliases: dict[str, str] = {}
    dated: dict[str, dict[_dt.date, str]] = {}
    approximations: dict[str, Approximation] = {}
    tokenizer_at: dict[str, tuple[ParsedFile, DocPath]] = {}
    for layer in layers:
        read = layer if isinstance(layer, tuple) else read_layer(Path(layer))
        files = [load_file(f.text, f.name) for f in read]
        check.unique_names(files)
        for pf in files:
            _merge(pf, providers, models, (aliases, dated), approximations, tokenizer_at)
        for pf in files:  # as the layer stands: a later layer may replace the moving model
            for m in pf.models:
                _check_snapshot(models[m.id], models, tokenizer_at)
    if not models:
        raise CostgateError("no pricing files given",
                            hint="pass at least one directory of <provider>.yaml files")
    known = set(registered()) | set(approximations)
    for m in models.values():
        if m.tokenizer not in known:
            pf, path = tokenizer_at[m.id]
            raise pf.doc.error(path, f"unknown tokenizer {m.tokenizer!r} for model {m.id!r}",
                               with_list(suggest(m.tokenizer, sorted(known)), "known",
                                         sorted(known)) + "; or declare an approximation "
                               "under 'tokenizers:'")
    newest = {name: history[max(history)] for name, history in dated.items()}
    return PriceTable(providers=MappingProxyType(providers), models=MappingProxyType(models),
                      aliases=MappingProxyType({**aliases, **newest}),
                      approximations=MappingProxyType(approximations),
                      dated=MappingProxyType({name: tuple(sorted(history.items()))
                                              for name, history in sorted(dated.items())}))


def _check_snapshot(m: Model, models: dict, at: dict) -> None:
    """``snapshot_of`` names another model of the same provider (the moving name)."""
    if m.snapshot_of is None:
        return
    pf, path = at[m.id]
    where = path[:-1] + ("snapshot_of",)
    target = models.get(m.snapshot_of)
    if target is None or target.id == m.id:
        raise pf.doc.error(where, f"{m.id!r} is a snapshot of {m.snapshot_of!r}, which is not "
                           + ("another model" if target is not None else "a model id"),
                           suggest(m.snapshot_of, sorted(models))
                           or "snapshot_of names the id of the moving model (gpt-4o for gpt-4o-2024-08-06)")
    if target.provider != m.provider:
        raise pf.doc.error(where, f"{m.id!r} ({m.provider}) is a snapshot of {target.id!r}, a model of "
                           f"{target.provider}", f"snapshot_of names a model of the same provider ({m.provider})")


def _merge(pf: ParsedFile, providers: dict, models: dict, names: aliases_mod.Names,
           approximations: dict, tokenizer_at: dict) -> None:
    """Apply one file on top of what earlier layers defined."""
    aliases, dated = names
    new = pf.provider
    old = providers.get(new.id)
    if old is not None and not pf.overhead_given:
        new = replace(new, chat_overhead=old.chat_overhead)
    if old is not None and not pf.billing_given:
        new = replace(new, billing=old.billing)
    providers[new.id] = new
    approximations.update(pf.approximations)
    for m in pf.models:
        if m.id in models:  # an override replaces the model and its aliases entirely
            aliases_mod.forget(models[m.id], names)
        if m.id in aliases or m.id in dated:  # an earlier alias becomes a model of its own
            aliases_mod.drop(models, names, m.id)
        models[m.id] = m
        tokenizer_at[m.id] = (pf, pf.model_paths[m.id] + ("tokenizer",))
    for m in pf.models:
        aliases_mod.claim(pf.doc, pf.model_paths[m.id], m, models, names)


@lru_cache(maxsize=1)
def _shipped_table() -> PriceTable:
    return load_table([shipped_pricing_dir()])
