"""The spec's editor schema (costgate/schemas/spec.schema.json) against the shipped specs
and the spec parser.

The schema is what `# yaml-language-server: $schema=...` completes and checks with, so
it must accept every shipped spec and must not drift from the strict parser in
costgate/spec/loader.py: same keys, same rejections. (config.schema.json is tested in
tests/repo/test_config.py, pricing.schema.json in tests/pricing/test_loader.py.)
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from helpers import (
    DELETE,
    FIXTURES,
    ROOT,
    SCHEMAS,
    load_schema,
    open_objects,
    schema_errors,
    schema_properties,
    set_path,
)

from costgate import spec as spec_mod
from costgate.errors import CostgateError

jsonschema = pytest.importorskip("jsonschema")

FIXTURE_SPECS = sorted(FIXTURES.glob("**/*.costgate.yaml"))


@pytest.fixture(scope="module")
def spec_schema() -> dict:
    return load_schema("spec.schema.json")


# ------------------------------------------------------------------------ shipped files

def test_there_are_fixture_specs():
    assert len(FIXTURE_SPECS) >= 3


@pytest.mark.parametrize("path", FIXTURE_SPECS, ids=lambda p: p.parent.name)
def test_fixture_specs_validate(spec_schema, path):
    text = path.read_text(encoding="utf-8")
    assert schema_errors(spec_schema, yaml.safe_load(text)) == []
    # The modeline each fixture carries must point at the schema file.
    first = text.splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, first
    assert (path.parent / m.group(1)).resolve() == (SCHEMAS / "spec.schema.json").resolve()


def test_docs_spec_example_validates(spec_schema):
    doc = ROOT / "docs" / "spec.md"
    if not doc.is_file():
        pytest.skip("docs/spec.md not present")
    blocks = re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    specs = [b for b in blocks if re.search(r"^version: 1$", b, re.M)]
    if not specs:
        pytest.skip("docs/spec.md has no full example")
    for block in specs:
        assert schema_errors(spec_schema, yaml.safe_load(block)) == []


# ---------------------------------------------------------------- no drift from parsers

def test_spec_top_level_keys_match_parser(spec_schema):
    assert set(spec_schema["properties"]) == spec_mod.TOP_KEYS
    assert spec_schema["additionalProperties"] is False


def test_spec_call_keys_match_parser(spec_schema):
    assert spec_schema["properties"]["calls"]["items"] == {"$ref": "#/$defs/call"}
    call = spec_schema["$defs"]["call"]
    assert set(call["properties"]) == spec_mod.CALL_KEYS
    assert call["additionalProperties"] is False


@pytest.mark.parametrize("name", ["spec.schema.json"])  # config.schema.json: tests/repo/test_config.py
def test_every_property_is_described(name):
    schema = load_schema(name)
    missing = [path for path, prop in schema_properties(schema) if "description" not in prop]
    assert missing == []


@pytest.mark.parametrize("name", ["spec.schema.json"])  # config.schema.json: tests/repo/test_config.py
def test_every_object_is_closed(name):
    """additionalProperties is false wherever keys are fixed (free-form maps use a schema)."""
    schema = load_schema(name)
    assert open_objects(schema) == []


# ------------------------------------------------------- schema and parser agree on specs

PROMPT = "You are a support assistant for {{ product }}.\n"
KITCHEN_SINK = """\
version: 1
feature: kitchen-sink
description: every key the parser accepts
vars: {product: Acme}
traffic:
  sessions_per_day: 100
  days_per_month: 22
  growth_per_month: -0.01
  users: {count: 500, heavy_user_share: 0.1, heavy_user_multiplier: 5}
samples: {file: samples.jsonl}
calls:
  - name: route
    model: gpt-4o-mini
    per_session: 1
    system: {file: prompts/system.j2}
    user: "{{ query }}"
    output_tokens: 5
  - name: answer
    mix: {gpt-4o-mini: 0.75, gpt-4o: 0.25}
    per_session: 2.5
    system: "{{ product }} helper"
    context: null
    user: "{{ query }}"
    history: {summary: {every: 3, tokens: 200}}
    output_tokens: {mean: 220, max: 800}
    cache: {prompt_prefix: true, ttl: 1h, semantic_hit_rate: 0.1, exact_hit_rate: auto,
            embedding_model: text-embedding-3-small}
    batch: 0.5
    retry_rate: 0.02
    latency: offline
    max_tokens: 600
    router: {model: gpt-4o-mini, output_tokens: 3}
  - name: followup
    model: gpt-4o-mini
    per_session: 0.2
    user: {file: prompts/system.j2}
    history: {window: 4}
  - name: recap
    model: gpt-4o-mini
    per_session: 1
    user: "{{ query }}"
    history: {tokens: 2000}
    cache: {exact_hit_rate: 0.05}
