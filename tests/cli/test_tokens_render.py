"""`costgate tokens` on templates: rendered the way the estimator renders them (with
--var, over --sample rows, one --row), or counted raw with --raw; the output says which.

Counts by hand: " hello" * N is exactly N o200k tokens; "{{ a }}" is 3 ("{{", " a",
" }}"); "\\n" is 1; Jinja2 drops one final newline of a template, as in an estimate.
"""

from __future__ import annotations

import json

import pytest
from helpers import AS_OF, assert_clean_error, hello

TEMPLATE = "{{ a }}" + hello(10) + "\n"
RAW = 3 + 10 + 1


@pytest.fixture
def tpl(tmp_path):
    f = tmp_path / "t.j2"
    f.write_text(TEMPLATE, encoding="utf-8")
    return f


@pytest.fixture
def rows(tmp_path):
    """Three rows: a is 1, 3 and 0 hellos, so the template renders to 11, 13 and 10 tokens."""
    f = tmp_path / "rows.jsonl"
    f.write_text("\n".join(json.dumps({"a": a}) for a in (hello(1), hello(3), "")) + "\n\n", encoding="utf-8")
    return f


def test_raw_counts_the_source(run, tpl):
    assert run("tokens", "--raw", tpl) == (0, f"{RAW}\n", "raw text (not rendered)\n")


def test_rendered_with_var(run, tpl):
    assert run("tokens", tpl, "--var", f"a={hello(2)}") == (0, "12\n", "rendered with 1 variable from --var\n")


def test_json_var_value(run, tmp_path):
    f = tmp_path / "loop.j2"
    f.write_text("{% for x in xs %} hello{% endfor %}", encoding="utf-8")
    assert run("tokens", f, "--var", "xs:=[1, 2, 3, 4]")[1] == "4\n"


def test_samples_spread(run, tpl, rows):
    code, out, err = run("tokens", tpl, "--sample", rows)
    assert code == 0
    # 11, 13, 10: nearest-rank p50 is 11, p95 is 13; the blank line is not a sample
    assert out == "min: 10\nmean: 11.3\np50: 11\np95: 13\nmax: 13\n"
    assert err == f"rendered over 3 samples of {rows}\n"


def test_one_row(run, tpl, rows):
    assert run("tokens", tpl, "--sample", rows, "--row", "2") == (
        0, "13\n", f"rendered with sample 2 of {rows}\n")


def test_a_sample_row_wins_over_var(run, tpl, rows):
    # as a sample's fields win over a spec's vars
    code, out, err = run("tokens", tpl, "--sample", rows, "--row", "1", "--var", f"a={hello(50)}")
    assert (code, out) == (0, "11\n")
    assert err == f"rendered with sample 1 of {rows}, and 1 variable from --var\n"


def test_json_modes(run, tpl, rows):
    def doc(*args):
        code, out, err = run("tokens", "--format", "json", *args)
        assert code == 0 and err == ""
        return json.loads(out)

    raw = doc("--raw", tpl)
    assert (raw["mode"], raw["tokens"], raw["variables"], raw["samples"]) == ("raw", RAW, [], None)
    rendered = doc(tpl, "--var", f"a={hello(2)}")
    assert (rendered["mode"], rendered["tokens"], rendered["variables"]) == ("rendered", 12, ["a"])
    samples = doc(tpl, "--sample", rows)
    assert samples["mode"] == "samples" and samples["tokens"] == 13  # the largest row
    assert samples["samples"] == {"file": str(rows), "rows": 3, "total": 3, "row": None, "min": 10, "mean": "11.3",
                                  "p50": 11, "p95": 13, "max": 13}
    one = doc(tpl, "--sample", rows, "--row", "3")
    assert (one["mode"], one["tokens"], one["samples"]["row"]) == ("rendered", 10, 3)
    # the keys every earlier document had are all still there
    assert {"schema_version", "model", "tokenizer", "exact", "messages", "tokens", "message_tokens", "tool_tokens",
            "tools_rule"} <= set(raw)


