"""Bad input: exit code 2 and exactly one message naming the file (and line), never a
traceback. Every case goes through the real CLI boundary (``costgate.cli.main``).

The base spec below is valid; each case changes one thing. Its line numbers are part of
the expectations, so keep them stable:

     1 version: 1
     2 feature: bot
     3 traffic:
     4   sessions_per_day: 100
     5 samples: {file: queries.txt}
     6 calls:
     7   - name: answer
     8     model: gpt-4o-mini
     9     per_session: 1
    10     system: {file: prompts/system.j2}
    11     user: "{{ query }}"
    12     output_tokens: 10
"""

from __future__ import annotations

import os

import pytest
from helpers import FIXTURES, write_spec

SPEC = "bot.costgate.yaml"
BASE = """\
version: 1
feature: bot
traffic:
  sessions_per_day: 100
samples: {file: queries.txt}
calls:
  - name: answer
    model: gpt-4o-mini
    per_session: 1
    system: {file: prompts/system.j2}
    user: "{{ query }}"
    output_tokens: 10
"""
FILES = {
    "queries.txt": "hello world\nhow are you\n",
    "prompts/system.j2": "You are a helpful assistant.\nBe brief.\n",
}


def edit(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.fixture
def estimate(repo, run):
    """Write a spec (+ files, ``None`` deletes a default file) and run `costgate estimate`
    on it; assert the failure is a clean, single-message exit 2 and return stderr."""

    def _estimate(spec_text: str = BASE, files: dict[str, str | None] | None = None,
                  expect: int = 2) -> str:
        merged = {**FILES, **(files or {})}
        path = write_spec(repo, spec_text, {k: v for k, v in merged.items() if v is not None})
        code, out, err = run("estimate", path, "--as-of", "2026-11-01", "--no-alternatives")
        assert code == expect, (code, out, err)
        if expect == 2:
            assert out == ""
            assert "Traceback" not in err
            assert "crashed" not in err
            assert err.startswith("error: ")
            # one message: a single "error:" line, optionally followed by its hint
            lines = err.rstrip("\n").split("\n")
            assert sum(line.startswith("error:") for line in lines) == 1, err
            assert all(line.startswith("  hint: ") for line in lines[1:]), err
        return err

    return _estimate


def test_base_spec_is_valid(estimate):
    estimate(expect=0)


# ------------------------------------------------------------------------- YAML level

def test_yaml_syntax_error(estimate):
    err = estimate(edit("  sessions_per_day: 100", "  sessions_per_day: [100"))
    assert err.startswith("error: bot.costgate.yaml:5: invalid YAML: ")
    assert "expected ',' or ']'" in err
    assert "hint: check indentation and quoting on that line" in err


def test_yaml_mapping_value_error(estimate):
    err = estimate(edit("feature: bot", "feature: bot: x"))
    assert err.startswith("error: bot.costgate.yaml:2: invalid YAML: mapping values are not allowed")


def test_duplicate_key(estimate):
    err = estimate(BASE + "feature: other\n")
    assert err.startswith("error: bot.costgate.yaml:13: duplicate key 'feature'")
    assert "hint: each key may appear once per mapping" in err


def test_alias_bomb_is_refused_by_alias_count(estimate):
    # The classic "billion laughs": each level references the previous one 9 times.
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    err = estimate("\n".join(lines) + "\n" + BASE)
    # 9 aliases per line from line 2 on: the 51st alias is on line 7.
    assert err.startswith("error: bot.costgate.yaml:7: more than 50 YAML aliases")
    assert "alias bombs" in err


def test_alias_bomb_is_refused_by_expansion(estimate):
    # Few aliases (45), but they expand to 9**6 values: the node limit catches it.
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 6):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    err = estimate("\n".join(lines) + "\n" + BASE)
    assert err.startswith("error: bot.costgate.yaml: YAML document expands to too many values")


def test_merge_keys_are_refused(estimate):
    err = estimate("base: &b {a: 1}\nother:\n  <<: *b\n" + BASE)
    assert err.startswith("error: bot.costgate.yaml:3: YAML merge keys (<<) are not supported")