scenarios:
  cheap:
    answer: {model: gpt-4o-mini}
  split:
    answer: {mix: {gpt-4o: 0.5, gpt-4.1: 0.5}}
    route: {model: gpt-4.1-nano}
budget: {monthly_usd: 300, worst_case_usd: 2000}
limits: {calls_per_user_per_hour: 30, calls_per_user_per_day: 200, max_input_tokens: 8000}
"""


SOURCES = {
    "prompts/agent.yaml": "agent:\n  system: |\n    You are a support assistant for {{ product }}.\n",
    "prompts/prompts.py": "class P:\n    USER = 'Question: ' + '{{ query }}'\n",
    "prompts/chat.prompty": "---\nmodel: gpt-4o-mini\n---\nsystem:\nBe brief.\nuser:\n{{ query }}\n",
}


def _parse(tmp_path: Path, data) -> None:
    """Run the real parser on ``data`` dumped as YAML (files the spec names exist)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True, exist_ok=True)
    (root / "prompts").mkdir(exist_ok=True)
    (root / "prompts" / "system.j2").write_text(PROMPT, encoding="utf-8")
    for rel, text in SOURCES.items():
        (root / rel).write_text(text, encoding="utf-8")
    (root / "samples.jsonl").write_text('{"query": "hi"}\n{"query": "reset my password"}\n', encoding="utf-8")
    (root / "queries.txt").write_text("hi\n", encoding="utf-8")
    path = root / "x.costgate.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    spec_mod.load_spec(path)


def test_kitchen_sink_spec_is_accepted_by_both(spec_schema, tmp_path):
    data = yaml.safe_load(KITCHEN_SINK)
    assert schema_errors(spec_schema, data) == []
    _parse(tmp_path, data)


def test_prompts_in_other_files_are_accepted_by_both(spec_schema, tmp_path):
    """docs/spec.md, "Where prompts can live": key:, symbol: and a call's prompt: file."""
    data = yaml.safe_load(KITCHEN_SINK)
    data["calls"][0]["system"] = {"file": "prompts/agent.yaml", "key": "agent.system"}
    data["calls"][2]["user"] = {"file": "prompts/prompts.py", "symbol": "P.USER"}
    data["calls"][3]["context"] = {"file": "prompts/agent.yaml", "key": ["agent", "system"]}
    data["calls"].append({"name": "chat", "prompt": {"file": "prompts/chat.prompty"}, "per_session": 1})
def test_template_formats_accepted_by_both(spec_schema, tmp_path):
    data = yaml.safe_load(KITCHEN_SINK)
    data["calls"][0]["system"] = {"file": "prompts/system.j2", "format": "mustache"}
    data["calls"][1]["context"] = {"text": "Docs for {query}", "format": "format"}
    data["calls"][2]["user"] = {"text": "{{#if query}}{{query}}{{/if}}", "format": "handlebars"}
    data["calls"][3]["user"] = {"text": "{{ query }}"}
    assert schema_errors(spec_schema, data) == []
    _parse(tmp_path, data)


def test_zipf_users_accepted_by_both(spec_schema, tmp_path):
    data = yaml.safe_load(KITCHEN_SINK)
    data["traffic"]["users"] = {"count": 1000, "zipf": 1.1}
    assert schema_errors(spec_schema, data) == []
    _parse(tmp_path, data)


