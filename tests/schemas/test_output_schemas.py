"""The JSON Schemas of every ``--format json`` document (costgate/schemas/*.schema.json):
each command's real output validates; every object is closed, so a key added to an output
without its schema fails here; enums are the model's Literals; the keys each schema
requires, and which of them are nullable, are the keys docs/json.md documents; the
schemas that describe one structure twice (a diff's ``pricing``, ``pricing show``'s
model) describe it identically."""

from __future__ import annotations

import copy
import re
from typing import Any, get_args

import click
import pytest
from helpers import ROOT, SCHEMAS, load_schema, open_objects, schema_errors
from output_documents import documents

from costgate.cli import cli
from costgate.estimate.results import AlternativeKind, LeverKind
from costgate.gate.model import CallStatus, FeatureStatus, Level, ThresholdName
from costgate.pricing.model import CAPABILITIES, EFFORTS

OUTPUT_SCHEMAS = ["estimate.schema.json", "diff.schema.json", "pricing-diff.schema.json", "pricing-list.schema.json",
                  "pricing-show.schema.json", "pricing-sync.schema.json", "tokens.schema.json"]


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> dict[str, list[dict]]:
    pytest.importorskip("genai_prices", reason="pricing sync's JSON needs genai-prices (the test extra)")
    return documents(tmp_path_factory.mktemp("outputs"))


EDITOR_SCHEMAS = {"spec.schema.json", "config.schema.json", "pricing.schema.json"}  # inputs, not outputs
SAME_DOCUMENT = {"check": "diff"}  # `costgate check` writes `costgate diff`'s document


def json_commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command with a --format option that offers json."""
    found = []
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            found += json_commands(cmd, path + (name,))
            continue
        for param in cmd.params:
            if "--format" in getattr(param, "opts", ()) and "json" in getattr(param.type, "choices", ()):
                found.append(path + (name,))
    return found


def test_every_json_command_has_a_shipped_schema_and_every_schema_a_command():
    names = {"-".join(SAME_DOCUMENT.get(name, name) for name in path) + ".schema.json" for path in json_commands(cli)}
    assert set(OUTPUT_SCHEMAS) <= names, "a schema of this test lost its command"
    on_disk = {p.name for p in SCHEMAS.glob("*.schema.json")} - EDITOR_SCHEMAS
    assert names == on_disk
    for name in on_disk:
        load_schema(name)


@pytest.mark.parametrize("name", OUTPUT_SCHEMAS)
def test_each_command_s_json_validates(name, docs):
    schema = load_schema(name)
    assert docs[name]
    for doc in docs[name]:
        assert schema_errors(schema, doc) == []


def _objects(node: Any, path: tuple = ()):
    """(path, object) for every object of a document, the document itself first."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _objects(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, path + (i,))


MAPS = {("alias_since",), ("written",), ("effort_tokens",)}  # keys are data (aliases, files, effort levels)


def _shapes(docs: list[dict]):
    """(document, path, object) for the first object at each shape path (list indices as [])."""
    seen: set[tuple] = set()
    for doc in docs:
        for path, obj in _objects(doc):
            shape = tuple("[]" if isinstance(p, int) else p for p in path)
            if shape not in seen and path[-1:] not in MAPS and obj:
                seen.add(shape)
                yield doc, path, obj


def _edited(doc: dict, path: tuple) -> tuple[dict, dict]:
    """A copy of ``doc`` and, in it, the object at ``path``. Long lists on the path keep only
    the item on the path (a 180 kB price list is validated once per key otherwise)."""
    bad = copy.deepcopy(doc)
    parent: Any = None
    last: Any = None
    target: Any = bad
    for key in path:
        if isinstance(target, list) and len(target) > 5:
            parent[last] = target = [target[key]]
            key = 0
        parent, last, target = target, key, target[key]
    return bad, target


