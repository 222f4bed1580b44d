"""`costgate tokens`: a text file, a messages file (with chat overhead), JSON output,
approximate models, stdin. Bad input is in test_errors.py."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def text_file(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("hello world", encoding="utf-8")
    return f


@pytest.fixture
def messages_file(tmp_path):
    f = tmp_path / "m.json"
    f.write_text(json.dumps([
        {"role": "system", "content": "hello world"},
        {"role": "user", "content": "hello world", "name": "bob"},
    ]), encoding="utf-8")
    return f


def test_cli_tokens_text(run, text_file):
    assert run("tokens", text_file) == (0, "2\n", "")


def test_cli_tokens_text_cl100k_model(run, text_file):
    assert run("tokens", "-m", "gpt-4", text_file) == (0, "2\n", "")


def test_cli_tokens_messages(run, messages_file):
    # reply 3 + system (3 + 1 + 2) + user (3 + 1 + 2) + name (1 + 1) = 17
    assert run("tokens", "--messages", messages_file) == (0, "17\n", "")


def test_cli_tokens_messages_json(run, messages_file):
    code, out, err = run("tokens", "--messages", "--format", "json", "-m", "gpt-4o-mini", messages_file)
    assert code == 0 and err == ""
    # message_tokens, tool_tokens and tools_rule were added with tool counting, mode, variables and
    # samples with rendering (keys are only ever added)
    assert json.loads(out) == {"schema_version": 1, "model": "gpt-4o-mini", "tokenizer": "o200k_base",
                               "exact": True, "messages": True, "tokens": 17, "message_tokens": 17,
                               "tool_tokens": 0, "tools_rule": None, "mode": "raw", "variables": [],
                               "samples": None}


def test_cli_tokens_approximate_model(run, text_file):
    code, out, err = run("tokens", "-m", "claude-sonnet-4-5", text_file)
    assert code == 0
    assert out == "~2\n"  # round(2 * 1.182), the latin ratio
    assert err == "~ approximate: claude-sonnet-4-5 uses the claude tokenizer, estimated from o200k_base\n"


def test_cli_tokens_messages_no_overhead_provider(run, messages_file):
    # Anthropic publishes no per-message rule; Claude's measured frame is 7 tokens a request
    # and role names are not text (tokens/chat.py TEMPLATES). Content and name, times the
    # latin ratio 1.182, per count: round(1.182*2)=2 for "hello world", round(1.182*1)=1.
    code, out, _ = run("tokens", "--messages", "-m", "claude-sonnet-4-5", messages_file)
    assert code == 0
    assert out == f"~{7 + 2 + (2 + 1)}\n"


def test_cli_tokens_from_stdin(run, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"hello world"), encoding="utf-8"))
    assert run("tokens") == (0, "2\n", "")
