"""Tool (function) definitions, counted as the providers bill them.

A request that offers tools pays for them on every call: the provider renders the
definitions into the prompt, and some add a fixed system prompt that teaches the model to
call them. Each provider's rule is one row of data below, with its source:

- OpenAI publishes a fitted formula (cookbook "How to count tokens with tiktoken",
  ``num_tokens_for_tools``): fixed tokens per function, per property and per enum value
  plus the tokens of ``name:description`` and ``key:type:description`` lines.
- Anthropic publishes the size of the tool-use system prompt per model and
  ``tool_choice``; the definitions themselves are counted as their compact JSON with the
  (approximate) Claude tokenizer.
- Other providers publish nothing: the definitions' compact JSON is counted, marked
  approximate.

``exact`` is True only where a published rule covers the whole definition and the
tokenizer is exact: an approximate number must never look like a measured one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from ..errors import CostgateError, suggest
from .registry import Tokenizer

MAX_TOOLS = 512
"""Definitions in one list (OpenAI accepts 128; far above any real feature)."""
MAX_DEPTH = 32
"""Nesting of objects and lists inside one definition (a bound for hostile input)."""
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""Tool names both OpenAI and Anthropic accept."""
HINT = ('tools is a JSON list of {"type": "function", "function": {"name", "description", "parameters"}} '
        '(OpenAI) or {"name", "description", "input_schema"} (Anthropic) objects')


@dataclass(frozen=True)
class ToolCount:
    tokens: int
    """Tokens the definitions add to every request, as billed."""
    exact: bool
    """True only when the rule is published, covers these definitions, and the tokenizer is exact."""
    rule: str
    """Short name of the rule used: "openai-functions", "anthropic-tool-use" or "approximate"."""
    note: str = ""
    """Why the count is not exact, for a report's footnote ("" when it is)."""


# ------------------------------------------------------------------------------ parsing

OPENAI_KEYS = ("name", "description", "parameters", "strict")
ANTHROPIC_KEYS = ("name", "description", "input_schema", "cache_control", "type", "strict")


def parse_tools(data: object, file: str) -> tuple[dict, ...]:
    """Validate a JSON list of tool definitions in OpenAI or Anthropic form.

    Each comes back as ``{"name", "description"?, "parameters", "strict"?}``: one shape
    whatever form it was written in, so a tools file written for one provider can be priced
    on another. Errors name ``file`` and the item (``tools[2].function.name``).
    """
    if not isinstance(data, list):
        raise CostgateError(f"tools must be a JSON list, got {_kind(data)}", file=file, hint=HINT)
    if len(data) > MAX_TOOLS:
        raise CostgateError(f"tools has {len(data):,} definitions, more than {MAX_TOOLS}", file=file,
                            hint="send fewer tools per request (OpenAI accepts at most 128)")
    out: list[dict] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data):
        tool = _normalise(raw, f"tools[{i}]", file)
        if tool["name"] in seen:
            raise CostgateError(f"tools[{i}]: duplicate tool name {tool['name']!r}", file=file,
                                hint=f"tools[{seen[tool['name']]}] has the same name; providers reject duplicates")
        seen[tool["name"]] = i
        out.append(tool)
    return tuple(out)


def _normalise(raw: object, where: str, file: str) -> dict:
    if not isinstance(raw, dict):
        raise CostgateError(f"{where} must be an object, got {_kind(raw)}", file=file, hint=HINT)
    if _depth(raw) > MAX_DEPTH:
        raise CostgateError(f"{where} is nested more than {MAX_DEPTH} levels deep", file=file,
                            hint="flatten the parameter schema; no provider needs that depth")
    kind = raw.get("type")
    if kind not in (None, "function", "custom"):
        raise CostgateError(f"{where}.type {_short(kind)} is not a function definition", file=file,
                            hint="server and built-in tools (bash, web_search, ...) are not counted; remove them")
    if "function" in raw or kind == "function":  # OpenAI: {"type": "function", "function": {...}}
        _known(raw, ("type", "function"), where, file)
        fn, where, schema_key = raw.get("function"), where + ".function", "parameters"
        if not isinstance(fn, dict):
            raise CostgateError(f"{where} must be an object, got {_kind(fn)}", file=file, hint=HINT)
        _known(fn, OPENAI_KEYS, where, file)
    elif "input_schema" in raw or kind == "custom":  # Anthropic
        if "parameters" in raw:
            raise CostgateError(f"{where} has both parameters and input_schema", file=file,
                                hint="keep one: parameters (OpenAI form) or input_schema (Anthropic form)")
        fn, schema_key = raw, "input_schema"
        _known(fn, ANTHROPIC_KEYS, where, file)
    else:  # OpenAI's bare {"name", "description", "parameters"}
        fn, schema_key = raw, "parameters"
        _known(fn, OPENAI_KEYS, where, file)
    return _fields(fn, schema_key, where, file)


