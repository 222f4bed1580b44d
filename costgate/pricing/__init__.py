"""Price tables: the model, loading and layering, validation, diffs and sync."""

from .layers import table_for
from .loader import load_file, load_table, shipped_pricing_dir
from .model import RATE_KEYS, Model, PricePeriod, PriceTable, Provider, Rates, Tier
from .validate import Validation, validate

__all__ = ["table_for", "load_file", "load_table", "shipped_pricing_dir", "RATE_KEYS", "Model", "PricePeriod",
           "PriceTable", "Provider", "Rates", "Tier", "Validation", "validate"]
