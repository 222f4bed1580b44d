"""Exact, offline token counts, and a registry other tokenizers can join.

The OpenAI BPE files ship inside the package and are checked against their SHA-256 on
load: a corrupted or swapped vocabulary would silently miscount every price. We build
``tiktoken.Encoding`` objects from the bytes ourselves instead of calling
``tiktoken.get_encoding``, which would try to download (and cache) the files.

Families without an offline vocabulary (Claude, Gemini, ...) are counted as o200k tokens
times a calibration ratio. The ratio is data (it lives in the pricing table next to the
model), and every count made that way is flagged ``exact=False`` so reports can say
"approximate". An optional package can ``register()`` an exact tokenizer under the
family's name; the registry wins over the approximation.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable, Mapping, Protocol

from .errors import CostgateError

ENCODING_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

# Split patterns and special tokens as published in tiktoken_ext.openai_public; the
# patterns are part of the encoding definition, so they are pinned here with the hashes.
_PATTERNS = {
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k_base": "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    ),
}
_SPECIAL = {
    "cl100k_base": {
        "<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
        "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276,
    },
    "o200k_base": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
}


class Tokenizer(Protocol):
    """What the estimator needs of a tokenizer: a name, a count, and honesty about it."""

    name: str
    exact: bool

    def count(self, text: str) -> int: ...


def _read_verified(name: str) -> bytes:
    data = resources.files("costgate").joinpath("encodings").joinpath(f"{name}.tiktoken").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != ENCODING_SHA256[name]:
        raise CostgateError(
            f"encoding file {name}.tiktoken is corrupt (sha256 {digest[:12]}..., "
            f"expected {ENCODING_SHA256[name][:12]}...)",
            hint="reinstall costgate; the packaged BPE file does not match its checksum",
        )
    return data


@lru_cache(maxsize=None)
def load_encoding(name: str):
    """A tiktoken Encoding built from the packaged, hash-checked BPE file."""
    import tiktoken

    if name not in ENCODING_SHA256:
        raise CostgateError(f"unknown encoding {name!r}", hint=f"known: {', '.join(ENCODING_SHA256)}")
    ranks = {}
    for line in _read_verified(name).splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return tiktoken.Encoding(
        name=name, pat_str=_PATTERNS[name], mergeable_ranks=ranks, special_tokens=_SPECIAL[name]
    )


@dataclass(frozen=True)
class TiktokenTokenizer:
    """Exact counts for OpenAI-family models. Special-token text counts as plain text."""

    name: str
    exact: bool = True

    def count(self, text: str) -> int:
        return _count_cached(self.name, text)


@lru_cache(maxsize=65536)
def _count_cached(encoding: str, text: str) -> int:
    # Templates are rendered once per sample and the static parts repeat: caching the
    # count keeps the estimator from tokenizing the same 3,000-token system prompt
    # thousands of times.
    return len(load_encoding(encoding).encode(text, disallowed_special=()))


@dataclass(frozen=True)
class ApproxTokenizer:
    """A base tokenizer's count times a calibration ratio, rounded up. Never exact."""

    name: str
    base: Tokenizer
    ratio: Decimal
    source: str = ""
    exact: bool = False

    def count(self, text: str) -> int:
        n = self.base.count(text)
        return int((Decimal(n) * self.ratio).to_integral_value(rounding=ROUND_CEILING))


_REGISTRY: dict[str, Callable[[], Tokenizer]] = {}


def register(name: str, factory: Callable[[], Tokenizer]) -> None:
    """Make an exact tokenizer available under ``name`` (e.g. 'claude' from a plugin).

    Plugins are discovered through the ``costgate.tokenizers`` entry-point group: each
    entry point is a callable that receives this function and registers its tokenizers.
    """
    _REGISTRY[name] = factory


def _load_plugins() -> None:
    from importlib.metadata import entry_points

    for ep in entry_points(group="costgate.tokenizers"):
        try:
            ep.load()(register)
        except Exception as exc:  # a broken plugin must not break estimates
            raise CostgateError(f"tokenizer plugin {ep.name!r} failed to load: {exc}",
                                hint="uninstall or fix the plugin package") from None


for _name in ENCODING_SHA256:
    register(_name, lambda _name=_name: TiktokenTokenizer(_name))
_plugins_loaded = False


def registered() -> tuple[str, ...]:
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        _load_plugins()
    return tuple(sorted(_REGISTRY))


@lru_cache(maxsize=None)
def get_tokenizer(name: str) -> Tokenizer:
    if name not in registered():
        raise CostgateError(f"unknown tokenizer {name!r}", hint=f"registered: {', '.join(registered())}")
    return _REGISTRY[name]()


def resolve(name: str, approximations: Mapping[str, tuple[str, Decimal, str]] | None = None) -> Tokenizer:
    """The tokenizer for a family: a registered exact one, else its declared approximation.

    ``approximations`` maps a family name to (base tokenizer, ratio, source) as declared in
    the pricing data.
    """
    if name in registered():
        return get_tokenizer(name)
    if approximations and name in approximations:
        base, ratio, source = approximations[name]
        return ApproxTokenizer(name=name, base=get_tokenizer(base), ratio=ratio, source=source)
    known = list(registered()) + list(approximations or ())
    raise CostgateError(f"unknown tokenizer {name!r}", hint=f"known: {', '.join(sorted(known))}")


@dataclass(frozen=True)
class ChatOverhead:
    """Tokens a chat API adds around messages (OpenAI cookbook: 3 per message, +1 for a
    name, 3 priming the reply). Zero for providers that publish no such rule."""

    per_message: int = 0
    per_name: int = 0
    reply: int = 0


@dataclass(frozen=True)
class Message:
    role: str
    content: str
    name: str | None = None


def count_messages(tokenizer: Tokenizer, messages: Iterable[Message], overhead: ChatOverhead) -> int:
    """Prompt tokens of a chat request as the provider bills them."""
    total = overhead.reply
    for m in messages:
        total += overhead.per_message + tokenizer.count(m.role) + tokenizer.count(m.content)
        if m.name:
            total += overhead.per_name + tokenizer.count(m.name)
    return total