def _fields(fn: dict, schema_key: str, where: str, file: str) -> dict:
    name = fn.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise CostgateError(f"{where}.name must be 1-64 letters, digits, _ or -, got {_short(name)}",
                            file=file, hint='e.g. "name": "get_weather"')
    if not isinstance(fn.get("description", ""), str):
        raise CostgateError(f"{where}.description must be a string", file=file, hint=HINT)
    if not isinstance(fn.get("strict", False), bool):
        raise CostgateError(f"{where}.strict must be true or false", file=file)
    schema = fn[schema_key] if schema_key in fn else {"type": "object", "properties": {}}
    _check_schema(schema, f"{where}.{schema_key}", file)
    tool = {"name": name, **{k: fn[k] for k in ("description", "strict") if k in fn}}
    return {**tool, "parameters": schema}


def _check_schema(schema: object, where: str, file: str) -> None:
    """The parts of the JSON Schema the counting rules read; the rest is counted as JSON."""
    hint = '{"type": "object", "properties": {"city": {"type": "string", "description": "..."}}}'
    if not isinstance(schema, dict) or schema.get("type", "object") != "object":
        raise CostgateError(f'{where} must be a JSON Schema with "type": "object"', file=file, hint=hint)
    props = schema.get("properties", {})
    if not isinstance(props, dict):
        raise CostgateError(f"{where}.properties must be an object", file=file, hint=hint)
    for key, prop in props.items():
        at = f"{where}.properties.{_path_key(key)}"
        if not isinstance(prop, dict):
            raise CostgateError(f"{at} must be an object, got {_kind(prop)}", file=file, hint=hint)
        kind = prop.get("type", "")
        if not (isinstance(kind, str) or (isinstance(kind, list) and all(isinstance(t, str) for t in kind))):
            raise CostgateError(f"{at}.type must be a string or a list of strings", file=file, hint=hint)
        if not isinstance(prop.get("description", ""), str):
            raise CostgateError(f"{at}.description must be a string", file=file, hint=hint)
        if "enum" in prop and (not isinstance(prop["enum"], list) or not prop["enum"]):
            raise CostgateError(f"{at}.enum must be a non-empty list", file=file, hint='e.g. "enum": ["c", "f"]')
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise CostgateError(f"{where}.required must be a list of property names", file=file, hint=hint)


def _known(obj: dict, allowed: tuple[str, ...], where: str, file: str) -> None:
    for key in obj:
        if key not in allowed:
            hint = (suggest(key, allowed) if isinstance(key, str) else None) or f"known keys: {', '.join(allowed)}"
            raise CostgateError(f"{where}: unknown key {_short(key)}", file=file, hint=hint)


def _depth(root: object) -> int:
    """Nesting depth of objects and lists, without recursion (hostile input may be deep)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")  # json.loads makes nothing else


def _short(value: object) -> str:
    """A piece of user input for a message: quoted (no raw newlines) and short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _path_key(key: str) -> str:
    """A property name in an error path: as is when it is a plain word, else quoted."""
    return key if re.fullmatch(r"[\w-]{1,40}", key, re.ASCII) else _short(key)


TOOL_CHOICES = {"auto": "auto", "none": "none", "any": "any", "required": "any", "tool": "tool", "function": "tool"}
"""Both providers' spellings of ``tool_choice``: OpenAI's "required" is Anthropic's "any",
and naming one function ({"type": "function", ...} / {"type": "tool", ...}) is "tool"."""


def parse_tool_choice(value: object, file: str) -> str:
    """``tool_choice`` as a string or an object with a ``type``, normalised to auto/none/any/tool."""
    kind = value.get("type") if isinstance(value, dict) else value
    if isinstance(kind, str) and kind in TOOL_CHOICES:
        return TOOL_CHOICES[kind]
    raise CostgateError(f"tool_choice {_short(kind)} is not one of {', '.join(TOOL_CHOICES)}", file=file,
                        hint='e.g. "tool_choice": "auto" or {"type": "tool", "name": "get_weather"}')


# ------------------------------------------------------------------------------ counting

def tool_tokens(tools: Sequence[dict], *, provider: str, model_id: str, tokenizer: Tokenizer,
                tool_choice: str = "auto") -> ToolCount:
    """Tokens that ``tools`` (from ``parse_tools``) add to each request to ``model_id``."""
    if tool_choice not in TOOL_CHOICES:
        raise CostgateError(f"tool_choice {_short(tool_choice)} is not one of {', '.join(TOOL_CHOICES)}")
    rule, count = RULES.get(provider, ("approximate", _approximate))
    if not tools:
        return ToolCount(0, True, rule)  # no tools: nothing rendered, no tool-use prompt
    return count(tools, model_id, tokenizer, TOOL_CHOICES[tool_choice], provider)


