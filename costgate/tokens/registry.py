"""Tokenizers: exact ones from the shipped vocabularies, approximations, and a registry
other tokenizers can join.

Families without an offline vocabulary (Claude, Gemini, ...) are counted as o200k tokens
times a calibration ratio. The ratio is data (it lives in the pricing table next to the
model), and every count made that way is flagged ``exact=False`` so reports can say
"approximate". An optional package can ``register()`` an exact tokenizer under the
family's name; the registry wins over the approximation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from typing import Callable, Mapping, NamedTuple, Protocol

from ..errors import CostgateError
from . import exact as _exact_families
from .encodings import ENCODING_SHA256, count_tokens


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


@dataclass(frozen=True)
class ApproxTokenizer:
    """A base tokenizer's count times a calibration ratio, rounded up. Never exact."""

    name: str
    base: Tokenizer
    ratio: Decimal
    source: str = ""
    exact: bool = False
    exact_with: str = ""
    """The pip requirement that would count this family exactly ("costgate[llama]"), if any."""

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


def resolve(name: str, approximations: Mapping[str, Approximation] | None = None) -> Tokenizer:
    """The tokenizer for a family: a registered exact one, else its declared approximation.

    ``approximations`` maps a family name to (base tokenizer, ratio, source) as declared in
    the pricing data.
    """
    if name in registered():
        return get_tokenizer(name)
    if approximations and name in approximations:
        base, ratio, source = approximations[name]
        return ApproxTokenizer(name=name, base=get_tokenizer(base), ratio=ratio, source=source,
                               exact_with=_exact_families.extra_for(name))
    known = list(registered()) + list(approximations or ())
    raise CostgateError(f"unknown tokenizer {name!r}", hint=f"known: {', '.join(sorted(known))}")


