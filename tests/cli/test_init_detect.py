"""`costgate init --detect`: a spec proposed from the prompts, models and samples a
repository already has. Read-only, confined, bounded, never running what it reads; every
value written by the YAML serializer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from helpers import assert_clean_error, write

SIDE_EFFECT = "SIDE_EFFECT_RAN"
PY_AGENT = f'''\
import pathlib
pathlib.Path(__file__).with_name("{SIDE_EFFECT}").write_text("imported")
raise SystemExit("imported")

SYSTEM_PROMPT = """You are a coding agent.
Answer with a patch only, never with prose."""
NOT_A_PROMPT = "ok"
settings = dict(model="o3", reasoning_effort="high", max_tokens=2000)
'''
PROMPTY = """\
---
name: Chat
model:
  api: chat
  configuration:
    type: azure_openai
    azure_deployment: gpt-4.1-mini
  parameters:
    max_tokens: 800
---
system:
You are a helpful assistant.
user:
{{question}}
"""
CONFIG = """\
model: gpt-4o
summarize:
  system: |
    You are a summarizer. Read the document and answer with three bullet points.
  user: "Summarize this document: {{ document }}"
"""


@pytest.fixture
def project(repo: Path) -> Path:
    """A throwaway repository with a prompt of every kind, and decoys."""
    write(repo, {
        "prompts/answer/system.j2": "You are the support assistant of {{ product }}. Be brief.\n",
        "prompts/answer/user.j2": "Question: {{ query }}\n",
        "prompts/README.md": "How the prompts are organised.\n",
        "app/chat.prompty": PROMPTY,
        "config/prompts.yaml": CONFIG,
        "agent/agent_prompts.py": PY_AGENT,
        "data/samples.jsonl": '{"query": "hi"}\n',
        "node_modules/pkg/prompts/vendored.j2": "You are a vendored prompt.\n",
        "node_modules/pkg/config.yaml": "model: claude-sonnet-4-5\n",
        ".venv/lib/prompts/venv.j2": "You are in a venv.\n",
        "build/prompts/built.j2": "You are built.\n",
        "tests/prompts/fixture.j2": "You are a test fixture.\n",
        "tests/test_bot.py": 'MODEL = "claude-sonnet-4-5"\nSYSTEM_PROMPT = "You are a test fixture prompt."\n',
    })
    return repo


def detect(run, root: Path, *args: str) -> tuple[int, str, str]:
    return run("init", "--detect", "-C", root, *args)


def test_detect_proposes_a_spec_from_every_kind(run, project):
    code, out, err = detect(run, project, "--feature", "demo")
    assert code == 0, err
    spec = yaml.safe_load(out)
    assert spec["version"] == 1 and spec["feature"] == "demo"
    assert spec["samples"] == {"file": "data/samples.jsonl"}
    calls = {c["name"]: c for c in spec["calls"]}
    assert calls["agent"]["system"] == {"file": "agent/agent_prompts.py", "symbol": "SYSTEM_PROMPT"}
    assert (calls["agent"]["model"], calls["agent"]["max_tokens"], calls["agent"]["reasoning"]) == (
        "o3", 2000, {"effort": "high"})
    assert calls["chat"]["prompt"] == {"file": "app/chat.prompty"} and "user" not in calls["chat"]
    assert (calls["chat"]["model"], calls["chat"]["max_tokens"]) == ("gpt-4.1-mini", 800)
    assert calls["summarize"]["system"] == {"file": "config/prompts.yaml", "key": "summarize.system"}
    assert calls["summarize"]["user"] == {"file": "config/prompts.yaml", "key": "summarize.user"}
    assert calls["summarize"]["model"] == "gpt-4o"
    assert calls["answer"]["system"] == {"file": "prompts/answer/system.j2"}
    assert calls["answer"]["user"] == {"file": "prompts/answer/user.j2"}
    # no README, nothing vendored, in a virtual environment, built, or a test's fixture
    assert set(calls) == {"agent", "chat", "summarize", "answer"}
    assert not any(word in out for word in ("vendored", "claude", "venv.j2", "built", "fixture", "tests/"))
    assert all(c["per_session"] == 1 and c["output_tokens"] == 300 for c in calls.values())
    assert "# TODO" in out and "traffic:" in out


def test_python_is_parsed_never_imported(run, project):
    assert detect(run, project)[0] == 0
    assert not (project / "agent" / SIDE_EFFECT).exists()


def test_stderr_counts_by_kind_and_says_what_next(run, project):
    _, _, err = detect(run, project)
    assert ("found: 1 .prompty file, 2 prompt template files, 2 prompts inside YAML/JSON/TOML, "
            "1 Python prompt constant\n") in err
    assert "  model ids: o3 (1), gpt-4.1-mini (1), gpt-4o (1)\n" in err  # most often, then in the order found
    assert "  max_tokens: 2, reasoning effort: 1, samples (.jsonl): 1\n" in err
    assert "next:" in err and "--write" in err and "costgate estimate example.costgate.yaml" in err


def test_output_is_deterministic(run, project):
    assert detect(run, project) == detect(run, project)


def test_write_never_overwrites(run, project):
    code, out, err = detect(run, project, "--feature", "demo", "--write", "--dir", "llm")
    assert (code, out) == (0, "wrote llm/demo.costgate.yaml\n"), err
    written = (project / "llm/demo.costgate.yaml").read_text(encoding="utf-8")
    spec = yaml.safe_load(written)  # paths are relative to the spec's folder
    assert {"file": "../prompts/answer/system.j2"} in [c.get("system") for c in spec["calls"]]
    assert spec["samples"] == {"file": "../data/samples.jsonl"}
    assert_clean_error(*detect(run, project, "--feature", "demo", "--write", "--dir", "llm"), "never overwrites")
    assert (project / "llm/demo.costgate.yaml").read_text(encoding="utf-8") == written
    assert_clean_error(*detect(run, project, "--force"), "--detect never overwrites")


def test_write_needs_detect(run, repo):
    assert_clean_error(*run("init", "-C", repo, "--write"), "--write writes the proposal of --detect")


def test_write_refuses_symlinks(run, project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "example.costgate.yaml").write_text("mine\n", encoding="utf-8")
    os.symlink(outside / "example.costgate.yaml", project / "example.costgate.yaml")
    assert_clean_error(*detect(run, project, "--write"), "is a symlink")
    os.symlink(outside, project / "llm")
    assert_clean_error(*detect(run, project, "--write", "--dir", "llm"), "outside the repository")
    assert_clean_error(*detect(run, project, "--write", "--dir", "../outside"), "outside the repository")
    assert [p.name for p in outside.iterdir()] == ["example.costgate.yaml"]
    assert (outside / "example.costgate.yaml").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("name", ['prompts/say "hi".j2', "prompts/a: b.j2", "prompts/#hash.j2", "prompts/it's.md",
                                  "prompts/- dash.txt", "prompts/{{ x }}.j2", "prompts/ünï.j2"])
def test_hostile_names_are_escaped(run, repo, name):
    write(repo, {name: "You are a prompt with a hostile file name.\n"})
    code, out, err = detect(run, repo)
    assert code == 0, err
    spec = yaml.safe_load(out)
    assert spec["calls"][0]["system"] == {"file": name}
    assert len(out.splitlines()) == len([line for line in out.splitlines() if line.strip()])


def test_names_with_control_characters_are_skipped_not_pasted(run, repo):
    write(repo, {"prompts/new\nline.j2": "You are split.\n", "prompts/ok.j2": "You are fine.\n"})
    code, out, err = detect(run, repo)
    assert code == 0
    assert [c["system"] for c in yaml.safe_load(out)["calls"]] == [{"file": "prompts/ok.j2"}]
    assert "line.j2" not in out + err and "not read: 1 file: a name with control characters" in err


def test_yaml_keys_are_escaped(run, repo):
    write(repo, {"prompts.yaml": 'bot:\n  "system: #1": "You are a bot with a hostile key name here."\n'})
    code, out, _ = detect(run, repo)
    assert code == 0
    assert yaml.safe_load(out)["calls"][0]["system"] == {"file": "prompts.yaml", "key": "bot.system: #1"}


def test_nothing_found_still_proposes_a_valid_skeleton(run, repo):
    code, out, err = detect(run, repo, "--feature", "empty")
    assert code == 0
    spec = yaml.safe_load(out)
    assert spec["calls"][0]["user"] == "{{ query }}" and spec["calls"][0]["model"] == "gpt-4o-mini"
    assert spec["samples"] == {"file": "empty.queries.txt"}
    assert "found: no prompts" in err and "none known to the price table" in err


def test_env_and_toml_settings(run, repo):
    write(repo, {".env": "export OPENAI_MODEL='openai/gpt-4o-mini'\nSECRET_KEY=sk-not-echoed\n",
                 "settings.toml": "[llm]\nmax_tokens = 512\n",
                 "prompts/system.txt": "You are terse.\n"})
    code, out, err = detect(run, repo)
    assert code == 0
    assert yaml.safe_load(out)["calls"][0]["model"] == "gpt-4o-mini"
    assert "sk-not-echoed" not in out + err
    assert "max_tokens: 1," in err


def test_symlink_out_of_the_repository_is_not_read(run, repo, tmp_path):
    secret = tmp_path / "secret.j2"
    secret.write_text("You are SECRET-CANARY\n", encoding="utf-8")
    (repo / "prompts").mkdir()
    os.symlink(secret, repo / "prompts" / "leak.j2")
    os.symlink(tmp_path, repo / "linked")
    code, out, err = detect(run, repo)
    assert code == 0 and "SECRET-CANARY" not in out + err and "leak.j2" not in out
    assert "not read: 1 file: unreadable, a link out of the repository or not a file" in err


def test_bounded_file_count(repo):
    from costgate.spec.detect import detect as find

    write(repo, {f"prompts/p{i:02}.txt": "You are prompt number {i}.\n" for i in range(10)})
    found = find(repo, {}, max_files=4)
    assert found.truncated and found.files == 4 and len(found.prompts) == 4