def _compact(value: object) -> str:
    """JSON as the model reads it: no spaces, non-ASCII as characters, not \\u escapes that would inflate the count."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _approximate(tools: Sequence[dict], model_id: str, tokenizer: Tokenizer, tool_choice: str,
                 provider: str) -> ToolCount:
    """No published rule: the definitions as compact JSON, counted; never exact."""
    tokens = sum(tokenizer.count(_compact(_definition(t))) for t in tools)
    return ToolCount(tokens, False, "approximate", f"{provider} publishes no rule; definitions counted as JSON")


def _definition(tool: dict, schema_key: str = "parameters") -> dict:
    out = {"name": tool["name"]}
    if "description" in tool:
        out["description"] = tool["description"]
    out[schema_key] = tool["parameters"]
    return out


# OpenAI ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FunctionConstants:
    """The per-item tokens of OpenAI's fitted formula (cookbook ``num_tokens_for_tools``)."""

    func_init: int
    prop_init: int
    prop_key: int
    enum_init: int
    enum_item: int
    func_end: int


COOKBOOK = "https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken"
GPT_4O = FunctionConstants(func_init=7, prop_init=3, prop_key=3, enum_init=-3, enum_item=3, func_end=12)
GPT_4 = FunctionConstants(func_init=10, prop_init=3, prop_key=3, enum_init=-3, enum_item=3, func_end=12)


@dataclass(frozen=True)
class OpenAIRule:
    pattern: re.Pattern[str]
    """Model ids it applies to (full match)."""
    constants: FunctionConstants
    published: bool
    """True where the cookbook measured these models; False where we assume the nearest family."""
    source: str


OPENAI_RULES = (
    # The cookbook's table, checked there against the API's usage (gpt-4o: 101 prompt tokens).
    OpenAIRule(re.compile(r"gpt-4o(-mini)?(-\d{4}-\d{2}-\d{2})?"), GPT_4O, True, COOKBOOK),
    OpenAIRule(re.compile(r"gpt-4(-\d{4})?"), GPT_4, True, COOKBOOK),
    OpenAIRule(re.compile(r"gpt-3\.5-turbo(-\d{4})?"), GPT_4, True, COOKBOOK),
    # Not in the cookbook: the cl100k-era gpt-4-turbo is nearest gpt-4.
    OpenAIRule(re.compile(r"gpt-4-turbo.*"), GPT_4, False, COOKBOOK),
)
OPENAI_DEFAULT = OpenAIRule(re.compile(".*"), GPT_4O, False, COOKBOOK)
"""Newer models (gpt-4.1, gpt-5, o-series) share gpt-4o's o200k tokenizer and format:
the gpt-4o constants, not marked exact because OpenAI has published no check for them."""

PARAMETER_KEYS = ("type", "properties", "required", "additionalProperties")
PROPERTY_KEYS = ("type", "description", "enum")


def _openai(tools: Sequence[dict], model_id: str, tokenizer: Tokenizer, tool_choice: str,
            provider: str) -> ToolCount:
    """The cookbook's formula: per function ``func_init`` + tokens("name:description"), per
    property list ``prop_init``, per property ``prop_key`` + tokens("key:type:description"),
    per enum ``enum_init`` + per value ``enum_item`` + tokens(value); ``func_end`` once.

    The formula reads flat string properties only; anything else in a schema (nested
    objects, ``items``, ``anyOf``, ...) is added as its compact JSON, so it is never
    counted as free, and the count is then not exact.
    """
    rule = next((r for r in OPENAI_RULES if r.pattern.fullmatch(model_id)), OPENAI_DEFAULT)
    c = rule.constants
    tokens, covered = c.func_end, True
    for tool in tools:
        n, ok = _openai_function(tool, c, tokenizer)
        tokens, covered = tokens + n, covered and ok
    family = "gpt-4o" if c == GPT_4O else "gpt-4"
    why = [] if rule.published else [f"{model_id} is not in the cookbook's table; counted as {family}"]
    if not covered:
        why.append("a definition uses schema features the published rule does not cover")
    if tool_choice != "auto":
        why.append(f"the rule was measured with tool_choice auto, not {tool_choice}")
    if not tokenizer.exact:
        why.append(f"the {tokenizer.name} tokenizer is approximate")
    return ToolCount(tokens, not why, "openai-functions", "; ".join(why))


