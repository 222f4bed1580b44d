"""``Estimate`` records as JSON and back: the estimate cache's payload.

Not pickle: a cache directory may be shared between runs (actions/cache), and reading a
poisoned file must not run code. Decimals are strings (exact, exponent kept: "1.50" stays
"1.50"), dates ISO strings, tuples and named tuples lists, records objects. Decoding
follows the records' type hints and accepts only what ``encode`` writes (a number in its
canonical spelling, a date in ISO form, exactly the record's fields), so what comes back
is the same frozen record, field for field, or a ``CodecError``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal, get_args, get_origin, get_type_hints

from ..estimate.results import Estimate


class CodecError(ValueError):
    """The value cannot be written as cache JSON, or the JSON does not describe the record."""


def encode(value: Any) -> Any:
    """A record (and everything in it) as JSON-ready data."""
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is Decimal:
        return str(value)
    if type(value) is date:
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):  # named tuples too: their fields are positional
        return [encode(v) for v in value]
    raise CodecError(f"cannot write a {type(value).__name__} to the cache")


def decode_estimate(data: Any) -> Estimate:
    """The ``Estimate`` ``data`` describes (as ``encode`` wrote it)."""
    return decode(Estimate, data)


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def decode(tp: Any, data: Any) -> Any:
    """``data`` as type ``tp`` (a record, named tuple, tuple, union, literal or scalar)."""
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _union(tp, data)
    if origin is Literal:
        if type(data) is str and data in get_args(tp):
            return data
        raise CodecError(f"{data!r} is not one of {get_args(tp)}")
    if origin is tuple:
        return _tuple(tp, data)
    if tp in (bool, int, str):
        if type(data) is not tp:
            raise CodecError(f"expected {tp.__name__}, got {type(data).__name__}")
        return data
    if tp is Decimal:
        return _decimal(data)
    if tp is date:
        return _date(data)
    if isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields"):
        if not isinstance(data, list) or len(data) != len(tp._fields):
            raise CodecError(f"expected {len(tp._fields)} values for {tp.__name__}")
        hints = _hints(tp)
        return tp(*(decode(hints[name], v) for name, v in zip(tp._fields, data)))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _record(tp, data)
    raise CodecError(f"cannot read a {tp!r} from the cache")


def _union(tp: Any, data: Any) -> Any:
    args = get_args(tp)
    if data is None:
        if type(None) in args:
            return None
        raise CodecError("unexpected null")
    for arg in args:
        if arg is type(None):
            continue
        try:
            return decode(arg, data)
        except CodecError:
            continue
    raise CodecError(f"{data!r} matches no type of {tp!r}")


def _tuple(tp: Any, data: Any) -> tuple:
    if not isinstance(data, list):
        raise CodecError("expected a list")
    args = get_args(tp)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(decode(args[0], v) for v in data)
    if len(args) != len(data):
        raise CodecError(f"expected {len(args)} values")
    return tuple(decode(a, v) for a, v in zip(args, data))


def _decimal(data: Any) -> Decimal:
    if type(data) is not str:
        raise CodecError("a decimal is written as a string")
    try:
        value = Decimal(data)
    except (InvalidOperation, ValueError):
        raise CodecError(f"{data[:40]!r} is not a decimal") from None
    if not value.is_finite() or str(value) != data:
        raise CodecError(f"{data[:40]!r} is not a finite decimal in canonical form")
    return value


def _date(data: Any) -> date:
    if type(data) is not str:
        raise CodecError("a date is written as a string")
    try:
        value = date.fromisoformat(data)
    except ValueError:
        raise CodecError(f"{data[:40]!r} is not an ISO date") from None
    if value.isoformat() != data:
        raise CodecError(f"{data!r} is not an ISO date in canonical form")
    return value


def _record(tp: type, data: Any) -> Any:
    if not isinstance(data, dict):
        raise CodecError(f"expected an object for {tp.__name__}")
    fields = [f for f in dataclasses.fields(tp) if f.init]
    if set(data) != {f.name for f in fields}:
        raise CodecError(f"the fields of {tp.__name__} differ")
    hints = _hints(tp)
    return tp(**{f.name: decode(hints[f.name], data[f.name]) for f in fields})


__all__ = ["CodecError", "encode", "decode", "decode_estimate"]
