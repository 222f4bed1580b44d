"""The repository's configuration (costgate.repo.config) and its editor schema
(costgate/schemas/config.schema.json): this checkout's costgate.yaml validates, and the
schema and the strict config parser accept and reject the same files. How the gate
applies thresholds from config is tested end to end in tests/gate/test_thresholds.py.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, SCHEMAS, load_schema, open_objects, schema_errors, schema_properties, set_path

from costgate.errors import CostgateError
from costgate.repo import WorkTree
from costgate.repo import config as config_mod

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def config_schema() -> dict:
    return load_schema("config.schema.json")


# -------------------------------------------------------------------------- shipped file

def test_repo_config_validates(config_schema):
    text = (ROOT / "costgate.yaml").read_text(encoding="utf-8")
    assert schema_errors(config_schema, yaml.safe_load(text)) == []
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", text.splitlines()[0])
    assert m and (ROOT / m.group(1)).resolve() == (SCHEMAS / "config.schema.json").resolve()


# ------------------------------------------------------------------ no drift from parser

def test_config_keys_match_parser(config_schema):
    assert set(config_schema["properties"]) == set(config_mod.TOP_KEYS)
    assert set(config_schema["$defs"]["thresholds"]["properties"]) == set(config_mod.THRESHOLD_KEYS)
    assert set(config_schema["$defs"]["feature"]["properties"]) == set(config_mod.FEATURE_KEYS)


@pytest.mark.parametrize("name", ["config.schema.json"])  # spec.schema.json: tests/spec/test_schema.py
def test_every_property_is_described(name):
    schema = load_schema(name)
    missing = [path for path, prop in schema_properties(schema) if "description" not in prop]
    assert missing == []


@pytest.mark.parametrize("name", ["config.schema.json"])  # spec.schema.json: tests/spec/test_schema.py
def test_every_object_is_closed(name):
    """additionalProperties is false wherever keys are fixed (free-form maps use a schema)."""
    schema = load_schema(name)
    assert open_objects(schema) == []


# ------------------------------------------------------ schema and parser agree on config

def _config(tmp_path: Path, data) -> config_mod.Config:
    (tmp_path / "costgate.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return config_mod.load_config(WorkTree(tmp_path))


FULL_CONFIG = """\
specs: "**/*.costgate.yaml"
pricing: overrides/
thresholds:
  system_prompt_growth: {percent: 10, tokens: 200}
  tool_definitions_growth: {percent: 20, tokens: 500, mode: all, min_monthly_usd: 5}
  monthly_cost_increase: {percent: 20, usd: 500, mode: any, min_monthly_usd: 25.5}
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
    assert schema_errors(config_schema, data) == []
    cfg = _config(tmp_path, data)
    assert cfg.for_call("support-bot", "answer").system_prompt_growth.amount == 500
    tools = cfg.for_call("support-bot", "answer").tool_definitions_growth
    assert (tools.percent, tools.amount, tools.mode, tools.min_monthly_usd) == (20, 500, "all", 5)
    assert cfg.thresholds.monthly_cost_increase.min_monthly_usd == Decimal("25.5")


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
    "unknown mode": (("thresholds", "system_prompt_growth"), {"percent": 10, "mode": "both"}),
    "mode without a limit": (("thresholds", "system_prompt_growth"), {"mode": "all"}),
    "floor without a limit": (("thresholds", "monthly_cost_increase"), {"min_monthly_usd": 5}),
    "negative floor": (("thresholds", "system_prompt_growth"), {"tokens": 5, "min_monthly_usd": -1}),
    "usd on tool growth": (("thresholds", "tool_definitions_growth"), {"usd": 5}),
}


@pytest.mark.parametrize("case", sorted(CONFIG_REJECTED))
def test_config_rejections_are_schema_rejections(config_schema, tmp_path, case):
    path, value = CONFIG_REJECTED[case]
    data = yaml.safe_load(FULL_CONFIG)
    set_path(data, path, value)
    with pytest.raises(CostgateError):
        _config(tmp_path, data)
    assert schema_errors(config_schema, data) != []
