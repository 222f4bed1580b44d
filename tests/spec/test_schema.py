"""The editor schemas (costgate/schemas/*.schema.json) against the shipped files and the parsers.

The schemas are what `# yaml-language-server: $schema=...` completes and checks with, so
they must accept every shipped spec and config, and must not drift from the strict
parsers in costgate/spec.py and costgate/config.py: same keys, same rejections.
(pricing.schema.json against pricing/*.yaml is tested in test_pricing.py.)
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

from costgate.repo import WorkTree
from costgate.repo import config as config_mod
from costgate import spec as spec_mod
from costgate.errors import CostgateError

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "costgate" / "schemas"
FIXTURE_SPECS = sorted((ROOT / "fixtures").glob("**/*.costgate.yaml"))


def _load_schema(name: str) -> dict:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture(scope="module")
def spec_schema() -> dict:
    return _load_schema("spec.schema.json")


@pytest.fixture(scope="module")
def config_schema() -> dict:
    return _load_schema("config.schema.json")


def _errors(schema: dict, data) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def _all_properties(node, path=""):
    """Every (path, property schema) under any ``properties`` in a schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, prop in value.items():
                    yield f"{path}/{name}", prop
                    yield from _all_properties(prop, f"{path}/{name}")
            else:
                yield from _all_properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _all_properties(item, f"{path}/{i}")


# ------------------------------------------------------------------------ shipped files

def test_there_are_fixture_specs():
    assert len(FIXTURE_SPECS) >= 3


@pytest.mark.parametrize("path", FIXTURE_SPECS, ids=lambda p: p.parent.name)
def test_fixture_specs_validate(spec_schema, path):
    text = path.read_text(encoding="utf-8")
    assert _errors(spec_schema, yaml.safe_load(text)) == []
    # The modeline each fixture carries must point at the schema file.
    first = text.splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, first
    assert (path.parent / m.group(1)).resolve() == (SCHEMAS / "spec.schema.json").resolve()


def test_repo_config_validates(config_schema):
    text = (ROOT / "costgate.yaml").read_text(encoding="utf-8")
    assert _errors(config_schema, yaml.safe_load(text)) == []
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", text.splitlines()[0])
    assert m and (ROOT / m.group(1)).resolve() == (SCHEMAS / "config.schema.json").resolve()


def test_docs_spec_example_validates(spec_schema):
    doc = ROOT / "docs" / "spec.md"
    if not doc.is_file():
        pytest.skip("docs/spec.md not present")
    blocks = re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    specs = [b for b in blocks if re.search(r"^version: 1$", b, re.M)]
    if not specs:
        pytest.skip("docs/spec.md has no full example")
    for block in specs:
        assert _errors(spec_schema, yaml.safe_load(block)) == []


# ---------------------------------------------------------------- no drift from parsers

def test_spec_top_level_keys_match_parser(spec_schema):
    assert set(spec_schema["properties"]) == spec_mod.TOP_KEYS
    assert spec_schema["additionalProperties"] is False


def test_spec_call_keys_match_parser(spec_schema):
    assert spec_schema["properties"]["calls"]["items"] == {"$ref": "#/$defs/call"}
    call = spec_schema["$defs"]["call"]
    assert set(call["properties"]) == spec_mod.CALL_KEYS
    assert call["additionalProperties"] is False


def test_config_keys_match_parser(config_schema):
    assert set(config_schema["properties"]) == set(config_mod.TOP_KEYS)
    assert set(config_schema["$defs"]["thresholds"]["properties"]) == set(config_mod.THRESHOLD_KEYS)
    assert set(config_schema["$defs"]["feature"]["properties"]) == set(config_mod.FEATURE_KEYS)


@pytest.mark.parametrize("name", ["spec.schema.json", "config.schema.json"])
def test_every_property_is_described(name):
    schema = _load_schema(name)
    missing = [path for path, prop in _all_properties(schema) if "description" not in prop]
    assert missing == []


@pytest.mark.parametrize("name", ["spec.schema.json", "config.schema.json"])
def test_every_object_is_closed(name):
    """additionalProperties is false wherever keys are fixed (free-form maps use a schema)."""
    schema = _load_schema(name)
    open_objects = []

    def walk(node, path):
        if isinstance(node, dict):
            if "properties" in node and node.get("additionalProperties") is not False:
                open_objects.append(path)
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")

    walk(schema, "")
    assert open_objects == []


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


