"""`costgate tokens --messages` with a request object {messages, tools, tool_choice}: tools
counted as the model's provider bills them, shown apart from the messages, with the
total; hostile requests exit 2 with one message. The list form is in test_tokens.py."""

from __future__ import annotations

import json

import pytest
from helpers import WEATHER_TOOL

COOKBOOK = {
    "messages": [
        {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
        {"role": "user", "content": "What's the weather like in San Francisco?"},
    ],
    "tools": [WEATHER_TOOL],
}
GET_TIME = {"name": "get_time", "description": "Current time in a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


@pytest.fixture
def request_file(tmp_path):
    def _write(doc, name="request.json") -> str:
        f = tmp_path / name
        f.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
        return str(f)

    return _write


def test_cookbook_request_on_gpt4o(run, request_file):
    # messages 33 + tools 68 = 101, the prompt tokens the cookbook's API call reported
    # (arithmetic in tests/tokens/test_tools.py)
    assert run("tokens", "--messages", request_file(COOKBOOK)) == (
        0, "messages: 33\ntools: 68 (openai-functions)\ntotal: 101\n", "")


def test_cookbook_request_json(run, request_file):
    code, out, err = run("tokens", "--messages", "--format", "json", "-m", "gpt-4o-mini", request_file(COOKBOOK))
    assert code == 0 and err == ""
    assert json.loads(out) == {"schema_version": 1, "model": "gpt-4o-mini", "tokenizer": "o200k_base",
                               "exact": True, "messages": True, "tokens": 101, "message_tokens": 33,
                               "tool_tokens": 68, "tools_rule": "openai-functions",
                               "mode": "raw", "variables": [], "samples": None}


def test_cookbook_request_on_gpt4_uses_its_constants(run, request_file):
    # cl100k: messages 34 + tools 71 = 105, as the cookbook's API call reported for gpt-4
    code, out, _ = run("tokens", "--messages", "-m", "gpt-4", request_file(COOKBOOK))
    assert code == 0 and out.endswith("total: 105\n")


def test_anthropic_request(run, request_file):
    doc = {"messages": [{"role": "user", "content": "What time is it in Paris?"}], "tools": [GET_TIME]}
    code, out, err = run("tokens", "--messages", "-m", "claude-sonnet-4-5", request_file(doc))
    assert code == 0
    # messages: Claude's 7-token frame + round(1.182 * 7) (latin; o200k counts 7) = 7 + 8 = 15
    # tools: 346 (tool-use system prompt, auto) + round(1.231 * 35) (the JSON is code) = 346 + 43 = 389
    assert out == "messages: ~15\ntools: ~389 (anthropic-tool-use)\ntotal: ~404\n"
    assert err.splitlines() == [
        "~ approximate: claude-sonnet-4-5 uses the claude tokenizer, estimated from o200k_base",
        "~ tools: Claude Sonnet 4.x's 346-token tool-use system prompt (tool_choice auto) plus the definitions "
        "as JSON, counted with the claude tokenizer",
    ]


def test_anthropic_tool_choice_object(run, request_file):
    doc = {"messages": [{"role": "user", "content": "What time is it in Paris?"}], "tools": [GET_TIME],
           "tool_choice": {"type": "tool", "name": "get_time"}}
    code, out, _ = run("tokens", "--messages", "--format", "json", "-m", "claude-sonnet-4-5", request_file(doc))
    assert code == 0
    data = json.loads(out)
    assert (data["tool_tokens"], data["tokens"], data["exact"]) == (313 + 43, 15 + 313 + 43, False)


def test_openai_tool_choice_required_is_counted_but_not_exact(run, request_file):
    code, out, err = run("tokens", "--messages", request_file({**COOKBOOK, "tool_choice": "required"}))
    assert code == 0
    assert out == "messages: 33\ntools: ~68 (openai-functions)\ntotal: ~101\n"
    assert err == "~ tools: the rule was measured with tool_choice auto, not any\n"


def test_request_without_tools(run, request_file):
    doc = {"messages": COOKBOOK["messages"]}
    assert run("tokens", "--messages", request_file(doc)) == (
        0, "messages: 33\ntools: 0 (openai-functions)\ntotal: 33\n", "")


def test_other_provider_is_approximate(run, request_file):
    code, out, err = run("tokens", "--messages", "--format", "json", "-m", "gemini-2.5-pro", request_file(COOKBOOK))
    assert code == 0
    data = json.loads(out)
    assert data["tools_rule"] == "approximate" and data["exact"] is False
    assert data["tokens"] == data["message_tokens"] + data["tool_tokens"]
    assert "~ tools: google publishes no rule; definitions counted as JSON" in err


def test_plain_text_json_has_the_new_keys_empty(run, request_file):
    code, out, _ = run("tokens", "--format", "json", request_file("hello world", "t.txt"))
    data = json.loads(out)
    assert (data["tokens"], data["message_tokens"], data["tool_tokens"], data["tools_rule"]) == (2, None, 0, None)


# --------------------------------------------------------------------------- hostile

CANARY = "CANARY-" + "x" * 200

HOSTILE = [
    ("[" * 100_000, "invalid JSON: nested too deeply or a number too long"),
    ('{"messages": [], "tools": [' + "1" * 5000 + "]}", "invalid JSON: nested too deeply or a number too long"),
    ('{"messages": [], "tools": [}', "invalid JSON: Expecting value"),
    ({"tools": []}, 'the request object needs a "messages" list'),
    ({"mesages": []}, "unknown key 'mesages' in the request object"),
    ({"messages": [], CANARY: 1}, "unknown key 'CANARY-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' in the request object"),
    ({"messages": {"role": "user"}}, 'the request object needs a "messages" list'),
    ({"messages": [{"role": 1, "content": "x"}]}, "messages must be a list of {role, content[, name]} objects"),
    ({"messages": [[[[[]]]]]}, "messages must be a list of {role, content[, name]} objects"),
    ({"messages": [{"role": "user", "content": [[[[{"a": 1}]]]]}]}, "messages must be a list of {role, content"),
    ({"messages": [], "tools": {"name": "a"}}, "tools must be a JSON list, got an object"),
    ({"messages": [], "tools": [{"name": "a"}, {"name": "b c"}]}, "tools[1].name must be 1-64 letters"),
    ({"messages": [], "tools": [{"name": f"t{i}"} for i in range(513)]}, "tools has 513 definitions, more than 512"),
    ({"messages": [], "tools": [{"name": "a", "parameters": json.loads('{"a":' * 60 + "1" + "}" * 60)}]},
     "tools[0] is nested more than 32 levels deep"),
    ({"messages": [], "tool_choice": 7}, "tool_choice 7 is not one of auto, none, any"),
    ({"messages": [], "tools": [{"type": "web_search_20250305", "name": "web_search"}]},
     "tools[0].type 'web_search_20250305' is not a function definition"),
    ('"just a string"', "messages must be a list of {role, content[, name]} objects"),
]


@pytest.mark.parametrize("doc, message", HOSTILE, ids=[h[1][:40] for h in HOSTILE])
def test_hostile_requests_exit_2_with_one_message(run, request_file, doc, message):
    path = request_file(doc)
    code, out, err = run("tokens", "--messages", path)
    assert (code, out) == (2, ""), err
    assert "Traceback" not in err and "crashed" not in err
    assert err.startswith(f"error: {path}"), err
    assert message in err.splitlines()[0], err
    lines = err.rstrip("\n").split("\n")
    assert sum(line.startswith("error:") for line in lines) == 1
    assert all(line.startswith("  hint: ") for line in lines[1:]), err
    assert CANARY not in err


def test_lone_surrogates_are_counted_not_crashed_on(run, request_file):
    doc = ('{"messages": [{"role": "user", "content": "hi \\ud800"}], "tools": [{"name": "a", '
           '"description": "x \\udfff", "parameters": {"type": "object", "properties": '
           '{"p": {"type": "string", "description": "\\ud800", "enum": ["\\udc00"]}}}}]}')
    for model in ("gpt-4o", "claude-sonnet-4-5", "gemini-2.5-pro"):
        code, out, err = run("tokens", "--messages", "-m", model, request_file(doc))
        assert code == 0 and "total: " in out, err
