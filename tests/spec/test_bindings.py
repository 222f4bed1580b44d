"""Bindings to the app's own settings (costgate/spec/bindings.py): a call setting written
``{from: FILE, key: a.b.c}`` reads its value from the app's YAML, JSON, TOML, .env or
.prompty file, is checked like an inline value, and errors name both files. The gate's
side of it (a changed setting is where a crossing points) is in tests/gate/test_bindings.py;
the readers' line numbers in test_settings.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from helpers import commit, init_repo, load_schema, schema_errors, write, write_spec

from costgate.errors import CostgateError
from costgate.repo import GitTree, WorkTree
from costgate.spec import Output, load_spec
from costgate.spec.model import Binding, Reasoning, Steps

D = Decimal


def spec(call: str) -> str:
    """A one-call spec whose call body (indented under ``- name: answer``) is ``call``."""
    body = "".join(f"    {line}\n" for line in call.strip("\n").splitlines())
    return ("version: 1\nfeature: bot\ntraffic: {sessions_per_day: 100}\nsamples: {file: q.txt}\n"
            f"calls:\n  - name: answer\n{body}    user: \"{{{{ query }}}}\"\n")


def load(repo, call: str, files: dict[str, str]):
    return load_spec(write_spec(repo, spec(call), {"q.txt": "hi\n", **files}))


def error(repo, call: str, files: dict[str, str]) -> CostgateError:
    with pytest.raises(CostgateError) as info:
        load(repo, call, files)
    return info.value


APP_YAML = """\
# the app's own config
llm:
  temperature: 0.2
  model: gpt-4o-mini
  max_tokens: 800
  turns: 3
"""


# ---------------------------------------------------------------- each file kind

def test_yaml_binding_reads_the_value_and_records_where(repo):
    s = load(repo, "model: {from: app/config.yaml, key: llm.model}\nper_session: 1", {"app/config.yaml": APP_YAML})
    call = s.calls[0]
    assert call.models == ("gpt-4o-mini",)
    assert call.bindings == (Binding("model", "app/config.yaml", "llm.model", 4, "gpt-4o-mini", spec_line=7),)
    assert call.binding("model").line == 4 and call.binding("max_tokens") is None
    assert "app/config.yaml" in s.files  # the estimate cache key hashes every file in spec.files


def test_paths_are_relative_to_the_spec(repo):
    path = write_spec(repo, spec("model: {from: ../app/config.yaml, key: llm.model}\nper_session: 1"),
                      {"specs/q.txt": "hi\n", "app/config.yaml": APP_YAML}, name="specs/bot.costgate.yaml")
    assert load_spec(path).calls[0].binding("model").file == "app/config.yaml"


def test_one_file_binds_many_settings_and_is_read_once(repo):
    s = load(repo, """\
model: {from: app/config.yaml, key: llm.model}
per_session: {from: app/config.yaml, key: llm.turns}
max_tokens: {from: app/config.yaml, key: llm.max_tokens}
output_tokens: {mean: 200, max: {from: app/config.yaml, key: llm.max_tokens}}""", {"app/config.yaml": APP_YAML})
    call = s.calls[0]
    assert (call.per_session, call.max_tokens, call.output) == (3, 800, Output(D(200), 800))
    assert [(b.field, b.line) for b in call.bindings] == [("model", 4), ("per_session", 6), ("max_tokens", 5),
                                                          ("output_tokens.max", 5)]  # in spec order
    assert s.files.count("app/config.yaml") == 1


def test_json_binding_with_list_index(repo):
    text = '{\n  "llm": {\n    "models": [\n      {"name": "gpt-4o"},\n      {"name": "gpt-4.1-mini"}\n    ]\n  }\n}\n'
    s = load(repo, "model: {from: app/settings.json, key: llm.models.1.name}\nper_session: 1",
             {"app/settings.json": text})
    b = s.calls[0].bindings[0]
    assert (s.calls[0].models, b.line) == (("gpt-4.1-mini",), 5)


def test_toml_binding(repo):
    toml = ('[project]\nname = "app"\n\n[tool.app.llm]\nmodel = "gpt-4o"\n'
            "output = { mean = 150 }\nshare = 0.25\n")
    s = load(repo, """\
mix:
  gpt-4o: {from: pyproject.toml, key: tool.app.llm.share}
  gpt-4o-mini: 0.75
