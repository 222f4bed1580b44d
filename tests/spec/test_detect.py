"""The detection rules of `costgate init --detect`, one table each: what is a prompt, a
model id, a setting; Python read statically; the proposal's one-line YAML values and
its grouping of prompts into calls. The command itself is in tests/cli/test_init_detect.py."""

from __future__ import annotations

import pytest
import yaml

from costgate.spec.detect import FoundPrompt
from costgate.spec.detect_python import read_python
from costgate.spec.detect_values import guess_role, key_path, leaves, looks_like_prompt, model_id, setting
from costgate.spec.propose import calls, flow

MODELS = {"gpt-4o": "gpt-4o", "gpt-4o-mini": "gpt-4o-mini", "o3": "o3", "claude-sonnet-4-5": "claude-sonnet-4-5",
          "claude-sonnet-4.5": "claude-sonnet-4-5"}
LONG = "You are a careful assistant.\nAnswer the question in two sentences, citing the source document."


@pytest.mark.parametrize("name, text, expected", [
    ("SYSTEM_PROMPT", "You are a helpful bot, be brief.", True),
    ("system_prompt", "hi", False),                        # too short
    ("prompt_path", "prompts/system-prompt-file.j2", False),  # one word, a path
    ("description", LONG, True),                           # long, multi-line, instruction words
    ("description", LONG.replace("\n", " "), False),       # one line under an unrelated name
    ("error_message", "Something went wrong while saving the file", True),  # a prompt-like name: a judgement call
    ("readme", "Install with pip and run the tests.\nThen read the docs carefully please.", False),
])
def test_looks_like_prompt(name, text, expected):
    assert looks_like_prompt(name, text) is expected


@pytest.mark.parametrize("name, text, role", [
    ("SYSTEM_PROMPT", "Summarize {{ x }}", "system"),
    ("user_template", "You are asked: {{ q }}", "user"),
    ("answer", "You are a bot. {{ q }}", "system"),
    ("answer", "Summarize {{ text }} in a line", "user"),
    ("answer", "Be brief and kind.", "system"),
    ("retrieved_context", "Documents: {{ docs }}", "context"),
])
def test_guess_role(name, text, role):
    assert guess_role(name, text) == role


@pytest.mark.parametrize("value, expected", [
    ("gpt-4o", "gpt-4o"), ("openai/gpt-4o", "gpt-4o"), ("openai:gpt-4o-mini", "gpt-4o-mini"), ("GPT-4o", "gpt-4o"),
    ("claude-sonnet-4.5", "claude-sonnet-4-5"), ("gpt-4o please", None), ("gpt-5-turbo-x", None), ("", None),
])
def test_model_id(value, expected):
    assert model_id(value, MODELS) == expected


@pytest.mark.parametrize("key, value, expected", [
    ("max_tokens", 800, ("max_tokens", 800)), ("MAX_OUTPUT_TOKENS", "1200", ("max_tokens", 1200)),
    ("max_tokens", True, None), ("max_tokens", 0, None), ("max_tokens", "lots", None),
    ("reasoning_effort", "High", ("reasoning_effort", "high")), ("effort", "extreme", None),
    ("model", "o3", ("model", "o3")), ("deployment", "gpt-4o", ("model", "gpt-4o")), ("model", 3, None),
])
def test_setting(key, value, expected):
    got = setting(key, value, MODELS, "f.yaml", 1)
    assert (None if got is None else (got.kind, got.value)) == expected


def test_leaves_are_bounded_and_iterative():
    deep: dict = {}
    node = deep
    for _ in range(5_000):  # deeper than the recursion limit
        node["k"] = {}
        node = node["k"]
    node["k"] = "leaf"
    assert [v for _, v, _ in leaves(deep)] == ["leaf"]
    assert key_path(("a", 0, "b")) == "a.0.b" and key_path(("a.b",)) is None and key_path((1.5,)) is None


def test_python_is_read_statically():
    source = '''\
import textwrap, os
os.system("rm -rf /")
SYSTEM = textwrap.dedent("""
    You are the billing assistant.
    Answer with the invoice number first.""")
USER_TEMPLATE: str = "Question from {name}: {{ question }} please answer"
COMPUTED = f"You are {os.getcwd()} and more words"
class Config:
    INNER_PROMPT = "You are nested in a class, which is not a module constant."
client.create(model="gpt-4o", max_tokens=300, reasoning_effort="low")
params = {"max_completion_tokens": 900}
'''
    prompts, settings = read_python(source, "app.py", MODELS, prompts=True)
    assert [(p.symbol, p.role, p.line) for p in prompts] == [("SYSTEM", "system", 3), ("USER_TEMPLATE", "user", 6)]
    assert [(s.kind, s.value, s.line) for s in settings] == [
        ("max_tokens", 300, 10), ("model", "gpt-4o", 10), ("reasoning_effort", "low", 10), ("max_tokens", 900, 11)]


@pytest.mark.parametrize("source", ["def broken(:\n", "x = " + "(" * 10_000 + ")" * 10_000, "a = '\0'"])
def test_python_that_does_not_parse_yields_nothing(source):
    assert read_python(source, "bad.py", MODELS, prompts=True) == ([], [])


@pytest.mark.parametrize("value", ["plain", "a: b", "it's \"q\"", "#x", "- a", "{{ query }}", "yes", "1.5", "null",
                                   "a\nb", "a\u2028b", "a\x85b", "\ufeffx", "a\tb", "ünï", "😀\n", "",
                                   {"file": "a: b.j2", "key": "x\ny"}, {"effort": "high"}, 1000])
def test_flow_is_one_line_that_reads_back(value):
    text = flow(value)
    assert "\n" not in text and yaml.safe_load(f"k: {text}  # comment") == {"k": value}


def _p(kind, file, role="system", key=None, symbol=None):
    return FoundPrompt(kind, file, role, symbol or key or file, key=key, symbol=symbol)


def test_prompts_that_sit_together_share_a_call():
    proposed = calls((
        _p("template", "prompts/answer/system.j2"), _p("template", "prompts/answer/user.j2", "user"),
        _p("template", "prompts/answer/context.j2", "context"),
        _p("template", "prompts/route.system.j2"), _p("template", "prompts/route.user.j2", "user"),
        _p("template", "prompts/extra/system.j2"), _p("template", "prompts/extra/system.md"),
        _p("yaml", "c.yaml", key="bot.messages.0.content"), _p("yaml", "c.yaml", "user", key="bot.messages.1.content"),
        _p("python", "agent.py", symbol="AGENT_SYSTEM_PROMPT"), _p("python", "agent.py", "user", symbol="AGENT_USER"),
        _p("prompty", "chat.prompty"), _p("prompty", "x/chat.prompty"),
    ))
    assert [(c.name, sorted(c.prompts)) for c in proposed] == [
        ("answer", ["context", "system", "user"]), ("route", ["system", "user"]), ("extra", ["system"]),
        ("extra-2", ["system"]), ("bot", ["system", "user"]), ("agent", ["system", "user"]),
        ("chat", ["prompt"]), ("chat-2", ["prompt"])]
