"""Tool definitions (costgate.tokens.tools): the OpenAI cookbook's formula (its gpt-4o
example bills 101 prompt tokens), Anthropic's published tool-use system prompt, the
approximate rule for everyone else, honesty about exactness, and bad input.

Hand counts use helpers.WordTokenizer (one token per whitespace-separated word); the
cookbook and Anthropic cases use the shipped o200k vocabulary and the pricing table."""

from __future__ import annotations

import json

import pytest
from helpers import WEATHER_TOOL, WordTokenizer
from hypothesis import given, settings
from hypothesis import strategies as st

from costgate.errors import CostgateError
from costgate.tokens import Message, TiktokenTokenizer, count_messages, parse_tool_choice, parse_tools, tool_tokens
from costgate.tokens.tools import MAX_DEPTH, MAX_TOOLS

O200K = TiktokenTokenizer("o200k_base")

WEATHER = WEATHER_TOOL  # the cookbook's example (tests/helpers.py)
WEATHER_MESSAGES = [
    Message("system", "You are a helpful assistant that can answer to questions about the weather."),
    Message("user", "What's the weather like in San Francisco?"),
]


def count(tools, provider="openai", model_id="gpt-4o", tokenizer=O200K, tool_choice="auto"):
    return tool_tokens(parse_tools(tools, "tools.json"), provider=provider, model_id=model_id,
                       tokenizer=tokenizer, tool_choice=tool_choice)


# ---------------------------------------------------------------------------- OpenAI

@pytest.mark.parametrize("model, billed", [("gpt-4o", 101), ("gpt-4o-mini", 101), ("gpt-4", 105),
                                           ("gpt-3.5-turbo", 105)])
def test_cookbook_example_bills_what_the_api_reported(model, billed):
    """The cookbook printed these prompt_tokens from the API (101 for gpt-4o and -mini, 105
    for gpt-4 and gpt-3.5-turbo); costgate's message count plus tool count must match."""
    from costgate.pricing import load_table

    table = load_table()
    m = table.model(model)
    tok, ov = table.tokenizer(m), table.overhead(m)
    messages = count_messages(tok, WEATHER_MESSAGES, ov)
    tools = tool_tokens(parse_tools([WEATHER], "tools.json"), provider=m.provider, model_id=m.id, tokenizer=tok)
    assert tools.exact and tools.rule == "openai-functions" and tools.note == ""
    assert messages + tools.tokens == billed


def test_cookbook_example_split_by_hand():
    o = O200K.count
    # messages: reply 3 + system (3 + 1 + 14) + user (3 + 1 + 8) = 33
    assert (o("system"), o(WEATHER_MESSAGES[0].content), o("user"), o(WEATHER_MESSAGES[1].content)) == (1, 14, 1, 8)
    # tools (gpt-4o constants):
    #   func_init 7 + "get_current_weather:Get the current weather in a given location" 11
    #   + prop_init 3
    #   + location: prop_key 3 + "location:string:The city and state, e.g. San Francisco, CA" 14
    #   + unit: prop_key 3 + enum_init -3 + (enum_item 3 + "celsius" 2) + (3 + "fahrenheit" 2)
    #           + "unit:string:The unit of temperature to return" 8
    #   + func_end 12
    #   = 7 + 11 + 3 + 17 + 18 + 12 = 68; 33 + 68 = 101
    assert o("get_current_weather:Get the current weather in a given location") == 11
    assert o("location:string:The city and state, e.g. San Francisco, CA") == 14
    assert (o("celsius"), o("fahrenheit"), o("unit:string:The unit of temperature to return")) == (2, 2, 8)
    assert count([WEATHER]).tokens == 68
    # gpt-4 (cl100k, func_init 10): the same lines happen to count the same, so 3 more
    assert count([WEATHER], model_id="gpt-4", tokenizer=TiktokenTokenizer("cl100k_base")).tokens == 71


def test_openai_formula_hand_computed_with_words():
    tools = [
        {"name": "add", "description": "Add two numbers.",  # trailing period dropped
         "parameters": {"type": "object", "properties": {
             "a": {"type": "integer", "description": "first addend"},
             "mode": {"type": "string", "description": "how", "enum": ["exact", "fast", "very fast"]}}}},
        {"name": "now", "description": "The time"},  # no parameters: no property tokens
    ]
    # add: 7 + "add:Add two numbers" 3 + prop_init 3
    #      + a: 3 + "a:integer:first addend" 2
    #      + mode: 3 - 3 + (3 + 1) + (3 + 1) + (3 + 2) + "mode:string:how" 1
    #    = 7 + 3 + 3 + 5 + 14 = 32
    # now: 7 + "now:The time" 2 = 9;  func_end 12 once per request
    assert count(tools, tokenizer=WordTokenizer()).tokens == 32 + 9 + 12


