"""The gate on agent features, end to end: data in the system message, tool definitions
that grow, and a commit that only raises reasoning effort or tokens."""

from __future__ import annotations

import json

import pytest
from helpers import as_json, commit, feature, hello, write

pytestmark = pytest.mark.usefixtures("neutral_cwd")

TOOL = {"type": "function", "function": {"name": "lookup", "description": "Look a record up.",
                                          "parameters": {"type": "object", "properties": {
                                              "id": {"type": "string", "description": "The record id."}},
                                              "required": ["id"]}}}


def tools(n: int) -> str:
    return json.dumps([{**TOOL, "function": {**TOOL["function"], "name": f"lookup_{i}"}} for i in range(n)])


def test_data_in_the_system_message_is_input_not_prompt_growth(gitrepo, gate):
    # The system template puts each sample's documents into the system message. Head only
    # makes the samples longer: the prompt as written did not grow, so no system-prompt
    # crossing; the cost grows and the cost threshold is what judges it.
    root = gitrepo({"prompts/system.j2": hello(300) + "\nDocuments:\n{{ docs }}",
                    "queries.txt": None, "q.jsonl": '{"query": "hi", "docs": "short"}\n'},
                   extra="")
    write(root, {"bot.costgate.yaml": (root / "bot.costgate.yaml").read_text().replace("queries.txt", "q.jsonl")})
    commit(root, "samples as jsonl")
    write(root, {"q.jsonl": '{"query": "hi", "docs": "%s"}\n' % hello(400)})
    code, doc = as_json(gate, root, "--base", "HEAD")
    call = feature(doc)["calls"][0]
    assert call["system_prompt_tokens_before"] == call["system_prompt_tokens_after"]
    assert not [c for c in doc["crossings"] if c["threshold"] == "system_prompt_growth"]
    assert [c["threshold"] for c in doc["crossings"]] == ["monthly_cost_increase"]


def test_growing_tool_definitions_fire_their_threshold(gitrepo, gate):
    extra = "    tools: {file: tools.json}\n"
    root = gitrepo({"tools.json": tools(2), "costgate.yaml": "thresholds:\n  tool_definitions_growth: {percent: 20}\n"},
                   extra=extra)
    write(root, {"tools.json": tools(4)})
    code, doc = as_json(gate, root, "--base", "HEAD")
    assert code == 1
    call = feature(doc)["calls"][0]
    assert call["tool_tokens_after"] > call["tool_tokens_before"] > 0
    assert "tool_definitions_growth" in [c["threshold"] for c in doc["crossings"] if c["level"] == "fail"]


def test_raising_reasoning_shows_as_a_cost_change(gitrepo, gate):
    root = gitrepo(extra="    reasoning: {tokens: 100}\n")
    write(root, {"bot.costgate.yaml": (root / "bot.costgate.yaml").read_text().replace("tokens: 100", "tokens: 4000")})
    code, doc = as_json(gate, root, "--base", "HEAD")
    f = feature(doc)
    assert f["status"] == "changed"
    assert [c["threshold"] for c in doc["crossings"]] == ["monthly_cost_increase"]
