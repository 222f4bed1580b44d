"""Where prompts can live (docs/spec.md): under a key of a YAML, JSON or TOML file, as a
Python string constant read statically (never imported), and in a .prompty file; each
template names the file an author edits and the line its text starts on there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import AS_OF, AS_OF_DATE, QUERIES, ROOT, run_costgate, write

from costgate.errors import CostgateError
from costgate.estimate.simulate import estimate
from costgate.pricing import load_table
from costgate.spec import Template, load_spec
from costgate.spec.keyed import key_path

SPEC = """\
version: 1
feature: bot
traffic: {{sessions_per_day: 100}}
samples: {{file: queries.txt}}
calls:
  - name: answer
{model}    per_session: 1
{call}vars: {{product: Acme}}
"""


def load(root: Path, call: str, files: dict[str, str], model: str = "    model: gpt-4o\n"):
    """The one-call spec with ``call`` (YAML lines of the call, from line 9 with a model
    line, 8 without) over ``files``."""
    body = "".join(f"    {line}\n" for line in call.splitlines())
    write(root, {"queries.txt": QUERIES, **files, "bot.costgate.yaml": SPEC.format(model=model, call=body)})
    return load_spec(root / "bot.costgate.yaml")


def error(root: Path, call: str, files: dict[str, str], **kw) -> CostgateError:
    with pytest.raises(CostgateError) as exc:
        load(root, call, files, **kw)
    return exc.value


USER = 'user: "{{ query }}"\n'

# ---------------------------------------------------------------------------- data keys

AGENT_YAML = """\
agent:
  name: editor
  templates:
    system: |
      You edit code for {{ product }}.
      Keep diffs small.
    user: "{{ query }}"
  prompts:
    - text: first
    - text: second
  models:
    gpt-4.1: {system: dotted key}
"""


def test_a_yaml_key_is_the_string_there_from_the_line_after_a_block_scalars_key(repo):
    spec = load(repo, "system: {file: agent.yaml, key: agent.templates.system}\n" + USER, {"agent.yaml": AGENT_YAML})
    assert spec.calls[0].system == Template("You edit code for {{ product }}.\nKeep diffs small.\n", "agent.yaml", 5)
    assert "agent.yaml" in spec.files


@pytest.mark.parametrize("key, text, line", [
    ("agent.templates.user", "{{ query }}", 7),
    ("agent.prompts.1.text", "second", 10),
    ("[agent, models, gpt-4.1, system]", "dotted key", 12),
])
def test_yaml_keys_index_lists_and_take_a_list_for_keys_with_dots(repo, key, text, line):
    spec = load(repo, f"system: {{file: agent.yaml, key: {key}}}\n" + USER, {"agent.yaml": AGENT_YAML})
    assert (spec.calls[0].system.text, spec.calls[0].system.first_line) == (text, line)


def test_key_paths():
    assert key_path("a.b.0") == ("a", "b", "0")
    assert key_path(["gpt-4.1", 0]) == ("gpt-4.1", 0)
    assert key_path("a..b") is None and key_path([]) is None and key_path(3) is None and key_path([True]) is None


def test_a_json_key_points_at_the_line_of_its_string(repo):
    data = '{\n  "name": "x",\n  "prompts": {\n    "few": ["a", {"b": 1}],\n    "system": "Be terse.\\nOne line."\n  }\n}\n'
    spec = load(repo, "system: {file: p.json, key: prompts.system}\nuser: {file: p.json, key: prompts.few.0}\n",
                {"p.json": data})
    assert spec.calls[0].system == Template("Be terse.\nOne line.", "p.json", 5)
    assert spec.calls[0].user == Template("a", "p.json", 4)


def test_a_toml_key_starts_after_a_multi_line_strings_opening_quotes(repo):
    data = ('title = "agent"\n\n[agent.templates]\nuser = "{{ query }}"\nsystem = """\nYou are terse.\n'
            'One line."""\n\n[[shots]]\ntext = "a"\n[[shots]]\ntext = \'b\'\n')
    spec = load(repo, "system: {file: agent.toml, key: agent.templates.system}\nuser: {file: agent.toml, key: "
                      "shots.1.text}\n", {"agent.toml": data})
    assert spec.calls[0].system == Template("You are terse.\nOne line.", "agent.toml", 6)
    assert spec.calls[0].user == Template("b", "agent.toml", 12)