def test_openai_newer_models_use_the_gpt4o_constants_but_are_not_exact():
    for model in ("gpt-5", "gpt-4.1", "o3"):
        c = count([WEATHER], model_id=model)
        assert (c.tokens, c.exact, c.rule) == (68, False, "openai-functions")
        assert f"{model} is not in the cookbook's table; counted as gpt-4o" in c.note
    assert count([WEATHER], model_id="gpt-4o-2024-08-06").exact  # the cookbook's dated snapshot


@pytest.mark.parametrize("change, why", [
    (lambda f: f["parameters"]["properties"]["unit"].update(default="celsius"), "schema features"),
    (lambda f: f.pop("description"), "schema features"),
    (lambda f: f.update(strict=True), "schema features"),
])
def test_openai_definitions_outside_the_rule_are_counted_but_not_exact(change, why):
    tool = json.loads(json.dumps(WEATHER))
    change(tool["function"])
    c = count([tool])
    assert not c.exact and why in c.note


def test_openai_nested_schema_is_never_free():
    """The cookbook's formula ignores nested properties; costgate adds them as JSON."""
    flat = {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {
        "point": {"type": "object", "description": "p"}}}}
    nested = json.loads(json.dumps(flat))
    nested["parameters"]["properties"]["point"]["properties"] = {"x": {"type": "number"}, "y": {"type": "number"}}
    extra = O200K.count(json.dumps({"properties": nested["parameters"]["properties"]["point"]["properties"]},
                                   separators=(",", ":")))
    assert count([nested]).tokens == count([flat]).tokens + extra
    assert count([flat]).exact and not count([nested]).exact


def test_openai_tool_choice_other_than_auto_is_not_exact():
    c = count([WEATHER], tool_choice="any")
    assert c.tokens == 68 and not c.exact and "tool_choice auto" in c.note


def test_an_approximate_tokenizer_is_never_exact():
    from decimal import Decimal

    from costgate.tokens import ApproxTokenizer

    c = count([WEATHER], tokenizer=ApproxTokenizer("x", O200K, Decimal("1")))
    assert c.tokens == 68 and not c.exact and "approximate" in c.note


def test_no_tools_cost_nothing_for_any_provider():
    for provider in ("openai", "anthropic", "google"):
        assert tool_tokens((), provider=provider, model_id="m", tokenizer=O200K).tokens == 0


# ------------------------------------------------------------------------- Anthropic