# Edits to the kitchen sink that the parser rejects; the schema must reject them too.
REJECTED = {
    "unknown top-level key": (("budjet",), {"monthly_usd": 5}),
    "unknown call key": (("calls", 0, "output_token"), 10),
    "unknown traffic key": (("traffic", "sesions_per_day"), 10),
    "unknown cache key": (("calls", 1, "cache", "prefix"), True),
    "unknown budget key": (("budget", "monthly"), 5),
    "unknown limits key": (("limits", "calls_per_minute"), 5),
    "unknown samples key": (("samples", "path"), "x.txt"),
    "unknown router key": (("calls", 1, "router", "outputs"), 3),
    "unknown scenario override key": (("scenarios", "cheap", "answer", "models"), "gpt-4o"),
    "version 2": (("version",), 2),
    "missing feature": (("feature",), DELETE),
    "missing traffic": (("traffic",), DELETE),
    "missing samples": (("samples",), DELETE),
    "missing calls": (("calls",), DELETE),
    "empty calls": (("calls",), []),
    "feature with capitals": (("feature",), "Support Bot"),
    "negative sessions": (("traffic", "sessions_per_day"), -5),
    "text sessions": (("traffic", "sessions_per_day"), "lots"),
    "zero days per month": (("traffic", "days_per_month"), 0),
    "32 days per month": (("traffic", "days_per_month"), 32),
    "growth below -1": (("traffic", "growth_per_month"), -2),
    "zipf with heavy users": (("traffic", "users", "zipf"), 1.1),
    "zero users": (("traffic", "users", "count"), 0),
    "heavy multiplier below 1": (("traffic", "users", "heavy_user_multiplier"), 0.5),
    "csv samples": (("samples", "file"), "samples.csv"),
    "model and mix": (("calls", 0, "mix"), {"gpt-4o": 1}),
    "neither model nor mix": (("calls", 2, "model"), DELETE),
    "empty mix": (("calls", 1, "mix"), {}),
    "mix share above 1": (("calls", 1, "mix"), {"gpt-4o": 1.5}),
    "missing per_session": (("calls", 0, "per_session"), DELETE),
    "no message at all": (("calls", 2, "user"), DELETE),
    "bad call name": (("calls", 0, "name"), "route me"),
    "template file not a mapping key": (("calls", 0, "system"), {"path": "prompts/system.j2"}),
    "key and symbol together": (("calls", 0, "system"), {"file": "prompts/prompts.py", "key": "a", "symbol": "P"}),
    "key not a path": (("calls", 0, "system"), {"file": "prompts/agent.yaml", "key": 5}),
    "symbol not a name": (("calls", 0, "system"), {"file": "prompts/prompts.py", "symbol": "P USER"}),
    "unknown prompt key": (("calls", 0, "prompt"), {"file": "prompts/chat.prompty", "model": "gpt-4o"}),
    "prompt not a prompty file": (("calls", 0, "prompt"), {"file": "prompts/system.j2"}),
    "template with file and text": (("calls", 0, "system"), {"file": "prompts/system.j2", "text": "hi"}),
    "template with neither file nor text": (("calls", 0, "system"), {"format": "format"}),
    "unknown template format": (("calls", 0, "system"), {"text": "hi", "format": "jinja"}),
    "unknown history word": (("calls", 1, "history"), "last"),
    "two history policies": (("calls", 1, "history"), {"window": 2, "tokens": 3}),
    "summary without tokens": (("calls", 1, "history"), {"summary": {"every": 3}}),
    "summary every 0": (("calls", 1, "history"), {"summary": {"every": 0, "tokens": 10}}),
    "output without mean": (("calls", 1, "output_tokens"), {"max": 800}),
    "text output tokens": (("calls", 1, "output_tokens"), "many"),
    "ttl 10m": (("calls", 1, "cache", "ttl"), "10m"),
    "prompt_prefix not boolean": (("calls", 1, "cache", "prompt_prefix"), "yes please"),
    "exact_hit_rate word": (("calls", 1, "cache", "exact_hit_rate"), "always"),
    "semantic rate above 1": (("calls", 1, "cache", "semantic_hit_rate"), 1.5),
    "batch above 1": (("calls", 1, "batch"), 2),
    "retry rate negative": (("calls", 1, "retry_rate"), -0.1),
    "latency realtime": (("calls", 1, "latency"), "realtime"),
    "max_tokens zero": (("calls", 1, "max_tokens"), 0),
    "max_tokens fractional": (("calls", 1, "max_tokens"), 1.5),
    "router without model": (("calls", 1, "router"), {"output_tokens": 3}),
    "scenario override with model and mix": (("scenarios", "cheap", "answer", "mix"), {"gpt-4o": 1}),
    "negative budget": (("budget", "monthly_usd"), -1),
    "text limit": (("limits", "calls_per_user_per_day"), "many"),
}


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_parser_rejections_are_schema_rejections(spec_schema, tmp_path, case):
    path, value = REJECTED[case]
    data = yaml.safe_load(KITCHEN_SINK)
    set_path(data, path, value)
    with pytest.raises(CostgateError):
        _parse(tmp_path, data)
    assert schema_errors(spec_schema, data) != []


def test_unknown_key_fails_schema_validation(spec_schema):
    data = yaml.safe_load(FIXTURE_SPECS[0].read_text(encoding="utf-8"))
    assert schema_errors(spec_schema, data) == []
    bad = copy.deepcopy(data)
    bad["budjet"] = {"monthly_usd": 5}
    assert any("budjet" in e for e in schema_errors(spec_schema, bad))
    bad = copy.deepcopy(data)
    bad["calls"][0]["retry_rat"] = 0.1
    assert any("retry_rat" in e for e in schema_errors(spec_schema, bad))