def test_a_missing_key_is_an_error_at_the_spec_line_with_the_keys_that_are_there(repo):
    exc = error(repo, "system: {file: agent.yaml, key: agent.templates.sytem}\n" + USER, {"agent.yaml": AGENT_YAML})
    assert (exc.location.file, exc.location.line) == ("bot.costgate.yaml", 9)
    assert "agent.yaml has no key 'sytem' under agent.templates (agent.yaml:3)" in exc.message
    assert "did you mean 'system'?" in exc.hint


def test_a_value_that_is_not_a_string_is_an_error_at_its_line(repo):
    exc = error(repo, "system: {file: agent.yaml, key: agent.prompts}\n" + USER, {"agent.yaml": AGENT_YAML})
    assert (exc.location.file, exc.location.line) == ("agent.yaml", 8)
    assert "agent.prompts in agent.yaml is a list, not a prompt string" in exc.message


@pytest.mark.parametrize("call, files, message", [
    ("system: {file: agent.yaml, key: agent.prompts.7.text}", {"agent.yaml": AGENT_YAML}, "is a list of 2"),
    ("system: {file: agent.yaml, key: agent.name.first}", {"agent.yaml": AGENT_YAML}, "so it has no key 'first'"),
    ("system: {file: agent.yaml, key: 'a..b'}", {"agent.yaml": AGENT_YAML}, "key must be a dotted path"),
    ("system: {file: agent.txt, key: a}", {"agent.txt": "a: b\n"}, "key: reads YAML, JSON or TOML files"),
    ("system: {file: app.py, key: a}", {"app.py": "a = 'b'\n"}, "use symbol: NAME"),
    ("system: {file: agent.yaml, symbol: A}", {"agent.yaml": AGENT_YAML}, "symbol: reads Python files"),
    ("system: {file: app.py, key: a, symbol: A}", {"app.py": "A = 'b'\n"}, "not both"),
    ("system: {file: app.py, symbol: 'os.path; x'}", {"app.py": "A = 'b'\n"}, "symbol must be NAME or Class.NAME"),
    ("system: {file: p.json, key: a}", {"p.json": '{"a": NaN}'}, "invalid JSON"),
    ("system: {file: p.json, key: a}", {"p.json": '{"a": 1,}'}, "invalid JSON"),
    ("system: {file: p.toml, key: a}", {"p.toml": "a = \n"}, "invalid TOML"),
    ("system: {file: ../agent.yaml, key: a}", {}, "leaves the repository"),
    ("system: {file: /etc/passwd, key: root}", {}, "leaves the repository"),
    ("system: {file: app.py, symbol: A}", {}, "file not found"),
])
def test_bad_key_and_symbol_templates_are_errors(repo, call, files, message):
    assert message in str(error(repo, call + "\n" + USER, files))


# ----------------------------------------------------------------------- Python symbols

PROMPTS_PY = '''\
"""The app's prompts."""
from textwrap import dedent

PRODUCT = "Acme Cloud"
BASE = (
    "You are the assistant for "
    "Acme Cloud. "
)
SYSTEM = BASE + PRODUCT + """ Answer briefly.
Cite the docs."""
SYSTEM += " Never guess."
GREETING = f"Hello {user_name}, welcome to {PRODUCT}! {{literal}}"
LETTER = "Dear {name},"
JINJA = "Hi {{ name }}"
RULES = dedent("""\\
    - be kind
    - be brief
    """)


class EditPrompts:
    main_system = """
Edit the code of {project}.
""".strip()
    review: str = main_system + f" Review {lang} code."


def letter(name):
    return LETTER.format(name=name)
'''


