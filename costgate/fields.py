"""One field toolkit for every YAML document costgate reads: specs, config, price files.

Each check takes the field's path in the document and its value, and either returns the
value in its domain type or raises a ``CostgateError`` at the field's line with the fix.
Sharing one toolkit keeps wording and path style the same everywhere
(``calls[0].cache.ttl``), and keeps "a typo'd key is an error, never ignored" one rule.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Sequence, TypeVar
from urllib.parse import urlparse

from .errors import CostgateError, suggest
from .yamlio import Doc, DocPath

ZERO = Decimal(0)
MAX_PRICE = Decimal(100_000)
"""The dearest price a price file may state, USD per 1M tokens (today's dearest: ~600)."""
S = TypeVar("S", bound=str)


def where(path: DocPath, top: str = "the top level") -> str:
    """``models[3].prices[0].input`` for messages; ``top`` names the document itself.
    A key that is not one printable word (a newline, a control character, a space, or
    over 64 characters: a mapping key from a pull request's file) is quoted and cut."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{_key(part)}" if out else _key(part))
    return out or top


def _key(part: Any) -> str:
    text = str(part)
    if text.isprintable() and " " not in text and 0 < len(text) <= 64:
        return text
    quoted = repr(text)
    return quoted if len(quoted) <= 40 else quoted[:37] + "..."


def kind_of(value: Any) -> str:
    """A short description of a value's type for messages ("string 'x'", "a list")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"boolean {value}"
    if isinstance(value, (int, Decimal)):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def with_list(close: str | None, label: str, names: Sequence[str]) -> str:
    """A hint: the 'did you mean' when there is one, then the full list."""
    return (close + " " if close else "") + f"{label}: {', '.join(names)}"


@dataclass(frozen=True)
class Fields:
    """The checks, bound to one document (for its file name and line numbers)."""

    doc: Doc
    top: str = "the top level"

    def where(self, path: DocPath) -> str:
        return where(path, self.top)

    def error(self, path: DocPath, message: str, hint: str | None = None) -> CostgateError:
        return self.doc.error(path, message, hint)

    def mapping(self, path: DocPath, value: Any, allowed: Iterable[str],
                required: Iterable[str] = ()) -> dict:
        """A mapping with only ``allowed`` keys and every ``required`` one."""
        allowed = tuple(allowed)
        if not isinstance(value, dict):
            raise self.error(path, f"{self.where(path)} must be a mapping, got {kind_of(value)}")
        for key in value:
            if key not in allowed:
                hint = with_list(suggest(str(key), allowed), "allowed keys", sorted(allowed))
                raise self.error(path + (key,), f"unknown key {key!r} in {self.where(path)}", hint)
        for key in sorted(required):
            if key not in value:
                raise self.error(path, f"missing required key {key!r} in {self.where(path)}",
                                 f"add '{key}:' to {self.where(path)}")
        return value

    def text(self, path: DocPath, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(path, f"{self.where(path)} must be a non-empty string, got {kind_of(value)}")
        return value

    def ident(self, path: DocPath, value: Any) -> str:
        value = self.text(path, value)
        if any(c.isspace() for c in value):
            raise self.error(path, f"{self.where(path)} must not contain whitespace: {value!r}",
                             "use ids such as 'gpt-4o-mini'")
        return value

    def choice(self, path: DocPath, value: Any, choices: Sequence[S]) -> S:
        """One of a closed set (a ``Literal``'s values)."""
        for c in choices:
            if value == c and isinstance(value, str):
                return c
        raise self.error(path, f"{self.where(path)} must be one of {', '.join(choices)}, got {value!r}",
                         suggest(str(value), tuple(choices)))

    def boolean(self, path: DocPath, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(path, f"{self.where(path)} must be true or false, got {kind_of(value)}")
        return value

    def url(self, path: DocPath, value: Any) -> str:
        value = self.text(path, value)
        parts = urlparse(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self.error(path, f"{self.where(path)} must be an http(s) URL, got {value!r}",
                             "link the provider's pricing page, e.g. https://openai.com/api/pricing/")
        return value

    def integer(self, path: DocPath, value: Any, *, minimum: int = 0) -> int:
        """A whole number written as one (``200000``, not ``'200000'`` or ``2e5``)."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(path, f"{self.where(path)} must be an integer, got {kind_of(value)}",
                             "write a whole number without quotes, e.g. 200000")
        if value < minimum:
            raise self.error(path, f"{self.where(path)} must be at least {minimum}, got {value}")
        return value

    def number(self, path: DocPath, value: Any, *, minimum: Decimal = ZERO, maximum: Decimal | None = None,
               integer: bool = False, positive: bool = False) -> Decimal:
        """A plain number (int or decimal) within bounds, as an exact ``Decimal``."""
        name = self.where(path)
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            hint = "write a plain number such as 0.25 or 1000"
            if isinstance(value, str) and re.fullmatch(r"[-+]?[0-9]{1,20}(\.[0-9]{0,20})?[eE][-+]?[0-9]{1,2}", value):
                hint = f"YAML reads {value} as text; write it out in full, e.g. {Decimal(value):f}"
            raise self.error(path, f"{name} must be a number, got {str(value)[:40]!r}", hint)
        number = Decimal(value)
        if integer and number != number.to_integral_value():
            raise self.error(path, f"{name} must be a whole number, got {value}")
        if number < minimum or (positive and number == 0):
            raise self.error(path, f"{name} must be {'> 0' if positive else f'>= {minimum}'}, got {value}")
        if maximum is not None and number > maximum:
            raise self.error(path, f"{name} must be <= {maximum}, got {value}")
        return number

    def count(self, path: DocPath, value: Any, *, positive: bool = False) -> int:
        """A whole, non-negative number (tokens, turns, users) as an ``int``."""
        return int(self.number(path, value, integer=True, positive=positive))

    def share(self, path: DocPath, value: Any) -> Decimal:
        """A fraction between 0 and 1."""
        return self.number(path, value, maximum=Decimal(1))

    def day(self, path: DocPath, value: Any) -> _dt.date:
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(path, f"{self.where(path)} must be a date, got {kind_of(value)}",
                         "write dates as YYYY-MM-DD, e.g. 2025-06-10")

    def price(self, path: DocPath, value: Any) -> Decimal:
        """USD per 1M tokens, written as a quoted decimal string so no float ever touches it."""
        name = self.where(path)
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            raise self.error(path, f"{name} is a bare number", f"write prices as quoted strings, e.g. '{value}'")
        if not isinstance(value, str):
            raise self.error(path, f"{name} must be a price string, got {kind_of(value)}",
                             "write prices as quoted strings, e.g. '2.50'")
        try:
            number: Decimal | None = Decimal(value.strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise self.error(path, f"{name} is not a decimal number: {value!r}",
                             "write prices as quoted strings, e.g. '2.50'")
        if number < 0:
            raise self.error(path, f"{name} is negative: {value!r}",
                             "prices are USD per 1M tokens and cannot be below zero")
        if number > MAX_PRICE:
            raise self.error(path, f"{name} is {value[:40]!r}, over {MAX_PRICE:,} USD per 1M tokens",
                             "prices are USD per 1M tokens; no model costs more than a few hundred")
        return number
