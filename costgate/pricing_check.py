"""Field-level checks for pricing files: strict keys, quoted Decimal prices, dates, URLs.

Every failure is a ``CostgateError`` pointing at the offending key's line (via
``Doc.error``), with the fix in the hint. ``pricing.py`` builds the data model on top of
these; keeping the rules here keeps that module about prices, not about parsing.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Sequence
from urllib.parse import urlparse

from .errors import CostgateError, suggest
from .yamlio import Doc

Path = tuple

RATE_KEYS = ("input", "cached_input", "cache_write_5m", "cache_write_1h", "output",
             "batch_input", "batch_output")


def where(path: Path) -> str:
    """``models[3].prices[0].input`` for messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the top level"


def mapping(doc: Doc, path: Path, value: Any, *, allowed: Iterable[str],
            required: Iterable[str] = ()) -> dict:
    """``value`` must be a mapping with only ``allowed`` keys and every ``required`` one."""
    allowed = tuple(allowed)
    if not isinstance(value, dict):
        raise doc.error(path, f"{where(path)} must be a mapping, got {_kind(value)}")
    for key in value:
        if key not in allowed:
            close = suggest(key, allowed)
            hint = (close + " " if close else "") + "allowed keys: " + ", ".join(allowed)
            raise doc.error(path + (key,), f"unknown key {key!r} in {where(path)}", hint)
    for key in required:
        if key not in value:
            raise doc.error(path, f"missing required key {key!r} in {where(path)}",
                            f"add '{key}:' to {where(path)}")
    return value