@pytest.mark.parametrize("symbol, text, line, fmt", [
    ("SYSTEM", "You are the assistant for Acme Cloud. Acme Cloud Answer briefly.\nCite the docs. Never guess.", 6,
     "jinja2"),
    ("GREETING", "Hello {user_name}, welcome to Acme Cloud! {{literal}}", 12, "format"),
    ("LETTER", "Dear {name},", 13, "format"),
    ("JINJA", "Hi {{ name }}", 14, "jinja2"),
    ("RULES", "- be kind\n- be brief\n", 16, "jinja2"),
    ("EditPrompts.main_system", "Edit the code of {project}.", 23, "jinja2"),
    ("EditPrompts.review", "Edit the code of {{project}}. Review {lang} code.", 23, "format"),
])
def test_python_constants_are_read_statically(repo, symbol, text, line, fmt):
    spec = load(repo, f"system: {{file: app/prompts.py, symbol: {symbol}}}\n" + USER, {"app/prompts.py": PROMPTS_PY})
    assert spec.calls[0].system == Template(text, "app/prompts.py", line, fmt)


def test_an_f_string_field_that_is_an_expression_is_an_error_naming_its_line(repo):
    source = 'import os\n\nBAD = (\n    "Hi "\n    f"{user.name}"\n)\n'
    exc = error(repo, "system: {file: app.py, symbol: BAD}\n" + USER, {"app.py": source})
    assert (exc.location.file, exc.location.line) == ("app.py", 5)
    assert "the f-string field {user.name} is an expression; costgate cannot evaluate it statically" in exc.message


@pytest.mark.parametrize("source, symbol, message, line", [
    ("A = compute()\n", "A", "a call to compute", 1),
    ("from .base import PROMPT\nA = PROMPT + 'x'\n", "A", "PROMPT is imported", 2),
    ("A = 'x' * 3\n", "A", "a BinOp expression", 1),
    ("A = f'{n:>{w}}'\n", "A", "computed format spec", 1),
    ("N = 'x'\nA = f'{N!r}'\n", "A", "formats a constant", 2),
    ("A = b'bytes'\n", "A", "bytes is not a string", 1),
    ("def A():\n    return 'x'\n", "A", "a function", 1),
    ("class A:\n    pass\n", "A", "is a class, not a string", None),
    ("A = 'x'\n", "B", "has no constant 'B' in the module", None),
    ("class P:\n    SYSTEM = 'x'\n", "P.SYTEM", "did you mean 'SYSTEM'?", None),
    ("A = 'x'\n", "A.B", "is not a class", None),
    ("A = 'x\n", "A", "invalid Python", 1),
    ("A = 'x'\x00\n", "A", "null bytes", None),
    ("A = " + "(" * 300 + "'x'" + ")" * 300 + "\n", "A", "invalid Python", 1),
])
def test_what_cannot_be_read_without_running_code_is_an_error(repo, source, symbol, message, line):
    exc = error(repo, f"system: {{file: app.py, symbol: {symbol}}}\n" + USER, {"app.py": source})
    assert message in str(exc)
    if line is not None:
        assert (exc.location.file, exc.location.line) == ("app.py", line)


def test_a_python_file_is_never_imported_or_run(repo, tmp_path):
    canary = tmp_path / "ran.txt"
    source = (f"import pathlib, os\npathlib.Path({str(canary)!r}).write_text('ran')\nos.system('touch "
              f"{canary}.sh')\n__import__('sys').exit(3)\nSYSTEM = 'Be brief.'\n")
    spec = load(repo, "system: {file: app.py, symbol: SYSTEM}\n" + USER, {"app.py": source})
    estimate(spec, load_table(), as_of=AS_OF_DATE)
    assert spec.calls[0].system == Template("Be brief.", "app.py", 5)
    assert not canary.exists() and not Path(f"{canary}.sh").exists()


