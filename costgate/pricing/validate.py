"""``costgate pricing validate``: every error in a set of price files, not just the first.

Each file is checked on its own, then with the stricter lint rules below, then the
cross-file rules of ``load_table`` with the files layered over the shipped table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Sequence

from ..errors import CostgateError
from ..fields import where
from ..yamlio import Doc, DocPath
from .loader import load_file, load_table, read_price_file, shipped_pricing_dir
from .model import RATE_KEYS


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
                pf = load_file(read_price_file(f), str(f))
            except (OSError, UnicodeDecodeError) as exc:
                errors.append(CostgateError(f"cannot read pricing file: {getattr(exc, 'strerror', None) or exc}",
                                            file=str(f)))
                continue
            except CostgateError as exc:
                errors.append(exc)
                continue
            models += len(pf.models)
            errors += lint(pf.doc)
    if not errors:
        base = [] if any(p.resolve() == shipped for p in paths) else [shipped]
        try:
            load_table([*base, *paths])
        except CostgateError as exc:
            errors.append(exc)
    return Validation(tuple(names), models, tuple(errors))


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
            raw_tiers = period.get("tiers")
            tiers: list = raw_tiers if isinstance(raw_tiers, list) else []
            blocks: list[tuple[DocPath, dict]] = [(("models", i, "prices", j), period)]
            blocks += [(("models", i, "prices", j, "tiers", k), t) for k, t in enumerate(tiers)
                       if isinstance(t, dict)]
            for path, block in blocks:
                errors += _lint_rates(doc, path, block)
    return errors


def _lint_rates(doc: Doc, path: DocPath, block: dict) -> list[CostgateError]:
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