def text(doc: Doc, path: Path, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise doc.error(path, f"{where(path)} must be a non-empty string, got {_kind(value)}")
    return value


def ident(doc: Doc, path: Path, value: Any) -> str:
    value = text(doc, path, value)
    if any(c.isspace() for c in value):
        raise doc.error(path, f"{where(path)} must not contain whitespace: {value!r}",
                        "use ids such as 'gpt-4o-mini'")
    return value


def url(doc: Doc, path: Path, value: Any) -> str:
    value = text(doc, path, value)
    parts = urlparse(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise doc.error(path, f"{where(path)} must be an http(s) URL, got {value!r}",
                        "link the provider's pricing page, e.g. https://openai.com/api/pricing/")
    return value


def integer(doc: Doc, path: Path, value: Any, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise doc.error(path, f"{where(path)} must be an integer, got {_kind(value)}",
                        "write a whole number without quotes, e.g. 200000")
    if value < minimum:
        raise doc.error(path, f"{where(path)} must be at least {minimum}, got {value}")
    return value


def day(doc: Doc, path: Path, value: Any) -> _dt.date:
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise doc.error(path, f"{where(path)} must be a date, got {_kind(value)}",
                    "write dates as YYYY-MM-DD, e.g. 2025-06-10")


def price(doc: Doc, path: Path, value: Any) -> Decimal:
    """USD per 1M tokens, written as a quoted decimal string so no float ever touches it."""
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        raise doc.error(path, f"{where(path)} is a bare number",
                        f"write prices as quoted strings, e.g. '{value}'")
    if not isinstance(value, str):
        raise doc.error(path, f"{where(path)} must be a price string, got {_kind(value)}",
                        "write prices as quoted strings, e.g. '2.50'")
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise doc.error(path, f"{where(path)} is not a decimal number: {value!r}",
                        "write prices as quoted strings, e.g. '2.50'")
    if number < 0:
        raise doc.error(path, f"{where(path)} is negative: {value!r}",
                        "prices are USD per 1M tokens and cannot be below zero")
    return number


def rates(doc: Doc, path: Path, value: dict, *, kind: str) -> dict[str, Decimal | None]:
    """The rate keys of a price period or tier, parsed, with sanity checks."""
    out = {key: price(doc, path + (key,), value[key]) if key in value else None
           for key in RATE_KEYS}
    if out["input"] is None:
        raise doc.error(path, f"missing required key 'input' in {where(path)}",
                        "add \"input: '1.00'\" (USD per 1M tokens)")
    if out["output"] is None and kind == "chat":
        raise doc.error(path, f"missing required key 'output' in {where(path)}",
                        "chat models need an output price; only kind: embedding may omit it")
    if out["cached_input"] is not None and out["cached_input"] > out["input"]:
        raise doc.error(path + ("cached_input",),
                        f"cached_input {out['cached_input']} is more than input {out['input']} "
                        f"in {where(path)}", "a cache read is never dearer than a normal read: "
                        "check that the two are not swapped")
    return out


def ascending_dates(doc: Doc, path: Path, dates: list[_dt.date]) -> None:
    for i in range(1, len(dates)):
        if dates[i] <= dates[i - 1]:
            raise doc.error(path + (i, "since"),
                            f"{where(path + (i,))}.since {dates[i]} is not after the previous "
                            f"period's {dates[i - 1]}",
                            "list price periods oldest first, each with a later 'since' date")


def ascending_tiers(doc: Doc, path: Path, aboves: list[int]) -> None:
    for i in range(1, len(aboves)):
        if aboves[i] <= aboves[i - 1]:
            raise doc.error(path + (i, "above"),
                            f"{where(path + (i,))}.above {aboves[i]} is not greater than the "
                            f"previous tier's {aboves[i - 1]}",
                            "list tiers in ascending order of 'above'")


def lifecycle(doc: Doc, path: Path, deprecated: _dt.date | None,
              retired: _dt.date | None) -> None:
    if deprecated and retired and retired < deprecated:
        raise doc.error(path + ("retired",),
                        f"{where(path)}.retired {retired} is before deprecated {deprecated}",
                        "a model is deprecated first, then retired")


def with_list(close: str | None, label: str, names: Sequence[str]) -> str:
    return (close + " " if close else "") + f"{label}: {', '.join(names)}"


def unique_names(files: Sequence[Any]) -> None:
    """Within one layer every id and alias names exactly one model, across all its files
    (each file: ``.doc``, ``.models`` and ``.model_paths`` as in ``pricing.ParsedFile``)."""
    owner: dict[str, tuple[str, Doc, Path]] = {}  # name -> (model id, doc, path)

    def loc(doc: Doc, path: Path) -> str:
        return f"{doc.file}:{doc.line(path)}"

    for pf in files:  # ids first, so an alias can be checked against every id of the layer
        for m in pf.models:
            path = pf.model_paths[m.id] + ("id",)
            if m.id in owner:
                raise pf.doc.error(path, f"duplicate model id {m.id!r} (also in "
                                   f"{loc(*owner[m.id][1:])})", "each model id appears once")
            owner[m.id] = (m.id, pf.doc, path)
    for pf in files:
        for m in pf.models:
            for j, alias in enumerate(m.aliases):
                path = pf.model_paths[m.id] + ("aliases", j)
                if alias in owner:
                    other, odoc, opath = owner[alias]
                    what = "model id" if other == alias else f"alias of {other!r}"
                    raise pf.doc.error(path, f"alias {alias!r} of {m.id!r} collides with "
                                       f"{what} ({loc(odoc, opath)})",
                                       "remove the alias or rename one of them")
                owner[alias] = (m.id, pf.doc, path)


def lint(doc: Doc) -> list[CostgateError]:
    """Rules stricter than loading (``costgate pricing validate`` only): prices written as
    plain decimals, never in exponent notation such as '2.5e-06' (a per-token price pasted
    from a per-token table), and batch rates not above the regular ones."""
    errors: list[CostgateError] = []
    models = doc.data.get("models") if isinstance(doc.data, dict) else None
    for i, model in enumerate(models if isinstance(models, list) else []):
        periods = model.get("prices") if isinstance(model, dict) else None
        for j, period in enumerate(periods if isinstance(periods, list) else []):
            if not isinstance(period, dict):
                continue
            tiers = period.get("tiers") if isinstance(period.get("tiers"), list) else []
            blocks = [(("models", i, "prices", j), period)]
            blocks += [(("models", i, "prices", j, "tiers", k), t) for k, t in enumerate(tiers)
                       if isinstance(t, dict)]
            for path, block in blocks:
                errors += _lint_rates(doc, path, block)
    return errors


def _lint_rates(doc: Doc, path: Path, block: dict) -> list[CostgateError]:
    errors = []
    for key in RATE_KEYS:
        value = block.get(key)
        if isinstance(value, str) and any(c in value for c in "eE"):
            hint = "write a plain decimal per 1M tokens, e.g. '2.50'"
            try:
                if Decimal(value) < Decimal("0.001"):
                    hint += (f"; {value} looks like a price per token: per 1M tokens it is "
                             f"'{(Decimal(value) * 1_000_000).normalize():f}'")
            except InvalidOperation:
                pass
            errors.append(doc.error(path + (key,), f"{where(path + (key,))} uses exponent "
                                    f"notation: {value!r}", hint))
    for batch, regular in (("batch_input", "input"), ("batch_output", "output")):
        try:
            b, r = Decimal(str(block[batch])), Decimal(str(block[regular]))
        except (KeyError, InvalidOperation):
            continue
        if b > r:
            errors.append(doc.error(path + (batch,), f"{batch} {b} is more than {regular} {r} "
                                    f"in {where(path)}", "batch APIs discount the regular rate; "
                                    "check that the two are not swapped"))
    return errors


def _kind(value: Any) -> str:
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


__all__ = ["CostgateError", "RATE_KEYS", "mapping", "text", "ident", "url", "integer", "day",
           "price", "rates", "ascending_dates", "ascending_tiers", "lifecycle", "where",
           "unique_names", "with_list", "lint"]