def test_long_chains_are_flat_and_exponential_strings_are_bounded(repo):
    chain = "A = " + " + ".join(["'ab'"] * 1_000) + "\n"
    spec = load(repo, "system: {file: app.py, symbol: A}\n" + USER, {"app.py": chain})
    assert spec.calls[0].system.text == "ab" * 1_000
    chain = "A = " + " + ".join(["'ab'"] * 100_000) + "\n"  # beyond Python's own parser
    assert "cannot parse this Python file" in str(error(repo, "system: {file: app.py, symbol: A}\n" + USER,
                                                        {"app.py": chain}))
    doubling = "B0 = 'xx'\n" + "".join(f"B{i + 1} = B{i} + B{i}\n" for i in range(40))
    exc = error(repo, "system: {file: app.py, symbol: B40}\n" + USER, {"app.py": doubling})
    assert "a string longer than 5,000,000 characters" in exc.message


# ---------------------------------------------------------------------- .prompty files

CHAT_PROMPTY = """\
---
name: Support chat
description: Answers support questions
model:
  api: chat
  configuration:
    type: azure_openai
    azure_deployment: gpt-4o-mini
  parameters:
    max_tokens: 300
    temperature: 0.2
sample:
  query: How do I reset my password?
template:
  format: jinja2
  parser: prompty
---
system:
You answer questions about {{ product }}.

user:
Can I export tasks?
assistant:
Yes: Settings, then Export.

user:
{{ query }}
"""


def test_a_prompty_file_gives_the_call_its_prompts_model_and_max_tokens(repo):
    spec = load(repo, "prompt: {file: prompts/chat.prompty}\n", {"prompts/chat.prompty": CHAT_PROMPTY}, model="")
    call = spec.calls[0]
    assert call.models == ("gpt-4o-mini",) and call.max_tokens == 300
    # everything before the last user: line (the system section and the few-shot example,
    # role lines and all) is the system prompt; what follows it is the user message
    assert call.system == Template("You answer questions about {{ product }}.\n\nuser:\nCan I export tasks?\n"
                                   "assistant:\nYes: Settings, then Export.\n", "prompts/chat.prompty", 19)
    assert call.user == Template("{{ query }}", "prompts/chat.prompty", 27)
    assert "prompts/chat.prompty" in spec.files


def test_the_specs_own_model_and_max_tokens_win(repo):
    spec = load(repo, "prompt: {file: chat.prompty}\nmax_tokens: 50\n", {"chat.prompty": CHAT_PROMPTY},
                model="    mix: {gpt-4o: 0.5, gpt-4.1: 0.5}\n")
    assert spec.calls[0].models == ("gpt-4o", "gpt-4.1") and spec.calls[0].max_tokens == 50


def test_a_prompty_without_a_system_section_takes_the_specs(repo):
    text = "---\nmodel: gpt-4o\ntemplate: mustache\n---\nuser:\n{{query}}\n"
    spec = load(repo, "prompt: {file: chat.prompty}\nsystem: Be brief.\n", {"chat.prompty": text}, model="")
    assert spec.calls[0].system.text == "Be brief."
    assert spec.calls[0].user == Template("{{query}}", "chat.prompty", 6, "mustache")


@pytest.mark.parametrize("call, text, message", [
    ("prompt: {file: chat.prompty}\nsystem: Be brief.\n", CHAT_PROMPTY,
     "system is set here and in chat.prompty (line 19)"),
    ("prompt: {file: chat.prompty}\nuser: hi\n", CHAT_PROMPTY, "user is set here and in chat.prompty (line 27)"),
    ("prompt: {file: chat.prompty}\n", "---\nname: x\n---\nuser:\nq\n", "chat.prompty names no model"),
    ("prompt: {file: chat.prompty}\n", "---\nmodel:\n  configuration:\n    name: ${env:MODEL}\n---\nuser:\nq\n",
     "comes from the environment"),
    ("prompt: {file: chat.prompty}\n", "user:\nq\n", "does not start with front matter"),
    ("prompt: {file: chat.prompty}\n", "---\nmodel: gpt-4o\nuser:\nq\n", "no closing ---"),
    ("prompt: {file: chat.prompty}\n", "---\nmodel: {api: completion}\n---\nq\n", "costgate prices chat prompts"),
    ("prompt: {file: chat.prompty}\n", "---\nmodel: {parameters: {max_tokens: 0}}\n---\nq\n", "must be > 0"),
    ("prompt: {file: chat.prompty}\n", "---\ntemplate: handlebars\n---\nq\n", "must be one of jinja2, mustache"),
    ("prompt: {file: chat.prompty}\n", "---\nmodel: gpt-4o\n---\n![thread]\nuser:\nq\n", "history:"),
    ("prompt: {file: chat.prompty}\n", "---\nmodel: gpt-4o\n---\ntools:\n- x\nuser:\nq\n", "tools: {file"),
    ("prompt: {file: chat.j2}\n", "", "must be a .prompty file"),
    ("prompt: {file: ../chat.prompty}\n", "", "leaves the repository"),
])
def test_bad_prompty_files_are_errors(repo, call, text, message):
    exc = error(repo, call, {"chat.prompty": text}, model="")
    assert message in str(exc)


