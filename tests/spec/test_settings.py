"""The app-settings readers a binding reads through (costgate/spec/settings.py): each file
kind's values, exact numbers, and the line of every key (what errors and the gate's
annotations point at); malformed and unbounded input refused at its line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from costgate.errors import CostgateError
from costgate.spec.settings import kind, read_settings


@pytest.mark.parametrize("name, expected", [
    ("app/config.yaml", "yaml"), ("a.YML", "yaml"), ("settings.json", "json"), ("pyproject.toml", "toml"),
    (".env", "env"), ("app/.env.local", "env"), ("prod.env", "env"), ("p/answer.prompty", "prompty"),
    ("config.ini", None), ("Makefile", None), ("envfile", None),
])
def test_kind_by_name(name, expected):
    assert kind(name) == expected


def test_json_values_are_exact_and_every_key_has_its_line():
    text = ('{\n  "a": {"x": 1,\n        "y": [10,\n              {"z": 0.1}]},\n  "b": "t",\n'
            '  "a2": {"a": {"x": 2}}\n}\n')
    s = read_settings(text, "c.json")
    assert s.data["a"]["y"][1]["z"] == Decimal("0.1")
    assert (s.line(("a",)), s.line(("a", "x")), s.line(("a", "y")), s.line(("a", "y", 0))) == (2, 2, 3, 3)
    assert (s.line(("a", "y", 1, "z")), s.line(("b",)), s.line(("a2", "a", "x"))) == (4, 5, 6)


def test_json_duplicate_keys_take_the_last_like_json_does():
    s = read_settings('{"m": "a",\n "m": "b"}', "c.json")
    assert (s.data["m"], s.line(("m",))) == ("b", 2)


@pytest.mark.parametrize("text", ['{"n": NaN}', '{"n": Infinity}', '{"n": 1e999}', '{"n": ' + "9" * 40 + "}"])
def test_json_numbers_are_bounded(text):
    with pytest.raises(CostgateError):
        read_settings(text, "c.json")


def test_json_syntax_error_has_its_line():
    with pytest.raises(CostgateError) as info:
        read_settings('{\n  "a": 1\n  "b": 2\n}', "c.json")
    assert info.value.location.line == 3 and info.value.message.startswith("invalid JSON")


TOML = '''\
title = "x"  # a comment
notes = """
model = "not a key"
"""

[llm]
model = "gpt-4o"
limits.max = 800
"quoted.key" = 1
inline = { mean = 5 }

[[servers]]
name = "a"

[[servers]]
name = "b"
share = 0.25

[ tool . app ]
effort = 'low'
'''


def test_toml_values_and_lines():
    s = read_settings(TOML, "pyproject.toml")
    assert s.data["llm"]["limits"]["max"] == 800 and s.data["servers"][1]["share"] == Decimal("0.25")
    assert s.line(("notes",)) == 2 and ("model",) not in s.lines  # inside a multi-line string
    assert (s.line(("llm",)), s.line(("llm", "model")), s.line(("llm", "limits", "max"))) == (6, 7, 8)
    assert (s.line(("llm", "quoted.key")), s.line(("llm", "inline", "mean"))) == (9, 10)  # an inline table: its line
    assert (s.line(("servers", 0, "name")), s.line(("servers", 1, "name")), s.line(("servers", 1, "share"))) == \
        (13, 16, 17)
    assert s.line(("tool", "app", "effort")) == 20


@pytest.mark.parametrize("text", ["x = nan", "x = inf", "x = 1e999"])
def test_toml_numbers_are_bounded(text):
    with pytest.raises(CostgateError):
        read_settings(text, "a.toml")


def test_toml_syntax_error_has_its_line():
    with pytest.raises(CostgateError) as info:
        read_settings("a = 1\nb = = 2\n", "a.toml")
    assert info.value.location.line == 2 and info.value.message.startswith("invalid TOML")


def test_env_lines_quotes_comments_and_numbers():
    text = ("# comment\n\nexport MODEL='gpt-4o' # the model\nMAX=800\nSHARE=0.5\nQUOTED=\"a \\\"b\\\" # c\"\n"
            "EMPTY=\nMAX=900\nURL=http://x#frag\n")
    s = read_settings(text, ".env")
    assert s.data == {"MODEL": "gpt-4o", "MAX": 900, "SHARE": Decimal("0.5"), "QUOTED": 'a "b" # c', "EMPTY": "",
                      "URL": "http://x#frag"}
    assert (s.line(("MODEL",)), s.line(("MAX",))) == (3, 8)  # set twice: the last one counts


@pytest.mark.parametrize("text, line", [("A=1\nnot a line\n", 2), ('A="open\n', 1), ("A='x' y\n", 1)])
def test_env_malformed_lines(text, line):
    with pytest.raises(CostgateError) as info:
        read_settings(text, ".env")
    assert info.value.location.line == line


def test_prompty_front_matter_lines_are_the_files():
    s = read_settings("\n---\nname: x\nmodel:\n  configuration:\n    name: gpt-4o\n---\nsystem: hi\n", "a.prompty")
    assert s.data["model"]["configuration"]["name"] == "gpt-4o" and s.line(("model", "configuration", "name")) == 6
    assert "system" not in s.data


@pytest.mark.parametrize("text", ["system:\nhi\n", "---\nname: x\n", ""])
def test_prompty_without_front_matter(text):
    with pytest.raises(CostgateError) as info:
        read_settings(text, "a.prompty")
    assert "front matter" in info.value.message


def test_prompty_front_matter_errors_have_the_files_line():
    with pytest.raises(CostgateError) as info:
        read_settings("---\nname: x\nmodel: [\n---\nbody\n", "a.prompty")
    assert info.value.message.startswith("front matter: invalid YAML") and info.value.location.line >= 3


def test_yaml_keeps_its_bounds():
    bomb = "a: &a [x, x]\n" + "".join(f"b{i}: &b{i} [*a, *a]\n" for i in range(60))
    with pytest.raises(CostgateError, match="aliases"):
        read_settings(bomb, "c.yaml")


def test_oversized_files_are_refused():
    with pytest.raises(CostgateError, match="larger than"):
        read_settings("A=" + "x" * 2_100_000, ".env")


def test_toml_lines_of_a_table_under_an_array_of_tables():
    # [models.opts] after the second [[models]] is models[1].opts; lines inside a
    # multi-line array are not keys.
    text = ('[[models]]\nname = "a"\n[models.opts]\nmodel = "x"\n\n[[models]]\nname = "b"\n[models.opts]\n'
            'model = "y"\nlist = [\n  "k = 1",\n]\n')
    s = read_settings(text, "a.toml")
    assert s.data["models"][1]["opts"]["model"] == "y"
    assert (s.line(("models", 0, "opts", "model")), s.line(("models", 1, "opts", "model"))) == (4, 9)
    assert s.line(("models",)) == 1 and ("k",) not in s.lines