def test_non_finite_number(estimate):
    err = estimate(edit("sessions_per_day: 100", "sessions_per_day: .inf"))
    assert err.startswith("error: bot.costgate.yaml:4: unsupported number '.inf'")


def test_empty_spec(estimate):
    err = estimate("")
    assert err.startswith("error: bot.costgate.yaml: spec is empty")


def test_spec_not_a_mapping(estimate):
    err = estimate("- 1\n")
    assert err.startswith("error: bot.costgate.yaml:1: spec must be a mapping")


# ------------------------------------------------------------------------ spec schema

def test_unknown_top_level_key_suggests(estimate):
    err = estimate(BASE + "budjet: {monthly_usd: 5}\n")
    assert err.startswith("error: bot.costgate.yaml:13: unknown key 'budjet' in spec")
    assert "hint: did you mean 'budget'?" in err


def test_unknown_call_key_suggests(estimate):
    err = estimate(edit("    output_tokens: 10", "    output_token: 10"))
    assert err.startswith("error: bot.costgate.yaml:12: unknown key 'output_token' in calls[0]")
    assert "hint: did you mean 'output_tokens'?" in err


def test_unsupported_version(estimate):
    err = estimate(edit("version: 1", "version: 2"))
    assert err.startswith("error: bot.costgate.yaml:1: unsupported spec version 2")
    assert "hint: this costgate reads version: 1" in err


def test_negative_sessions_per_day(estimate):
    err = estimate(edit("sessions_per_day: 100", "sessions_per_day: -5"))
    assert err.startswith("error: bot.costgate.yaml:4: traffic.sessions_per_day must be >= 0, got -5")


def test_non_numeric_sessions_per_day(estimate):
    err = estimate(edit("sessions_per_day: 100", "sessions_per_day: lots"))
    assert err.startswith("error: bot.costgate.yaml:4: traffic.sessions_per_day must be a number, got 'lots'")
    assert "hint: write a plain number" in err


def test_mix_shares_must_sum_to_one(estimate):
    err = estimate(edit("model: gpt-4o-mini", "mix: {gpt-4o-mini: 0.7, gpt-4o: 0.2}"))
    assert err.startswith("error: bot.costgate.yaml:8: mix shares sum to 0.9, not 1")
    assert "hint: adjust the shares so they add up to exactly 1" in err


def test_history_with_two_policies(estimate):
    err = estimate(edit("    output_tokens: 10", "    history: {window: 2, tokens: 3}"))
    assert err.startswith("error: bot.costgate.yaml:12: history takes one policy")


def test_unknown_model_suggests_nearest(estimate):
    err = estimate(edit("model: gpt-4o-mini", "model: gpt-4o-minii"))
    # Located at the call (line 7), named by call.model, nearest id first in the hint.
    assert err.startswith("error: bot.costgate.yaml:8: unknown model 'gpt-4o-minii' in answer.model")
    assert "hint: did you mean 'gpt-4o-mini'" in err


def test_unknown_model_in_mix(estimate):
    err = estimate(edit("model: gpt-4o-mini", "mix: {gpt-4o-mini: 0.5, gpt-4o-minii: 0.5}"))
    assert err.startswith("error: bot.costgate.yaml:8: unknown model 'gpt-4o-minii'")
    assert "did you mean 'gpt-4o-mini'" in err


# -------------------------------------------------------------------------- templates

def test_template_syntax_error_points_into_template_file(estimate):
    err = estimate(files={"prompts/system.j2": "line one\nline two {% if %}\n"})
    assert err.startswith("error: prompts/system.j2:2: template syntax error: ")
    assert "Expected an expression" in err


def test_inline_template_syntax_error_points_at_spec_line(estimate):
    err = estimate(edit('user: "{{ query }}"', 'user: "{{ query }} {% if %}"'))
    assert err.startswith("error: bot.costgate.yaml:11: template syntax error: ")