def test_prompty_front_matter_errors_point_into_the_file(repo):
    text = "---\nname: x\nmodel:\n  parameters:\n    max_tokens: many\n---\nuser:\nq\n"
    exc = error(repo, "prompt: {file: chat.prompty}\n", {"chat.prompty": text})
    assert (exc.location.file, exc.location.line) == ("chat.prompty", 5)


# ----------------------------------------------------- errors and reports point at sources

@pytest.mark.parametrize("files, call, where", [
    ({"agent.yaml": "agent:\n  system: |\n    fine\n    {% if %}\n"}, "system: {file: agent.yaml, key: agent.system}",
     "agent.yaml:4:"),
    ({"app.py": 'X = 1\nSYSTEM = """fine\n{% if %}"""\n'}, "system: {file: app.py, symbol: SYSTEM}", "app.py:3:"),
    ({"chat.prompty": "---\nmodel: gpt-4o\n---\nsystem:\nfine\nuser:\nok\n{% if %}\n"}, "prompt: {file: chat.prompty}",
     "chat.prompty:8:"),
])
def test_render_errors_name_the_source_file_and_line(repo, files, call, where):
    load(repo, call + "\n" + ("" if "prompty" in call else USER), files,
         model="" if "prompty" in call else "    model: gpt-4o\n")
    code, _, err = run_costgate("estimate", repo / "bot.costgate.yaml", "--as-of", AS_OF, "--no-alternatives")
    assert code == 2 and where in err, err


@pytest.mark.parametrize("files, call, file, line", [
    ({"app/prompts.py": "'''Prompts.'''\nSYSTEM = (\n    'Be brief. '\n    'Cite sources.'\n)\n"},
     "system: {file: app/prompts.py, symbol: SYSTEM}", "app/prompts.py", 3),
    ({"agent.yaml": AGENT_YAML}, "system: {file: agent.yaml, key: agent.templates.system}", "agent.yaml", 5),
    ({"chat.prompty": CHAT_PROMPTY}, "prompt: {file: chat.prompty}", "chat.prompty", 19),
])
def test_the_estimate_names_the_file_and_line_the_system_prompt_starts_on(repo, files, call, file, line):
    spec = load(repo, call + "\n" + ("" if "prompty" in call else USER), files,
                model="" if "prompty" in call else "    model: gpt-4o\n")
    (answer,) = estimate(spec, load_table(), as_of=AS_OF_DATE, alternatives=False).calls
    assert (answer.system_file, answer.system_line) == (file, line)