def _parse(tmp_path: Path, data) -> None:
    """Run the real parser on ``data`` dumped as YAML (files the spec names exist)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True, exist_ok=True)
    (root / "prompts").mkdir(exist_ok=True)
    (root / "prompts" / "system.j2").write_text(PROMPT, encoding="utf-8")
    (root / "samples.jsonl").write_text('{"query": "hi"}\n{"query": "reset my password"}\n', encoding="utf-8")
    (root / "queries.txt").write_text("hi\n", encoding="utf-8")
    path = root / "x.costgate.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    spec_mod.load_spec(path)


def test_kitchen_sink_spec_is_accepted_by_both(spec_schema, tmp_path):
    data = yaml.safe_load(KITCHEN_SINK)
    assert _errors(spec_schema, data) == []
    _parse(tmp_path, data)


def test_zipf_users_accepted_by_both(spec_schema, tmp_path):
    data = yaml.safe_load(KITCHEN_SINK)
    data["traffic"]["users"] = {"count": 1000, "zipf": 1.1}
    assert _errors(spec_schema, data) == []
    _parse(tmp_path, data)


def _set(data, path, value):
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


_DELETE = object()

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
    "missing feature": (("feature",), _DELETE),
    "missing traffic": (("traffic",), _DELETE),
    "missing samples": (("samples",), _DELETE),
    "missing calls": (("calls",), _DELETE),
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
    "neither model nor mix": (("calls", 2, "model"), _DELETE),
    "empty mix": (("calls", 1, "mix"), {}),
    "mix share above 1": (("calls", 1, "mix"), {"gpt-4o": 1.5}),
    "missing per_session": (("calls", 0, "per_session"), _DELETE),
    "missing user": (("calls", 0, "user"), _DELETE),
    "bad call name": (("calls", 0, "name"), "route me"),
    "template file not a mapping key": (("calls", 0, "system"), {"path": "prompts/system.j2"}),
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
    _set(data, path, value)
    with pytest.raises(CostgateError):
        _parse(tmp_path, data)
    assert _errors(spec_schema, data) != []


def test_unknown_key_fails_schema_validation(spec_schema):
    data = yaml.safe_load(FIXTURE_SPECS[0].read_text(encoding="utf-8"))
    assert _errors(spec_schema, data) == []
    bad = copy.deepcopy(data)
    bad["budjet"] = {"monthly_usd": 5}
    assert any("budjet" in e for e in _errors(spec_schema, bad))
    bad = copy.deepcopy(data)
    bad["calls"][0]["retry_rat"] = 0.1
    assert any("retry_rat" in e for e in _errors(spec_schema, bad))


# ----------------------------------------------------- schema and parser agree on config

def _config(tmp_path: Path, data) -> config_mod.Config:
    (tmp_path / "costgate.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return config_mod.load_config(WorkTree(tmp_path))


FULL_CONFIG = """\
specs: "**/*.costgate.yaml"
pricing: overrides/
thresholds:
  system_prompt_growth: {percent: 10, tokens: 200}
  monthly_cost_increase: {percent: 20, usd: 500}
  monthly_budget_usd: 10000
warn:
  monthly_cost_increase: {percent: 5}
features:
  support-bot:
    monthly_budget_usd: 3000
    calls:
      answer:
        system_prompt_growth: {tokens: 500}
      route: null
"""


def test_full_config_is_accepted_by_both(config_schema, tmp_path):
    data = yaml.safe_load(FULL_CONFIG)
    assert _errors(config_schema, data) == []
    cfg = _config(tmp_path, data)
    assert cfg.for_call("support-bot", "answer").system_prompt_growth.amount == 500


CONFIG_REJECTED = {
    "unknown top-level key": (("threshold",), {}),
    "empty specs": (("specs",), []),
    "specs number": (("specs",), 3),
    "pricing mapping": (("pricing",), {"dir": "x"}),
    "unknown threshold": (("thresholds", "monthly_cost"), {"percent": 5}),
    "usd on prompt growth": (("thresholds", "system_prompt_growth"), {"usd": 5}),
    "tokens on cost increase": (("thresholds", "monthly_cost_increase"), {"tokens": 5}),
    "negative percent": (("thresholds", "monthly_cost_increase"), {"percent": -5}),
    "limit as a number": (("warn", "monthly_cost_increase"), 5),
    "negative budget": (("thresholds", "monthly_budget_usd"), -1),
    "unknown feature key": (("features", "support-bot", "budget"), 5),
    "feature not a mapping": (("features", "support-bot"), 5),
    "unknown call threshold": (("features", "support-bot", "calls", "answer", "prompt_growth"), {}),
}


@pytest.mark.parametrize("case", sorted(CONFIG_REJECTED))
def test_config_rejections_are_schema_rejections(config_schema, tmp_path, case):
    path, value = CONFIG_REJECTED[case]
    data = yaml.safe_load(FULL_CONFIG)
    _set(data, path, value)
    with pytest.raises(CostgateError):
        _config(tmp_path, data)
    assert _errors(config_schema, data) != []


# ------------------------------------------------------------ docs/json.md stays complete

def _keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


def test_json_doc_names_every_estimate_key(run):
    """Every key `costgate estimate --format json` emits is documented in docs/json.md."""
    doc = ROOT / "docs" / "json.md"
    spec = ROOT / "fixtures" / "nightly-summarizer" / "nightly-summarizer.costgate.yaml"
    code, out, err = run("estimate", spec, "--format", "json", "--as-of", "2026-11-01", "--what-if")
    assert code == 0, err
    data = json.loads(out)
    assert data["schema_version"] == 1 and data["kind"] == "estimate"
    text = doc.read_text(encoding="utf-8")
    def documented(key: str) -> bool:  # as `key`, or a segment of a dotted `a.key.b` / `a[].key`
        return re.search(r"`(?:[\w\[\]]+\.)*" + re.escape(key) + r"(?:`|\.|\[)", text) is not None

    undocumented = sorted(k for k in set(_keys(data)) if not documented(k))
    assert undocumented == []