def test_plain_text_is_counted_as_it_is_and_says_nothing(run, tmp_path):
    f = tmp_path / "plain.txt"
    f.write_text(hello(5) + "\n", encoding="utf-8")
    assert run("tokens", f) == (0, "6\n", "")


def test_a_template_extension_is_rendered_even_without_syntax(run, tmp_path):
    f = tmp_path / "static.j2"
    f.write_text(hello(5) + "\n", encoding="utf-8")
    assert run("tokens", f) == (0, "5\n", "rendered (no variables)\n")  # the final newline goes, as in an estimate


def test_stdin_template_is_rendered(run, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"{{ a }}" + hello(2).encode()), encoding="utf-8"))
    assert run("tokens", "--var", f"a={hello(1)}")[:2] == (0, "3\n")


def test_the_issue_template_counts_as_the_estimate_does(run, tmp_path):
    """Issue 13: `costgate tokens FILE.j2` counted the Jinja source while the estimate
    counted the rendered prompt. The default is now the estimate's number."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts/system.j2").write_text("{{ product }} is great." + hello(1000) + "\n", encoding="utf-8")
    (tmp_path / "q.txt").write_text("hi\n", encoding="utf-8")
    spec = tmp_path / "bot.costgate.yaml"
    spec.write_text(f"""version: 1
feature: bot
traffic: {{sessions_per_day: 1}}
samples: {{file: q.txt}}
vars: {{product: "{'Acme ' * 20}"}}
calls:
  - name: answer
    model: gpt-4o
    per_session: 1
    system: {{file: prompts/system.j2}}
    user: "{{{{ query }}}}"