GET_TIME = {"name": "get_time", "description": "Current time in a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


def test_anthropic_sonnet_4_5_hand_computed():
    from costgate.pricing import load_table

    table = load_table()
    m = table.model("claude-sonnet-4-5")
    tok = table.tokenizer(m)  # o200k times the script's ratio, rounded (pricing/anthropic.yaml)
    compact = ('{"name":"get_time","description":"Current time in a city","input_schema":'
               '{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}')
    assert O200K.count(compact) == 35
    # tool-use system prompt 346 (auto) + round(35 * 1.231 = 43.09) = 43 (the JSON is code) -> 389
    c = tool_tokens(parse_tools([GET_TIME], "tools.json"), provider="anthropic", model_id=m.id, tokenizer=tok)
    assert (c.tokens, c.exact, c.rule) == (346 + 43, False, "anthropic-tool-use")
    # any/tool: 313 + 43
    assert tool_tokens(parse_tools([GET_TIME], "t"), provider="anthropic", model_id=m.id, tokenizer=tok,
                       tool_choice="tool").tokens == 313 + 43


# Anthropic's table "Tool use system prompt token count" (auto/none, any/tool), typed in
# from the docs rather than read from the module, so a wrong row in code fails here.
@pytest.mark.parametrize("model, auto_none, any_tool", [
    ("claude-opus-4-6", 346, 313), ("claude-sonnet-4-6", 346, 313), ("claude-opus-4-1", 346, 313),
    ("claude-sonnet-4", 346, 313), ("claude-haiku-4-5", 346, 313), ("claude-3-7-sonnet", 346, 313),
    ("claude-3-5-haiku", 264, 340), ("claude-3-opus", 530, 281), ("claude-3-sonnet", 159, 235),
    ("claude-3-haiku", 264, 340), ("claude-3-haiku-20240307", 264, 340),
])
def test_anthropic_system_prompt_follows_the_published_table(model, auto_none, any_tool):
    one_word = [{"name": "a", "input_schema": {"type": "object"}}]  # compact JSON: one "word"
    words = WordTokenizer()
    for choice, prompt in (("auto", auto_none), ("none", auto_none), ("any", any_tool), ("tool", any_tool)):
        assert count(one_word, "anthropic", model, words, choice).tokens == prompt + 1, (model, choice)


def test_anthropic_unknown_claude_falls_back_to_the_newest_family():
    # compact JSON splits into 5 words at the 4 spaces of "Current time in a city"
    c = count([GET_TIME], "anthropic", "claude-3-5-sonnet", WordTokenizer())
    assert (c.tokens, c.exact) == (346 + 5, False)
    assert "claude-3-5-sonnet is not in Anthropic's table" in c.note
    assert count([GET_TIME], "anthropic", "claude-opus-5", WordTokenizer(), "any").tokens == 313 + 5


# ----------------------------------------------------------------- everyone else, forms

def test_other_providers_count_the_definitions_as_json():
    # {"name":"get_time","description":"Current time in a city","parameters":{...}}: 5 words
    c = count([GET_TIME], "google", "gemini-2.5-pro", WordTokenizer())
    assert (c.tokens, c.exact, c.rule) == (5, False, "approximate")
    assert c.note == "google publishes no rule; definitions counted as JSON"


def test_the_three_forms_normalise_alike():
    fn = WEATHER["function"]
    anthropic = {"name": fn["name"], "description": fn["description"], "input_schema": fn["parameters"]}
    forms = [WEATHER, dict(fn), anthropic]
    parsed = [parse_tools([f], "tools.json") for f in forms]
    assert parsed[0] == parsed[1] == parsed[2]
    assert parsed[0][0] == {"name": fn["name"], "description": fn["description"], "parameters": fn["parameters"]}
    for provider, model in (("openai", "gpt-4o"), ("anthropic", "claude-sonnet-4-5"), ("mistral", "m")):
        assert len({count([f], provider, model).tokens for f in forms}) == 1


def test_anthropic_custom_type_and_cache_control_are_accepted():
    tool = {**GET_TIME, "type": "custom", "cache_control": {"type": "ephemeral"}}
    assert parse_tools([tool], "t")[0] == {k: GET_TIME[k] for k in ("name", "description")} | {
        "parameters": GET_TIME["input_schema"]}


@pytest.mark.parametrize("value, expected", [
    ("auto", "auto"), ("none", "none"), ("required", "any"), ("any", "any"),
    ({"type": "tool", "name": "get_time"}, "tool"), ({"type": "function", "function": {"name": "f"}}, "tool"),
    ({"type": "auto"}, "auto"),
])
def test_tool_choice_spellings(value, expected):
    assert parse_tool_choice(value, "r.json") == expected


# --------------------------------------------------------------------------- bad input

def _nested(depth: int) -> dict:
    node: dict = {"type": "string"}
    for _ in range(depth):
        node = {"type": "object", "properties": {"x": node}}
    return node


BAD = [
    ({"name": "a"}, "tools must be a JSON list, got an object", "tools is a JSON list"),
    ([1], "tools[0] must be an object, got a number", "tools is a JSON list"),
    ([{"description": "x"}], "tools[0].name must be 1-64 letters, digits, _ or -, got None", '"name": "get_weather"'),
    ([{"name": "get weather"}], "tools[0].name must be 1-64 letters", '"name": "get_weather"'),
    ([{"name": "a" * 65}], "tools[0].name must be 1-64 letters", '"name": "get_weather"'),
    ([{"name": "a", "paramters": {}}], "tools[0]: unknown key 'paramters'", "did you mean 'parameters'?"),
    ([{"type": "function", "function": {"name": "a", "input_schema": {}}}],
     "tools[0].function: unknown key 'input_schema'", "known keys: name, description, parameters, strict"),
    ([{"type": "function", "function": "a"}], "tools[0].function must be an object, got a string", "tools is"),
    ([{"type": "function", "function": {"name": "a", "parameters": {"type": "array"}}}],
     'tools[0].function.parameters must be a JSON Schema with "type": "object"', '"properties"'),
    ([{"name": "a", "parameters": {"properties": []}}], "tools[0].parameters.properties must be an object",
     '"properties"'),
    ([{"name": "a", "parameters": {"properties": {"p": "string"}}}],
     "tools[0].parameters.properties.p must be an object, got a string", '"properties"'),
    ([{"name": "a", "parameters": {"properties": {"p q": 1}}}],
     "tools[0].parameters.properties.'p q' must be an object", '"properties"'),
    ([{"name": "a", "parameters": {"properties": {"p": {"type": 3}}}}],
     "tools[0].parameters.properties.p.type must be a string or a list of strings", '"properties"'),
    ([{"name": "a", "parameters": {"properties": {"p": {"enum": []}}}}],
     "tools[0].parameters.properties.p.enum must be a non-empty list", '"enum": ["c", "f"]'),
    ([{"name": "a", "parameters": {"properties": {"p": {"description": ["x"]}}}}],
     "tools[0].parameters.properties.p.description must be a string", '"properties"'),
    ([{"name": "a", "parameters": {"required": "p"}}], "tools[0].parameters.required must be a list", '"properties"'),
    ([{"name": "a", "description": 5}], "tools[0].description must be a string", "tools is"),
    ([{"name": "a", "parameters": {}, "input_schema": {}}], "tools[0] has both parameters and input_schema",
     "keep one"),
    ([{"type": "bash_20250124", "name": "bash"}], "tools[0].type 'bash_20250124' is not a function definition",
     "server and built-in tools"),
    ([{"name": "a"}, {"name": "b"}, {"name": "a"}], "tools[2]: duplicate tool name 'a'", "tools[0] has the same name"),
    ([{"name": "a"}, {"name": "b"}, {"name": "c", "strict": "yes"}], "tools[2].strict must be true or false", None),
    ([{"name": f"t{i}"} for i in range(MAX_TOOLS + 1)], f"tools has {MAX_TOOLS + 1} definitions, more than 512",
     "at most 128"),
    ([{"name": "a", "parameters": _nested(MAX_DEPTH)}], f"tools[0] is nested more than {MAX_DEPTH} levels deep",
     "flatten"),
    ([{"name": "a", "parameters": {"properties": {"k" * 200: 1}}}],
     "tools[0].parameters.properties.'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk... must be", '"properties"'),
]


@pytest.mark.parametrize("data, message, hint", BAD, ids=[b[1][:50] for b in BAD])
def test_bad_tools_name_the_file_the_item_and_the_fix(data, message, hint):
    with pytest.raises(CostgateError) as info:
        parse_tools(data, "tools.json")
    err = info.value
    assert err.location.file == "tools.json"
    assert err.message.startswith(message), err.message
    assert "\n" not in err.message and len(err.message) < 200
    if hint:
        assert hint in (err.hint or ""), err.hint


def test_depth_limit_is_inclusive():
    # _nested(n) is 1 + 2n levels deep (each step adds a schema and its properties), inside
    # the tool object: 2 + 2n. n = 15 is depth 32, the limit; n = 16 is 34.
    assert parse_tools([{"name": "a", "parameters": _nested(15)}], "t")
    with pytest.raises(CostgateError, match="nested more than 32 levels"):
        parse_tools([{"name": "a", "parameters": _nested(16)}], "t")


def test_bad_tool_choice():
    with pytest.raises(CostgateError, match="tool_choice 'sometimes' is not one of auto, none, any"):
        parse_tool_choice("sometimes", "r.json")
    with pytest.raises(CostgateError, match="tool_choice 3 is not one of"):
        parse_tool_choice({"type": 3}, "r.json")
    with pytest.raises(CostgateError, match="tool_choice 'maybe'"):
        tool_tokens((), provider="openai", model_id="gpt-4o", tokenizer=O200K, tool_choice="maybe")


# -------------------------------------------------------------------------- invariants

words = st.text(st.sampled_from("abcdefgh ijk.,:_-éü中"), max_size=20)
prop_names = st.text(st.sampled_from("abcxyz_"), min_size=1, max_size=8)
props = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "number", "boolean"]), "description": words},
    optional={"enum": st.lists(words, min_size=1, max_size=4)})


@settings(max_examples=150, deadline=None)
@given(existing=st.dictionaries(prop_names, props, max_size=5), name=prop_names, prop=props,
       desc=words, provider=st.sampled_from(["openai", "anthropic", "google"]))
def test_adding_a_property_never_lowers_the_count(existing, name, prop, desc, provider):
    """Adding a property (or an enum value) to a tool never makes it cheaper, whatever the
    rule: the OpenAI formula's negative enum_init must always be paid back by its items."""
    model = {"openai": "gpt-4o", "anthropic": "claude-sonnet-4-5", "google": "gemini"}[provider]
    before = {"name": "f", "description": desc, "parameters": {"type": "object", "properties": existing}}
    after = json.loads(json.dumps(before))
    after["parameters"]["properties"][name + "_new"] = prop
    base = count([before], provider, model).tokens
    assert count([after], provider, model).tokens >= base
    if prop.get("enum"):
        longer = json.loads(json.dumps(after))
        longer["parameters"]["properties"][name + "_new"]["enum"].append("extra")
        assert count([longer], provider, model).tokens >= count([after], provider, model).tokens
    assert base >= (346 if provider == "anthropic" else 1)