per_session: 1
output_tokens: {from: pyproject.toml, key: tool.app.llm.output.mean}""", {"pyproject.toml": toml})
    call = s.calls[0]
    assert call.mix == (("gpt-4o", D("0.25")), ("gpt-4o-mini", D("0.75")))
    assert call.output == Output(D(150))
    assert [(b.field, b.line, b.value) for b in call.bindings] == [("mix.gpt-4o", 7, D("0.25")),
                                                                   ("output_tokens", 6, 150)]


def test_env_binding(repo):
    env = '# secrets live elsewhere\nexport LLM_MODEL="gpt-4o"\nLLM_MAX_TOKENS=600 # cap\nLLM_EFFORT=low\n'
    s = load(repo, """\
model: {from: .env, key: LLM_MODEL}
per_session: 1
max_tokens: {from: .env, key: LLM_MAX_TOKENS}""", {".env": env})
    call = s.calls[0]
    assert (call.models, call.max_tokens) == (("gpt-4o",), 600)
    assert [(b.key, b.line, b.value) for b in call.bindings] == [("LLM_MODEL", 2, "gpt-4o"),
                                                                 ("LLM_MAX_TOKENS", 3, 600)]


PROMPTY = """\
---
name: Answer
model:
  api: chat
  configuration:
    type: openai
    name: gpt-4o-mini
  parameters:
    max_tokens: 300
---
system:
You answer questions. --- not front matter
"""


def test_prompty_front_matter_binding(repo):
    s = load(repo, """\
model: {from: prompts/answer.prompty, key: model.configuration.name}
per_session: 1
max_tokens: {from: prompts/answer.prompty, key: model.parameters.max_tokens}""", {"prompts/answer.prompty": PROMPTY})
    call = s.calls[0]
    assert (call.models, call.max_tokens) == (("gpt-4o-mini",), 300)
    assert [b.line for b in call.bindings] == [7, 9]


def test_agent_settings_bind_too(repo):
    s = load(repo, """\
