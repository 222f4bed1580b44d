"""The editor schemas cannot drift from the loaders: at every nesting level, the keys a
JSON Schema allows are exactly the keys the loader's table allows (spec, config, price
files). A key added to a loader without the schema (or the reverse) fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from costgate.pricing import loader as pricing_loader
from costgate.repo import config as config_loader
from costgate.spec import loader as spec_loader

SCHEMAS = Path(__file__).resolve().parent.parent / "costgate" / "schemas"


def schema_keys(schema: dict) -> dict[str, set[str]]:
    """Schema path ("calls[].cache", "features.*") -> the property names allowed there."""
    defs = schema.get("$defs", {})
    out: dict[str, set[str]] = {}

    def child(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def walk(node: dict, path: str) -> None:
        if "$ref" in node:
            walk(defs[node["$ref"].rsplit("/", 1)[-1]], path)
        for key in ("oneOf", "anyOf", "allOf"):
            for sub in node.get(key, []):
                walk(sub, path)
        if "properties" in node:
            out.setdefault(path, set()).update(node["properties"])
            for key, sub in node["properties"].items():
                walk(sub, child(path, key))
        if isinstance(node.get("items"), dict):
            walk(node["items"], path + "[]")
        for extra in [node.get("additionalProperties")] + list((node.get("patternProperties") or {}).values()):
            if isinstance(extra, dict):
                walk(extra, child(path, "*"))

    walk(schema, "")
    return out


CASES = {
    "spec": (spec_loader.KEYS, "spec.schema.json"),
    "config": (config_loader.KEYS, "config.schema.json"),
    "pricing": (pricing_loader.KEYS, "pricing.schema.json"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_schema_and_loader_allow_the_same_keys_at_every_level(name):
    table, file = CASES[name]
    schema = schema_keys(json.loads((SCHEMAS / file).read_text(encoding="utf-8")))
    loader = {path: set(keys) for path, keys in table.items()}
    if name == "spec":  # a bindable setting also takes {from, key}, the schema's $defs/binding
        for path in spec_loader.BINDABLE:
            loader.setdefault(path, set()).update(spec_loader.BINDING_KEYS)
    assert schema == loader


def test_the_walker_sees_nested_levels():
    """A drift three levels down is visible (the old test compared two levels only)."""
    schema = json.loads((SCHEMAS / "spec.schema.json").read_text(encoding="utf-8"))
    keys = schema_keys(schema)
    assert keys["calls[].history.summary"] == {"every", "tokens"}
    assert keys["scenarios.*.*"] == {"model", "mix"}