@pytest.mark.parametrize("name", OUTPUT_SCHEMAS)
def test_an_undeclared_key_anywhere_fails(name, docs):
    """Closed schemas: a key the schema does not declare, at any level, is an error."""
    schema = load_schema(name)
    assert open_objects(schema) == []
    checked = 0
    for doc, path, _ in _shapes(docs[name]):
        bad, target = _edited(doc, path)
        target["zz_undeclared"] = 1
        assert schema_errors(schema, bad), f"{name}: an extra key at {path} validates"
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize("name", OUTPUT_SCHEMAS)
def test_a_missing_key_fails(name, docs):
    """Every key is required (nullable keys are always present, docs/json.md)."""
    schema = load_schema(name)
    for doc, path, obj in _shapes(docs[name]):
        for key in obj:
            bad, target = _edited(doc, path)
            del target[key]
            assert schema_errors(schema, bad), f"{name}: {path + (key,)} is not required"


def _prop(schema: dict, path: str) -> dict:
    """The schema node at a dotted path (``a[].b``), through anyOf/$ref."""
    node = schema
    for part in [p for p in path.split(".") if p]:
        node = _object(schema, node)
        name, arr = (part[:-2], True) if part.endswith("[]") else (part, False)
        node = node["properties"][name]
        if arr:
            node = _object(schema, node, "array")["items"]
    return node


def _object(schema: dict, node: dict, kind: str = "object") -> dict:
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    for alt in node.get("anyOf", []):
        if alt.get("type") == kind:
            return alt
    return node


def _enum(schema: dict, path: str) -> set:
    node = _prop(schema, path)
    alts = node.get("anyOf", [node])
    return {v for alt in alts for v in alt.get("enum", [])}


@pytest.mark.parametrize("schema, path, literal", [
    ("diff.schema.json", "crossings[].threshold", ThresholdName),
    ("diff.schema.json", "crossings[].level", Level),
    ("diff.schema.json", "features[].status", FeatureStatus),
    ("diff.schema.json", "features[].calls[].status", CallStatus),
    ("estimate.schema.json", "estimates[].what_if[].lever", LeverKind),
    ("estimate.schema.json", "estimates[].alternatives[].kind", AlternativeKind),
    ("pricing-show.schema.json", "capability", CAPABILITIES),
    ("pricing-show.schema.json", "reasoning.default", EFFORTS),
    ("pricing-list.schema.json", "models[].capability", CAPABILITIES),
])
def test_enums_are_the_model_s_literals(schema, path, literal):
    values = set(literal) if isinstance(literal, tuple) else set(get_args(literal))
    assert _enum(load_schema(schema), path) == values


def test_a_diff_s_pricing_is_the_pricing_diff_document():
    diff, pricing = load_schema("diff.schema.json"), load_schema("pricing-diff.schema.json")
    inner = _object(diff, diff["properties"]["pricing"])
    expected = {k: v for k, v in pricing["properties"].items() if k not in ("schema_version", "kind")}
    assert inner["properties"] == expected
    assert set(inner["required"]) == set(expected)
    assert diff["$defs"]["money2"] == pricing["$defs"]["money2"]


def test_pricing_show_is_a_pricing_list_model():
    show, lst = load_schema("pricing-show.schema.json"), load_schema("pricing-list.schema.json")
    model = dict(lst["properties"]["models"]["items"]["properties"])
    model["model_kind"] = model.pop("kind")
    mine = {k: v for k, v in show["properties"].items() if k not in ("schema_version", "kind", "as_of")}
    assert mine == model


# ---------------------------------------------------------------- docs/json.md