""", encoding="utf-8")
    code, out, _ = run("estimate", spec, "--format", "json", "--as-of", AS_OF, "--no-alternatives", "--no-cache")
    assert code == 0
    estimated = json.loads(out)["estimates"][0]["calls"][0]["system_rendered_tokens"]
    code, rendered, _ = run("tokens", tmp_path / "prompts/system.j2", "--var", "product=" + "Acme " * 20)
    code_raw, raw, _ = run("tokens", "--raw", tmp_path / "prompts/system.j2")
    assert code == code_raw == 0
    assert int(rendered) == estimated != int(raw)


def test_messages_contents_are_rendered(run, tmp_path):
    f = tmp_path / "m.json"
    f.write_text(json.dumps([{"role": "user", "content": "{{ q }}"}]), encoding="utf-8")
    # reply 3 + message 3 + role 1 + content 7
    assert run("tokens", "--messages", f, "--var", f"q={hello(7)}") == (
        0, "14\n", "rendered with 1 variable from --var\n")


def test_undefined_variable_is_the_estimators_error(run, tmp_path):
    f = tmp_path / "u.j2"
    f.write_text("line one\n{{ missing }}\n", encoding="utf-8")
    code, out, err = run("tokens", f)
    assert_clean_error(code, out, err, f"{f}:2:", "undefined template variable", "'missing' is undefined",
                       "--var NAME=VALUE", "--raw")


def test_undefined_variable_suggests_a_misspelt_var(run, tmp_path):
    f = tmp_path / "u.j2"
    f.write_text("{% if True %}{{ product }}{% endif %}", encoding="utf-8")
    code, out, err = run("tokens", f, "--var", "prodcut=x")
    assert_clean_error(code, out, err, "'product' is undefined", "--var gave 'prodcut', not 'product'")


def test_undefined_variable_in_a_sample_row_names_the_row(run, tpl, tmp_path):
    f = tmp_path / "rows.jsonl"
    f.write_text('{"a": "x"}\n{"b": "y"}\n', encoding="utf-8")
    code, out, err = run("tokens", tpl, "--sample", f)
    assert_clean_error(code, out, err, "'a' is undefined (rendering sample 2 of")


def test_template_syntax_error_suggests_raw(run, tmp_path):
    f = tmp_path / "code.txt"
    f.write_text("x = {{ broken\n", encoding="utf-8")
    assert_clean_error(*run("tokens", f), "template syntax error", "--raw")
    assert run("tokens", "--raw", f)[0] == 0


def test_templates_stay_in_the_sandbox(run, tmp_path):
    f = tmp_path / "x.j2"
    f.write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    assert_clean_error(*run("tokens", f), "unsafe")


@pytest.mark.parametrize("value, needles", [
    ("a", ["--var 'a' has no '='"]),
    ("=1", ["is not a template variable name"]),
    ("1a=2", ["'1a' is not a template variable name"]),
    ("a b=2", ["is not a template variable name"]),
    ("a:={bad", ["--var a:= is not valid JSON"]),
    ("a:=", ["--var a:= is not valid JSON"]),
])
def test_var_parsing_errors(run, tpl, value, needles):
    assert_clean_error(*run("tokens", tpl, "--var", value), *needles)


def test_var_given_twice(run, tpl):
    assert_clean_error(*run("tokens", tpl, "--var", "a=1", "--var", "a:=2"), "--var a is given twice")


@pytest.mark.parametrize("args, needle", [
    (["--raw", "--var", "a=1"], "--raw counts the text as it is"),
    (["--raw", "--sample", "@ROWS@"], "--raw counts the text as it is"),
    (["--row", "1"], "--row picks a row of --sample FILE"),
    (["--sample", "@ROWS@", "--row", "4"], "--row 4: @ROWS@ has 3 samples"),
    (["--sample", "@TPL@"], "a samples file ends in .txt or .jsonl"),
])
def test_option_errors(run, tpl, rows, args, needle):
    args = [a.replace("@ROWS@", str(rows)).replace("@TPL@", str(tpl)) for a in args]
    assert_clean_error(*run("tokens", tpl, *args), needle.replace("@ROWS@", str(rows)))


def test_image_takes_no_template_options(run):
    assert_clean_error(*run("tokens", "--image", "512x512", "--var", "a=1"), "--image counts images alone")


def test_sampled_file_has_no_row_numbers():
    from costgate.errors import CostgateError
    from costgate.estimate.template_tokens import choose_rows
    from costgate.spec.samples import Samples

    sampled = Samples(({"a": 1},), total=5)  # the reservoir kept 1 of 5 rows
    with pytest.raises(CostgateError, match="read as a seeded sample"):
        choose_rows({}, sampled, "big.jsonl", 1)
    assert "a seeded sample of its 5 rows" in choose_rows({}, sampled, "big.jsonl").describe()


def test_includes_and_formats_are_rendered_as_the_estimator_does(run, tmp_path):
    # "Rules:" + the included " hello" x 10 + " " + the variable: 1 + 10 + 1 token(s).
    (tmp_path / ".git").mkdir()
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "sys.j2").write_text('Rules:{% include "part.j2" %} {{ q }}')
    (tmp_path / "p" / "part.j2").write_text(hello(10))
    code, out, _ = run("tokens", tmp_path / "p" / "sys.j2", "--var", "q=why")
    assert code == 0 and out.strip() == "13"
    (tmp_path / "p" / "esc.j2").write_text('{% include "../../outside.j2" %}')
    code, out, err = run("tokens", tmp_path / "p" / "esc.j2")
    assert code == 2 and "leaves the repository" in err
    # a .mustache file is rendered as Mustache: {{q}} escapes "<" as "&lt;"
    (tmp_path / "p" / "m.mustache").write_text("{{q}}")
    code, out, _ = run("tokens", tmp_path / "p" / "m.mustache", "--var", "q=<", "--format", "json")
    assert code == 0 and json.loads(out)["tokens"] == 2  # "&lt;" is 2 o200k tokens