def test_the_examples_in_the_spec_doc_read_as_documented(repo):
    """docs/spec.md, "Where prompts can live": each example file loads to what the text says."""
    section = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8").split("## Where prompts can live", 1)[1]
    blocks = re.findall(r"```(\w*)\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    agent = next(b for lang, b in blocks if lang == "yaml" and b.startswith("# agent.yaml"))
    code = next(b for lang, b in blocks if lang == "python")
    prompty = next(b for lang, b in blocks if lang == "" and b.startswith("---"))
    files = {"agent.yaml": agent, "app/prompts.py": code, "prompts/chat.prompty": prompty}
    spec = load(repo, "system: {file: agent.yaml, key: agent.templates.system}\n"
                      "user: {file: agent.yaml, key: agent.templates.user}\n", files)
    assert (spec.calls[0].system.first_line, spec.calls[0].user.first_line) == (5, 7)
    spec = load(repo, "system: {file: app/prompts.py, symbol: EditPrompts.main_system}\n" + USER, files)
    assert spec.calls[0].system == Template("You edit {project}. Keep diffs small.", "app/prompts.py", 6, "format")
    spec = load(repo, "prompt: {file: prompts/chat.prompty}\n", files, model="")
    call = spec.calls[0]
    assert (call.models, call.max_tokens) == (("gpt-4o-mini",), 300)
    assert (call.system.first_line, len(call.system.text.split("\n")), call.user) == (
        9, 5, Template("{{ query }}", "prompts/chat.prompty", 15))


def test_a_line_continuation_after_non_ascii_text_starts_the_prompt_on_the_next_line(repo):
    """ast's column offsets count UTF-8 bytes; the first line is found all the same."""
    source = 'GRÜSSE = "Grüße"; SYSTEM = """\\\nBe brief.\n"""\n'
    spec = load(repo, "system: {file: app.py, symbol: SYSTEM}\n" + USER, {"app.py": source})
    assert spec.calls[0].system == Template("Be brief.\n", "app.py", 2)


def test_python_constant_built_by_many_appends_is_bounded_work():
    # Each `P += "x"` copies P so far: 2,000 of them copy ~2M characters, over the budget
    # of COPY_BUDGET (100) times max_chars (1,000) = 100,000, so the evaluation stops
    # (at line 448: 447 appends copy 1+2+...+447 = 100,128) instead of running quadratic.
    from costgate.spec.pyconst import COPY_BUDGET, from_symbol

    assert COPY_BUDGET == 100
    source = 'P = ""\n' + 'P += "x"\n' * 2000
    with pytest.raises(CostgateError, match="built from more pieces than costgate evaluates") as info:
        from_symbol(source, "a.py", "P", max_chars=1000, spec="s.yaml", spec_line=1)
    assert info.value.location.line == 448
    text, _, _ = from_symbol('P = ""\n' + 'P += "x"\n' * 400, "a.py", "P", max_chars=1000, spec="s.yaml",
                             spec_line=1)
    assert text == "x" * 400


def test_a_python_or_data_file_several_calls_read_is_parsed_once(tmp_path, monkeypatch):
    from costgate.spec import keyed, pyconst

    counts = {"py": 0, "json": 0}
    parse, read_json = pyconst._parse, keyed.READERS["json"]
    monkeypatch.setattr(pyconst, "_parse", lambda *a: counts.__setitem__("py", counts["py"] + 1) or parse(*a))
    monkeypatch.setitem(keyed.READERS, "json",
                        lambda *a: counts.__setitem__("json", counts["json"] + 1) or read_json(*a))
    calls = "".join(f"  - name: c{i}\n    model: gpt-4o\n    per_session: 1\n"
                    f"    system: {{file: p.py, symbol: S{i}}}\n    user: {{file: u.json, key: u{i}}}\n"
                    for i in range(3))
    write(tmp_path, {"queries.txt": QUERIES, "p.py": 'S0 = "a {x}"\nS1 = "b"\nS2 = "c"\nS0.format(x=1)\n',
                     "u.json": '{"u0": "q0", "u1": "q1", "u2": "q2"}',
                     "bot.costgate.yaml": "version: 1\nfeature: bot\ntraffic: {sessions_per_day: 100}\n"
                                          f"samples: {{file: queries.txt}}\ncalls:\n{calls}"})
    spec = load_spec(tmp_path / "bot.costgate.yaml")
    assert counts == {"py": 1, "json": 1}
    assert [c.system.format for c in spec.calls] == ["format", "jinja2", "jinja2"]
    assert [c.user.text for c in spec.calls] == ["q0", "q1", "q2"]
