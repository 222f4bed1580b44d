"""Tokenizers: exact ones from the shipped vocabularies, approximations, and a registry
other tokenizers can join.

Families without an offline vocabulary (Claude, Gemini, ...) are counted as o200k tokens
times a calibration ratio, one per writing script (``scripts.py``: Latin, code, CJK,
Cyrillic, Arabic, emoji, other). The ratios are data (they live in the pricing table next
to the model, with the measured error), a text's count is rounded to the nearest token once
(not up: rounding up added a token to every string), and every count made that way is
flagged ``exact=False`` so reports can say "approximate". An optional package can ``register()`` an exact tokenizer under the
family's name; the registry wins over the approximation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Callable, Iterable, Mapping, NamedTuple, Protocol

from ..errors import CostgateError
from . import exact as _exact_families
from .encodings import ENCODING_SHA256, count_tokens
from .scripts import segments


class Tokenizer(Protocol):
    """What the estimator needs of a tokenizer: a name, a count, and honesty about it."""

    @property
    def name(self) -> str: ...

    @property
    def exact(self) -> bool: ...

    def count(self, text: str) -> int: ...


@dataclass(frozen=True)
class TiktokenTokenizer:
    """Exact counts with a tiktoken encoding: a shipped OpenAI vocabulary or an open-weight
    family's installed one (``exact.py``). Special-token text counts as plain text."""

    name: str
    exact: bool = True

    def count(self, text: str) -> int:
        return _count_cached(self.name, text)


@lru_cache(maxsize=65536)
def _count_cached(encoding: str, text: str) -> int:
    # Templates are rendered once per sample and the static parts repeat: caching the
    # count keeps the estimator from tokenizing the same 3,000-token system prompt
    # thousands of times.
    return count_tokens(encoding, text)


Ratios = tuple[tuple[str, Decimal], ...]
"""(script, ratio) pairs; a script not listed takes the family's plain ``ratio``."""


def round_tokens(value: Decimal) -> int:
    """An approximate count to the nearest whole token (halves to even: no bias)."""
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class ApproxTokenizer:
    """A base tokenizer's count times a calibration ratio per script, rounded to the nearest
    token once per text. Never exact."""

    name: str
    base: Tokenizer
    ratio: Decimal
    source: str = ""
    exact: bool = False
    exact_with: str = ""
    """The pip requirement that would count this family exactly ("costgate[llama]"), if any."""
    ratios: Ratios = ()
    """Per-script ratios (``scripts.SCRIPTS``); empty: ``ratio`` for every script."""
    p50_error: Decimal | None = None
    p95_error: Decimal | None = None
    """The calibration's median and 95th-percentile relative error of a text's count."""

    def ratio_for(self, script: str) -> Decimal:
        for name, r in self.ratios:
            if name == script:
                return r
        return self.ratio

    def parts(self, text: str) -> list[tuple[str, str]]:
        """The pieces of ``text`` counted apart: its script runs, or the whole text when one
        ratio serves every script."""
        return segments(text) if self.ratios else ([("latin", text)] if text else [])

    def combine(self, counted: Iterable[tuple[str, int]]) -> int:
        """The count of a text from its pieces' base counts."""
        return round_tokens(sum((Decimal(n) * self.ratio_for(s) for s, n in counted), Decimal(0)))

    def count(self, text: str) -> int:
        return self.combine((s, self.base.count(part)) for s, part in self.parts(text))


_REGISTRY: dict[str, Callable[[], Tokenizer]] = {}


def register(name: str, factory: Callable[[], Tokenizer]) -> None:
    """Make an exact tokenizer available under ``name`` (e.g. 'claude' from a plugin).

    Plugins are discovered through the ``costgate.tokenizers`` entry-point group: each
    entry point is a callable that receives this function and registers its tokenizers.
    """
    _REGISTRY[name] = factory


def _load_plugins() -> None:
    from importlib.metadata import entry_points

    for family in _exact_families.installed():  # an optional extra's vocabulary package
        register(family, _exact(family))

    for ep in entry_points(group="costgate.tokenizers"):
        try:
            ep.load()(register)
        except Exception as exc:  # a broken plugin must not break estimates
            raise CostgateError(f"tokenizer plugin {ep.name!r} failed to load: {exc}",
                                hint="uninstall or fix the plugin package") from None


def _exact(name: str) -> Callable[[], Tokenizer]:
    return lambda: TiktokenTokenizer(name)


for _name in ENCODING_SHA256:
    register(_name, _exact(_name))
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


class Approximation(NamedTuple):
    """A family counted as an exact base tokenizer's count times a ratio (pricing data)."""

    base: str
    ratio: Decimal
    source: str
    ratios: Ratios = ()
    """Per-script ratios; ``ratio`` is the one for Latin text and any script not listed."""
    p50_error: Decimal | None = None
    p95_error: Decimal | None = None


def resolve(name: str, approximations: Mapping[str, Approximation] | None = None) -> Tokenizer:
    """The tokenizer for a family: a registered exact one, else its declared approximation.

    ``approximations`` maps a family name to (base tokenizer, ratio, source, ...) as declared
    in the pricing data.
    """
    if name in registered():
        return get_tokenizer(name)
    if approximations and name in approximations:
        a = approximations[name]
        return ApproxTokenizer(name=name, base=get_tokenizer(a.base), ratio=a.ratio, source=a.source,
                               exact_with=_exact_families.extra_for(name), ratios=a.ratios,
                               p50_error=a.p50_error, p95_error=a.p95_error)
    known = list(registered()) + list(approximations or ())
    raise CostgateError(f"unknown tokenizer {name!r}", hint=f"known: {', '.join(sorted(known))}")