SECTIONS = {  # heading in docs/json.md -> (schema, path of the object its table documents)
    "### ESTIMATE": ("estimate.schema.json", "estimates[]"),
    "### CALL (`calls[]`)": ("estimate.schema.json", "estimates[].calls[]"),
    "### ALTERNATIVE (`alternatives[]`)": ("estimate.schema.json", "estimates[].alternatives[]"),
    "### `projection`": ("estimate.schema.json", "estimates[].projection"),
    "### `users`": ("estimate.schema.json", "estimates[].users"),
    "### `worst_case`": ("estimate.schema.json", "estimates[].worst_case"),
    "### WHAT-IF (`what_if[]`)": ("estimate.schema.json", "estimates[].what_if[]"),
    '## `kind: "diff"`': ("diff.schema.json", ""),
    "### FEATURE (`features[]`)": ("diff.schema.json", "features[]"),
    "### CROSSING (`crossings[]`)": ("diff.schema.json", "crossings[]"),
    '## `kind: "pricing-diff"`': ("pricing-diff.schema.json", ""),
    '## `kind: "pricing-list"` and `kind: "pricing-show"`': ("pricing-list.schema.json", "models[]"),
    '## `kind: "pricing-sync"`': ("pricing-sync.schema.json", ""),
    "## `costgate tokens --format json`": ("tokens.schema.json", "#text"),
}
HEADER = {"schema_version", "kind"}


def doc_tables() -> dict[str, dict[str, bool]]:
    """Heading -> {documented key path: nullable?} from docs/json.md's tables."""
    text = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    out: dict[str, dict[str, bool]] = {}
    heading = None
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.strip()
            continue
        if heading not in SECTIONS or not line.startswith("| `"):
            continue
        first, kind = line.split(" | ")[0], line.split(" | ")[1]
        nullable = "nullable" in kind or "null" in kind.replace("\\", "").split("|")[-1] or "\\| null" in kind
        previous = ""
        for key in re.findall(r"`([^`]+)`", first):
            key = key.removesuffix("[]")  # `changes[]`: the array itself
            if key.startswith("_"):  # `cost_per_session_before_usd`, `_after_usd`
                key = previous[: previous.rindex("_before")] + key
            out.setdefault(heading, {})[key] = nullable
            previous = key
            while "." in key:  # `traffic.sessions_per_day` documents `traffic` too (never null)
                key = key.rsplit(".", 1)[0].removesuffix("[]")
                out[heading].setdefault(key, False)
    return out


def schema_keys(schema: dict, node: dict, prefix: str, documented: set[str]) -> dict[str, bool]:
    """{key path: nullable?} of an object's properties, descending into a child object only
    where the docs document keys under it (a nested table, or prose, documents the rest)."""
    out: dict[str, bool] = {}
    obj = _object(schema, node)
    assert set(obj.get("required", [])) == set(obj.get("properties", {})), f"{prefix}: every key is required"
    for key, sub in obj.get("properties", {}).items():
        path = prefix + key
        alts = sub.get("anyOf", [sub])
        out[path] = any(a.get("type") == "null" or "null" in (a.get("type") or []) for a in alts)
        for child, kind in ((path + ".", "object"), (path + "[].", "array")):
            if any(d.startswith(child) for d in documented):
                inner = _object(schema, sub, kind)
                inner = inner["items"] if kind == "array" else inner
                out.update(schema_keys(schema, inner, child, documented))
    return out


@pytest.mark.parametrize("heading", sorted(SECTIONS))
def test_docs_json_md_documents_exactly_the_schema_s_keys(heading):
    tables = doc_tables()
    assert heading in tables, f"docs/json.md has no table under {heading}"
    name, path = SECTIONS[heading]
    schema = load_schema(name)
    node = schema["$defs"]["text"] if path == "#text" else _prop(schema, path)
    documented = {k: v for k, v in tables[heading].items() if k not in HEADER}
    actual = {k: v for k, v in schema_keys(schema, node, "", set(documented)).items() if k not in HEADER}
    if heading.startswith('## `kind: "pricing-list"'):  # `pricing show` names the model's kind model_kind
        documented.pop("model_kind", None)
    assert set(actual) - set(documented) == set(), f"{heading}: in the schema, not in docs/json.md"
    assert set(documented) - set(actual) == set(), f"{heading}: in docs/json.md, not in the schema"
    wrong = {k: (documented[k], actual[k]) for k in actual if documented[k] != actual[k]}
    assert wrong == {}, f"{heading}: nullable in docs vs schema"
