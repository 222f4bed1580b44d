"""costgate: what an LLM feature will cost before it ships.

The library API, in the order data flows through it::

    from costgate import load_spec, load_table, estimate
    spec = load_spec("fixtures/support-bot/support-bot.costgate.yaml")
    result = estimate(spec, load_table())
    print(result.monthly_cost)

Names are imported on first use, so ``import costgate`` (and ``costgate --help``) stays
fast: the tokenizer, Jinja2 and the price table load only when an estimate needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .errors import CostgateError
    from .estimate.simulate import estimate
    from .pricing import load_table
    from .spec import load_spec

_LAZY = {
    "CostgateError": ("costgate.errors", "CostgateError"),
    "estimate": ("costgate.estimate.simulate", "estimate"),
    "load_table": ("costgate.pricing", "load_table"),
    "load_spec": ("costgate.spec", "load_spec"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'costgate' has no attribute {name!r}")


__all__ = ["CostgateError", "estimate", "load_spec", "load_table", "__version__"]