def test_block_scalar_template_syntax_error_line(estimate):
    # A literal block scalar's text starts on the line after `user: |`; the error is on
    # the template's second line, which is spec line 13.
    err = estimate(edit('    user: "{{ query }}"',
                        '    user: |\n      first {{ query }}\n      second {% if %}'))
    assert err.startswith("error: bot.costgate.yaml:13: template syntax error: ")


def test_undefined_variable_names_template_file_and_line(estimate):
    err = estimate(files={"prompts/system.j2": "line one\nline two\n{{ nope }}\n"})
    assert "undefined template variable: 'nope' is undefined" in err
    assert err.startswith("error: prompts/system.j2:3: undefined template variable")


def test_undefined_variable_in_inline_template_names_spec_line(estimate):
    err = estimate(edit('user: "{{ query }}"', 'user: "{{ querry }}"'))
    assert "undefined template variable: 'querry' is undefined" in err
    assert err.startswith("error: bot.costgate.yaml:11: undefined template variable")


@pytest.mark.parametrize("expr", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
])
def test_sandbox_escape_is_bad_input_not_a_crash(estimate, expr):
    err = estimate(files={"prompts/system.j2": "ok\n" + expr + "\n"})
    assert err.startswith("error: prompts/system.j2")
    assert "template does something unsafe: access to attribute" in err
    assert "is unsafe" in err


def test_huge_range_is_refused(estimate):
    err = estimate(files={"prompts/system.j2": "{% for i in range(10**9) %}x{% endfor %}\n"})
    assert err.startswith("error: prompts/system.j2")
    assert "Range too big" in err


def test_missing_template_file(estimate):
    err = estimate(files={"prompts/system.j2": None})
    assert err.startswith("error: bot.costgate.yaml:10: file not found: prompts/system.j2")
    assert "hint: paths in a spec are relative to the spec file" in err


# ---------------------------------------------------------------------------- samples

def test_missing_samples_file(estimate):
    err = estimate(files={"queries.txt": None})
    assert err.startswith("error: bot.costgate.yaml:5: file not found: queries.txt")


def test_empty_samples_file(estimate):
    err = estimate(files={"queries.txt": "\n   \n\n"})
    assert err.startswith("error: queries.txt: samples file has no samples")


def test_samples_jsonl_bad_line(estimate):
    err = estimate(edit("queries.txt", "rows.jsonl"),
                   files={"rows.jsonl": '{"query": "a"}\n\n{"query": "b"\n'})
    assert err.startswith("error: rows.jsonl:3: invalid JSON: ")
    assert "hint: each line of a .jsonl samples file is one JSON object" in err


def test_samples_jsonl_row_not_an_object(estimate):
    err = estimate(edit("queries.txt", "rows.jsonl"), files={"rows.jsonl": '{"query": "a"}\n[1, 2]\n'})
    assert err.startswith("error: rows.jsonl:2: each row must be a JSON object")


def test_samples_wrong_extension(estimate):
    err = estimate(edit("queries.txt", "queries.csv"), files={"queries.csv": "a\n"})
    assert err.startswith("error: bot.costgate.yaml:5: samples file must end in .txt or .jsonl: queries.csv")


# ---------------------------------------------------------------------- confinement

def test_template_path_leaving_repository(estimate):
    err = estimate(edit("{file: prompts/system.j2}", "{file: ../../etc/passwd}"))
    assert err.startswith("error: bot.costgate.yaml:10: path '../../etc/passwd' leaves the repository")
    assert "root:" not in err


def test_absolute_template_path_is_refused(estimate):
    err = estimate(edit("{file: prompts/system.j2}", "{file: /etc/passwd}"))
    assert err.startswith("error: bot.costgate.yaml:10: path '/etc/passwd' leaves the repository")


def test_samples_path_leaving_repository(estimate):
    err = estimate(edit("{file: queries.txt}", "{file: ../outside.txt}"))
    assert err.startswith("error: bot.costgate.yaml:5: path '../outside.txt' leaves the repository")