def _openai_function(tool: dict, c: FunctionConstants, tokenizer: Tokenizer) -> tuple[int, bool]:
    params = tool["parameters"]
    ok = "description" in tool and not tool.get("strict") and all(k in PARAMETER_KEYS for k in params)
    n = c.func_init + tokenizer.count(tool["name"] + ":" + _unperiod(tool.get("description", "")))
    extra = {k: v for k, v in params.items() if k not in PARAMETER_KEYS}
    if extra:
        n += tokenizer.count(_compact(extra))
    props = params.get("properties") or {}
    if props:
        n += c.prop_init
    for key, prop in props.items():
        m, prop_ok = _openai_property(str(key), prop, c, tokenizer)
        n, ok = n + m, ok and prop_ok
    return n, ok


def _openai_property(key: str, prop: dict, c: FunctionConstants, tokenizer: Tokenizer) -> tuple[int, bool]:
    kind = prop.get("type")
    ok = isinstance(kind, str) and "description" in prop and all(k in PROPERTY_KEYS for k in prop)
    n = c.prop_key
    if prop.get("enum"):
        n += c.enum_init
        for item in prop["enum"]:
            n += c.enum_item + tokenizer.count(item if isinstance(item, str) else _compact(item))
            ok = ok and isinstance(item, str)
    kind_text = kind if isinstance(kind, str) else "" if kind is None else _compact(kind)
    n += tokenizer.count(f"{key}:{kind_text}:{_unperiod(prop.get('description', ''))}")
    extra = {k: v for k, v in prop.items() if k not in PROPERTY_KEYS}
    if extra:
        n += tokenizer.count(_compact(extra))
    return n, ok


def _unperiod(text: str) -> str:
    """The cookbook drops one trailing period from descriptions."""
    return text[:-1] if text.endswith(".") else text


# Anthropic -------------------------------------------------------------------------------

ANTHROPIC_SOURCE = "https://docs.claude.com/en/docs/agents-and-tools/tool-use/overview#pricing"
ANTHROPIC_CLAUDE_3 = "https://docs.anthropic.com/en/docs/tool-use-pricing-and-tokens"
"""Where the Claude 3 rows were first published (the overview's table repeats them)."""


@dataclass(frozen=True)
class ToolPrompt:
    """Anthropic's tool-use system prompt size for a model family ("Tool use system prompt
    token count"), by ``tool_choice``."""

    prefix: str
    """Model ids equal to it or starting with it and a '-' (claude-opus-4 covers claude-opus-4-6)."""
    auto_none: int
    any_tool: int
    label: str
    source: str = ANTHROPIC_SOURCE


ANTHROPIC_PROMPTS = (
    ToolPrompt("claude-opus-4", 346, 313, "Claude Opus 4.x"),
    ToolPrompt("claude-sonnet-4", 346, 313, "Claude Sonnet 4.x"),
    ToolPrompt("claude-haiku-4", 346, 313, "Claude Haiku 4.5"),
    ToolPrompt("claude-3-7-sonnet", 346, 313, "Claude Sonnet 3.7"),
    ToolPrompt("claude-3-5-haiku", 264, 340, "Claude Haiku 3.5"),
    ToolPrompt("claude-3-opus", 530, 281, "Claude Opus 3", ANTHROPIC_CLAUDE_3),
    ToolPrompt("claude-3-sonnet", 159, 235, "Claude Sonnet 3", ANTHROPIC_CLAUDE_3),
    ToolPrompt("claude-3-haiku", 264, 340, "Claude Haiku 3", ANTHROPIC_CLAUDE_3),
)
ANTHROPIC_NEWEST = ANTHROPIC_PROMPTS[0]
"""What a Claude id missing from the table (claude-3-5-sonnet, a future family) is charged."""


def _anthropic(tools: Sequence[dict], model_id: str, tokenizer: Tokenizer, tool_choice: str,
               provider: str) -> ToolCount:
    """The published tool-use system prompt plus each definition as compact JSON
    (name, description, input_schema). Never exact: Claude has no public tokenizer."""
    row = next((p for p in ANTHROPIC_PROMPTS if model_id == p.prefix or model_id.startswith(p.prefix + "-")), None)
    prompt = row or ANTHROPIC_NEWEST
    system = prompt.auto_none if tool_choice in ("auto", "none") else prompt.any_tool
    defs = sum(tokenizer.count(_compact(_definition(t, "input_schema"))) for t in tools)
    where = f"{prompt.label}'s" if row else f"{model_id} is not in Anthropic's table; {prompt.label}'s"
    note = (f"{where} {system}-token tool-use system prompt (tool_choice {tool_choice}) plus the "
            f"definitions as JSON, counted with the {tokenizer.name} tokenizer")
    return ToolCount(system + defs, False, "anthropic-tool-use", note)


RULES: Mapping[str, tuple[str, Callable[[Sequence[dict], str, Tokenizer, str, str], ToolCount]]] = {
    "openai": ("openai-functions", _openai),
    "anthropic": ("anthropic-tool-use", _anthropic),
}
"""Provider id -> (rule name, counter). Providers not listed are counted by ``_approximate``."""
