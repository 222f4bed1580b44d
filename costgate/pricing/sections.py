"""Two sections of a price file that are rules rather than prices: ``billing:`` (how
discounts combine, with their source) and ``tokenizers:`` (approximated families, per
script, with their measured error)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..errors import suggest
from ..fields import Fields, where, with_list
from ..tokens import Approximation, registered
from ..tokens.scripts import SCRIPTS
from ..yamlio import Doc, DocPath
from .model import BILLING_RULES, BillingRules

BILLING_KEYS = BILLING_RULES + ("source",)
APPROX_KEYS = ("base", "ratio", "ratios", "source", "error")
ERROR_KEYS = ("p50", "p95")


def billing_rules(doc: Doc, path: DocPath, raw: Any) -> BillingRules:
    """A ``billing:`` block: how discounts combine, each rule true or false, with its source."""
    if raw is None:
        return BillingRules()
    raw = Fields(doc).mapping(path, raw, allowed=BILLING_KEYS, required=("source",))
    rules = {}
    for key in BILLING_RULES:
        if key in raw:
            if not isinstance(raw[key], bool):
                raise doc.error(path + (key,), f"{where(path + (key,))} must be true or false, got {raw[key]!r}",
                                f"write {key}: true (the batch discount applies) or false (it does not)")
            rules[key] = raw[key]
    return BillingRules(**rules, source=Fields(doc).url(path + ("source",), raw["source"]))


def approximations(doc: Doc, raw: Any) -> dict[str, Approximation]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise doc.error(("tokenizers",), "tokenizers must be a mapping of family name to "
                        "{base, ratio, source}")
    out = {}
    exact = registered()
    for family, spec in raw.items():
        path = ("tokenizers", family)
        # a model names its family by an id without whitespace; a family name is quoted in
        # hints and reports, so it is held to the same rule (and must be a string at all)
        Fields(doc).ident(path, family)
        spec = Fields(doc).mapping(path, spec, allowed=APPROX_KEYS, required=("base", "source"))
        base = Fields(doc).text(path + ("base",), spec["base"])
        if base not in exact:
            raise doc.error(path + ("base",), f"tokenizer {family!r} is based on {base!r}, "
                            "which is not a registered exact tokenizer",
                            with_list(suggest(base, exact), "registered exact tokenizers", exact))
        ratios = {}
        if "ratios" in spec:
            raw_ratios = Fields(doc).mapping(path + ("ratios",), spec["ratios"], allowed=SCRIPTS, required=())
            ratios = {k: _ratio(doc, path + ("ratios", k), family, v) for k, v in raw_ratios.items()}
        if "ratio" in spec:
            ratio = _ratio(doc, path + ("ratio",), family, spec["ratio"])
        elif "latin" in ratios:
            ratio = ratios["latin"]
        else:
            raise doc.error(path, f"tokenizer {family!r} needs a ratio (every script) or ratios with latin",
                            'write ratio: "1.05" or ratios: {latin: "1.05", cjk: "1.3"}')
        p50 = p95 = None
        if "error" in spec:
            err = Fields(doc).mapping(path + ("error",), spec["error"], allowed=ERROR_KEYS, required=ERROR_KEYS)
            p50, p95 = (Fields(doc).price(path + ("error", k), err[k]) for k in ERROR_KEYS)
        out[family] = Approximation(base, ratio, Fields(doc).text(path + ("source",), spec["source"]),
                                    tuple(ratios.items()), p50, p95)
    return out


def _ratio(doc: Doc, path: DocPath, family: str, value: Any) -> Decimal:
    ratio = Fields(doc).price(path, value)
    if ratio <= 0 or ratio > 100:
        raise doc.error(path, f"tokenizer {family!r} ratio must be above 0 and at most 100")
    return ratio