def test_symlink_out_of_repository_is_refused(estimate, repo, tmp_path):
    secret = tmp_path / "secret.j2"
    secret.write_text("top secret\n")
    os.symlink(secret, repo / "link.j2")
    err = estimate(edit("{file: prompts/system.j2}", "{file: link.j2}"))
    assert err.startswith("error: bot.costgate.yaml:10: link.j2 is a symlink that leaves the repository")
    assert "top secret" not in err


# ------------------------------------------------------------------------ other CLI

def test_missing_spec_argument_file(run, repo):
    code, out, err = run("estimate", repo / "nope.costgate.yaml")
    assert code == 2
    assert err.startswith("error: ")
    assert "no such file or directory" in err
    assert "Traceback" not in err


def test_bad_as_of_date(run, repo):
    path = write_spec(repo, BASE, FILES)
    code, _, err = run("estimate", path, "--as-of", "yesterday")
    assert code == 2
    assert err.startswith("error: --as-of must be a date like 2025-06-01, got 'yesterday'")


def test_tokens_unknown_model(run, tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("hello world")
    code, out, err = run("tokens", "-m", "gpt-4o-minii", f)
    assert code == 2
    assert out == ""
    assert err.startswith("error: unknown model 'gpt-4o-minii' in --model")
    assert "did you mean 'gpt-4o-mini'" in err


def test_tokens_messages_bad_json_has_line(run, tmp_path):
    f = tmp_path / "m.json"
    f.write_text('[\n  {"role": "user", "content": "hi"},\n  oops\n]\n')
    code, out, err = run("tokens", "--messages", f)
    assert code == 2
    assert err.startswith(f"error: {f}:3: invalid JSON: ")


def test_tokens_messages_wrong_shape(run, tmp_path):
    f = tmp_path / "m.json"
    f.write_text('[{"role": "user"}]')
    code, out, err = run("tokens", "--messages", f)
    assert code == 2
    assert err.startswith(f"error: {f}: messages must be a list of {{role, content[, name]}} objects")


def test_unknown_model_in_a_scenario_names_its_line(repo, run):
    write_spec(repo, """version: 1
feature: sc
traffic: {sessions_per_day: 10}
samples: {file: q.txt}
calls:
  - name: a
    model: gpt-4o
    per_session: 1
    user: "{{ query }}"
scenarios:
  cheap:
    a: {model: gpt-4o-mnii}
""", {"q.txt": "hi\n"}, name="s.costgate.yaml")
    code, out, err = run("estimate", str(repo / "s.costgate.yaml"))
    assert code == 2 and out == ""
    assert err.startswith("error: s.costgate.yaml:12: unknown model 'gpt-4o-mnii' in scenarios.cheap.a")
    assert "did you mean 'gpt-4o-mini'" in err


def test_a_bug_exits_3_and_asks_for_a_report(run, monkeypatch):
    import costgate.estimate.analyse

    def boom(*a, **k):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(costgate.estimate.analyse, "analyse_files", boom)
    spec = FIXTURES / "support-bot" / "support-bot.costgate.yaml"
    code, out, err = run("estimate", spec)
    assert code == 3 and "Traceback" not in err
    assert "a bug, not your input" in err and "COSTGATE_DEBUG=1" in err
    monkeypatch.setenv("COSTGATE_DEBUG", "1")
    code, _, err = run("estimate", spec)
    assert code == 3 and "Traceback" in err and "simulated bug" in err


def test_network_is_blocked_in_tests():
    import socket

    import pytest

    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("203.0.113.1", 443), timeout=1)


def test_zipf_and_zipf_exponent_together_name_the_line(repo, run):
    write_spec(repo, """version: 1
feature: z
traffic:
  sessions_per_day: 10
  users: {count: 5, zipf: 1, zipf_exponent: 1.2}
samples: {file: q.txt}
calls:
  - name: a
    model: gpt-4o
    per_session: 1
    user: "{{ query }}"
""", {"q.txt": "hi\n"}, name="z.costgate.yaml")
    code, _, err = run("estimate", str(repo / "z.costgate.yaml"))
    assert code == 2
    assert err.startswith("error: z.costgate.yaml:5: give zipf or zipf_exponent (its long spelling), not both")
