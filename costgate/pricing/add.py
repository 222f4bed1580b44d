"""Add the models genai-prices lists that the price table lacks (``pricing sync --add-new``).

Which genai-prices models count, how each is counted (its tokenizer family) and classed
(its capability), are rules kept here as data, never guessed: a model that no rule maps
is listed, not written. The rules (docs/pricing.md, "Adding models"):

* ``CURRENT``: a provider's own API, chat and embedding models, not deprecated in
  genai-prices, not a legacy, audio, image, realtime or reseller entry;
* ``TOKENIZERS``: OpenAI by generation (GPT-4o and later o200k_base, older cl100k_base),
  Claude ``claude``, Gemini ``gemini``, Mistral ``tekken`` (embeddings ``mistral-spm``),
  DeepSeek ``deepseek``, Grok ``grok``;
* ``CAPABILITIES``: a lineup's largest tier frontier, its middle tier standard, its cheap
  tier small, by name; a name no rule knows (a new tier) is listed for a person to class.

Prices are genai-prices' own: one period per dated price change, each the price in force
at 12:00 UTC that day (as ``compare`` reads it). genai-prices has no release dates, so
a new model's first period is dated the sync day, or the day before its first listed price
change when that is earlier. Batch rates follow the provider's published discount.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from .loader import load_file
from .model import PriceTable
from .sync import PROVIDERS, SOURCE, _q, load_genai_prices

_Rules = tuple[tuple[str, str], ...]

CURRENT: dict[str, tuple[str, str]] = {
    # provider: (a current model's id matches this, and does not match this)
    "openai": (r"^(gpt-|o\d|chatgpt-4o|codex-|text-embedding-3)",
               r"audio|realtime|transcribe|tts|image|search|live|^ft:|:|-oss|deep-research|"
               r"^gpt-3\.5|^gpt-4-(32k|vision)|^gpt-4\.5|^gpt-4o-2024|^o1-(mini|preview)|"
               r"\.ft-|computer-use|cyber|moderation|^gpt-chat-latest"),
    "anthropic": (r"^claude-", r"^claude-(v1|2|3-)"),
    "google": (r"^gemini-", r"^gemini-(pro|1\.|flash-1|live)|image|tts|live|robotics|omni|nano-banana"),
    "mistral": (r"^(mistral-|ministral-|codestral|devstral|magistral|pixtral)",
                r"ocr|:free|-latest$|^mistral-(7b|tiny|saba|medium-2312|small-24b|small-3\.)|"
                r"^(ministral-(3b|8b)|pixtral-12b|pixtral-large|mistral-large)$|instruct"),
    "deepseek": (r"^deepseek-", r"^deepseek-v3\.2-exp$"),
    "xai": (r"^grok-", r"voice|^grok-2-vision"),
}

TOKENIZERS: dict[str, _Rules] = {
    "openai": ((r"^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-5|gpt-6|o\d|codex-)", "o200k_base"),
               (r"^(gpt-4|gpt-3\.5|text-embedding-)", "cl100k_base")),
    # Opus 4.7 brought a new vocabulary; 4.8, Sonnet 5 and later keep it with a shorter frame.
    "anthropic": ((r"^claude-opus-4-7", "claude-4.7"),
                  (r"^claude-(opus|sonnet|haiku)-(4-([89]|\d\d)|[5-9])", "claude-4.8"),
                  (r"^claude-", "claude")),
    "google": ((r"^gemini-", "gemini"),),
    "mistral": ((r"embed", "mistral-spm"), (r".", "tekken")),
    "deepseek": ((r"^deepseek-", "deepseek"),),
    "xai": ((r"^grok-", "grok"),),
}

CAPABILITIES: dict[str, _Rules] = {
    "openai": ((r"^gpt-\d(\.\d)?(-\d{4}|-codex)?-pro$|^o\d-pro$|^gpt-5(\.\d)?-pro$", "frontier"),
               (r"^gpt-5(\.\d)?-nano$|^gpt-4(\.1|o)-(mini|nano)$", "small"),
               (r"^gpt-5(\.\d)?(-codex)?-mini$|^o\d-mini$|^codex-mini$", "standard"),
               (r"^gpt-5(\.\d)?(-codex|-chat|-chat-latest)?$|^o[13]$", "frontier"),
               (r"^(gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-4|chatgpt-4o-latest)$", "standard")),
    "anthropic": ((r"^claude-opus-", "frontier"), (r"^claude-sonnet-[4-9]", "frontier"),
                  (r"^claude-haiku-", "small")),
    "google": ((r"^gemini-2\.0-flash", "small"), (r"-flash-lite", "small"),
               (r"^gemini-[2-9](\.\d)?-pro", "frontier"), (r"^gemini-[2-9](\.\d)?-flash", "standard")),
    "mistral": ((r"^mistral-large", "standard"), (r"^mistral-medium", "standard"),
                (r"^(mistral-small|ministral-|codestral|mistral-nemo)", "small")),
    "deepseek": ((r"-flash", "small"), (r"^deepseek-(v\d|chat|reasoner)", "standard")),
    "xai": ((r"mini|^grok-4(-1)?-fast|code-fast", "small"),
            (r"^grok-3(-fast)?$|^grok-4(-\d{4}|\.\d+)?$|^grok-4\.\d+-multi-agent", "frontier")),
}

CACHE_MIN: dict[str, _Rules] = {
    # shortest cached prefix where the provider publishes it (OpenAI 1,024; Gemini's
    # caching docs: 1,024 for Flash, 4,096 for Pro)
    "openai": ((r".", "1024"),),
    "google": ((r"-pro", "4096"), (r"-flash", "1024")),
}

BATCH_DISCOUNT = {"openai": Decimal("0.5"), "anthropic": Decimal("0.5"), "google": Decimal("0.5")}
"""Batch API rates as a fraction of the regular ones (50% at OpenAI, Anthropic, Google)."""

NEW_PROVIDERS = {
    "xai": ("xAI", "https://docs.x.ai/docs/models",
            "tokenizers:\n  grok:\n    base: o200k_base\n    ratio: \"1.00\"\n"
            "    source: \"Weak: xAI ships no offline tokenizer for Grok 3/4 (its API counts\n"
            "      tokens; grok-1's open SentencePiece vocabulary is 131,072 tokens, close to\n"
            "      o200k's size). Taken as 1.00x o200k until measured; count approximate.\"\n"),
}

FIELDS = {"input_mtok": "input", "cache_read_mtok": "cached_input", "cache_write_mtok": "cache_write_5m",
          "cache_write_1h_mtok": "cache_write_1h", "output_mtok": "output",
          "output_reasoning_mtok": "reasoning_output"}


@dataclass
class NewModel:
    provider: str
    id: str
    name: str
    kind: str
    tokenizer: str
    capability: str | None
    context_window: int | None
    cache_min_tokens: int | None
    aliases: list[str]
    periods: list[tuple[_dt.date, dict[str, Decimal], dict[int, dict[str, Decimal]]]]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AddReport:
    source: str
    new: tuple[NewModel, ...]
    unmapped: tuple[str, ...]


def _rule(rules: _Rules, mid: str) -> str | None:
    return next((v for pattern, v in rules if re.search(pattern, mid)), None)


def current_models(provider: str, module: ModuleType | None = None) -> list[Any]:
    """genai-prices' current chat and embedding models of ``provider``'s own API."""
    gp = module or load_genai_prices()
    by_id = {p.id: p for p in gp.data_snapshot.get_snapshot().providers}
    theirs = by_id.get(PROVIDERS.get(provider, provider))
    if theirs is None:
        return []
    take, drop = CURRENT[provider]
    return [m for m in theirs.models if re.search(take, m.id) and not re.search(drop, m.id)
            and not m.deprecated and _has_price(m)]


def _has_price(info: Any) -> bool:
    prices = info.prices[-1].prices if isinstance(info.prices, list) else info.prices
    return getattr(prices, "input_mtok", None) is not None


def _known(table: PriceTable, provider: str, module: ModuleType) -> set[str]:
    """genai-prices ids the table already carries (by id, alias, or genai-prices' match)."""
    by_id = {p.id: p for p in module.data_snapshot.get_snapshot().providers}
    theirs = by_id.get(PROVIDERS.get(provider, provider))
    known = set(table.models) | set(table.aliases)
    if theirs is not None:
        for m in table.models.values():
            if m.provider == provider:
                known |= {i.id for ref in (m.id, *m.aliases) if (i := theirs.find_model(ref))}
    return known


def plan(table: PriceTable, day: _dt.date, module: ModuleType | None = None) -> AddReport:
    """The models to add to ``table`` on ``day``, and those no rule maps."""
    gp = module or load_genai_prices()
    new: list[NewModel] = []
    unmapped: list[str] = []
    names = set(table.models) | set(table.aliases)
    for provider in CURRENT:
        known = _known(table, provider, gp)
        for info in current_models(provider, gp):
            if info.id in known:
                continue
            kind = "embedding" if "embed" in info.id else "chat"
            tokenizer = _rule(TOKENIZERS[provider], info.id)
            capability = None if kind == "embedding" else _rule(CAPABILITIES[provider], info.id)
            if tokenizer is None or (kind == "chat" and capability is None):
                what = "tokenizer family" if tokenizer is None else "capability class"
                unmapped.append(f"{provider}/{info.id}: no {what} rule; add it by hand")
                continue
            cache_min = _rule(CACHE_MIN.get(provider, ()), info.id)
            aliases = [a for a in _aliases(info) if a not in names]
            names |= {info.id, *aliases}
            new.append(NewModel(provider, info.id, info.name or info.id, kind, tokenizer, capability,
                                info.context_window, int(cache_min) if cache_min else None,
                                aliases, _periods(info, day, provider, kind)))
    return AddReport(f"{SOURCE} {getattr(gp, '__version__', '?')}", tuple(new), tuple(unmapped))


def _aliases(info: Any) -> list[str]:
    clauses = getattr(info.match, "or_", [info.match])
    return [c.equals for c in clauses if hasattr(c, "equals") and c.equals != info.id
            and re.fullmatch(r"[a-z0-9][a-z0-9._-]*", c.equals)]


def _at(info: Any, day: _dt.date) -> Any:
    """The price set in force at 12:00 UTC on ``day`` (later conditional prices win)."""
    when = _dt.datetime.combine(day, _dt.time(12), tzinfo=_dt.timezone.utc)
    if not isinstance(info.prices, list):
        return info.prices
    chosen = info.prices[0].prices
    for cp in info.prices:
        if cp.constraint is None or cp.constraint.active(when):
            chosen = cp.prices
    return chosen


def _periods(info: Any, day: _dt.date, provider: str, kind: str) -> list:
    changes = sorted({cp.constraint.start_date for cp in info.prices if cp.constraint is not None
                      and hasattr(cp.constraint, "start_date")} if isinstance(info.prices, list) else set())
    first = min([day, *[c - _dt.timedelta(days=1) for c in changes]])
    out: list = []
    for since in [first, *[c for c in changes if c > first]]:
        rates, tiers = _rates(_at(info, since), provider, kind)
        if not out or (out[-1][1], out[-1][2]) != (rates, tiers):
            out.append((since, rates, tiers))
    return out


def _rates(prices: Any, provider: str, kind: str) -> tuple[dict, dict]:
    base: dict[str, Decimal] = {}
    tiers: dict[int, dict[str, Decimal]] = {}
    for theirs, ours in FIELDS.items():
        value = getattr(prices, theirs, None)
        if value is None or (kind == "embedding" and ours == "output"):
            continue
        base[ours] = Decimal(getattr(value, "base", value))
        for t in getattr(value, "tiers", []):
            tiers.setdefault(t.start, {})[ours] = Decimal(t.price)
    for above in tiers:  # a field without a tier keeps its flat price above it
        tiers[above] = {k: tiers[above].get(k, v) for k, v in base.items()}
    if provider in BATCH_DISCOUNT:
        for rates in (base, *tiers.values()):
            for k in ("input", "output"):
                if k in rates:
                    rates[f"batch_{k}"] = rates[k] * BATCH_DISCOUNT[provider]
    return base, dict(sorted(tiers.items()))


# --------------------------------------------------------------------------- writing

def _model_lines(m: NewModel, checked: _dt.date, source: str) -> list[str]:
    lines = [f"  # added from {source} by `costgate pricing sync --add-new` on {checked.isoformat()}",
             f"  - id: {m.id}", f"    name: {_yaml_str(m.name)}"]
    if m.aliases:
        lines.append(f"    aliases: [{', '.join(m.aliases)}]")
    if m.kind != "chat":
        lines.append(f"    kind: {m.kind}")
    lines.append(f"    tokenizer: {m.tokenizer}")
    if m.context_window:
        lines.append(f"    context_window: {m.context_window}")
    if m.cache_min_tokens:
        lines.append(f"    cache_min_tokens: {m.cache_min_tokens}")
    if m.capability:
        lines.append(f"    capability: {m.capability}")
    lines += [f"    checked: {checked.isoformat()}", "    prices:"]
    for since, rates, tiers in m.periods:
        lines.append(f"      - since: {since.isoformat()}")
        lines += [f"        {k}: {_q(v)}" for k, v in _ordered(rates)]
        if tiers:
            lines.append("        tiers:")
            for above, tr in tiers.items():
                lines.append(f"          - above: {above}")
                lines += [f"            {k}: {_q(v)}" for k, v in _ordered(tr)]
    return lines


def _ordered(rates: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    from .model import RATE_KEYS
    return [(k, rates[k]) for k in RATE_KEYS if k in rates]


def _yaml_str(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 .()/_+-]*", text) else '"' + text.replace('"', "'") + '"'


def write_new(report: AddReport, directory: Path, checked: _dt.date) -> dict[Path, list[str]]:
    """Append every new model at the end of its provider file's ``models:`` list (a new
    provider gets a new file); existing entries are left as they are."""
    written: dict[Path, list[str]] = {}
    by_provider: dict[str, list[NewModel]] = {}
    for m in report.new:
        by_provider.setdefault(m.provider, []).append(m)
    for provider, models in sorted(by_provider.items()):
        path = Path(directory) / f"{provider}.yaml"
        text = path.read_text(encoding="utf-8") if path.exists() else _new_file(provider, report.source)
        if not text.endswith("\n"):
            text += "\n"
        top = re.search(r"^models:\s*$", text, re.M)
        if top is None:
            text += "models:\n"
        elif re.search(r"^[A-Za-z_]+:", text[top.end():], re.M):
            raise ValueError(f"{path}: models: is not the last key; cannot append")
        lines = [ln for m in models for ln in _model_lines(m, checked, report.source)]
        out = text + "\n".join(lines) + "\n"
        load_file(out, str(path))  # never write a file that does not load
        path.write_text(out, encoding="utf-8")
        written[path] = [m.id for m in models]
    return written


def _new_file(provider: str, source: str) -> str:
    name, url, tokenizers = NEW_PROVIDERS[provider]
    return ("# yaml-language-server: $schema=../costgate/schemas/pricing.schema.json\n#\n"
            f"# {name} API list prices, USD per 1M tokens, from {source} (costgate pricing sync\n"
            "# --add-new); long-context tiers are cliffs. See docs/pricing.md.\n"
            f"schema_version: 1\nprovider: {provider}\nname: {name}\nsource: {url}\n{tokenizers}models:\n")
