"""Cross-check the price table against litellm's ``model_prices_and_context_window.json``
(``pricing sync --from litellm[:PATH]``). Nothing is fetched: the JSON is a local file, or
the copy the small ``tokencost`` package bundles (``tokencost/model_prices.json``, a
snapshot of litellm's list), so the heavy ``litellm`` package is never needed. It reports
only; litellm's per-token floats are read through their decimal text, never as floats.
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

from ..errors import CostgateError
from .model import PriceTable
from .sync import Difference, SyncReport

PREFIXES = {"google": ("gemini/",), "mistral": ("mistral/",), "deepseek": ("deepseek/", ""),
            "xai": ("xai/",), "meta": ("groq/",), "openai": ("",), "anthropic": ("",)}
FIELDS = {"input_cost_per_token": "input", "cache_read_input_token_cost": "cached_input",
          "output_cost_per_token": "output", "input_cost_per_token_batches": "batch_input",
          "output_cost_per_token_batches": "batch_output",
          "cache_creation_input_token_cost": "cache_write_5m"}
MILLION = Decimal(1_000_000)


def litellm_path(spec: str) -> Path:
    """``litellm:PATH`` -> PATH; bare ``litellm`` -> tokencost's bundled copy."""
    if spec.startswith("litellm:"):
        return Path(spec.split(":", 1)[1])
    found = importlib.util.find_spec("tokencost")
    if found is None or not found.origin:
        raise CostgateError("no local copy of litellm's price list",
                            hint="pass --from litellm:PATH/model_prices_and_context_window.json, "
                                 "or pip install tokencost (it bundles one)")
    return Path(found.origin).parent / "model_prices.json"


def compare_litellm(table: PriceTable, as_of: _dt.date, path: Path) -> SyncReport:
    """Every rate of every model both tables know, on ``as_of``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, ValueError) as e:
        raise CostgateError(f"cannot read litellm's price list: {e}", file=str(path)) from None
    diffs: list[Difference] = []
    notes: list[str] = []
    compared = 0
    for m in sorted(table.models.values(), key=lambda m: (m.provider, m.id)):
        entry = next((data[p + ref] for ref in (m.id, *m.aliases)
                      for p in PREFIXES.get(m.provider, ("",)) if isinstance(data.get(p + ref), dict)), None)
        period = m.priced_at(as_of)
        if entry is None or period is None:
            notes.append(f"{m.id}: not in litellm's list" if entry is None else f"{m.id}: no price on {as_of}")
            continue
        compared += 1
        for key, rate in FIELDS.items():
            if m.kind == "embedding" and rate == "output":
                continue
            theirs = entry.get(key)
            theirs = None if theirs is None else (Decimal(theirs) * MILLION).normalize()
            mine = getattr(period.rates, rate)
            if theirs is not None and mine != theirs and not (mine is None and theirs == 0):
                diffs.append(Difference(m.id, m.provider, rate, mine, theirs))
    return SyncReport(f"litellm {path.name}", as_of, compared, tuple(diffs), tuple(notes))