model: o3
steps: {mean: {from: app/agent.yaml, key: loop.mean}, p95: {from: app/agent.yaml, key: loop.p95}}
history: full
reasoning: {effort: {from: app/agent.yaml, key: effort}}""", {"app/agent.yaml": "loop: {mean: 4, p95: 9}\neffort: low\n"})
    call = s.calls[0]
    assert call.steps == Steps(D(4), D(9))
    assert call.reasoning == Reasoning(effort="low")
    assert [b.field for b in call.bindings] == ["steps.mean", "steps.p95", "reasoning.effort"]


def test_reasoning_tokens_and_budget_and_fixed_steps_bind(repo):
    files = {"app/a.yaml": "t: 500\np95: 900\nb: 2000\nsteps: 3\n"}
    s = load(repo, "model: o3\nsteps: {from: app/a.yaml, key: steps}\nhistory: full\n"
                   "reasoning: {tokens: {mean: {from: app/a.yaml, key: t}, p95: {from: app/a.yaml, key: p95}}}", files)
    assert s.calls[0].reasoning == Reasoning(mean=D(500), p95=D(900))
    assert s.calls[0].steps == Steps(D(3), None, "fixed")
    s = load(repo, "model: o3\nper_session: 1\nreasoning: {budget: {from: app/a.yaml, key: b}}", files)
    assert s.calls[0].reasoning == Reasoning(budget=2000)


def test_each_side_reads_its_own_commit(tmp_path):
    root = init_repo(tmp_path / "r")
    write(root, {"bot.costgate.yaml": spec("model: {from: app/config.yaml, key: llm.model}\nper_session: 1"),
                 "q.txt": "hi\n", "app/config.yaml": APP_YAML})
    commit(root, "base")
    write(root, {"app/config.yaml": APP_YAML.replace("gpt-4o-mini", "gpt-4o")})
    assert load_spec("bot.costgate.yaml", GitTree(root, "HEAD")).calls[0].models == ("gpt-4o-mini",)
    assert load_spec("bot.costgate.yaml", WorkTree(root)).calls[0].models == ("gpt-4o",)


# ------------------------------------------------------------------------ errors

def test_missing_file_is_an_error_at_the_spec_line(repo):
    e = error(repo, "model: {from: app/nope.yaml, key: llm.model}\nper_session: 1", {})
    assert (e.location.file, e.location.line) == ("bot.costgate.yaml", 7)
    assert "file not found: app/nope.yaml" in e.message


def test_missing_key_suggests_the_close_one(repo):
    e = error(repo, "model: {from: app/config.yaml, key: llm.modle}\nper_session: 1", {"app/config.yaml": APP_YAML})
    assert (e.location.file, e.location.line) == ("bot.costgate.yaml", 7)
    assert e.message == "key 'llm.modle' not found in app/config.yaml"
    assert e.hint.startswith("did you mean 'llm.model'") and "llm.temperature" in e.hint


def test_missing_env_variable_suggests_one(repo):
    e = error(repo, "model: {from: .env, key: LLM_MODL}\nper_session: 1", {".env": "LLM_MODEL=gpt-4o\n"})
    assert "did you mean 'LLM_MODEL'?" in e.hint


def test_a_mapping_is_not_one_value(repo):
    e = error(repo, "model: {from: app/config.yaml, key: llm}\nper_session: 1", {"app/config.yaml": APP_YAML})
    assert (e.location.file, e.location.line) == ("app/config.yaml", 2)
    assert "llm in app/config.yaml is a mapping, not one value (bound at bot.costgate.yaml:7)" == e.message
    assert "llm.temperature" in e.hint


@pytest.mark.parametrize("call, files, message, line", [
    ("model: gpt-4o\nper_session: 1\nmax_tokens: {from: app/config.yaml, key: llm.max_tokens}",
     {"app/config.yaml": "llm:\n  max_tokens: -5\n"}, "calls[0].max_tokens must be > 0, got -5", 2),
    ("model: {from: app/config.yaml, key: llm.model}\nper_session: 1",
     {"app/config.yaml": "llm:\n  model: 4\n"}, "model must be a model id such as gpt-4o-mini", 2),
    ("model: gpt-4o\nper_session: {from: a.yml, key: turns}", {"a.yml": "a: 1\nturns: many\n"},
     "calls[0].per_session must be a number, got 'many'", 2),
    ("model: gpt-4o\nper_session: {from: .env, key: TURNS}", {".env": "TURNS=100000000\n"},
     "is over the turns_per_session limit", 1),
    ("model: o3\nper_session: 1\nreasoning: {effort: {from: a.toml, key: effort}}", {"a.toml": 'effort = "hgih"\n'},
     "calls[0].reasoning.effort must be one of", 1),
    ("model: gpt-4o\nper_session: 1\noutput_tokens: {mean: 100, max: {from: a.json, key: max}}",
     {"a.json": '{"max": 50}'}, "output_tokens.max (50) is below its mean (100)", 1),
])
def test_a_bound_value_is_checked_like_an_inline_one_naming_both_files(repo, call, files, message, line):
    e = error(repo, call, files)
    assert e.location.file == next(iter(files)) and e.location.line == line, str(e)
    assert message in e.message
    assert "bound at bot.costgate.yaml:" in e.message  # the spec line that binds it


def test_an_unknown_bound_model_is_reported_at_the_settings_line(repo):
    from costgate.estimate.simulate import estimate
    from costgate.pricing import load_table

    s = load(repo, "model: {from: app/config.yaml, key: llm.model}\nper_session: 1",
             {"app/config.yaml": "llm:\n  model: gpt-4p\n"})
    with pytest.raises(CostgateError) as info:
        estimate(s, load_table())
    assert (info.value.location.file, info.value.location.line) == ("app/config.yaml", 2)
    assert "gpt-4p" in info.value.message and "bound at bot.costgate.yaml:7" in info.value.message


@pytest.mark.parametrize("target", ["../outside.yaml", "/etc/passwd.yaml", "app/../../x.yaml", ".git/config.yaml"])
def test_paths_out_of_the_repository_are_refused(repo, target):
    (repo.parent / "outside.yaml").write_text("llm: {model: canary-model}\n", encoding="utf-8")
    e = error(repo, f"model: {{from: '{target}', key: llm.model}}\nper_session: 1", {})
    assert (e.location.file, e.location.line) == ("bot.costgate.yaml", 7)
    assert "leaves the repository" in e.message or "inside .git" in e.message
    assert "canary" not in str(e)


@pytest.mark.parametrize("binding, message", [
    ("{from: app/config.yaml}", "missing required key 'key'"),
    ("{from: app/config.yaml, key: llm.model, default: x}", "unknown key 'default'"),
    ("{from: app/config.yaml, key: 'llm..model'}", "must be a dotted key"),
    ("{from: 3, key: llm.model}", "must be a path to the app's settings file"),
    ("{from: app/config.ini, key: llm.model}", "not a settings file kind"),
])
def test_malformed_bindings(repo, binding, message):
    e = error(repo, f"model: {binding}\nper_session: 1", {"app/config.yaml": APP_YAML, "app/config.ini": "x"})
    assert e.location.file == "bot.costgate.yaml" and message in e.message


def test_a_broken_settings_file_names_both_files(repo):
    e = error(repo, "model: {from: app/c.json, key: m}\nper_session: 1", {"app/c.json": '{\n  "m": "gpt-4o",,\n}'})
    assert (e.location.file, e.location.line) == ("app/c.json", 2)
    assert e.message.startswith("invalid JSON") and "bound at bot.costgate.yaml:7" in e.message


def test_settings_that_are_not_bindable_stay_values(repo):
    e = error(repo, "model: gpt-4o\nper_session: 1\nbatch: {from: app/config.yaml, key: llm.temperature}",
              {"app/config.yaml": APP_YAML})
    assert e.location.file == "bot.costgate.yaml" and "batch must be a number" in e.message


def test_a_scenario_does_not_bind(repo):
    text = spec("model: gpt-4o\nper_session: 1") + "scenarios:\n  cheap:\n    answer: {model: {from: a.yaml, key: m}}\n"
    with pytest.raises(CostgateError) as info:
        load_spec(write_spec(repo, text, {"q.txt": "hi\n", "a.yaml": "m: gpt-4o-mini\n"}))
    assert info.value.location.file == "bot.costgate.yaml" and "model must be a model id" in info.value.message


# ------------------------------------------------------------- the editor schema

EVERY_BINDING = """\
model: o3
steps: {mean: {from: app/a.yaml, key: steps.mean}, p95: {from: app/a.yaml, key: steps.p95}}
history: full
output_tokens: {mean: {from: app/a.json, key: out.mean}, max: {from: app/a.json, key: out.max}}
max_tokens: {from: .env, key: MAX_TOKENS}
reasoning: {tokens: {mean: {from: app/a.toml, key: r.mean}, p95: {from: app/a.toml, key: r.p95}}}"""
BOUND_FILES = {"app/a.yaml": "steps: {mean: 3, p95: 6}\nmodel: gpt-4o\nn: 2\nshare: 0.5\nout: 100\n",
               "app/a.json": '{"out": {"mean": 100, "max": 400}}', ".env": "MAX_TOKENS=5000\n",
               "app/a.toml": "[r]\nmean = 200\np95 = 900\neffort = \"low\"\nbudget = 1000\n"}
OTHER_FORMS = [
    "model: {from: app/a.yaml, key: model}\nper_session: {from: app/a.yaml, key: n}\n"
    "output_tokens: {from: app/a.yaml, key: out}",
    "mix: {gpt-4o: {from: app/a.yaml, key: share}, gpt-4o-mini: 0.5}\nper_session: 1",
    "model: o3\nsteps: {from: app/a.yaml, key: n}\nhistory: full\nreasoning: {effort: {from: app/a.toml, key: r.effort}}",
    "model: o3\nper_session: 1\nreasoning: {tokens: {from: app/a.toml, key: r.mean}}",
    "model: o3\nper_session: 1\nreasoning: {budget: {from: app/a.toml, key: r.budget}}",
]


def _schema_check(text: str) -> list[str]:
    pytest.importorskip("jsonschema")
    return schema_errors(load_schema("spec.schema.json"), yaml.safe_load(text))


@pytest.mark.parametrize("call", [EVERY_BINDING, *OTHER_FORMS])
def test_every_bindable_setting_is_accepted_by_schema_and_parser(repo, call):
    assert _schema_check(spec(call)) == []
    assert load(repo, call, BOUND_FILES).calls[0].bindings


@pytest.mark.parametrize("call", [
    "model: {from: app/a.yaml}\nper_session: 1",
    "model: {from: app/a.yaml, key: model, default: gpt-4o}\nper_session: 1",
    "model: gpt-4o\nper_session: 1\nbatch: {from: app/a.yaml, key: share}",
    "model: gpt-4o\nper_session: 1\nreasoning: {from: app/a.toml, key: r.effort}",
])
def test_binding_mistakes_are_rejected_by_schema_and_parser(repo, call):
    assert _schema_check(spec(call)) != []
    with pytest.raises(CostgateError):
        load(repo, call, BOUND_FILES)


def test_a_value_from_an_env_file_is_never_quoted(repo):
    """.env files hold secrets (CI may write one before costgate runs): a spec binding a
    number or a model to a key does not get the key printed to the job log."""
    secret = "sk-proj-0123456789abcdefghijklmnopqrstuvwxyzSECRET"
    e = error(repo, "model: gpt-4o\nper_session: {from: .env, key: OPENAI_API_KEY}", {".env": f"OPENAI_API_KEY={secret}\n"})
    assert e.message.startswith("calls[0].per_session must be a number, got <hidden> (the value of OPENAI_API_KEY")
    assert "sk-proj" not in str(e)


def test_an_unknown_model_from_an_env_file_is_not_quoted(repo):
    from costgate.estimate.simulate import estimate
    from costgate.pricing import load_table

    s = load(repo, "model: {from: .env, key: TOKEN}\nper_session: 1", {".env": "TOKEN=ghp_secretsecretsecret\n"})
    with pytest.raises(CostgateError) as info:
        estimate(s, load_table())
    assert "ghp_secret" not in str(info.value) and info.value.location.file == ".env"
