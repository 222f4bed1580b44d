"""costgate: what an LLM feature will cost before it ships.

The library API, in the order data flows through it::

    from costgate import load_spec, load_table, estimate
    spec = load_spec("fixtures/support-bot/support-bot.costgate.yaml")
    result = estimate(spec, load_table())
    print(result.monthly_cost)
"""

__version__ = "0.1.0"

from .errors import CostgateError  # noqa: E402
from .pricing import load_table  # noqa: E402
from .simulate import estimate  # noqa: E402
from .spec import load_spec  # noqa: E402

__all__ = ["CostgateError", "estimate", "load_spec", "load_table", "__version__"]
